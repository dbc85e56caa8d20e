"""What is saved of an image, how a restored one is checked, and the
download reader."""
import types

import pytest

from smaug.protection import activity
from smaug.protection import resource
from smaug.protection import resource_types
from smaug.protection.plugins.openstack import image_data
from smaug.protection.plugins.openstack import tagging

IMAGE = {
    'id': 'a1', 'name': 'web', 'status': 'active', 'owner': 'p1',
    'disk_format': 'qcow2', 'container_format': 'bare', 'min_disk': 2,
    'min_ram': 512, 'visibility': 'public', 'protected': True,
    'os_hidden': False, 'tags': ['prod'], 'size': 10, 'virtual_size': 20,
    'checksum': 'md5-of-it', 'os_hash_algo': 'sha512',
    'os_hash_value': 'sha512-of-it', 'created_at': 'x', 'updated_at': 'y',
    'file': '/v2/images/a1/file', 'schema': '/v2/schemas/image',
    'self': '/v2/images/a1', 'direct_url': 'file:///x', 'stores': 'fs',
    'hw_disk_bus': 'scsi', 'os_glance_importing_to_stores': '',
}


class Images:
    """Records what an image is created with."""

    def create(self, **fields):
        self.created = fields
        return types.SimpleNamespace(id='new', **fields)


def _context():
    return activity.ActivityContext(
        context=None, operation='restore', operation_id='op-1',
        resource=resource.Resource(type=resource_types.IMAGE, id='a1'),
        parameters={})


def _image(**fields):
    values = {'id': 'new', 'size': 10, 'checksum': 'md5-of-it',
              'os_hash_algo': 'sha512', 'os_hash_value': 'sha512-of-it'}
    values.update(fields)
    return types.SimpleNamespace(**values)


def test_describe_keeps_what_recreates_the_image():
    saved = image_data.describe(IMAGE)

    assert saved['properties'] == {'hw_disk_bus': 'scsi'}
    assert {key: saved[key] for key in (
        'name', 'disk_format', 'container_format', 'min_disk', 'min_ram',
        'visibility', 'protected', 'tags', 'id', 'size', 'checksum',
        'os_hash_algo', 'os_hash_value')} == {
        key: IMAGE[key] for key in (
            'name', 'disk_format', 'container_format', 'min_disk',
            'min_ram', 'visibility', 'protected', 'tags', 'id', 'size',
            'checksum', 'os_hash_algo', 'os_hash_value')}


def test_a_new_image_gets_the_saved_fields_and_the_operation_tags():
    glance = types.SimpleNamespace(images=Images())

    image_data.create_image(glance, _context(),
                            image_data.describe(IMAGE))

    created = glance.images.created
    assert created == {
        'name': 'web', 'disk_format': 'qcow2', 'container_format': 'bare',
        'min_disk': 2, 'min_ram': 512, 'os_hidden': False,
        'tags': ['prod'], 'hw_disk_bus': 'scsi',
        # Public only when asked; protected only once checked.
        'visibility': 'private',
        tagging.OPERATION_KEY: 'op-1',
        tagging.RESOURCE_KEY: 'OS::Glance::Image#a1'}


def test_a_new_image_takes_the_name_and_visibility_asked_for():
    glance = types.SimpleNamespace(images=Images())

    image_data.create_image(glance, _context(), image_data.describe(IMAGE),
                            name='copy', visibility='public')

    assert (glance.images.created['name'],
            glance.images.created['visibility']) == ('copy', 'public')


@pytest.mark.parametrize('field, value, named', [
    ('size', 11, 'size is 11 bytes'),
    ('checksum', 'other', 'checksum is other'),
    ('os_hash_value', 'other', 'sha512 is other'),
])
def test_a_restored_image_with_other_data_is_refused(field, value, named):
    with pytest.raises(image_data.RestoredImageMismatch, match=named):
        image_data.check_restored(image_data.describe(IMAGE),
                                  _image(**{field: value}))


def test_digests_of_another_algorithm_are_not_compared():
    image_data.check_restored(image_data.describe(IMAGE), _image(
        os_hash_algo='sha256', os_hash_value='sha256-of-it'))


def test_only_active_images_are_protectable():
    with pytest.raises(image_data.ImageNotProtectable, match='queued'):
        image_data.check_protectable(types.SimpleNamespace(
            id='a1', status='queued'))


class Body:
    def __init__(self, parts, error=None):
        self.parts = parts
        self.error = error
        self.closed = False

    def __iter__(self):
        try:
            yield from self.parts
            if self.error:
                raise self.error
        finally:
            self.closed = True


def test_the_reader_joins_and_splits_the_pieces_of_a_body():
    reader = image_data.BodyReader(Body([b'abc', b'', b'defg', b'h']))

    assert [reader.read(2), reader.read(4), reader.read(5),
            reader.read(5)] == [b'ab', b'cdef', b'gh', b'']


def test_the_reader_reads_the_rest_and_gives_the_body_back():
    body = Body([b'abc', b'def'])
    reader = image_data.BodyReader(body)

    assert (reader.read(1), reader.read()) == (b'a', b'bcdef')
    reader.close()
    assert body.closed


def test_closing_the_reader_early_closes_the_body():
    body = Body([b'x'] * 100)
    reader = image_data.BodyReader(body)
    reader.read(1)

    reader.close()

    assert body.closed


def test_a_failed_download_fails_the_read_after_what_came_before():
    reader = image_data.BodyReader(Body([b'abc'], OSError('bad digest')))

    assert reader.read(3) == b'abc'
    with pytest.raises(OSError, match='bad digest'):
        reader.read(3)
