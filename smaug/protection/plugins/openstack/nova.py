"""Protection of Nova servers by their definition.

A server's disks are its children (its boot image or boot volume and its
attached volumes), protected and restored by their own plugins. This
plugin saves what it takes to boot the same server again
(:mod:`.server_definition`) in the checkpoint, and restores it once its
children are back: it checks the target's flavor, zone, networks and key
pair first (:mod:`.server_mapping`), then boots a new server from the
restored image or boot volume, waits for it, and attaches the restored
volumes on their saved devices. Deleting a checkpoint removes nothing in
the cloud: the definition goes with the checkpoint.
"""
import base64

from oslo_log import log as logging

from smaug import exception
from smaug.clients import factory
from smaug.protection import activity
from smaug.protection import plugin
from smaug.protection import resource_types
from smaug.protection import waits
from smaug.protection.bank import base as bank_base
from smaug.protection.plugins.openstack import server_definition
from smaug.protection.plugins.openstack import server_mapping
from smaug.protection.plugins.openstack import tagging

LOG = logging.getLogger(__name__)

#: Server statuses from which a definition can be saved.
PROTECTABLE_STATUSES = ('ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED',
                        'SHELVED', 'SHELVED_OFFLOADED')
#: Volume statuses that end a wait for an attachment in failure (Nova
#: reserves the volume before it answers, and releases it when the
#: attachment fails).
ATTACH_FAILED = ('error', 'error_attaching', 'available')


class ServerNotProtectable(exception.Invalid):
    message = ('Server %(server)s is %(status)s: only a server in a stable '
               'state (%(allowed)s) can be protected.')


class ServerDefinitionDamaged(exception.SmaugException):
    message = 'The saved definition of server %(server)s %(reason)s.'


class ServerDisksNotRestored(exception.SmaugException):
    message = ('Server %(server)s cannot be restored: %(reason)s were not '
               'restored with it.')


def _name(ctx):
    return '%s (%s)' % (ctx.resource.name or ctx.resource.id,
                        ctx.resource.id)


def _server_fault(server):
    fault = getattr(server, 'fault', None) or {}
    return fault.get('message')


class ProtectServer(activity.ParallelActivity):
    """Save the server's definition."""

    def run(self, ctx, started):
        nova = factory.nova(ctx.openstack_session())
        server = nova.servers.get(ctx.resource.id)
        if server.status not in PROTECTABLE_STATUSES:
            raise ServerNotProtectable(server=_name(ctx),
                                       status=server.status,
                                       allowed=', '.join(
                                           PROTECTABLE_STATUSES))
        definition = server_definition.describe(nova, server)
        ctx.bank.put_json(server_definition.DEFINITION, definition)
        ctx.progress(1, 1)
        return {'volumes': len(definition['volumes'])}


class CheckServerMapping(activity.ParallelActivity):
    """Check where the server will go, as soon as the restore starts, so
    that a wrong mapping fails it before its children create anything."""

    def start(self, ctx):
        session = ctx.openstack_session()
        definition = ctx.bank.get_json(server_definition.DEFINITION)
        return server_mapping.resolve(factory.nova(session), session,
                                      definition, ctx.parameters,
                                      _name(ctx))

    def run(self, ctx, started):
        return started


class BootServer(activity.SyncActivity):
    """Boot the new server from its restored disks and attach the
    restored volumes; revert deletes whatever server this operation made
    for the resource."""

    def execute(self, ctx):
        session = ctx.openstack_session()
        nova = factory.nova(session)
        cinder = factory.cinder(session)
        definition = ctx.bank.get_json(server_definition.DEFINITION)
        chosen = ctx.parallel_result
        attach, missing = server_definition.volumes_to_attach(
            definition, ctx.children)
        source, source_id = server_definition.boot_source(definition,
                                                          ctx.children)
        if source == 'volume' and source_id is None:
            missing.insert(0, definition['boot']['volume_id'])
        if missing:
            raise ServerDisksNotRestored(
                server=_name(ctx), reason='its volumes %s' % ', '.join(
                    missing))
        if source == 'image' and source_id is None:
            # The image has no plugin in this provider: the server boots
            # from the original, which must still exist.
            source_id = definition['boot']['image_id']
        server = (self._made_earlier(nova, ctx) or
                  self._boot(nova, ctx, definition, chosen, source,
                             source_id))
        server = waits.wait_for(
            'server %s' % server.id, lambda: nova.servers.get(server.id),
            lambda found: found.status, 'ACTIVE', failed=('ERROR',),
            reason_of=_server_fault)
        ctx.progress(1, 1 + len(attach))
        self._attach(nova, cinder, server.id, attach, ctx)
        return {'new_id': server.id}

    @staticmethod
    def _made_earlier(nova, ctx):
        """The server a run of this step lost with its agent booted."""
        return next(iter(_tagged_servers(nova, ctx)), None)

    @staticmethod
    def _boot(nova, ctx, definition, chosen, source, source_id):
        options = {
            'meta': server_definition.server_metadata(definition, ctx),
            'availability_zone': chosen['availability_zone'],
            'key_name': chosen['key_name'],
            'description': definition.get('description'),
            'config_drive': definition.get('config_drive') or None,
        }
        if chosen['networks']:
            options['nics'] = [{'net-id': network_id}
                               for network_id in chosen['networks']]
            options['security_groups'] = chosen['security_groups'] or None
        else:
            options['nics'] = 'none'
        if definition.get('user_data'):
            options['userdata'] = base64.b64decode(definition['user_data'])
        image = None
        if source == 'image':
            image = source_id
        else:
            boot = next(v for v in definition['volumes']
                        if v['boot_index'] == 0)
            options['block_device_mapping_v2'] = [{
                'boot_index': 0, 'uuid': source_id,
                'source_type': 'volume', 'destination_type': 'volume',
                'device_name': boot['device'],
                'delete_on_termination': boot['delete_on_termination']}]
        server = nova.servers.create(chosen['name'], image,
                                     chosen['flavor_id'], **options)
        LOG.info('Restore %s of server %s: booting server %s',
                 ctx.operation_id, ctx.resource.id, server.id)
        return server

    @staticmethod
    def _attach(nova, cinder, server_id, attach, ctx):
        attached = {attachment.volumeId for attachment in
                    nova.volumes.get_server_volumes(server_id)}
        for done, (volume_id, device) in enumerate(attach, start=2):
            if volume_id not in attached:
                nova.volumes.create_server_volume(server_id, volume_id,
                                                  device)
            waits.wait_for(
                'volume %s attached to server %s' % (volume_id, server_id),
                lambda volume_id=volume_id: cinder.volumes.get(volume_id),
                lambda volume: volume.status, 'in-use',
                failed=ATTACH_FAILED)
            ctx.progress(done, 1 + len(attach))

    def revert(self, ctx, result):
        session = ctx.openstack_session()
        nova = factory.nova(session)
        servers = {server.id for server in _tagged_servers(nova, ctx)}
        if result and result.get('new_id'):
            servers.add(result['new_id'])
        for server_id in sorted(servers):
            _delete_server(nova, factory.cinder(session), server_id)


