"""The Nova server plugin's activities against the test cloud.

Each test boots a real server as the demo user, saves its definition into
a file-system bank with the protect activity, and restores it with the
restore activities, handing them as "restored children" volumes and images
made for the test: the plugins of the children are not under test here.

The tests of the live snapshot of the root disk run the plugin alone in
an in-process agent (:mod:`harness`): the server's image is not protected
with it, so only the snapshot can bring the root disk back.
"""
import dataclasses
import hashlib
import io
import os
import uuid

import pytest

from smaug.protection import activity
from smaug.protection import resource as resource_module
from smaug.protection import resource_types
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import base as bank_base
from smaug.protection.bank import checkpoint_layout
from smaug.protection.bank import filesystem
from smaug.protection.chunks import layout as chunk_layout
from smaug.protection.plugins.openstack import nova as nova_plugin
from smaug.protection.plugins.openstack import server_definition
from smaug.protection.plugins.openstack import server_mapping
from smaug.protection.plugins.openstack import tagging
from smaug.tests.fixtures.waiting import wait_for
from smaug.tests.functional.openstack import harness
from smaug.tests.unit.protection.bank import testbanks

GiB = 1024 ** 3
LIVE_SNAPSHOT = {'root_disk': 'live_snapshot'}


@pytest.fixture
def bank(tmp_path):
    return bank_module.Bank(filesystem.FileSystemBankPlugin(
        testbanks.file_system_conf(tmp_path / 'bank')))


class Cloud:
    """The demo project, as a test sees and fills it."""

    def __init__(self, devcloud, name, cleanup):
        self.devcloud = devcloud
        self.name = name
        self.cleanup = cleanup
        self.nova = devcloud.nova()
        self.cinder = devcloud.cinder()
        self.glance = devcloud.glance()
        self.context = devcloud.user_context('demo')

    def image(self):
        image = self.glance.images.create(
            name=self.name, disk_format='raw', container_format='bare')
        self.cleanup('image', self.glance.images.delete, image.id)
        self.glance.images.upload(image.id, io.BytesIO(os.urandom(65536)))
        return image

    def volume(self, suffix, **kwargs):
        volume = self.cinder.volumes.create(1, name=self.name + suffix,
                                            **kwargs)
        self.cleanup('volume', self.cinder.volumes.delete, volume.id)
        return self.volume_in(volume.id, 'available')

    def volume_in(self, volume_id, status):
        def reached():
            found = self.cinder.volumes.get(volume_id)
            assert not found.status.startswith('error'), found.status
            return found if found.status == status else None
        return wait_for('volume %s %s' % (volume_id, status), reached)

    def server(self, **kwargs):
        flavor = self.nova.flavors.find(name='devcloud.tiny')
        server = self.nova.servers.create(self.name, flavor=flavor,
                                          nics='none', **kwargs)
        self.cleanup('server', self.delete_server, server.id)

        def active():
            found = self.nova.servers.get(server.id)
            assert found.status != 'ERROR', found.fault
            return found if found.status == 'ACTIVE' else None
        return wait_for('server %s ACTIVE' % server.id, active)

    def delete_server(self, server_id):
        self.nova.servers.delete(server_id)
        wait_for('server %s gone' % server_id,
                 lambda: server_id not in self.server_ids())

    def attach(self, server, volume, device):
        self.nova.volumes.create_server_volume(server.id, volume.id, device)
        self.cleanup('attachment', self.detach, server.id, volume.id)
        self.volume_in(volume.id, 'in-use')

    def detach(self, server_id, volume_id):
        self.nova.volumes.delete_server_volume(server_id, volume_id)
        self.volume_in(volume_id, 'available')

    def server_ids(self):
        return {server.id for server in self.nova.servers.list(limit=-1)}

    def attachments(self, server_id):
        return sorted((attachment.volumeId, attachment.device) for
                      attachment in
                      self.nova.volumes.get_server_volumes(server_id))

    def context_for(self, operation, server, bank, parameters=None,
                    children=None, operation_id=None):
        resource = resource_module.Resource(resource_types.SERVER,
                                            server.id, server.name)
        return activity.ActivityContext(
            context=self.context, operation=operation,
            operation_id=operation_id or str(uuid.uuid4()),
            resource=resource, parameters=parameters or {},
            bank=bank.section('resources/%s' % server.id),
            children=children or {}, progress=lambda done, total=None: None)

    def protect(self, server, bank, parameters=None):
        ctx = self.context_for('protect', server, bank, parameters)
        nova_plugin.ProtectServer().run(ctx, None)
        return ctx.bank.get_json(server_definition.DEFINITION)

    def restore(self, server, bank, children, parameters=None):
        """Run the restore activities; their revert is a cleanup.

        :returns: (the new server's id, the activity context).
        """
        ctx = self.context_for('restore', server, bank, parameters,
                               children)
        boot = nova_plugin.BootServer()
        self.cleanup('restored server', boot.revert, ctx, None)
        check = nova_plugin.PrepareServer()
        ctx.parallel_result = check.run(ctx, check.start(ctx))
        return boot.execute(ctx)['new_id'], ctx

    def tagged_servers(self, ctx):
        return [server.id for server in self.nova.servers.list(limit=-1)
                if tagging.is_tagged(server.metadata, ctx)]


