"""Cinder of the test cloud: bytes survive a backup to Swift and a restore.

Bytes get into a volume through the cloud's own API: the volume is created
from a Glance image holding known random bytes. They are read back the same
way: the restored volume is uploaded to a new image and that image is
downloaded, then compared with the original bytes followed by zeros up to
the volume's size. Nothing reads the backend's files directly.
"""
import io
import os

from smaug.tests.fixtures.waiting import wait_for

GiB = 1024 ** 3
MiB = 1024 ** 2


def wait_for_status(manager, thing, wanted, timeout=180):
    def reached():
        current = manager.get(thing.id)
        assert not current.status.startswith('error'), (
            '%s %s went to %s' % (type(current).__name__, current.id,
                                  current.status))
        return current if current.status == wanted else None
    return wait_for('%s %s' % (thing.id, wanted), reached, timeout)


def delete_and_wait(manager, thing_id, timeout=120):
    """Delete and wait until it is gone (a volume with a snapshot being
    deleted cannot be deleted yet)."""
    manager.delete(thing_id)

    def gone():
        return thing_id not in {t.id for t in manager.list()}
    wait_for('%s deleted' % thing_id, gone, timeout)


def volume_from_bytes(devcloud, name, data, cleanup):
    """A 1 GiB volume whose first bytes are ``data`` (through an image)."""
    glance, cinder = devcloud.glance(), devcloud.cinder()
    image = glance.images.create(name=name + '-source', disk_format='raw',
                                 container_format='bare')
    cleanup('image', glance.images.delete, image.id)
    glance.images.upload(image.id, io.BytesIO(data))
    volume = cinder.volumes.create(1, name=name, imageRef=image.id)
    cleanup('volume', cinder.volumes.delete, volume.id)
    return wait_for_status(cinder.volumes, volume, 'available')


def assert_volume_holds(devcloud, volume, data, name, cleanup):
    """Upload ``volume`` to an image, download it, compare every byte."""
    glance, cinder = devcloud.glance(), devcloud.cinder()
    _, body = cinder.volumes.upload_to_image(
        volume, False, name + '-readback', 'bare', 'raw',
        visibility='private', protected=False)
    image_id = body['os-volume_upload_image']['image_id']
    cleanup('image', glance.images.delete, image_id)
    wait_for('image %s active' % image_id,
             lambda: glance.images.get(image_id).status == 'active', 300)
    wait_for_status(cinder.volumes, volume, 'available')

    expected_size = volume.size * GiB
    offset = 0
    for chunk in glance.images.data(image_id):
        end = offset + len(chunk)
        head = data[offset:end]
        assert chunk[:len(head)] == head, 'bytes differ near %d' % offset
        assert chunk[len(head):] == bytes(len(chunk) - len(head)), (
            'non-zero bytes after the data near %d' % offset)
        offset = end
    assert offset == expected_size


def test_backup_and_restore_keep_the_bytes(devcloud, name, cleanup):
    cinder = devcloud.cinder()
    data = os.urandom(3 * MiB)
    volume = volume_from_bytes(devcloud, name, data, cleanup)

    backup = cinder.backups.create(volume.id, name=name)
    cleanup('backup', cinder.backups.delete, backup.id)
    backup = wait_for_status(cinder.backups, backup, 'available', 300)
    restore = cinder.restores.restore(backup.id, name=name + '-restored')
    restored = cinder.volumes.get(restore.volume_id)
    cleanup('volume', cinder.volumes.delete, restored.id)
    restored = wait_for_status(cinder.volumes, restored, 'available', 300)

    assert restored.id != volume.id
    assert restored.size == volume.size
    _, containers = devcloud.swift('demo').get_account()
    assert backup.container in {c['name'] for c in containers}
    assert_volume_holds(devcloud, restored, data, name, cleanup)


def test_backup_of_a_snapshot_restores_the_snapshot(devcloud, name,
                                                    cleanup):
    cinder = devcloud.cinder()
    data = os.urandom(2 * MiB)
    volume = volume_from_bytes(devcloud, name, data, cleanup)
    snapshot = cinder.volume_snapshots.create(volume.id, name=name)
    cleanup('snapshot', delete_and_wait, cinder.volume_snapshots,
            snapshot.id)
    wait_for_status(cinder.volume_snapshots, snapshot, 'available')

    backup = cinder.backups.create(volume.id, name=name,
                                   snapshot_id=snapshot.id)
    cleanup('backup', cinder.backups.delete, backup.id)
    backup = wait_for_status(cinder.backups, backup, 'available', 300)
    target = cinder.volumes.create(1, name=name + '-target')
    cleanup('volume', cinder.volumes.delete, target.id)
    wait_for_status(cinder.volumes, target, 'available')
    cinder.restores.restore(backup.id, volume_id=target.id)
    target = wait_for_status(cinder.volumes, target, 'available', 300)

    assert backup.snapshot_id == snapshot.id
    assert_volume_holds(devcloud, target, data, name, cleanup)
