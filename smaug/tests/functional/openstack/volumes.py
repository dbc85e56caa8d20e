"""Volumes of known bytes for the Cinder plugins' tests, and what the
plugins left in the test cloud.

Bytes get into a volume and are read back through the cloud's own API
(as :mod:`smaug.tests.functional.cloud.test_block_storage` does): a volume
is made from an image of the bytes, overwritten by re-imaging it from
another image, and read back by :mod:`smaug.tests.fixtures.volume_readback`.
"""
import io

from cinderclient import client as cinder_client

from smaug.protection import resource
from smaug.protection import resource_types
from smaug.protection.bank import checkpoint_layout
from smaug.protection.plugins.openstack import tagging
from smaug.tests.fixtures import volume_readback
from smaug.tests.functional.cloud import test_block_storage
from smaug.tests.functional.cloud import test_compute
from smaug.tests.functional.openstack import harness

#: The first microversion with ``os-reimage``.
REIMAGE_MICROVERSION = '3.68'

with_bytes = test_block_storage.volume_from_bytes


def resource_of(volume):
    return resource.Resource(type=resource_types.VOLUME, id=volume.id,
                             name=volume.name)


def rewrite(devcloud, volume, data, name, cleanup, user='demo'):
    """Overwrite the available ``volume`` with ``data`` (and zeros up to
    the size of ``data``'s image) by re-imaging it."""
    glance = devcloud.glance(user)
    image = glance.images.create(name=name + '-rewrite', disk_format='raw',
                                 container_format='bare')
    cleanup('image', glance.images.delete, image.id)
    glance.images.upload(image.id, io.BytesIO(data))
    cinder = cinder_client.Client(REIMAGE_MICROVERSION,
                                  session=devcloud.session(user),
                                  region_name=devcloud.region)
    cinder.volumes.reimage(volume.id, image.id, False)
    return test_compute.wait_for_volume(cinder, volume.id, 'available')


def assert_holds(devcloud, volume, data, name, cleanup, user='demo'):
    """Assert that ``volume`` (of ``user``'s project) holds ``data``
    followed by zeros, to its last byte."""
    glance = devcloud.glance(user)
    assert volume_readback.differences(
        glance, devcloud.cinder(user), volume, data, name,
        made=lambda image_id: cleanup('image', glance.images.delete,
                                      image_id)) == ''


def attach(devcloud, server, volume):
    """Attach ``volume`` to ``server``; returns it in-use."""
    devcloud.nova().volumes.create_server_volume(server.id, volume.id)
    return test_compute.wait_for_volume(devcloud.cinder(), volume.id,
                                        'in-use')


def detach(devcloud, server, volume):
    devcloud.nova().volumes.delete_server_volume(server.id, volume.id)
    return test_compute.wait_for_volume(devcloud.cinder(), volume.id,
                                        'available')


def saved_info(agent, checkpoint_id, volume):
    """What the plugin saved of ``volume`` in the checkpoint."""
    return checkpoint_layout.resource_section(
        agent.bank, checkpoint_id, resource_of(volume),
        writable=False).get_json('metadata')


def left_behind(cinder, operation_id):
    """{kind: ids} of the volumes, snapshots and backups tagged with the
    operation: what it created and did not delete."""
    tag = {tagging.OPERATION_KEY: operation_id}
    return {
        'volumes': sorted(v.id for v in cinder.volumes.list(
            search_opts={'metadata': tag})),
        'snapshots': sorted(s.id for s in cinder.volume_snapshots.list(
            search_opts={'metadata': tag})),
        'backups': sorted(b.id for b in cinder.backups.list()
                          if (b.metadata or {}).get(
                              tagging.OPERATION_KEY) == operation_id),
    }


NOTHING = {'volumes': [], 'snapshots': [], 'backups': []}


def restored(cinder, restore, cleanup):
    """The one volume ``restore`` made (deleted at the test's end)."""
    found = cinder.volumes.list(
        search_opts={'metadata': {tagging.OPERATION_KEY: restore.id}})
    for volume in found:
        cleanup('restored volume', cinder.volumes.delete, volume.id)
    assert len(found) == 1, found
    return cinder.volumes.get(found[0].id)


def failing_agent(cloud, plugin, operation, **options):
    """An agent whose root resource fails its sync in ``operation``, once
    every volume below it is done: the flow then reverts their work."""
    agent = harness.CloudAgent(cloud, [plugin], recording=(
        'fail_resource = %s\nfail_operation = %s\nfail_phase = sync\n'
        % (harness.ROOT.id, operation)), **options)
    agent.setUp()
    return agent