@pytest.fixture
def cloud(smaug_clients, name, cleanup):
    return Cloud(smaug_clients, name, cleanup)


def _key(resource_type, resource_id):
    return server_definition.child_key(resource_type, resource_id)


def test_an_image_booted_server_comes_back_with_its_volume(cloud, bank):
    image = cloud.image()
    server = cloud.server(image=image.id, meta={'role': 'web'})
    data = cloud.volume('-data')
    cloud.attach(server, data, '/dev/vdb')
    [(_, device)] = cloud.attachments(server.id)

    saved = cloud.protect(server, bank)
    stand_in = cloud.volume('-restored')
    new_id, ctx = cloud.restore(
        server, bank, {_key(resource_types.IMAGE, image.id):
                       {'new_id': image.id},
                       _key(resource_types.VOLUME, data.id):
                       {'new_id': stand_in.id}},
        {'name': cloud.name + '-restored'})
    restored = cloud.nova.servers.get(new_id)
    attached = cloud.attachments(new_id)
    nova_plugin.BootServer().revert(ctx, {'new_id': new_id})

    assert saved['boot'] == {'source': 'image', 'image_id': image.id}
    assert saved['flavor']['id'] == 'devcloud.tiny'
    assert saved['flavor']['name'] == 'devcloud.tiny'
    assert saved['flavor']['ram'] == 128
    assert saved['volumes'] == [{'id': data.id, 'device': device,
                                 'boot_index': None,
                                 'delete_on_termination': False}]
    assert saved['metadata'] == {'role': 'web'}
    assert saved['availability_zone'] == 'nova'
    assert saved['networks'] == {'addresses': {}, 'interfaces': []}
    assert restored.status == 'ACTIVE'
    assert restored.name == cloud.name + '-restored'
    assert restored.image['id'] == image.id
    assert restored.flavor['original_name'] == 'devcloud.tiny'
    assert restored.metadata == {
        'role': 'web', tagging.OPERATION_KEY: ctx.operation_id,
        tagging.RESOURCE_KEY: ctx.resource.key()}
    assert attached == [(stand_in.id, device)]
    # The revert deleted the server and released the volume.
    assert new_id not in cloud.server_ids()
    assert cloud.cinder.volumes.get(stand_in.id).status == 'available'


def test_a_volume_booted_server_boots_from_the_restored_volume(cloud, bank):
    image = cloud.image()
    root = cloud.volume('-root', imageRef=image.id)
    server = cloud.server(image=None, block_device_mapping_v2=[{
        'boot_index': 0, 'uuid': root.id, 'source_type': 'volume',
        'destination_type': 'volume', 'delete_on_termination': False}])
    [(_, device)] = cloud.attachments(server.id)

    # Its root disk is the boot volume: no live snapshot is taken.
    saved = cloud.protect(server, bank, LIVE_SNAPSHOT)
    stand_in = cloud.volume('-root-restored', imageRef=image.id)
    new_id, ctx = cloud.restore(server, bank, {
        _key(resource_types.VOLUME, root.id): {'new_id': stand_in.id}})
    restored = cloud.nova.servers.get(new_id)
    attached = cloud.attachments(new_id)

    assert saved['boot'] == {'source': 'volume', 'volume_id': root.id}
    assert 'root_disk' not in saved
    assert bank.list_objects('chunks/') == []
    assert saved['volumes'] == [{'id': root.id, 'device': device,
                                 'boot_index': 0,
                                 'delete_on_termination': False}]
    assert restored.status == 'ACTIVE'
    assert restored.name == server.name
    assert not restored.image
    assert attached == [(stand_in.id, device)]


