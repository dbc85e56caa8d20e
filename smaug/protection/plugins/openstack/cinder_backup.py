"""Protection of Cinder volumes by Cinder backups.

Cinder's backup service moves the data, into its own backup store (Swift
here), and never through Smaug: Smaug asks, waits, and keeps in the bank
what a restore needs (the backup's id and the volume's description).

- **Protect** backs an in-use volume up from a temporary snapshot, so it
  is backed up live and crash-consistent and stays in use meanwhile; the
  snapshot is deleted whatever happens. ``force`` backs it up directly
  instead (the backend must allow that). An available volume is backed up
  directly, as Cinder does, unless the provider sets
  ``[cinder_backup_plugin] snapshot_available_volumes``.
  ``backup_mode: incremental`` builds on Smaug's newest backup of the
  volume, or makes a full one when there is none yet.
- **Restore** makes a new volume from the backup (:mod:`.volume_restore`).
  Cinder restores a backup once at a time, so restores of one checkpoint
  that run together (into several projects, say) take turns.
- **Verify** checks the backup's status and size and, with
  ``test_restore``, restores it into a temporary volume.
- **Delete** deletes the backup. Cinder keeps a backup that newer
  incremental ones build on, so such a backup is *released* instead:
  marked, kept, and deleted by the deletion that removes its last
  dependent, so a chain always goes from its newest end.
"""
from cinderclient import exceptions as cinder_exceptions
from oslo_config import cfg

from smaug.protection import activity
from smaug.protection import plugin
from smaug.protection import resource_types
from smaug.protection.bank import base as bank_base
from smaug.protection.plugins.openstack import cinder_objects
from smaug.protection.plugins.openstack import tagging
from smaug.protection.plugins.openstack import volume_restore

METADATA = volume_restore.METADATA
#: Marks a backup whose checkpoint is gone but which incremental backups
#: still build on.
RELEASED_KEY = 'smaug_released'

GROUP = 'cinder_backup_plugin'
PLUGIN_OPTIONS = [
    cfg.BoolOpt('snapshot_available_volumes', default=False,
                help='Back available volumes up from a temporary snapshot '
                     'too, as in-use ones always are, so that they can be '
                     'attached while their backup runs. A snapshot is '
                     'cheap on copy-on-write backends, and a full copy of '
                     'the volume on others.'),
]

OPTIONS_SCHEMA = {
    'type': 'object',
    'properties': {
        'backup_mode': {
            'type': 'string', 'enum': ['full', 'incremental'],
            'default': 'full',
            'description': 'incremental: back up only what changed since '
                           "Smaug's newest backup of the volume (a full "
                           'backup when there is none).'},
        'container': {
            'type': 'string', 'minLength': 1, 'maxLength': 255,
            'description': "Where Cinder's backup driver puts the data "
                           '(a Swift container, a directory...); the '
                           "driver's default when unset."},
        'force': {
            'type': 'boolean', 'default': False,
            'description': 'Back an in-use volume up directly, without a '
                           'temporary snapshot; the backend must allow '
                           'it.'},
    },
    'additionalProperties': False,
}

VERIFY_SCHEMA = {
    'type': 'object',
    'properties': {
        'test_restore': {
            'type': 'boolean', 'default': False,
            'description': 'Also restore the backup into a temporary '
                           'volume, check it, and delete it.'},
    },
    'additionalProperties': False,
}

SAVED_INFO_SCHEMA = {
    'type': 'object',
    'properties': dict(
        cinder_objects.VOLUME_PROPERTIES,
        backup_id={'type': 'string'},
        backup_mode={'type': 'string', 'enum': ['full', 'incremental']},
        container={'type': ['string', 'null']}),
    'required': ['backup_id', 'volume_id', 'size'],
}


