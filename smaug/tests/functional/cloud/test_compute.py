"""Nova of the test cloud: the server calls Smaug makes.

The hypervisor is nova's fake driver (no guest runs); servers have no
network (``nics='none'``). A server snapshot holds the bytes of the image
the server was booted from.
"""
import io
import json
import os

from smaug.tests.fixtures.waiting import wait_for

MiB = 1024 ** 2


def wait_for_server(nova, server, wanted, timeout=120):
    def reached():
        current = nova.servers.get(server.id)
        assert current.status != 'ERROR', getattr(current, 'fault', None)
        return current if current.status == wanted else None
    return wait_for('server %s %s' % (server.id, wanted), reached, timeout)


def wait_for_volume(cinder, volume_id, wanted, timeout=120):
    def reached():
        current = cinder.volumes.get(volume_id)
        assert not current.status.startswith('error'), current.status
        return current if current.status == wanted else None
    return wait_for('volume %s %s' % (volume_id, wanted), reached, timeout)


def wait_for_image(glance, image_id, timeout=120):
    def active():
        image = glance.images.get(image_id)
        assert image.status not in ('killed', 'deleted'), image.status
        return image if image.status == 'active' else None
    return wait_for('image %s active' % image_id, active, timeout)


def delete_server(nova, server_id):
    nova.servers.delete(server_id)
    wait_for('server %s gone' % server_id,
             lambda: server_id not in {s.id for s in nova.servers.list()})


def delete_snapshot(cinder, snapshot_id):
    cinder.volume_snapshots.delete(snapshot_id)
    wait_for('snapshot %s gone' % snapshot_id, lambda: snapshot_id not in {
        s.id for s in cinder.volume_snapshots.list()})


def boot(devcloud, name, cleanup, **kwargs):
    nova = devcloud.nova()
    flavor = nova.flavors.find(name='devcloud.tiny')
    server = nova.servers.create(name, flavor=flavor, nics='none', **kwargs)
    cleanup('server', delete_server, nova, server.id)
    return wait_for_server(nova, server, 'ACTIVE')


def upload_image(devcloud, name, data, cleanup):
    glance = devcloud.glance()
    image = glance.images.create(name=name, disk_format='raw',
                                 container_format='bare')
    cleanup('image', glance.images.delete, image.id)
    glance.images.upload(image.id, io.BytesIO(data))
    return image


def test_boot_attach_snapshot_delete(devcloud, name, cleanup):
    nova, cinder, glance = devcloud.nova(), devcloud.cinder(), \
        devcloud.glance()
    data = os.urandom(MiB)
    image = upload_image(devcloud, name, data, cleanup)
    server = boot(devcloud, name, cleanup, image=image.id)
    volume = cinder.volumes.create(1, name=name)
    cleanup('volume', cinder.volumes.delete, volume.id)
    wait_for_volume(cinder, volume.id, 'available')

    nova.volumes.create_server_volume(server.id, volume.id)
    attached = wait_for_volume(cinder, volume.id, 'in-use')
    listed = [a.volumeId for a in nova.volumes.get_server_volumes(server.id)]
    snapshot_id = nova.servers.create_image(server, name + '-snapshot')
    cleanup('image', glance.images.delete, snapshot_id)
    snapshot = wait_for_image(glance, snapshot_id)
    snapshot_data = b''.join(glance.images.data(snapshot_id))
    nova.volumes.delete_server_volume(server.id, volume.id)
    wait_for_volume(cinder, volume.id, 'available')
    delete_server(nova, server.id)

    assert attached.attachments[0]['server_id'] == server.id
    assert listed == [volume.id]
    assert snapshot.image_type == 'snapshot'
    assert snapshot.instance_uuid == server.id
    assert snapshot_data == data


def test_boot_from_volume_and_snapshot_it(devcloud, name, cleanup):
    nova, cinder, glance = devcloud.nova(), devcloud.cinder(), \
        devcloud.glance()
    image = upload_image(devcloud, name, os.urandom(MiB), cleanup)
    volume = cinder.volumes.create(1, name=name, imageRef=image.id)
    cleanup('volume', cinder.volumes.delete, volume.id)
    volume = wait_for_volume(cinder, volume.id, 'available')

    server = boot(devcloud, name, cleanup, image=None,
                  block_device_mapping_v2=[{
                      'boot_index': 0, 'uuid': volume.id,
                      'source_type': 'volume',
                      'destination_type': 'volume',
                      'delete_on_termination': False}])
    in_use = wait_for_volume(cinder, volume.id, 'in-use')
    image_id = nova.servers.create_image(server, name + '-snapshot')
    cleanup('image', glance.images.delete, image_id)
    image = wait_for_image(glance, image_id)
    snapshots = cinder.volume_snapshots.list(
        search_opts={'volume_id': volume.id})
    for snapshot in snapshots:
        cleanup('snapshot', delete_snapshot, cinder, snapshot.id)
    delete_server(nova, server.id)
    released = wait_for_volume(cinder, volume.id, 'available')

    assert volume.bootable == 'true'
    assert in_use.attachments[0]['server_id'] == server.id
    assert released.attachments == []
    # A volume-backed server's image is a mapping of volume snapshots.
    assert len(snapshots) == 1
    mapping = json.loads(image.block_device_mapping)
    assert mapping[0]['snapshot_id'] == snapshots[0].id
