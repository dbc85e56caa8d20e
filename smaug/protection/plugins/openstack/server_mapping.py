"""Where a restored server goes, checked before anything is created.

A restore may map the saved flavor, networks, availability zone, key pair
and name to others (the target project or cloud may not have the
originals). :func:`resolve` checks every one of them against the target
cloud at the start of the restore, and reports all that are wrong in one
error, so that a typo fails the restore before any volume, image or
server has been made.
"""
from oslo_config import cfg

from smaug import exception
from smaug.protection.plugins.openstack import server_definition

CONF = cfg.CONF

RESTORE_SCHEMA = {
    'type': 'object',
    'properties': {
        'name': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                 'description': 'Name of the restored server; the '
                                'original name by default.'},
        'flavor': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                   'description': 'Id or name of the flavor to boot '
                                  'with; the original flavor (found by '
                                  'id, then by name) by default.'},
        'availability_zone': {
            'type': 'string', 'minLength': 1, 'maxLength': 255,
            'description': 'Availability zone of the restored server; '
                           'the original zone by default.'},
        'networks': {
            'type': 'array', 'items': {'type': 'string', 'minLength': 1},
            'description': 'Ids of the networks to give the restored '
                           'server a port on, in order; the networks it '
                           'had by default, and none when it had none.'},
        'key_name': {
            'type': ['string', 'null'], 'maxLength': 255,
            'description': 'Key pair of the restored server (the target '
                           "user's); the original one by default, null "
                           'for none.'},
    },
    'additionalProperties': False,
}


class ServerRestoreMappingInvalid(exception.Invalid):
    message = 'Server %(server)s cannot be restored here: %(problems)s.'


def resolve(nova, session, definition, parameters, server):
    """What the new server boots with, every choice checked.

    :param nova: a novaclient acting in the target project.
    :param session: the keystoneauth session of the target project.
    :param definition: the saved definition.
    :param parameters: the restore parameters of the server.
    :param server: how errors name the server.
    :returns: a JSON dict: name, flavor_id, availability_zone, networks
        (ids, possibly empty), key_name, security_groups.
    :raises ServerRestoreMappingInvalid: naming every problem found.
    """
    problems = []
    chosen = {
        'name': parameters.get('name') or definition['name'],
        'flavor_id': _flavor(nova, parameters.get('flavor'),
                             definition['flavor'], problems),
        'availability_zone': _zone(
            nova, parameters.get('availability_zone',
                                 definition['availability_zone']),
            problems),
        'networks': _networks(
            session, parameters.get(
                'networks', server_definition.network_ids(definition)),
            problems),
        'key_name': _key_pair(nova, parameters.get(
            'key_name', definition['key_name']), problems),
        'security_groups': definition.get('security_groups') or [],
    }
    if problems:
        raise ServerRestoreMappingInvalid(server=server,
                                          problems='; '.join(problems))
    return chosen


def _flavor(nova, wanted, saved, problems):
    from novaclient import exceptions as nova_exceptions
    candidates = [wanted] if wanted else [saved.get('id'), saved.get('name')]
    for candidate in filter(None, candidates):
        try:
            return nova.flavors.get(candidate).id
        except nova_exceptions.NotFound:
            pass
        try:
            return nova.flavors.find(name=candidate).id
        except nova_exceptions.NotFound:
            pass
    if wanted:
        problems.append('flavor %s does not exist' % wanted)
    else:
        problems.append('its flavor %s does not exist (map it with the '
                        '"flavor" parameter)' % (saved.get('name') or
                                                 saved.get('id')))
    return None


def _zone(nova, wanted, problems):
    if not wanted:
        return None
    zones = {zone.zoneName for zone in
             nova.availability_zones.list(detailed=False)
             if (getattr(zone, 'zoneState', None) or {}).get('available',
                                                             True)}
    if wanted not in zones:
        problems.append('availability zone %s does not exist or is not '
                        'available (there are: %s)' % (
                            wanted, ', '.join(sorted(zones)) or 'none'))
    return wanted


def _networks(session, wanted, problems):
    for network_id in wanted:
        response = session.get(
            '/v2.0/networks/%s' % network_id, raise_exc=False,
            endpoint_filter={'service_type': 'network',
                             'interface': CONF.clients.interface,
                             'region_name': CONF.clients.region_name})
        if response.status_code == 404:
            problems.append('network %s does not exist' % network_id)
        elif response.status_code >= 400:
            problems.append('network %s cannot be checked (HTTP %s)' % (
                network_id, response.status_code))
    return list(wanted)


def _key_pair(nova, wanted, problems):
    from novaclient import exceptions as nova_exceptions
    if not wanted:
        return None
    try:
        nova.keypairs.get(wanted)
    except nova_exceptions.NotFound:
        problems.append('key pair %s does not exist for the restoring user '
                        '(map it with the "key_name" parameter, null for '
                        'none)' % wanted)
    return wanted
