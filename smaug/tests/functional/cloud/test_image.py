"""Glance of the test cloud: real bytes in, the same bytes out."""
import hashlib
import io
import os


def test_upload_and_download_keep_the_bytes(devcloud, name, cleanup):
    glance = devcloud.glance('demo')
    data = os.urandom(4 * 1024 * 1024 + 123)
    image = glance.images.create(name=name, disk_format='raw',
                                 container_format='bare')
    cleanup('image', glance.images.delete, image.id)

    glance.images.upload(image.id, io.BytesIO(data))
    stored = glance.images.get(image.id)
    downloaded = b''.join(glance.images.data(image.id))

    assert stored.status == 'active'
    assert stored.size == len(data)
    assert stored.checksum == hashlib.md5(
        data, usedforsecurity=False).hexdigest()
    assert stored.os_hash_algo == 'sha512'
    assert stored.os_hash_value == hashlib.sha512(data).hexdigest()
    assert downloaded == data


def test_public_image_is_offered_to_every_project(devcloud):
    for cloud in ('demo', 'alt'):
        names = {i.name for i in devcloud.glance(cloud).images.list()}
        assert 'devcloud-image' in names
