"""The volumes, snapshots and backups the Cinder plugins create.

Waiting on each of them, finding those an activity made (through their
tags, so a revert or a resumed run finds what a dead agent created), and
deleting them for good: a deletion returns once the object is gone, so a
revert that returns has left nothing behind.
"""
import dataclasses

from cinderclient import exceptions as cinder_exceptions

from smaug import exception
from smaug.clients import factory
from smaug.protection import waits
from smaug.protection.plugins.openstack import tagging

NotFound = cinder_exceptions.NotFound


class ProtectedDataUnusable(exception.SmaugException):
    message = '%(what)s cannot be restored from: %(reason)s'


@dataclasses.dataclass(frozen=True)
class Kind:
    """What the plugins need to know of one kind of Cinder object.

    :ivar manager: the cinderclient manager's attribute name.
    :ivar failed: statuses from which it never becomes available.
    :ivar deletable: statuses in which Cinder accepts its deletion; a
        deletion waits out any other (a volume being detached, a snapshot
        being backed up).
    :ivar busy: statuses in which it still holds good data but Cinder
        makes no volume of it until it is available again.
    """

    what: str
    manager: str
    failed: tuple
    deletable: tuple
    busy: tuple = ()

    def of(self, cinder):
        return getattr(cinder, self.manager)


VOLUME = Kind('volume', 'volumes',
              failed=('error', 'error_restoring', 'error_extending',
                      'error_managing'),
              deletable=('available', 'error', 'error_restoring',
                         'error_extending', 'error_managing'))
SNAPSHOT = Kind('snapshot', 'volume_snapshots', failed=('error',),
                deletable=('available', 'error'))
# Cinder restores a backup once at a time: while it is restoring, a
# second volume of it is refused.
BACKUP = Kind('backup', 'backups',
              failed=('error', 'deleting', 'error_deleting'),
              deletable=('available', 'error'), busy=('restoring',))


def cinder_for(ctx):
    """A cinderclient acting for ``ctx``'s operation."""
    return factory.cinder(ctx.openstack_session())


def _status(thing):
    return thing.status


def _fail_reason(thing):
    return getattr(thing, 'fail_reason', None)


def wait_until(cinder, kind, object_id, goal='available'):
    """Wait until the object reaches ``goal``; return it.

    :raises ResourceFailed: when it goes to one of ``kind.failed`` (with
        a backup's own ``fail_reason``).
    :raises WaitTimeout: when it does not get there in time.
    """
    manager = kind.of(cinder)
    return waits.wait_for('%s %s' % (kind.what, object_id),
                          lambda: manager.get(object_id), _status, goal,
                          failed=kind.failed, reason_of=_fail_reason)


def delete(cinder, kind, object_id):
    """Delete the object and wait until it is gone; one that is already
    gone is fine."""
    manager = kind.of(cinder)
    what = '%s %s' % (kind.what, object_id)

    def fetch():
        return manager.get(object_id)

    try:
        if fetch().status != 'deleting':
            waits.wait_for(what, fetch, _status, kind.deletable,
                           failed=('error_deleting',))
            manager.delete(object_id)
        waits.wait_until_gone(what, fetch, _status, NotFound,
                              failed=('error_deleting',))
    except NotFound:
        pass


def tagged(cinder, kind, ctx, **filters):
    """The objects of ``kind`` that ``ctx``'s activity created, in its
    operation and for its resource.

    Volumes and snapshots are filtered by their tag on the server; backups
    cannot be, so pass ``volume_id`` to narrow their listing.
    """
    search = dict(filters)
    if kind is not BACKUP:
        search['metadata'] = {tagging.OPERATION_KEY: ctx.operation_id}
    return [found for found in kind.of(cinder).list(search_opts=search)
            if tagging.is_tagged(getattr(found, 'metadata', None), ctx)]


def check_restorable(cinder, kind, object_id, saved):
    """The backup or snapshot that holds a checkpoint's volume, once it is
    seen available (or only busy: :func:`create_volume_from` waits that
    out) with the volume's saved size.

    :param saved: the volume as :func:`describe` saved it.
    :raises ProtectedDataUnusable: when it is gone (or the project cannot
        see it), neither available nor busy, or not of that size.
    """
    what = '%s %s of volume %s' % (kind.what, object_id, saved['volume_id'])
    try:
        found = kind.of(cinder).get(object_id)
    except NotFound:
        raise ProtectedDataUnusable(
            what=what, reason='it does not exist, or the project cannot '
                              'see it')
    if found.status not in ('available',) + kind.busy:
        raise ProtectedDataUnusable(what=what, reason='it is %s (%s)' % (
            found.status, _fail_reason(found) or 'no reason given'))
    if found.size != saved['size']:
        raise ProtectedDataUnusable(
            what=what, reason='it holds %s GiB where the volume had %s GiB'
                              % (found.size, saved['size']))
    return found