def test_a_wrong_mapping_fails_before_anything_is_created(cloud, bank):
    image = cloud.image()
    server = cloud.server(image=image.id)
    cloud.protect(server, bank)
    ctx = cloud.context_for('restore', server, bank, parameters={
        'flavor': 'no-such-flavor', 'availability_zone': 'nowhere',
        'networks': [str(uuid.uuid4())], 'key_name': 'no-such-key'})

    with pytest.raises(server_mapping.ServerRestoreMappingInvalid) as error:
        nova_plugin.PrepareServer().start(ctx)

    message = str(error.value)
    for named in ('flavor no-such-flavor', 'availability zone nowhere',
                  'network %s' % ctx.parameters['networks'][0],
                  'key pair no-such-key'):
        assert named in message
    assert cloud.tagged_servers(ctx) == []


def test_a_server_whose_volumes_were_not_restored_is_not_booted(cloud, bank):
    image = cloud.image()
    server = cloud.server(image=image.id)
    data = cloud.volume('-data')
    cloud.attach(server, data, '/dev/vdb')
    cloud.protect(server, bank)
    ctx = cloud.context_for('restore', server, bank, children={
        _key(resource_types.IMAGE, image.id): {'new_id': image.id}})
    check = nova_plugin.PrepareServer()
    ctx.parallel_result = check.run(ctx, check.start(ctx))

    with pytest.raises(nova_plugin.ServerDisksNotRestored) as error:
        nova_plugin.BootServer().execute(ctx)

    assert data.id in str(error.value)
    assert cloud.tagged_servers(ctx) == []


def test_verify_wants_the_whole_definition_and_every_volume(cloud, bank):
    image = cloud.image()
    server = cloud.server(image=image.id)
    data = cloud.volume('-data')
    cloud.attach(server, data, '/dev/vdb')
    cloud.protect(server, bank)
    verify = nova_plugin.VerifyServerDefinition()
    volume_key = _key(resource_types.VOLUME, data.id)

    verified = verify.execute(cloud.context_for(
        'verify', server, bank, children={volume_key: None}))
    with pytest.raises(nova_plugin.ServerDefinitionDamaged) as missing:
        verify.execute(cloud.context_for('verify', server, bank))
    bank.delete_object('resources/%s/%s' % (
        server.id, server_definition.DEFINITION))
    with pytest.raises(nova_plugin.ServerDefinitionDamaged) as gone:
        verify.execute(cloud.context_for('verify', server, bank,
                                         children={volume_key: None}))

    assert verified == {'volumes': 1}
    assert data.id in str(missing.value)
    assert 'cannot be read' in str(gone.value)


def test_a_server_in_error_is_not_protected(cloud, bank):
    server = cloud.server(image=cloud.image().id)
    cloud.devcloud.nova('admin').servers.reset_state(server.id, 'error')

    with pytest.raises(nova_plugin.ServerNotProtectable) as error:
        cloud.protect(server, bank)

    assert 'is ERROR' in str(error.value)


# The live snapshot of the root disk, through the flows of an agent.

@pytest.fixture
def agent(smaug_clients):
    with harness.CloudAgent(smaug_clients, ['nova']) as running:
        yield running


def _failing_agent(smaug_clients, operation):
    return harness.CloudAgent(smaug_clients, ['nova'],
                              recording=harness.failing_root(operation))


def _resource(server):
    return resource_module.Resource(resource_types.SERVER, server.id,
                                    server.name)


def _protect_live(agent, server):
    checkpoint = agent.protect([_resource(server)],
                               {resource_types.SERVER: LIVE_SNAPSHOT})
    assert checkpoint.status == 'available', (checkpoint.error_reason,
                                              checkpoint.resources_reason)
    return checkpoint


def _saved(agent, checkpoint, server):
    return checkpoint_layout.resource_section(
        agent.bank, checkpoint.id, _resource(server), writable=False
    ).get_json(server_definition.DEFINITION)


