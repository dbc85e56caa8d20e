"""The live snapshot of an image-booted server, as the Nova plugin uses it.

The test cloud's hypervisor snapshots a server into the bytes of the image
it was booted from, so what the chunk store holds afterwards is known.
"""
import hashlib
import io
import os
import uuid

from oslo_config import cfg
import pytest

from smaug.protection import activity
from smaug.protection import resource
from smaug.protection import resource_types
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import checkpoint_layout
from smaug.protection.bank import filesystem
from smaug.protection.chunks import digests
from smaug.protection.plugins.openstack import image_data
from smaug.protection.plugins.openstack import server_snapshot
from smaug.protection.plugins.openstack import tagging
from smaug.tests.fixtures.waiting import wait_for

MIB = 1024 * 1024
DISK = os.urandom(3 * MIB + 789)


@pytest.fixture
def bank(tmp_path):
    conf = cfg.ConfigOpts()
    conf(args=[], default_config_files=[])
    filesystem.FileSystemBankPlugin.register_opts(conf)
    conf.set_override('bank_path', str(tmp_path / 'bank'),
                      group=filesystem.GROUP)
    return bank_module.Bank(filesystem.FileSystemBankPlugin(conf))


@pytest.fixture
def server(smaug_clients, name, cleanup):
    glance, nova = smaug_clients.glance(), smaug_clients.nova()
    image = glance.images.create(name=name, disk_format='raw',
                                 container_format='bare')
    cleanup('image', image_data.delete_image, glance, image.id)
    glance.images.upload(image.id, io.BytesIO(DISK))
    booted = nova.servers.create(
        name, image=image.id, nics='none',
        flavor=nova.flavors.find(name='devcloud.tiny'))
    cleanup('server', _delete_server, nova, booted.id)
    return wait_for('server %s active' % booted.id,
                    lambda: _active(nova, booted.id))


def _active(nova, server_id):
    current = nova.servers.get(server_id)
    assert current.status != 'ERROR', getattr(current, 'fault', None)
    return current if current.status == 'ACTIVE' else None


def _delete_server(nova, server_id):
    nova.servers.delete(server_id)
    wait_for('server %s gone' % server_id,
             lambda: server_id not in {s.id for s in nova.servers.list()})


def _context(cloud, bank, operation, server, checkpoint_id):
    server_resource = resource.Resource(type=resource_types.SERVER,
                                        id=server.id, name=server.name)
    return activity.ActivityContext(
        context=cloud.user_context('demo'), operation=operation,
        operation_id=str(uuid.uuid4()), resource=server_resource,
        parameters={}, bank=checkpoint_layout.resource_section(
            bank, checkpoint_id, server_resource,
            writable=operation == 'protect'))


def test_a_server_disk_is_saved_and_restored_as_an_image(
        smaug_clients, bank, server, cleanup):
    glance = smaug_clients.glance()
    checkpoint_id = str(uuid.uuid4())
    protect = _context(smaug_clients, bank, 'protect', server,
                       checkpoint_id)
    reported = []

    saved = server_snapshot.save_server_disk(
        protect, server.id, protect.bank, 'root-disk',
        progress=lambda done, total: reported.append(done))

    assert (saved['size'], saved['digest']) == (
        len(DISK), digests.of_stream(io.BytesIO(DISK),
                                     cfg.CONF.chunk_store.chunk_size))
    assert reported[-1] == len(DISK)
    # The temporary snapshot image is gone.
    assert list(glance.images.list(filters={
        tagging.OPERATION_KEY: protect.operation_id})) == []

    restore = _context(smaug_clients, bank, 'restore', server,
                       checkpoint_id)
    new_id = server_snapshot.restore_server_image(
        restore, saved['image'], restore.bank, 'root-disk',
        image_name='restored-' + server.name)
    cleanup('restored image', image_data.delete_image, glance, new_id)

    restored = glance.images.get(new_id)
    assert restored.name == 'restored-' + server.name
    assert restored.os_hash_value == hashlib.sha512(DISK).hexdigest()
    assert restored[tagging.OPERATION_KEY] == restore.operation_id
    assert b''.join(glance.images.data(new_id)) == DISK

    server_snapshot.revert_server_disk(protect, protect.bank, 'root-disk')
    assert protect.bank.list_objects() == []
