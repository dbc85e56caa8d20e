"""What is saved of a Nova server, and what its restore boots.

A server holds no data of its own that Nova can hand out: its disks are an
image or volumes, protected as its children. Its *definition* is what it
takes to boot the same server again: flavor, boot source, attached volumes
and their device names, key pair, security groups, networks, availability
zone, metadata. :func:`describe` reads it from Nova as the server's user
sees it; :func:`volumes_to_attach` and :func:`boot_source` turn it, with
the ids of the restored children, into what a new server boots from.

A server booted from an image may also be protected with a live snapshot
of its root disk (:mod:`.server_snapshot`): the definition then holds what
was saved of it under ``root_disk``, and its bytes are at
:data:`ROOT_DISK` in the server's section.
"""
from smaug.protection import resource_types
from smaug.protection.plugins.openstack import tagging

#: The bank object (in the server's section) holding the definition.
DEFINITION = 'definition'

#: The bank object (in the server's section) holding the chunk store
#: manifest of the live snapshot of the server's root disk.
ROOT_DISK = 'root-disk'

#: Keys every saved definition has; verify checks them.
REQUIRED_KEYS = ('id', 'name', 'flavor', 'boot', 'volumes', 'networks',
                 'availability_zone', 'metadata')

SAVED_INFO_SCHEMA = {
    'type': 'object',
    'properties': {
        'id': {'type': 'string'},
        'name': {'type': 'string'},
        'description': {'type': ['string', 'null']},
        'flavor': {
            'type': 'object',
            'properties': {
                'id': {'type': ['string', 'null']},
                'name': {'type': ['string', 'null']},
                'vcpus': {'type': ['integer', 'null']},
                'ram': {'type': ['integer', 'null']},
                'disk': {'type': ['integer', 'null']},
                'ephemeral': {'type': ['integer', 'null']},
                'swap': {'type': ['integer', 'string', 'null']},
                'extra_specs': {'type': 'object'},
            },
        },
        'boot': {
            'type': 'object',
            'properties': {
                'source': {'enum': ['image', 'volume']},
                'image_id': {'type': 'string'},
                'volume_id': {'type': 'string'},
            },
        },
        'volumes': {
            'type': 'array',
            'items': {
                'type': 'object',
                'properties': {
                    'id': {'type': 'string'},
                    'device': {'type': ['string', 'null']},
                    'boot_index': {'type': ['integer', 'null']},
                    'delete_on_termination': {'type': 'boolean'},
                },
            },
        },
        'key_name': {'type': ['string', 'null']},
        'security_groups': {'type': 'array', 'items': {'type': 'string'}},
        'networks': {
            'type': 'object',
            'properties': {
                'addresses': {'type': 'object'},
                'interfaces': {'type': 'array'},
            },
        },
        'availability_zone': {'type': ['string', 'null']},
        'metadata': {'type': 'object'},
        'user_data': {'type': ['string', 'null']},
        'config_drive': {'type': 'boolean'},
        'root_disk': {
            'type': 'object',
            'description': 'The live snapshot of the root disk, when the '
                           'server was protected with one: the '
                           "snapshot image's description, and the size "
                           "and digest the chunk store's manifest "
                           'records for its bytes.',
            'properties': {
                'image': {'type': 'object'},
                'size': {'type': 'integer'},
                'digest': {'type': 'string'},
                'sha256': {'type': 'string',
                           'description': 'The digest, as checkpoints '
                                          'taken before it was named '
                                          'digest hold it.'},
            },
        },
    },
}

_ROOT_DEVICE = 'OS-EXT-SRV-ATTR:root_device_name'
_USER_DATA = 'OS-EXT-SRV-ATTR:user_data'
_VOLUMES_ATTACHED = 'os-extended-volumes:volumes_attached'


def describe(nova, server):
    """The definition of ``server``, a JSON dict.

    :param nova: a novaclient acting as the server's user.
    :param server: the server, as ``nova.servers.get`` returns it.
    """
    info = server.to_dict()
    volumes = _volumes(nova, info)
    if booted_from_image(info):
        boot = {'source': 'image', 'image_id': info['image']['id']}
    else:
        boot = {'source': 'volume',
                'volume_id': next((v['id'] for v in volumes
                                   if v['boot_index'] == 0), None)}
    return {
        'id': info['id'],
        'name': info.get('name') or '',
        'description': info.get('description'),
        'flavor': _flavor(nova, info.get('flavor') or {}),
        'boot': boot,
        'volumes': volumes,
        'key_name': info.get('key_name'),
        'security_groups': sorted({group['name'] for group in
                                   info.get('security_groups') or ()}),
        'networks': {'addresses': info.get('addresses') or {},
                     'interfaces': _interfaces(nova, server)},
        'availability_zone': info.get('OS-EXT-AZ:availability_zone'),
        'metadata': dict(info.get('metadata') or {}),
        # Only an administrator sees user data; saved when visible.
        'user_data': info.get(_USER_DATA),
        'config_drive': bool(info.get('config_drive')),
    }


