"""A new volume from a checkpoint's data: the restore of both Cinder
plugins, and the test restore of a verification.

The overrides (name, description, volume type, availability zone) are
checked in the restoring project before anything is created (the
activity's ``start``); the volume is created on the work queue (``run``),
tagged, and awaited until available. Its id is the restore's result,
``{'new_id': ...}``, which the Nova plugin's restore attaches. Whatever a
failed or reverted restore created is found by its tags and deleted. A
restore into another project makes the volume in the checkpoint's project
and hands it over (:mod:`.volume_transfer`).
"""
from smaug import exception
from smaug.protection import activity
from smaug.protection.plugins.openstack import cinder_objects
from smaug.protection.plugins.openstack import tagging
from smaug.protection.plugins.openstack import volume_transfer

METADATA = 'metadata'

RESTORE_SCHEMA = {
    'type': 'object',
    'properties': {
        'name': {'type': 'string', 'maxLength': 255,
                 'description': 'Name of the new volume; the original '
                                "volume's by default."},
        'description': {'type': 'string', 'maxLength': 255,
                        'description': 'Description of the new volume; '
                                       "the original volume's by "
                                       'default.'},
        'volume_type': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                        'description': 'Volume type (name or id) of the '
                                       "new volume; the original's when "
                                       'the restoring project has it.'},
        'availability_zone': {'type': 'string', 'minLength': 1,
                              'maxLength': 255,
                              'description': 'Availability zone of the '
                                             "new volume; the original's "
                                             'when it still exists.'},
    },
    'additionalProperties': False,
}


def _volume_type(cinder, wanted):
    """The name of the volume type called or numbered ``wanted``, or None
    when the project cannot use it."""
    for volume_type in cinder.volume_types.list():
        if wanted in (volume_type.id, volume_type.name):
            return volume_type.name
    return None


def _availability_zones(cinder):
    return {zone.zoneName for zone in cinder.availability_zones.list()
            if (getattr(zone, 'zoneState', None) or {}).get('available',
                                                             True)}


def new_volume_spec(cinder, saved, parameters, keep_type_and_zone=True):
    """The ``volumes.create`` arguments of a restore, checked.

    :param saved: the volume as :func:`cinder_objects.describe` saved it.
    :param parameters: the restore's parameters (``RESTORE_SCHEMA``).
    :param keep_type_and_zone: default to the original volume's type and
        zone when the project still has them (False: leave them to
        Cinder, which takes a snapshot's own).
    :raises InvalidInput: when an override names a volume type or an
        availability zone the restoring project does not have.
    """
    spec = {'size': saved['size'],
            'name': parameters.get('name') or saved.get('name'),
            'description': parameters.get('description',
                                          saved.get('description'))}
    wanted_type = parameters.get('volume_type')
    if wanted_type:
        spec['volume_type'] = _volume_type(cinder, wanted_type)
        if spec['volume_type'] is None:
            raise exception.InvalidInput(
                reason='volume type %s does not exist or is not available '
                       'to the restoring project' % wanted_type)
    elif keep_type_and_zone and saved.get('volume_type'):
        spec['volume_type'] = _volume_type(cinder, saved['volume_type'])
    wanted_zone = parameters.get('availability_zone')
    if wanted_zone or (keep_type_and_zone and
                       saved.get('availability_zone')):
        zones = _availability_zones(cinder)
        if wanted_zone and wanted_zone not in zones:
            raise exception.InvalidInput(
                reason='availability zone %s does not exist; the volume '
                       'service has %s' % (wanted_zone,
                                           ', '.join(sorted(zones))))
        zone = wanted_zone or saved['availability_zone']
        spec['availability_zone'] = zone if zone in zones else None
    return {key: value for key, value in spec.items() if value is not None}


def create_volume(cinder, ctx, spec, source, saved):
    """Create the new volume (or find the one an earlier run of this
    activity created), wait until it is available and tag it.

    :param spec: ``volumes.create`` arguments (:func:`new_volume_spec`);
        without a name, the volume is named after the operation.
    :param source: where its data comes from: ``{'backup_id': ...}`` or
        ``{'snapshot_id': ...}``.
    :param saved: the original volume as saved (metadata, bootable).
    :returns: the available volume.
    :raises ResourceFailed, WaitTimeout: when it does not become
        available, or its backup stays busy with another restore (see
        :func:`cinder_objects.create_volume_from`).
    """
    tags = tagging.metadata(ctx)
    volume = None
    for found in cinder_objects.tagged(cinder, cinder_objects.VOLUME, ctx):
        if volume is None and found.status not in (
                cinder_objects.VOLUME.failed):
            volume = found
        else:
            cinder_objects.delete(cinder, cinder_objects.VOLUME, found.id)
    if volume is None:
        name = spec.get('name') or tagging.name(ctx, 'restore')
        volume = cinder_objects.create_volume_from(
            cinder, source, **dict(spec, name=name),
            metadata=dict(saved.get('metadata') or {}, **tags))
    volume = cinder_objects.wait_until(cinder, cinder_objects.VOLUME,
                                       volume.id)
    # A backup brings the backed-up volume's metadata back over what the
    # volume was created with, tags of an older operation included.
    if not tagging.is_tagged(volume.metadata, ctx):
        cinder.volumes.set_metadata(volume.id, tags)
    if saved.get('bootable') and str(volume.bootable).lower() != 'true':
        cinder.volumes.set_bootable(volume.id, True)
    return volume


class RestoreVolume(activity.ParallelActivity):
    """A new volume from the checkpoint: checked (start), then created
    and awaited (run).

    Subclasses say where the data is, with :meth:`source`.
    """

    #: Whether the new volume defaults to the original's type and zone.
    keep_type_and_zone = True

    def source(self, cinder, saved):
        """The ``volumes.create`` argument naming the data, once checked
        to be usable by the checkpoint's project (which makes the
        volume, also when it goes to another project).

        :raises ProtectedDataUnusable: when it is not.
        """
        raise NotImplementedError

    def start(self, ctx):
        projects = volume_transfer.RestoringProjects(ctx)
        saved = ctx.bank.get_json(METADATA)
        return {'spec': new_volume_spec(projects.target, saved,
                                        ctx.parameters,
                                        self.keep_type_and_zone),
                'source': self.source(projects.source, saved)}

    def run(self, ctx, started):
        saved = ctx.bank.get_json(METADATA)
        volume = volume_transfer.restore_volume(
            volume_transfer.RestoringProjects(ctx), ctx,
            lambda cinder: create_volume(cinder, ctx, started['spec'],
                                         started['source'], saved))
        ctx.progress(1, 1)
        return {'volume_id': volume.id}

    def revert(self, ctx, started):
        volume_transfer.delete_restored(
            volume_transfer.RestoringProjects(ctx), ctx)


class RestoredVolumeId(activity.SyncActivity):
    """Hand the new volume's id to the resources that use it."""

    def execute(self, ctx):
        return {'new_id': ctx.parallel_result['volume_id']}