def _has_smaug_backup(cinder, volume_id):
    """Whether Smaug keeps an available backup of the volume, for an
    incremental one to build on."""
    return any(backup.status == 'available' and
               tagging.OPERATION_KEY in (backup.metadata or {})
               for backup in cinder.backups.list(
                   search_opts={'volume_id': volume_id}))


def release(cinder, backup_id):
    """Delete one of Smaug's backups, or leave it marked released while
    newer incremental backups need it; then delete every released backup
    of the same volume that nothing needs any more.

    Marking comes first, so that of two deletions racing on a chain, the
    later one always finds the marks of the earlier.
    """
    try:
        backup = cinder.backups.get(backup_id)
    except cinder_objects.NotFound:
        return
    cinder.backups.update(backup.id, metadata=dict(
        backup.metadata or {}, **{RELEASED_KEY: 'true'}))
    still_needed = set()
    while True:
        unneeded = [found for found in cinder.backups.list(
            search_opts={'volume_id': backup.volume_id})
            if (found.metadata or {}).get(RELEASED_KEY) == 'true' and
            not found.has_dependent_backups and
            found.id not in still_needed]
        if not unneeded:
            return
        for found in unneeded:
            try:
                cinder_objects.delete(cinder, cinder_objects.BACKUP,
                                      found.id)
            except cinder_exceptions.BadRequest as error:
                if not cinder_objects.refused_as_needed_backup(error):
                    raise
                # A backup building on it is being made, or was made so
                # lately that the listing does not show it yet: the
                # release of that one deletes this one.
                still_needed.add(found.id)


class BackUpVolume(activity.ParallelActivity):
    """Back the volume up (in ``run``), from a temporary snapshot when it
    is in use; save what a restore needs.

    :param snapshot_available: back available volumes up from a snapshot
        too.
    """

    def __init__(self, snapshot_available=False):
        self._snapshot_available = snapshot_available

    def run(self, ctx, started):
        cinder = cinder_objects.cinder_for(ctx)
        volume = cinder_objects.wait_until(
            cinder, cinder_objects.VOLUME, ctx.resource.id,
            goal=('available', 'in-use'))
        try:
            backup = self._backup(cinder, ctx, volume)
        finally:
            # Also the snapshot a dead agent's run left behind.
            cinder_objects.delete_tagged(cinder, cinder_objects.SNAPSHOT,
                                         ctx, volume_id=volume.id)
        ctx.bank.put_json(METADATA, dict(
            cinder_objects.describe(volume), backup_id=backup.id,
            backup_mode='incremental' if backup.is_incremental else 'full',
            container=backup.container))
        ctx.progress(1, 1)
        return {'backup_id': backup.id}

    def _backup(self, cinder, ctx, volume):
        for found in cinder_objects.tagged(cinder, cinder_objects.BACKUP,
                                           ctx, volume_id=volume.id):
            # An earlier run of this activity got as far as this backup.
            if found.status not in cinder_objects.BACKUP.failed:
                return cinder_objects.wait_until(
                    cinder, cinder_objects.BACKUP, found.id)
            release(cinder, found.id)
        options = ctx.parameters
        incremental = (options.get('backup_mode') == 'incremental' and
                       _has_smaug_backup(cinder, volume.id))
        snapshot_id = None
        if not options.get('force') and (volume.status == 'in-use' or
                                         self._snapshot_available):
            snapshot_id = cinder_objects.take_snapshot(cinder, ctx,
                                                      volume.id).id
        backup = cinder.backups.create(
            volume.id, container=options.get('container'),
            name=tagging.name(ctx, 'backup'),
            description='Smaug checkpoint %s of volume %s' % (
                ctx.operation_id, volume.name or volume.id),
            incremental=incremental,
            force=bool(options.get('force')), snapshot_id=snapshot_id,
            metadata=tagging.metadata(ctx))
        return cinder_objects.wait_until(cinder, cinder_objects.BACKUP,
                                         backup.id)

    def revert(self, ctx, started):
        cinder = cinder_objects.cinder_for(ctx)
        cinder_objects.delete_tagged(cinder, cinder_objects.SNAPSHOT, ctx,
                                     volume_id=ctx.resource.id)
        for backup in cinder_objects.tagged(cinder, cinder_objects.BACKUP,
                                            ctx, volume_id=ctx.resource.id):
            release(cinder, backup.id)
        ctx.bank.delete_object(METADATA)


