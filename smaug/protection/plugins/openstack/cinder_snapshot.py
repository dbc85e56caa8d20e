"""Protection of Cinder volumes by Cinder snapshots kept as the data.

A snapshot stays on the volume's own backend: quick to take and to restore
from, even while the volume is in use, but no copy elsewhere (it is lost
with the backend, and the volume cannot be deleted while it exists). Use
the Cinder backup plugin for a copy in another store.

- **Protect** snapshots the volume (also an in-use one:
  crash-consistent) and keeps the volume's description in the bank.
- **Restore** makes a new volume from the snapshot
  (:mod:`.volume_restore`), in the project that owns the snapshot (Cinder
  makes no volume of another project's snapshot), handed over to the
  restore's target project when there is one.
- **Verify** checks the snapshot's status and size.
- **Delete** deletes the snapshot.
"""
from smaug.protection import activity
from smaug.protection import plugin
from smaug.protection import resource_types
from smaug.protection.bank import base as bank_base
from smaug.protection.plugins.openstack import cinder_objects
from smaug.protection.plugins.openstack import volume_restore

METADATA = volume_restore.METADATA

SAVED_INFO_SCHEMA = {
    'type': 'object',
    'properties': dict(cinder_objects.VOLUME_PROPERTIES,
                       snapshot_id={'type': 'string'}),
    'required': ['snapshot_id', 'volume_id', 'size'],
}


class SnapshotVolume(activity.ParallelActivity):
    """Take the snapshot and save what a restore needs."""

    def run(self, ctx, started):
        cinder = cinder_objects.cinder_for(ctx)
        volume = cinder_objects.wait_until(
            cinder, cinder_objects.VOLUME, ctx.resource.id,
            goal=('available', 'in-use'))
        snapshot = cinder_objects.take_snapshot(cinder, ctx, volume.id)
        ctx.bank.put_json(METADATA, dict(cinder_objects.describe(volume),
                                         snapshot_id=snapshot.id))
        ctx.progress(1, 1)
        return {'snapshot_id': snapshot.id}

    def revert(self, ctx, started):
        cinder_objects.delete_tagged(
            cinder_objects.cinder_for(ctx), cinder_objects.SNAPSHOT, ctx,
            volume_id=ctx.resource.id)
        ctx.bank.delete_object(METADATA)


class RestoreFromSnapshot(volume_restore.RestoreVolume):
    # Cinder makes a volume of a snapshot with the snapshot's type and in
    # its zone unless told otherwise.
    keep_type_and_zone = False

    def source(self, cinder, saved):
        snapshot = cinder_objects.check_restorable(
            cinder, cinder_objects.SNAPSHOT, saved['snapshot_id'], saved)
        return {'snapshot_id': snapshot.id}


class VerifySnapshot(activity.ParallelActivity):
    """Check the snapshot's status and size."""

    def run(self, ctx, started):
        saved = ctx.bank.get_json(METADATA)
        cinder_objects.check_restorable(
            cinder_objects.cinder_for(ctx), cinder_objects.SNAPSHOT,
            saved['snapshot_id'], saved)
        ctx.progress(1, 1)
        return {'snapshot_id': saved['snapshot_id']}


class DeleteSnapshot(activity.ParallelActivity):
    """Delete the checkpoint's snapshot."""

    def run(self, ctx, started):
        try:
            saved = ctx.bank.get_json(METADATA)
        except bank_base.BankObjectNotFound:
            return None  # its protection never got as far as a snapshot
        cinder_objects.delete(cinder_objects.cinder_for(ctx),
                              cinder_objects.SNAPSHOT, saved['snapshot_id'])
        ctx.progress(1, 1)
        return {'snapshot_id': saved['snapshot_id']}


class CinderSnapshotPlugin(plugin.ProtectionPlugin):
    """Volumes, protected by snapshots on their own backend."""

    supported_resource_types = (resource_types.VOLUME,)
    capabilities = frozenset((plugin.Capability.LIVE,
                              plugin.Capability.CRASH_CONSISTENT))
    backend = 'cinder'
    restore_schema = volume_restore.RESTORE_SCHEMA
    saved_info_schema = SAVED_INFO_SCHEMA

    def get_protect_work(self, resource):
        return activity.ResourceWork(parallel=SnapshotVolume())

    def get_restore_work(self, resource):
        return activity.ResourceWork(
            parallel=RestoreFromSnapshot(),
            sync=volume_restore.RestoredVolumeId())

    def get_verify_work(self, resource):
        return activity.ResourceWork(parallel=VerifySnapshot())

    def get_delete_work(self, resource):
        return activity.ResourceWork(parallel=DeleteSnapshot())
