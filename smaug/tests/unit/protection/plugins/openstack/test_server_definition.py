"""How a saved server definition and the restored children become what a
new server boots from and attaches."""
import uuid

from smaug.protection import activity
from smaug.protection import resource as resource_module
from smaug.protection import resource_types
from smaug.protection.plugins.openstack import server_definition
from smaug.protection.plugins.openstack import tagging

VOLUME = resource_types.VOLUME
IMAGE = resource_types.IMAGE


def _definition(boot, volumes, interfaces=(), metadata=None):
    return {'boot': boot, 'volumes': list(volumes),
            'networks': {'addresses': {}, 'interfaces': list(interfaces)},
            'metadata': metadata or {}}


def _volume(volume_id, device, boot_index=None):
    return {'id': volume_id, 'device': device, 'boot_index': boot_index,
            'delete_on_termination': False}


def _restored(resource_type, resource_id, new_id):
    return {'%s#%s' % (resource_type, resource_id): {'new_id': new_id}}


def test_an_image_booted_server_boots_from_the_restored_image():
    definition = _definition({'source': 'image', 'image_id': 'img'}, [])

    assert server_definition.boot_source(
        definition, _restored(IMAGE, 'img', 'new-img')) == ('image',
                                                            'new-img')
    assert server_definition.boot_source(definition, {}) == ('image', None)


def test_a_live_snapshot_of_the_root_disk_wins_over_the_restored_image():
    image_booted = _definition({'source': 'image', 'image_id': 'img'}, [])
    volume_booted = _definition({'source': 'volume', 'volume_id': 'root'},
                                [_volume('root', '/dev/vda', 0)])

    assert server_definition.boot_source(
        image_booted, _restored(IMAGE, 'img', 'new-img'),
        'root-disk-img') == ('image', 'root-disk-img')
    assert server_definition.boot_source(
        volume_booted, _restored(VOLUME, 'root', 'new-root'),
        'root-disk-img') == ('volume', 'new-root')


def test_only_a_server_showing_an_image_is_booted_from_one():
    assert server_definition.booted_from_image({'image': {'id': 'img'}})
    # Nova shows an empty string for a server booted from a volume.
    assert not server_definition.booted_from_image({'image': ''})
    assert not server_definition.booted_from_image({})


def test_a_volume_booted_server_boots_from_the_restored_volume():
    definition = _definition({'source': 'volume', 'volume_id': 'root'},
                             [_volume('root', '/dev/vda', 0)])

    assert server_definition.boot_source(
        definition, _restored(VOLUME, 'root', 'new-root')) == ('volume',
                                                               'new-root')


def test_data_volumes_are_attached_in_device_order_without_the_root():
    definition = _definition(
        {'source': 'volume', 'volume_id': 'root'},
        [_volume('root', '/dev/vda', 0), _volume('b', '/dev/vdb'),
         _volume('c', '/dev/vdc')])
    children = dict(_restored(VOLUME, 'root', 'new-root'),
                    **_restored(VOLUME, 'c', 'new-c'))

    attach, missing = server_definition.volumes_to_attach(definition,
                                                          children)

    assert attach == [('new-c', '/dev/vdc')]
    assert missing == ['b']


def test_a_root_disk_saved_under_the_older_sha256_key_gives_its_digest():
    digest = 'ab' * 32

    assert server_definition.root_disk_digest(
        {'image': {}, 'size': 3, 'sha256': digest}) == digest
    assert server_definition.root_disk_digest(
        {'image': {}, 'size': 3, 'digest': digest}) == digest


def test_network_ids_keep_port_order_once_each():
    definition = _definition(
        {'source': 'image', 'image_id': 'img'}, [],
        interfaces=[{'net_id': 'n2'}, {'net_id': 'n1'}, {'net_id': 'n2'},
                    {'net_id': None}])

    assert server_definition.network_ids(definition) == ['n2', 'n1']


def test_the_restored_server_carries_this_operations_tags_only():
    resource = resource_module.Resource(resource_types.SERVER, 'srv')
    ctx = activity.ActivityContext(
        context=None, operation='restore', operation_id=str(uuid.uuid4()),
        resource=resource, parameters={})
    definition = _definition(
        {'source': 'image', 'image_id': 'img'}, [],
        metadata={'role': 'web', tagging.OPERATION_KEY: 'an-older-one',
                  tagging.RESOURCE_KEY: 'OS::Nova::Server#older'})

    assert server_definition.server_metadata(definition, ctx) == {
        'role': 'web', tagging.OPERATION_KEY: ctx.operation_id,
        tagging.RESOURCE_KEY: resource.key()}
