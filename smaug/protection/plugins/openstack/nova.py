"""Protection of Nova servers by their definition.

A server's disks are its children (its boot image or boot volume and its
attached volumes), protected and restored by their own plugins. This
plugin saves what it takes to boot the same server again
(:mod:`.server_definition`) in the checkpoint, and restores it once its
children are back: it checks the target's flavor, zone, networks and key
pair first (:mod:`.server_mapping`), then boots a new server from the
restored image or boot volume, waits for it, and attaches the restored
volumes on their saved devices.

The root disk of a server booted from an image lives on the hypervisor,
and the restored base image lacks what changed on it since the server
booted. The protect option ``root_disk: live_snapshot`` saves that disk
too: a live snapshot (:mod:`.server_snapshot`) whose bytes go to the
bank's chunk store; the restore makes an image of them and boots the
server from it. Verify reads those bytes back, copy copies them, delete
drops their manifest; otherwise deleting a checkpoint removes nothing in
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
from smaug.protection.plugins.openstack import image_data
from smaug.protection.plugins.openstack import server_definition
from smaug.protection.plugins.openstack import server_mapping
from smaug.protection.plugins.openstack import server_snapshot
from smaug.protection.plugins.openstack import tagging

LOG = logging.getLogger(__name__)

#: Server statuses from which a definition can be saved.
PROTECTABLE_STATUSES = ('ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED',
                        'SHELVED', 'SHELVED_OFFLOADED')
#: Server statuses in which Nova snapshots a server (``createImage``).
SNAPSHOT_STATUSES = ('ACTIVE', 'SHUTOFF', 'PAUSED', 'SUSPENDED')
#: Volume statuses that end a wait for an attachment in failure (Nova
#: reserves the volume before it answers, and releases it when the
#: attachment fails).
ATTACH_FAILED = ('error', 'error_attaching', 'available')


#: ``root_disk`` protect option values.
ROOT_DISK_IMAGE = 'image'
ROOT_DISK_LIVE_SNAPSHOT = 'live_snapshot'

OPTIONS_SCHEMA = {
    'type': 'object',
    'properties': {
        'root_disk': {
            'type': 'string',
            'enum': [ROOT_DISK_IMAGE, ROOT_DISK_LIVE_SNAPSHOT],
            'default': ROOT_DISK_IMAGE,
            'description': (
                'What the restore of a server booted from an image boots '
                'it from. image: the image it was booted from (protected '
                'as its child), so what changed on its root disk since it '
                'booted is lost. live_snapshot: a snapshot of its root '
                'disk taken while it runs (Nova createImage; '
                'crash-consistent, and the hypervisor may pause the '
                'server for the copy), whose bytes the checkpoint keeps '
                'in the bank; its status must then be ACTIVE, SHUTOFF, '
                'PAUSED or SUSPENDED. No effect on a server booted from a '
                'volume: its boot volume is protected as its child.')},
    },
    'additionalProperties': False,
}


class ServerNotProtectable(exception.Invalid):
    message = ('Server %(server)s is %(status)s: only a server in a stable '
               'state (%(allowed)s) can be protected.')


class ServerDefinitionDamaged(exception.SmaugException):
    message = 'The saved definition of server %(server)s %(reason)s.'


class RootDiskDamaged(bank_base.BankError):
    message = ('The live snapshot of the root disk of server %(server)s '
               'is damaged: %(reason)s')


class ServerDisksNotRestored(exception.SmaugException):
    message = ('Server %(server)s cannot be restored: %(reason)s were not '
               'restored with it.')


def _name(ctx):
    return '%s (%s)' % (ctx.resource.name or ctx.resource.id,
                        ctx.resource.id)


def _server_fault(server):
    fault = getattr(server, 'fault', None) or {}
    return fault.get('message')


def _live_snapshot_asked(ctx):
    return ctx.parameters.get('root_disk') == ROOT_DISK_LIVE_SNAPSHOT


class ProtectServer(activity.ParallelActivity):
    """Save the server's definition and, when asked for, the live
    snapshot of its root disk; revert removes the snapshot's image and
    bytes."""

    def run(self, ctx, started):
        session = ctx.openstack_session()
        nova = factory.nova(session)
        server = nova.servers.get(ctx.resource.id)
        snapshot = (_live_snapshot_asked(ctx) and
                    server_definition.booted_from_image(server.to_dict()))
        allowed = SNAPSHOT_STATUSES if snapshot else PROTECTABLE_STATUSES
        if server.status not in allowed:
            raise ServerNotProtectable(server=_name(ctx),
                                       status=server.status,
                                       allowed=', '.join(allowed))
        definition = server_definition.describe(nova, server)
        if snapshot:
            # A run lost with its agent may have left its snapshot image.
            image_data.delete_created_images(factory.glance(session), ctx)
            definition['root_disk'] = server_snapshot.save_server_disk(
                ctx, server.id, ctx.bank, server_definition.ROOT_DISK,
                progress=ctx.progress)
        else:
            ctx.progress(1, 1)
        ctx.bank.put_json(server_definition.DEFINITION, definition)
        return {'volumes': len(definition['volumes']),
                'root_disk_bytes': (definition.get('root_disk') or
                                    {}).get('size')}

    def revert(self, ctx, started):
        if _live_snapshot_asked(ctx):
            server_snapshot.revert_server_disk(ctx, ctx.bank,
                                               server_definition.ROOT_DISK)
        ctx.bank.delete_object(server_definition.DEFINITION)


class PrepareServer(activity.ParallelActivity):
    """Check where the server will go, as soon as the restore starts, so
    that a wrong mapping fails it before its children (or this activity)
    create anything; then, for a server saved with a live snapshot of its
    root disk, make the image it boots from out of the saved bytes.
    Revert deletes that image."""

    def start(self, ctx):
        session = ctx.openstack_session()
        definition = ctx.bank.get_json(server_definition.DEFINITION)
        return {'mapping': server_mapping.resolve(
                    factory.nova(session), session, definition,
                    ctx.parameters, _name(ctx)),
                'root_disk': 'root_disk' in definition}

    def run(self, ctx, started):
        if not started['root_disk']:
            return dict(started, root_disk_image_id=None)
        saved = ctx.bank.get_json(server_definition.DEFINITION)['root_disk']
        # A run lost with its agent may have left a half-made image.
        image_data.delete_created_images(
            factory.glance(ctx.openstack_session()), ctx)
        image_id = server_snapshot.restore_server_image(
            ctx, saved['image'], ctx.bank, server_definition.ROOT_DISK,
            image_name=tagging.name(ctx, 'root-disk'),
            progress=ctx.progress)
        LOG.info('Restore %s of server %s: its root disk is image %s',
                 ctx.operation_id, ctx.resource.id, image_id)
        return dict(started, root_disk_image_id=image_id)

    def revert(self, ctx, started):
        if (started or {}).get('root_disk'):
            image_data.delete_created_images(
                factory.glance(ctx.openstack_session()), ctx)


class BootServer(activity.SyncActivity):
    """Boot the new server from its restored disks and attach the
    restored volumes; revert deletes whatever server this operation made
    for the resource."""

    def execute(self, ctx):
        session = ctx.openstack_session()
        nova = factory.nova(session)
        cinder = factory.cinder(session)
        definition = ctx.bank.get_json(server_definition.DEFINITION)
        prepared = ctx.parallel_result
        chosen = prepared['mapping']
        attach, missing = server_definition.volumes_to_attach(
            definition, ctx.children)
        source, source_id = server_definition.boot_source(
            definition, ctx.children, prepared['root_disk_image_id'])
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


def _saved_definition(ctx):
    """:raises ServerDefinitionDamaged: when it cannot be read."""
    try:
        return ctx.bank.get_json(server_definition.DEFINITION)
    except (bank_base.BankObjectNotFound,
            bank_base.BankCorruption) as error:
        raise ServerDefinitionDamaged(server=_name(ctx),
                                      reason='cannot be read: %s' % error)


class VerifyRootDisk(activity.ParallelActivity):
    """Read and check every chunk of the live snapshot of the root disk,
    when the server was protected with one, without touching the cloud."""

    def run(self, ctx, started):
        saved = _saved_definition(ctx).get('root_disk')
        if saved is None:
            return None
        try:
            manifest = image_data.store_for(ctx).verify(
                ctx.bank, server_definition.ROOT_DISK)
        except (bank_base.BankCorruption,
                bank_base.BankObjectNotFound) as error:
            raise RootDiskDamaged(server=_name(ctx), reason=error)
        digest = server_definition.root_disk_digest(saved)
        if (manifest.size, manifest.digest) != (saved['size'], digest):
            raise RootDiskDamaged(
                server=_name(ctx), reason='its manifest holds %s bytes of '
                'digest %s where the snapshot had %s bytes of digest %s'
                % (manifest.size, manifest.digest, saved['size'], digest))
        return {'root_disk_bytes': manifest.size}


class VerifyServerDefinition(activity.SyncActivity):
    """The definition is in the bank, whole, and every volume the restore
    needs was verified with it."""

    def execute(self, ctx):
        definition = _saved_definition(ctx)
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


class DeleteRootDisk(activity.SyncActivity):
    """Drop the manifest of the live snapshot of the root disk, if any;
    its chunks go with the next garbage collection unless another
    manifest needs them."""

    def execute(self, ctx):
        image_data.store_for(ctx).delete(ctx.bank,
                                         server_definition.ROOT_DISK)


class CopyRootDisk(activity.ParallelActivity):
    """Copy the bytes of the live snapshot of the root disk, if any, into
    the copy's bank (the engine has copied the definition)."""

    def run(self, ctx, started):
        if 'root_disk' not in ctx.bank.get_json(
                server_definition.DEFINITION):
            return None
        manifest = image_data.copy_data(ctx, name=server_definition.ROOT_DISK,
                                        progress=ctx.progress)
        return {'root_disk_bytes': manifest.size}

    def revert(self, ctx, started):
        image_data.store_for(ctx).delete(ctx.bank,
                                         server_definition.ROOT_DISK)