def create_volume_from(cinder, source, **arguments):
    """``cinder.volumes.create(**source, **arguments)``: a volume of a
    backup or a snapshot, once the backup is not busy with another restore.

    A restore waits (bounded, with back-off) until the backup is
    available, and waits again when another restore took it between that
    check and the request; all within ``[clients] wait_timeout``.

    :param source: ``{'backup_id': ...}`` or ``{'snapshot_id': ...}``.
    :returns: the new volume, as Cinder accepted it (creating).
    :raises ResourceFailed: at once when the backup is (being) deleted or
        in error.
    :raises WaitTimeout: naming the backup, when it stayed busy.
    """
    def create():
        return cinder.volumes.create(**source, **arguments)

    if 'backup_id' not in source:
        return create()
    backup_id = source['backup_id']
    return waits.act_when(
        '%s %s' % (BACKUP.what, backup_id),
        lambda: cinder.backups.get(backup_id), _status, 'available',
        lambda backup: create(), busy=refused_as_busy_backup,
        failed=BACKUP.failed, reason_of=_fail_reason)


def refused_as_busy_backup(error):
    """Whether Cinder refused a volume because its backup was not
    available (it answers 400 'Invalid backup: ... backup status must
    be ...'): another restore took the backup first."""
    return (isinstance(error, cinder_exceptions.BadRequest) and
            'backup status' in str(error).lower())


def refused_as_needed_backup(error):
    """Whether Cinder refused to delete a backup because an incremental
    one builds on it (400 'Incremental backups exist for this backup').

    Cinder refuses as soon as such a backup is asked for, but counts it
    in ``has_dependent_backups`` only once it is available, and a moment
    after it says so: a listing cannot tell every such backup.
    """
    return (isinstance(error, cinder_exceptions.BadRequest) and
            'incremental backups exist' in str(error).lower())


def take_snapshot(cinder, ctx, volume_id):
    """A tagged snapshot of the volume, available: the one an earlier run
    of ``ctx``'s activity took, or a new one.

    The volume may be in use: the snapshot is then crash-consistent.
    """
    for found in tagged(cinder, SNAPSHOT, ctx, volume_id=volume_id):
        if found.status not in SNAPSHOT.failed:
            return wait_until(cinder, SNAPSHOT, found.id)
    # force: Cinder snapshots an in-use volume only when asked to.
    snapshot = cinder.volume_snapshots.create(
        volume_id, force=True, name=tagging.name(ctx, 'snapshot'),
        metadata=tagging.metadata(ctx))
    return wait_until(cinder, SNAPSHOT, snapshot.id)


def delete_tagged(cinder, kind, ctx, **filters):
    """Delete every object of ``kind`` that :func:`tagged` finds."""
    for found in tagged(cinder, kind, ctx, **filters):
        delete(cinder, kind, found.id)


def user_metadata(metadata):
    """``metadata`` without the tags of the operation that made the
    object (a volume restored earlier still carries them)."""
    return {key: value for key, value in (metadata or {}).items()
            if key not in (tagging.OPERATION_KEY, tagging.RESOURCE_KEY)}


def describe(volume):
    """What a checkpoint keeps of a volume: what a restore needs to make a
    new one like it, and where it was attached (the Nova plugin's restore
    attaches the new volume at the same device)."""
    return {
        'volume_id': volume.id,
        'size': volume.size,
        'volume_type': volume.volume_type,
        'availability_zone': volume.availability_zone,
        'name': volume.name,
        'description': volume.description,
        'metadata': user_metadata(volume.metadata),
        'bootable': str(volume.bootable).lower() == 'true',
        'attachments': [{'server_id': attachment.get('server_id'),
                         'device': attachment.get('device')}
                        for attachment in volume.attachments or ()],
    }


#: The JSON schema of :func:`describe`'s result, for saved-info schemas.
VOLUME_PROPERTIES = {
    'volume_id': {'type': 'string'},
    'size': {'type': 'integer', 'description': 'GiB'},
    'volume_type': {'type': ['string', 'null']},
    'availability_zone': {'type': ['string', 'null']},
    'name': {'type': ['string', 'null']},
    'description': {'type': ['string', 'null']},
    'metadata': {'type': 'object',
                 'additionalProperties': {'type': 'string'}},
    'bootable': {'type': 'boolean'},
    'attachments': {
        'type': 'array',
        'items': {'type': 'object', 'properties': {
            'server_id': {'type': ['string', 'null']},
            'device': {'type': ['string', 'null'],
                       'description': 'e.g. /dev/vdb'}}}},
}
