"""The kinds of protection operation: what each reads, runs and records.

Every kind runs the same flow shape, ``begin -> resources -> finish``:
``begin`` marks the operation started and, on revert, moves the record to
its failure state with a reason per failed resource (so a failed flow never
leaves its record pending); the resource part is the graph of activities
that the provider's plugins supply for this kind; ``finish`` records the
success.
"""
from oslo_log import log as logging
from taskflow import task

from smaug import states
from smaug.db import api as db
from smaug.protection import graph as graph_module
from smaug.protection import protectable
from smaug.protection import resource as resource_module
from smaug.protection.bank import checkpoint_layout

LOG = logging.getLogger(__name__)


class Begin(task.Task):
    """First task: the record's start, and its failure on revert."""

    def __init__(self, run):
        super().__init__(name='begin')
        self._run = run

    def execute(self):
        self._run.kind.begin(self._run)

    def revert(self, flow_failures=None, **kwargs):
        if self._run.abandoned:
            return
        reasons = {}
        for name, failure in (flow_failures or {}).items():
            key = name.partition(':')[2] or name
            reasons[key] = failure.exception_str or failure.exception_type
        self._run.kind.fail(self._run, reasons)


class Finish(task.Task):
    """Last task: the record's success."""

    def __init__(self, run):
        super().__init__(name='finish')
        self._run = run

    def execute(self):
        self._run.kind.finish(self._run)


class Kind:
    """One kind of operation.

    :cvar name: the operation type of the RPC API and entry points.
    :cvar record: the leased record's model name.
    :cvar pending, succeeded, failed: the record's states.
    :cvar resource_done: the status a resource gets when its sync ends.
    :cvar log_type, log_key: how its operation log is found.
    :cvar event: the notification prefix, ``smaug.<object>.<action>``.
    """

    name = record = pending = succeeded = failed = None
    #: Whether the record has a ``progress`` column.
    has_progress = True
    resource_done = None
    log_type = log_key = event = None
    get = update = None

    def checkpoint_id(self, record):
        return record.checkpoint_id

    def graph(self, run):
        """The resource graph to work on, from the checkpoint."""
        checkpoint = db.checkpoint_get(run.context, self.checkpoint_id(
            run.record))
        return graph_module.ResourceGraph.from_primitive(
            checkpoint.resource_graph)

    def work(self, plugin, resource):
        raise NotImplementedError

    def writable_bank(self):
        return False

    def begin(self, run):
        run.notify('start')

    def finish(self, run):
        run.complete({'status': self.succeeded,
                      'resources_status': run.statuses()},
                     states.OperationLogStatus.SUCCESS)
        run.notify('end')

    def fail(self, run, reasons):
        statuses = run.statuses()
        for key in reasons:
            statuses[key] = 'error'
        run.complete({'status': self.failed, 'resources_status': statuses,
                      'resources_reason': reasons,
                      'error_reason': _summary(reasons)},
                     states.OperationLogStatus.FAILED, _summary(reasons))
        run.notify('error', reasons=reasons)


def _summary(reasons):
    return '; '.join('%s: %s' % item for item in sorted(reasons.items()))


class Protect(Kind):
    name = 'protect'
    record = 'checkpoint'
    pending = states.CheckpointStatus.PROTECTING
    succeeded = states.CheckpointStatus.AVAILABLE
    failed = states.CheckpointStatus.ERROR
    resource_done = 'available'
    log_type, log_key = 'protect', 'checkpoint_id'
    event = 'smaug.checkpoint.create'
    get = staticmethod(db.checkpoint_get)
    update = staticmethod(db.checkpoint_update)

    def checkpoint_id(self, record):
        return record.id

    def graph(self, run):
        """Built once, then saved: a resumed flow works on the same graph."""
        if run.record.resource_graph:
            return graph_module.ResourceGraph.from_primitive(
                run.record.resource_graph)
        roots = [resource_module.Resource(
            type=item['type'], id=item['id'], name=item.get('name', ''),
            extra_info=item.get('extra_info'))
            for item in run.record.protection_plan['resources']]
        graph = graph_module.build(run.context, protectable.get_registry(),
                                   roots)
        run.record = db.checkpoint_update(
            run.context, run.record.id,
            {'resource_graph': graph.to_primitive()})
        return graph

    def work(self, plugin, resource):
        return plugin.get_protect_work(resource)

    def writable_bank(self):
        return True

    def begin(self, run):
        checkpoint_layout.write_checkpoint(run.bank, run.checkpoint_dict())
        super().begin(run)

    def finish(self, run):
        checkpoint_layout.update_status(run.bank, run.record.id,
                                        self.succeeded)
        super().finish(run)

    def fail(self, run, reasons):
        try:
            checkpoint_layout.update_status(run.bank, run.record.id,
                                            self.failed)
        except Exception:
            # The record must still say what happened; the bank's copy
            # stays "protecting", which an import reads as failed.
            LOG.exception('Could not mark checkpoint %s failed in its bank',
                          run.record.id)
        super().fail(run, reasons)


class DeleteCheckpoint(Kind):
    name = 'delete_checkpoint'
    record = 'checkpoint'
    pending = states.CheckpointStatus.DELETING
    succeeded = states.CheckpointStatus.DELETED
    failed = states.CheckpointStatus.ERROR_DELETING
    resource_done = 'deleted'
    log_type, log_key = 'delete', 'checkpoint_id'
    event = 'smaug.checkpoint.delete'
    get = staticmethod(db.checkpoint_get)
    update = staticmethod(db.checkpoint_update)

    def checkpoint_id(self, record):
        return record.id

    def work(self, plugin, resource):
        return plugin.get_delete_work(resource)

    def writable_bank(self):
        return True

    def finish(self, run):
        checkpoint_layout.delete_checkpoint(run.bank, run.record.id)
        super().finish(run)
        run.release_checkpoint_quota()


class Restore(Kind):
    name = 'restore'
    record = 'restore'
    pending = states.RestoreStatus.IN_PROGRESS
    succeeded = states.RestoreStatus.SUCCESS
    failed = states.RestoreStatus.FAIL
    resource_done = 'restored'
    log_type, log_key = 'restore', 'restore_id'
    event = 'smaug.restore.create'
    get = staticmethod(db.restore_get)
    update = staticmethod(db.restore_update)

    def work(self, plugin, resource):
        return plugin.get_restore_work(resource)


class Verify(Kind):
    name = 'verify'
    record = 'verification'
    has_progress = False
    pending = states.VerificationStatus.IN_PROGRESS
    succeeded = states.VerificationStatus.SUCCESS
    failed = states.VerificationStatus.FAIL
    resource_done = 'verified'
    log_type, log_key = 'verify', 'verification_id'
    event = 'smaug.verification.create'
    get = staticmethod(db.verification_get)
    update = staticmethod(db.verification_update)

    def work(self, plugin, resource):
        return plugin.get_verify_work(resource)


KINDS = {kind.name: kind() for kind in (Protect, DeleteCheckpoint, Restore,
                                        Verify)}