class RestoreFromBackup(volume_restore.RestoreVolume):
    def source(self, cinder, saved):
        backup = cinder_objects.check_restorable(
            cinder, cinder_objects.BACKUP, saved['backup_id'], saved)
        return {'backup_id': backup.id}


class VerifyBackup(activity.ParallelActivity):
    """Check the backup's status and size; with ``test_restore``, restore
    it into a temporary volume, check that, and delete it."""

    def run(self, ctx, started):
        cinder = cinder_objects.cinder_for(ctx)
        saved = ctx.bank.get_json(METADATA)
        backup = cinder_objects.check_restorable(
            cinder, cinder_objects.BACKUP, saved['backup_id'], saved)
        if ctx.parameters.get('test_restore'):
            volume = volume_restore.create_volume(
                cinder, ctx, {'size': saved['size'],
                              'name': tagging.name(ctx, 'test-restore')},
                {'backup_id': backup.id}, saved)
            cinder_objects.delete(cinder, cinder_objects.VOLUME, volume.id)
            if volume.size != saved['size']:
                raise cinder_objects.ProtectedDataUnusable(
                    what='backup %s' % backup.id,
                    reason='it restored a %s GiB volume where the volume '
                           'had %s GiB' % (volume.size, saved['size']))
        ctx.progress(1, 1)
        return {'backup_id': backup.id,
                'test_restore': bool(ctx.parameters.get('test_restore'))}

    def revert(self, ctx, started):
        cinder_objects.delete_tagged(cinder_objects.cinder_for(ctx),
                                     cinder_objects.VOLUME, ctx)


class DeleteBackup(activity.ParallelActivity):
    """Delete the checkpoint's backup, or release it (see :func:`release`)."""

    def run(self, ctx, started):
        try:
            saved = ctx.bank.get_json(METADATA)
        except bank_base.BankObjectNotFound:
            return None  # its protection never got as far as a backup
        release(cinder_objects.cinder_for(ctx), saved['backup_id'])
        ctx.progress(1, 1)
        return {'backup_id': saved['backup_id']}


class CinderBackupPlugin(plugin.ProtectionPlugin):
    """Volumes, protected by Cinder's backup service."""

    supported_resource_types = (resource_types.VOLUME,)
    capabilities = frozenset((plugin.Capability.OFFLOAD,
                              plugin.Capability.INCREMENTAL,
                              plugin.Capability.LIVE,
                              plugin.Capability.CRASH_CONSISTENT))
    backend = 'cinder'
    options_schema = OPTIONS_SCHEMA
    restore_schema = volume_restore.RESTORE_SCHEMA
    verify_schema = VERIFY_SCHEMA
    saved_info_schema = SAVED_INFO_SCHEMA

    def __init__(self, config=None):
        super().__init__(config)
        self._snapshot_available = False
        if config is not None:
            config.register_opts(PLUGIN_OPTIONS, group=GROUP)
            self._snapshot_available = config[GROUP].snapshot_available_volumes

    def get_protect_work(self, resource):
        return activity.ResourceWork(
            parallel=BackUpVolume(self._snapshot_available))

    def get_restore_work(self, resource):
        return activity.ResourceWork(
            parallel=RestoreFromBackup(),
            sync=volume_restore.RestoredVolumeId())

    def get_verify_work(self, resource):
        return activity.ResourceWork(parallel=VerifyBackup())

    def get_delete_work(self, resource):
        return activity.ResourceWork(parallel=DeleteBackup())