def _sha512(glance, image_id):
    """Of the image's bytes, as downloaded (Glance's own ``os_hash_value``
    is SHA-512 too)."""
    return hashlib.sha512(b''.join(glance.images.data(image_id))).hexdigest()


def _made_by(nova, glance, operation_id, cleanup):
    """(ids of the servers, ids of the images) tagged with the operation,
    each registered for cleanup."""
    servers = sorted(server.id for server in nova.servers.list(limit=-1)
                     if (server.metadata or {}).get(tagging.OPERATION_KEY)
                     == operation_id)
    images = sorted(image.id for image in glance.images.list(
        filters={tagging.OPERATION_KEY: operation_id}))
    for server_id in servers:
        cleanup('restored server', nova.servers.delete, server_id)
    for image_id in images:
        cleanup('restored image', glance.images.delete, image_id)
    return servers, images


def test_a_live_snapshot_brings_the_root_disk_back_without_its_image(
        cloud, agent, cleanup):
    image = cloud.glance.images.get(cloud.image().id)
    disk_sha512 = _sha512(cloud.glance, image.id)
    server = cloud.server(image=image.id)
    checkpoint = _protect_live(agent, server)
    saved = _saved(agent, checkpoint, server)
    protect_leftovers = _made_by(cloud.nova, cloud.glance, checkpoint.id,
                                 cleanup)
    cloud.delete_server(server.id)
    cloud.glance.images.delete(image.id)

    restore = agent.restore(checkpoint.id)

    assert restore.status == 'success', restore.resources_reason
    assert restore.resources_status[_resource(server).key()] == 'restored'
    [new_id], [root_id] = _made_by(cloud.nova, cloud.glance, restore.id,
                                   cleanup)
    restored = cloud.nova.servers.get(new_id)
    root = cloud.glance.images.get(root_id)
    snapshot = saved['root_disk']['image']
    # The test cloud's hypervisor snapshots a server into the bytes of
    # the image it booted from.
    assert (snapshot['os_hash_algo'], snapshot['os_hash_value']) == (
        'sha512', disk_sha512)
    assert saved['root_disk']['size'] == snapshot['size'] == image.size
    assert snapshot['properties']['instance_uuid'] == server.id
    assert protect_leftovers == ([], [])
    assert restored.status == 'ACTIVE'
    assert restored.image['id'] == root_id
    assert root[tagging.RESOURCE_KEY] == _resource(server).key()
    assert (root['image_type'], root['instance_uuid']) == ('snapshot',
                                                           server.id)
    assert _sha512(cloud.glance, root_id) == disk_sha512


def test_a_live_snapshot_is_restored_into_another_project(
        smaug_clients, cloud, agent, cleanup):
    image = cloud.image()
    server = cloud.server(image=image.id)
    checkpoint = _protect_live(agent, server)
    alt_nova, alt_glance = smaug_clients.nova('alt'), smaug_clients.glance(
        'alt')

    restore = agent.restore(checkpoint.id, target=harness.restore_target(
        smaug_clients, 'alt'))

    assert restore.status == 'success', restore.resources_reason
    [new_id], [root_id] = _made_by(alt_nova, alt_glance, restore.id,
                                   cleanup)
    assert alt_nova.servers.get(new_id).image['id'] == root_id
    assert alt_glance.images.get(root_id).owner == smaug_clients.project_id(
        'alt')
    assert _sha512(alt_glance, root_id) == _sha512(cloud.glance, image.id)
    assert _made_by(cloud.nova, cloud.glance, restore.id, cleanup) == (
        [], [])


def test_verify_and_restore_stop_at_a_damaged_snapshot_leaving_nothing(
        cloud, agent, cleanup):
    server = cloud.server(image=cloud.image().id)
    checkpoint = _protect_live(agent, server)
    verified = agent.verify(checkpoint.id)
    # A byte of the snapshot's only chunk rots in the bank's storage.
    [chunk] = agent.bank.list_objects('chunks/data/')
    data, metadata = agent.bank.plugin.get_object_with_metadata(chunk)
    agent.bank.plugin.put_object(
        chunk, data[:100] + bytes([data[100] ^ 0xff]) + data[101:], metadata)

    verification = agent.verify(checkpoint.id)
    restore = agent.restore(checkpoint.id)

    assert verified.status == 'success', verified.resources_reason
    assert verification.status == 'fail'
    reason = verification.resources_reason[_resource(server).key()]
    assert server.id in reason and 'damaged' in reason, reason
    # The upload into the new image fails in the middle: the image goes,
    # and no server is booted.
    assert restore.status == 'fail'
    assert 'corrupt' in restore.resources_reason[_resource(server).key()]
    assert _made_by(cloud.nova, cloud.glance, restore.id, cleanup) == (
        [], [])


