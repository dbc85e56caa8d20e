"""Restored volumes handed over to another project of the same cloud.

Cinder makes a volume from a backup or a snapshot only in the project
that owns them: the checkpoint's. A restore into another project
(``restore_target``) therefore makes the volume there, as the requester,
and hands it over with a Cinder volume transfer, created by the requester
and accepted by the target's user; the volume keeps its id and its tags.
"""
from smaug.clients import auth
from smaug.clients import factory
from smaug.protection.plugins.openstack import cinder_objects
from smaug.protection.plugins.openstack import tagging


class RestoringProjects:
    """The Cinder clients of a volume restore.

    :ivar target: acts where the volume must end up.
    :ivar source: acts in the checkpoint's project, where the data is;
        the same client as ``target`` when the restore stays there.
    """

    def __init__(self, ctx):
        session = ctx.openstack_session()
        self.target = factory.cinder(session)
        self.source = self.target
        if (ctx.restore_target and
                session.get_project_id() != ctx.context.project_id):
            self.source = factory.cinder(auth.session_for(ctx.context))

    @property
    def crossing(self):
        return self.source is not self.target


def restore_volume(projects, ctx, create):
    """The restored volume, available in the target project.

    :param create: ``create(cinder)`` makes (or finds) the tagged volume
        with the data, through the client it is given, and waits for it.
    """
    if not projects.crossing:
        return create(projects.target)
    for found in cinder_objects.tagged(projects.target,
                                       cinder_objects.VOLUME, ctx):
        # An earlier run of the activity handed it over already.
        if found.status not in cinder_objects.VOLUME.failed:
            return cinder_objects.wait_until(
                projects.target, cinder_objects.VOLUME, found.id)
    volume = create(projects.source)
    # A transfer an earlier run made cannot be accepted: its key was
    # only shown to that run.
    _cancel_transfers(projects.source, {volume.id})
    transfer = projects.source.transfers.create(
        volume.id, name=tagging.name(ctx, 'transfer'))
    projects.target.transfers.accept(transfer.id, transfer.auth_key)
    return cinder_objects.wait_until(projects.target, cinder_objects.VOLUME,
                                     volume.id)


def delete_restored(projects, ctx):
    """Delete the volumes ``ctx``'s restore made, in both projects."""
    cinder_objects.delete_tagged(projects.target, cinder_objects.VOLUME, ctx)
    if projects.crossing:
        _cancel_transfers(projects.source, {
            volume.id for volume in cinder_objects.tagged(
                projects.source, cinder_objects.VOLUME, ctx)})
        cinder_objects.delete_tagged(projects.source, cinder_objects.VOLUME,
                                     ctx)


def _cancel_transfers(cinder, volume_ids):
    for transfer in cinder.transfers.list():
        if transfer.volume_id in volume_ids:
            try:
                cinder.transfers.delete(transfer.id)
            except cinder_objects.NotFound:
                pass