def booted_from_image(info):
    """Whether a server boots from an image, its root disk on the
    hypervisor (Nova shows no image for one booted from a volume).

    :param info: the server as a dict (``server.to_dict()``).
    """
    return bool((info.get('image') or {}).get('id'))


def _flavor(nova, flavor):
    """The flavor's id, name and specs.

    Since compute API 2.47 a server embeds its flavor's name and specs
    but not its id: the id is looked up by name, and stays None when the
    flavor is gone or not visible.
    """
    from novaclient import exceptions as nova_exceptions
    if 'original_name' in flavor:
        saved = {key: flavor.get(key) for key in
                 ('vcpus', 'ram', 'disk', 'ephemeral', 'swap')}
        saved.update(name=flavor['original_name'], id=None,
                     extra_specs=dict(flavor.get('extra_specs') or {}))
        try:
            saved['id'] = nova.flavors.find(name=saved['name']).id
        except nova_exceptions.NotFound:
            pass
        return saved
    found = nova.flavors.get(flavor['id'])
    return {'id': found.id, 'name': found.name, 'vcpus': found.vcpus,
            'ram': found.ram, 'disk': found.disk,
            'ephemeral': getattr(found, 'OS-FLV-EXT-DATA:ephemeral', None),
            'swap': found.swap, 'extra_specs': found.get_keys()}


def _device_order(device):
    """/dev/vdb before /dev/vdaa: by length, then by name."""
    device = device or ''
    return len(device), device


def _volumes(nova, info):
    """The attached volumes in device order; the boot volume, when the
    server boots from one, has ``boot_index`` 0."""
    keep = {attached['id']: bool(attached.get('delete_on_termination'))
            for attached in info.get(_VOLUMES_ATTACHED) or ()}
    volumes = sorted(({'id': attachment.volumeId,
                       'device': getattr(attachment, 'device', None),
                       'boot_index': None,
                       'delete_on_termination': keep.get(
                           attachment.volumeId, False)}
                      for attachment in
                      nova.volumes.get_server_volumes(info['id'])),
                     key=lambda volume: _device_order(volume['device']))
    if volumes and not booted_from_image(info):
        # Nova shows the root device name to administrators only;
        # without it the root is the first device, as Nova names the
        # others after it.
        root = info.get(_ROOT_DEVICE)
        boot = next((v for v in volumes if v['device'] == root),
                    volumes[0])
        boot['boot_index'] = 0
    return volumes


def _interfaces(nova, server):
    return [{'port_id': interface.port_id, 'net_id': interface.net_id,
             'mac_addr': interface.mac_addr,
             'fixed_ips': interface.fixed_ips}
            for interface in nova.servers.interface_list(server)]


def root_disk_digest(root_disk):
    """The chunk store's digest of the live snapshot saved as
    ``root_disk`` (see :attr:`.Manifest.digest`); checkpoints taken before
    it was named ``digest`` hold it as ``sha256``."""
    return root_disk.get('digest', root_disk.get('sha256'))


def network_ids(definition):
    """The networks the server had ports on, in port order, once each."""
    found = []
    for interface in definition['networks'].get('interfaces') or ():
        if interface.get('net_id') and interface['net_id'] not in found:
            found.append(interface['net_id'])
    return found


def child_key(resource_type, resource_id):
    return '%s#%s' % (resource_type, resource_id)


def restored_id(children, resource_type, resource_id):
    """The id a child got in this restore, or None when it was not
    restored (no plugin of the provider handles it)."""
    outcome = children.get(child_key(resource_type, resource_id)) or {}
    return outcome.get('new_id')


def boot_source(definition, children, root_disk_image_id=None):
    """What the new server boots from: ``('image', id)`` or
    ``('volume', id)``, or ``(kind, None)`` when it was not restored.

    :param root_disk_image_id: the image made of the live snapshot of the
        root disk, when there is one: the server boots from it rather
        than from its restored base image.
    """
    boot = definition['boot']
    if boot['source'] == 'image' and root_disk_image_id:
        return 'image', root_disk_image_id
    if boot['source'] == 'image':
        return 'image', restored_id(children, resource_types.IMAGE,
                                    boot['image_id'])
    return 'volume', restored_id(children, resource_types.VOLUME,
                                 boot['volume_id'])


def volumes_to_attach(definition, children):
    """The restored data volumes, as (new id, device), in device order,
    and the original ids of those that were not restored."""
    attach, missing = [], []
    for volume in definition['volumes']:
        if volume['boot_index'] == 0:
            continue
        new_id = restored_id(children, resource_types.VOLUME, volume['id'])
        if new_id is None:
            missing.append(volume['id'])
        else:
            attach.append((new_id, volume['device']))
    return attach, missing


def server_metadata(definition, ctx):
    """The saved metadata, with the tags of this operation."""
    metadata = {key: value for key, value in definition['metadata'].items()
                if key not in (tagging.OPERATION_KEY, tagging.RESOURCE_KEY)}
    metadata.update(tagging.metadata(ctx))
    return metadata