def test_delete_drops_the_snapshot_bytes(cloud, agent):
    server = cloud.server(image=cloud.image().id)
    checkpoint = _protect_live(agent, server)
    saved = agent.checkpoint_data(checkpoint.id)

    deleted = agent.delete(checkpoint.id)

    assert deleted.status == 'deleted'
    assert [key for key in saved if key.startswith(chunk_layout.REFS) and
            key.endswith('/' + server_definition.ROOT_DISK)], saved
    assert agent.checkpoint_data(checkpoint.id) == []


def test_a_snapshot_that_cannot_be_saved_leaves_no_image(cloud, bank,
                                                         cleanup):
    server = cloud.server(image=cloud.image().id)
    ctx = cloud.context_for('protect', server, bank, LIVE_SNAPSHOT)
    read_only = dataclasses.replace(ctx, bank=bank.section(ctx.bank.prefix,
                                                           writable=False))

    with pytest.raises(bank_base.BankReadOnly):
        nova_plugin.ProtectServer().run(read_only, None)

    actions = [action.action for action in
               cloud.nova.instance_action.list(server.id)]
    assert 'createImage' in actions
    assert _made_by(cloud.nova, cloud.glance, ctx.operation_id,
                    cleanup) == ([], [])


def test_a_failed_protect_removes_the_snapshot_bytes(smaug_clients, cloud,
                                                     cleanup):
    server = cloud.server(image=cloud.image().id)
    with _failing_agent(smaug_clients, 'protect') as agent:
        checkpoint = agent.protect([_resource(server)],
                                   {resource_types.SERVER: LIVE_SNAPSHOT})
        keys = agent.bank.list_objects()

    assert checkpoint.status == 'error'
    assert not [key for key in keys if key.startswith('chunks/refs/') or
                key.endswith('/' + server_definition.ROOT_DISK)], keys
    assert _made_by(cloud.nova, cloud.glance, checkpoint.id, cleanup) == (
        [], [])


def test_a_failed_restore_removes_the_server_and_its_root_disk_image(
        smaug_clients, cloud, cleanup):
    server = cloud.server(image=cloud.image().id)
    with _failing_agent(smaug_clients, 'restore') as agent:
        checkpoint = _protect_live(agent, server)
        restore = agent.restore(checkpoint.id)

    assert restore.status == 'fail'
    # The server was booted from its root disk image, then both removed.
    assert restore.resources_status.get(_resource(server).key()) == (
        'restored')
    assert _made_by(cloud.nova, cloud.glance, restore.id, cleanup) == (
        [], [])


def test_a_copy_holds_the_snapshot_bytes_of_its_own(cloud, bank):
    server = cloud.server(image=cloud.image().id)
    protect = cloud.context_for('protect', server, bank, LIVE_SNAPSHOT)
    nova_plugin.ProtectServer().run(protect, None)
    copy = dataclasses.replace(
        cloud.context_for('copy_checkpoint', server, bank),
        bank=bank.section('copy/%s' % server.id),
        source=bank.section(protect.bank.prefix, writable=False))
    # The engine copies every object but the manifests.
    copy.bank.put_json(server_definition.DEFINITION,
                       protect.bank.get_json(server_definition.DEFINITION))

    copied = nova_plugin.CopyRootDisk().run(copy, None)
    nova_plugin.DeleteRootDisk().execute(protect)
    verified = nova_plugin.VerifyRootDisk().run(copy, None)

    size = protect.bank.get_json(server_definition.DEFINITION)[
        'root_disk']['size']
    assert copied == verified == {'root_disk_bytes': size}
    assert protect.bank.list_objects() == [server_definition.DEFINITION]