def _tagged_servers(nova, ctx):
    """The servers this operation booted for ``ctx``'s resource."""
    return [server for server in nova.servers.list(detailed=True, limit=-1)
            if tagging.is_tagged(server.metadata, ctx)]


def _delete_server(nova, cinder, server_id):
    """Delete a server and wait until its volumes are released, so that
    the reverts of the volume restores can delete them."""
    from novaclient import exceptions as nova_exceptions
    try:
        volume_ids = [attachment.volumeId for attachment in
                      nova.volumes.get_server_volumes(server_id)]
        nova.servers.delete(server_id)
    except nova_exceptions.NotFound:
        return
    LOG.info('Deleting restored server %s', server_id)
    waits.wait_until_gone('server %s' % server_id,
                          lambda: nova.servers.get(server_id),
                          lambda server: server.status,
                          nova_exceptions.NotFound)
    for volume_id in volume_ids:
        _wait_released(cinder, volume_id, server_id)


def _wait_released(cinder, volume_id, server_id):
    from cinderclient import exceptions as cinder_exceptions

    def fetch():
        try:
            return cinder.volumes.get(volume_id)
        except cinder_exceptions.NotFound:
            return None

    waits.wait_for(
        'volume %s detached from server %s' % (volume_id, server_id),
        fetch, lambda volume: 'gone' if volume is None else volume.status,
        goal=('available', 'gone', 'error', 'deleting'))


class VerifyServerDefinition(activity.SyncActivity):
    """The definition is in the bank, whole, and every volume the restore
    needs was verified with it."""

    def execute(self, ctx):
        try:
            definition = ctx.bank.get_json(server_definition.DEFINITION)
        except (bank_base.BankObjectNotFound,
                bank_base.BankCorruption) as error:
            raise ServerDefinitionDamaged(server=_name(ctx),
                                          reason='cannot be read: %s'
                                                 % error)
        absent = [key for key in server_definition.REQUIRED_KEYS
                  if key not in definition]
        if absent:
            raise ServerDefinitionDamaged(
                server=_name(ctx), reason='lacks %s' % ', '.join(absent))
        unverified = [
            volume['id'] for volume in definition['volumes']
            if server_definition.child_key(resource_types.VOLUME,
                                           volume['id'])
            not in ctx.children]
        if unverified:
            raise ServerDefinitionDamaged(
                server=_name(ctx), reason='needs volumes that the '
                                          'checkpoint does not hold: %s'
                                          % ', '.join(unverified))
        return {'volumes': len(definition['volumes'])}


class NovaServerPlugin(plugin.ProtectionPlugin):
    """Servers, protected by their definition; their disks by the
    plugins of their children.

    Saving a definition does not stop or pause the server (live), and a
    copied checkpoint holds all of it (copy).
    """

    supported_resource_types = (resource_types.SERVER,)
    capabilities = frozenset((plugin.Capability.LIVE,
                              plugin.Capability.COPY))
    backend = 'nova'
    restore_schema = server_mapping.RESTORE_SCHEMA
    saved_info_schema = server_definition.SAVED_INFO_SCHEMA

    def get_protect_work(self, resource):
        return activity.ResourceWork(parallel=ProtectServer())

    def get_restore_work(self, resource):
        return activity.ResourceWork(parallel=CheckServerMapping(),
                                     sync=BootServer())

    def get_verify_work(self, resource):
        return activity.ResourceWork(sync=VerifyServerDefinition())
