"""What a protection plugin does for one resource in one operation.

For every resource and operation a plugin returns a :class:`ResourceWork`
with up to two activities:

- a :class:`ParallelActivity` starts as soon as the flow starts, whatever
  the resource's children are doing: snapshots, backups, uploads that need
  nothing but the resource itself. ``start`` runs in the flow (keep it
  short); ``run`` carries the heavy part and goes to the agent's bounded
  work queue, so a long copy never holds a flow executor thread.
- a :class:`SyncActivity` starts once the resource's own parallel work and
  the sync activities of all its children are complete. A restored server
  boots here, after its volumes exist.

The flow joins a resource's parallel work before its sync activity, so a
resource is complete only when everything its plugin started for it is.
Either activity may be omitted. Results are plain JSON values: they are
persisted, so a resumed flow gets them back and a revert knows what to undo.
"""
import abc
import dataclasses

from smaug.clients import auth


class ParallelActivity(abc.ABC):
    """Work on one resource that needs nothing from its children."""

    def start(self, ctx):
        """Begin, quickly (request a snapshot, reserve a name...).

        :returns: a JSON value handed to :meth:`run` and :meth:`revert`.
        """
        return None

    @abc.abstractmethod
    def run(self, ctx, started):
        """The heavy part, on the work queue (copy, wait for a backup...).

        Called again with the same ``started`` when a resumed flow finds
        the work lost with a dead agent.

        :returns: a JSON value, given to the sync step as
            ``ctx.parallel_result``.
        """

    def revert(self, ctx, started):
        """Undo ``start`` and ``run``, finished or not.

        What ``run`` may have created is found through the operation id the
        plugin tagged it with. Nothing to undo by default.
        """
        return None


class SyncActivity(abc.ABC):
    """Work on one resource that needs its children complete."""

    @abc.abstractmethod
    def execute(self, ctx):
        """:returns: the resource's outcome as a JSON value, seen by its
        parents in ``ctx.children`` (a restore returns
        ``{'new_id': ...}``)."""

    def revert(self, ctx, result):
        """Undo ``execute``; ``result`` is None when it did not finish.
        Nothing to undo by default."""
        return None


@dataclasses.dataclass
class ResourceWork:
    """The activities of one resource in one operation."""

    parallel: ParallelActivity | None = None
    sync: SyncActivity | None = None

    def __bool__(self):
        return self.parallel is not None or self.sync is not None


@dataclasses.dataclass
class ActivityContext:
    """Everything an activity may use about its resource and operation.

    :ivar context: the user's RequestContext.
    :ivar operation: the kind of operation: 'protect', 'restore',
        'delete_checkpoint', 'verify' or 'copy_checkpoint'.
    :ivar operation_id: the record's id; plugins tag what they create with
        it so that leftovers can be found.
    :ivar resource: the Resource worked on.
    :ivar parameters: per-type parameters overridden by per-resource ones.
    :ivar bank: the bank section of this resource in the checkpoint.
    :ivar source: (copy_checkpoint) the read-only bank section of this
        resource in the checkpoint copied, possibly in another bank.
    :ivar parallel_result: (sync) what the parallel activity's run returned.
    :ivar children: (sync) child resource key -> its sync result.
    :ivar progress: callable(done, total) to report bytes or steps.
    :ivar restore_target: (restore) where to restore when it is not the
        requester's project: ``auth_url`` plus the ``restore_auth``
        credentials (username, password, optional project).
    """

    context: object
    operation: str
    operation_id: str
    resource: object
    parameters: dict
    bank: object = None
    source: object = None
    parallel_result: object = None
    children: dict = dataclasses.field(default_factory=dict)
    progress: object = None
    restore_target: dict = None

    def openstack_session(self):
        """A keystoneauth session acting for this operation: as the
        restore target's user when there is one, else as the requester."""
        if self.restore_target:
            target = dict(self.restore_target)
            target.pop('type', None)
            return auth.session_for_credentials(**target)
        return auth.session_for(self.context)