class NovaServerPlugin(plugin.ProtectionPlugin):
    """Servers, protected by their definition; their disks by the
    plugins of their children, or, for the root disk of a server booted
    from an image, by a live snapshot when the ``root_disk`` option asks
    for one.

    Neither saving a definition nor taking a live snapshot stops the
    server (live; a hypervisor may pause it briefly for a snapshot), and
    a copied checkpoint holds all of it (copy).
    """

    supported_resource_types = (resource_types.SERVER,)
    capabilities = frozenset((plugin.Capability.LIVE,
                              plugin.Capability.COPY))
    backend = 'nova'
    options_schema = OPTIONS_SCHEMA
    restore_schema = server_mapping.RESTORE_SCHEMA
    saved_info_schema = server_definition.SAVED_INFO_SCHEMA

    def get_protect_work(self, resource):
        return activity.ResourceWork(parallel=ProtectServer())

    def get_restore_work(self, resource):
        return activity.ResourceWork(parallel=PrepareServer(),
                                     sync=BootServer())

    def get_verify_work(self, resource):
        return activity.ResourceWork(parallel=VerifyRootDisk(),
                                     sync=VerifyServerDefinition())

    def get_delete_work(self, resource):
        return activity.ResourceWork(sync=DeleteRootDisk())

    def get_copy_work(self, resource):
        return activity.ResourceWork(parallel=CopyRootDisk())
