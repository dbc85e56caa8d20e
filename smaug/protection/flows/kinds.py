"""The kinds of protection operation: what each reads, runs and records.

Every kind runs the same flow shape, ``begin -> resources -> finish``:
``begin`` marks the operation started and, on revert, moves the record to
its failure state with a reason per failed resource (so a failed flow never
leaves its record pending); the resource part is the graph of activities
that the provider's plugins supply for this kind; ``finish`` records the
success. A kind's record, states and log come from its declaration in
:data:`smaug.protection.operations.OPERATIONS`.

A copy is two kinds: ``copy`` decides which checkpoints a copy request
copies and makes their records, and ``copy_checkpoint`` copies one of them
(see :class:`Copy`).
"""
import contextlib

from oslo_log import log as logging
from taskflow import task

from smaug import exception
from smaug import quota
from smaug import states
from smaug.db import api as db
from smaug.db import session as db_session
from smaug.protection import graph as graph_module
from smaug.protection import operations
from smaug.protection import plugin as plugin_module
from smaug.protection import protectable
from smaug.protection import providers
from smaug.protection import resource as resource_module
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import base as bank_base
from smaug.protection.bank import checkpoint_layout
from smaug.protection.chunks import collector as chunk_collector
from smaug.protection.chunks import layout as chunk_layout

LOG = logging.getLogger(__name__)

_CHECKPOINT = states.CheckpointStatus

# Keys of a checkpoint's extra_info that tie copies to their sources.
COPY_OF = 'copy_of'
COPY_ID = 'copy_id'
COPY_STATUS = 'copy_status'
COPIES = 'copies'
COPY_FINISHED = 'finished'


class Begin(task.Task):
    """First task: the record's start, and its failure on revert."""

    def __init__(self, run):
        super().__init__(name='begin')
        self._run = run

    def execute(self):
        self._run.kind.begin(self._run)

    def revert(self, flow_failures=None, **kwargs):
        if self._run.abandoned:
            self._run.stand_down(self.name, None)
            return
        reasons = {}
        for name, failure in (flow_failures or {}).items():
            key = name.partition(':')[2] or name
            reasons[key] = failure.exception_str or failure.exception_type
        for key, why in self._run.leftovers().items():
            # Its artifacts carry the operation's tags, for an operator
            # to find and remove.
            reasons[key] = '; '.join(filter(None, (
                reasons.get(key), 'left behind, not undone: ' + why)))
        self._run.kind.fail(self._run, reasons)


class Finish(task.Task):
    """Last task: the record's success."""

    def __init__(self, run):
        super().__init__(name='finish')
        self._run = run

    def execute(self):
        self._run.kind.finish(self._run)


def _declared(field):
    return property(lambda self: getattr(self.operation, field),
                    doc="The declared operation's %s." % field)


class Kind:
    """One kind of operation.

    :cvar operation: the :class:`operations.Operation` it carries out:
        its name, record, states, log and notifications.
    :cvar resource_done: the status a resource gets when its sync ends.
    :cvar plugin_capability: a capability the plugin of every resource
        must declare for this kind to use it.
    """

    operation = None
    #: Whether the record has a ``progress`` column.
    has_progress = True
    resource_done = None
    plugin_capability = None

    name = _declared('name')
    record = _declared('record')
    get = _declared('get')
    update = _declared('update')
    pending = _declared('pending')
    succeeded = _declared('succeeded')
    failed = _declared('failed')
    log_type = _declared('operation_type')
    log_key = _declared('log_key')
    event = _declared('event')

    def checkpoint_id(self, record):
        if self.record == 'checkpoint':
            return record.id
        return record.checkpoint_id

    def checkpoint(self, run):
        """The checkpoint record the operation works on."""
        if self.record == 'checkpoint':
            return run.record
        return db.checkpoint_get(run.context, run.record.checkpoint_id)

    def graph(self, run):
        """The resource graph to work on, from the checkpoint."""
        return graph_module.ResourceGraph.from_primitive(
            self.checkpoint(run).resource_graph)

    def required_capabilities(self, run):
        """What the checkpoint's plan demands of every plugin, besides the
        provider's own requirements."""
        plan = self.checkpoint(run).protection_plan or {}
        return frozenset(plan.get('required_capabilities') or ())

    def parameters(self, run):
        """``{<type> or <type>#<id>: {...}}`` handed to the activities."""
        return dict(getattr(run.record, 'parameters', None) or {})

    def work(self, plugin, resource):
        raise NotImplementedError

    def writable_bank(self):
        """Whether the operation writes its checkpoint in the bank (it then
        holds the checkpoint's bank lease while it runs)."""
        return False

    def source_section(self, run, resource):
        """The section of ``resource`` in the checkpoint the operation
        reads besides its own (a copy's source); None for most kinds."""
        return None

    def begin(self, run):
        run.notify('start')

    def finish(self, run, **values):
        """Record the success; ``values`` are more columns to write."""
        run.complete(dict(values, status=self.succeeded,
                          resources_status=run.statuses()),
                     states.OperationLogStatus.SUCCESS)
        run.notify('end')

    def fail(self, run, reasons, **values):
        """Record the failure, with a reason per failed resource."""
        statuses = run.statuses()
        for key in reasons:
            statuses[key] = 'error'
        run.complete(dict(values, status=self.failed,
                          resources_status=statuses,
                          resources_reason=reasons,
                          error_reason=summary(reasons)),
                     states.OperationLogStatus.FAILED, summary(reasons))
        run.notify('error', reasons=reasons)

    def write_outcome(self, run, values, log_status, log_error):
        """Write the final ``values`` and give the claim up, and end the
        operation log, in the caller's transaction.

        :returns: the record as written.
        :raises OperationClaimed: when another agent holds the record.
        """
        record = db.operation_release(run.context, self.record,
                                      run.operation_id, run.agent.owner,
                                      values)
        if self.log_type is not None and log_status is not None:
            db.operation_log_finish(
                run.context, {self.log_key: run.operation_id,
                              'operation_type': self.log_type},
                log_status, log_error)
        return record


def summary(reasons):
    """One line for many per-resource reasons; resources failing alike
    are named together."""
    keys_by_reason = {}
    for key, reason in sorted(reasons.items()):
        keys_by_reason.setdefault(reason, []).append(key)
    return '; '.join('%s: %s' % (_some(keys), reason)
                     for reason, keys in keys_by_reason.items())


def _some(keys, shown=3):
    if len(keys) <= shown:
        return ', '.join(keys)
    return '%s and %d more' % (', '.join(keys[:shown]), len(keys) - shown)


class Protect(Kind):
    operation = operations.OPERATIONS['protect']
    resource_done = 'available'

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

    def parameters(self, run):
        return dict(run.record.protection_plan.get('parameters') or {})

    def work(self, plugin, resource):
        return plugin.get_protect_work(resource)

    def writable_bank(self):
        return True

    def begin(self, run):
        checkpoint_layout.write_checkpoint(run.bank, run.checkpoint_dict())
        super().begin(run)

    def finish(self, run, **values):
        checkpoint_layout.update_status(run.bank, run.record.id,
                                        self.succeeded)
        super().finish(run, **values)

    def fail(self, run, reasons, **values):
        if run.checkpoint_lease is not None:
            try:
                checkpoint_layout.update_status(run.bank, run.record.id,
                                                self.failed)
            except exception.CheckpointNotFound:
                pass  # refused before begin wrote it: nothing to mark
            except Exception:
                # The record must still say what happened; the bank's copy
                # stays "protecting", which an import reads as failed.
                LOG.exception('Could not mark checkpoint %s failed in its '
                              'bank', run.record.id)
        super().fail(run, reasons, **values)


class DeleteCheckpoint(Kind):
    operation = operations.OPERATIONS['delete_checkpoint']
    resource_done = 'deleted'

    def parameters(self, run):
        return {}

    def work(self, plugin, resource):
        return plugin.get_delete_work(resource)

    def writable_bank(self):
        return True

    def finish(self, run, **values):
        checkpoint_layout.delete_checkpoint(run.bank, run.record.id)
        # Chunks only this checkpoint's manifests referenced are freed by a
        # collection, which may wait for writes: in the background.
        chunk_collector.collect_in_background(run.record.provider_id,
                                              run.bank)
        super().finish(run, **values)
        run.release_checkpoint_quota()

    def write_outcome(self, run, values, log_status, log_error):
        """A deleted copy is also struck from its source's list of copies,
        so that a later copy request copies the source there again."""
        record = super().write_outcome(run, values, log_status, log_error)
        source_id = (run.record.extra_info or {}).get(COPY_OF)
        if source_id and record.status == self.succeeded:
            _strike_copy(run.context, source_id, record.provider_id,
                         record.id)
        return record


class Restore(Kind):
    operation = operations.OPERATIONS['restore']
    resource_done = 'restored'

    def work(self, plugin, resource):
        return plugin.get_restore_work(resource)


class Verify(Kind):
    operation = operations.OPERATIONS['verify']
    has_progress = False
    resource_done = 'verified'

    def work(self, plugin, resource):
        return plugin.get_verify_work(resource)


def copy_destination(copy):
    """The provider whose bank receives the copies of ``copy``: the one
    its parameters name, else the copy's own (same bank)."""
    destination = (copy.parameters or {}).get(operations.COPY_DESTINATION)
    return (destination or {}).get('provider_id') or copy.provider_id


def _copiable(checkpoint, destination):
    """Whether ``checkpoint`` is a source not yet copied to ``destination``
    (a copy is never a source: each copy would be copied again)."""
    extra_info = checkpoint.extra_info or {}
    return (COPY_OF not in extra_info and
            destination not in (extra_info.get(COPIES) or {}))


class Copy(Kind):
    """Which checkpoints a copy request copies, and their new records.

    Each available checkpoint of the plan (under the copy's provider) that
    was not copied to the destination yet gets a new checkpoint record
    there, ``wait_copying``, with ``extra_info`` naming its source
    (``copy_of``) and the copy (``copy_id``); the source lists it in
    ``extra_info.copies`` ({destination provider: copy}), so a second
    request does not copy it again. The records, the source marks, the
    copy's ``checkpoint_pairs`` and the quota they use are written in one
    transaction. Each new checkpoint is then copied by its own operation
    (:class:`CopyCheckpoint`); the copy stays ``copying`` until the last
    of them ends, and ends ``success`` or ``fail`` with it.
    """

    operation = operations.OPERATIONS['copy']
    has_progress = False

    def graph(self, run):
        return graph_module.ResourceGraph()

    def required_capabilities(self, run):
        return frozenset()

    def begin(self, run):
        super().begin(run)
        if run.record.checkpoint_pairs is None:
            run.record = self._plan(run)

    def _plan(self, run):
        copy = run.record
        destination = copy_destination(copy)
        # The destination must exist: its records would be orphans.
        providers.get_registry().get(destination)
        with db_session.writer(run.context):
            sources = [checkpoint for checkpoint in db.checkpoint_lock_all(
                run.context, {'provider_id': copy.provider_id,
                              'plan_id': copy.plan_id,
                              'status': _CHECKPOINT.AVAILABLE})
                if _copiable(checkpoint, destination)]
            charged = (quota.reserved(run.context,
                                      project_id=copy.project_id,
                                      checkpoints=len(sources))
                       if sources else contextlib.nullcontext())
            with charged:
                pairs = [{'checkpoint_protect_id': source.id,
                          'checkpoint_copy_id': _copy_record(
                              run.context, copy, source, destination)}
                         for source in sources]
                return db.operation_renew_lease(
                    run.context, self.record, copy.id, run.agent.owner,
                    run.agent.conf.protection.lease_seconds,
                    {'checkpoint_pairs': pairs})

    def finish(self, run, **values):
        pairs = run.record.checkpoint_pairs
        if not pairs:
            run.complete({'status': self.succeeded},
                         states.OperationLogStatus.SUCCESS)
            run.notify('end')
            return
        # The log ends with the last checkpoint's copy.
        run.complete({'status': states.CopyStatus.COPYING}, None)
        for pair in pairs:
            # Queued here; if this agent stops first, the scan of any
            # agent finds the records waiting.
            run.agent.accept(KINDS['copy_checkpoint'], run.context,
                             pair['checkpoint_copy_id'])
        # An agent that died after planning left the copies to the scan:
        # they may all have ended before the copy was copying.
        with db_session.writer(run.context):
            run.ended_with = _end_copy(run.context, run.record.id)
        _notify_copy_end(run)

    def fail(self, run, reasons, **values):
        run.complete({'status': self.failed,
                      'error_reason': summary(reasons)},
                     states.OperationLogStatus.FAILED, summary(reasons))
        run.notify('error', reasons=reasons)


def _copy_record(context, copy, source, destination):
    """Create the record of ``source``'s copy and mark the source; in the
    caller's transaction, which holds the source's row.

    :returns: the new checkpoint's id.
    """
    extra_info = {key: value for key, value in
                  (source.extra_info or {}).items() if key != COPIES}
    extra_info.update({COPY_OF: source.id, COPY_ID: copy.id,
                       COPY_STATUS: _CHECKPOINT.WAIT_COPYING})
    target = db.checkpoint_create(context, {
        'project_id': copy.project_id, 'user_id': copy.user_id,
        'provider_id': destination, 'plan_id': source.plan_id,
        'status': _CHECKPOINT.WAIT_COPYING,
        'protection_plan': source.protection_plan,
        'resource_graph': source.resource_graph,
        'extra_info': extra_info})
    marked = dict(source.extra_info or {})
    marked[COPIES] = dict(marked.get(COPIES) or {}, **{destination: target.id})
    db.checkpoint_update(context, source.id, {'extra_info': marked})
    return target.id


class ChunkDataNotCopied(exception.SmaugException):
    message = ('The copy lacks the chunk store data %(keys)s of its source: '
               'the plugins that saved it did not copy it.')


class CopyCheckpoint(Kind):
    """The copy of one checkpoint into its record's provider's bank.

    ``begin`` copies the source's objects into the bank (its index, graph
    and every resource section: see ``checkpoint_layout.copy_checkpoint``),
    so the copy is fully described by its bank; then each resource's
    plugin copies what it keeps outside the bank. A plugin that does not
    declare the ``copy`` capability fails the copy before anything is
    written. A failed copy removes what it wrote to the bank (leaving a
    tombstone), ends ``error``, and is struck from its source's list of
    copies; either way the copy request ends with its last checkpoint.

    Chunk store manifests are the exception to the copy of objects as
    they are: a copied manifest would reference chunks its bank may not
    have, or not under those names, and without a reference of its own
    the next garbage collection would take its chunks. ``begin`` leaves
    them to the plugins that wrote them, which copy them from
    ``ctx.source`` with ``ChunkStore.copy`` in their copy activities, on
    the work queue, with progress. ``finish`` checks that each of them
    did: a manifest of the source missing from the copy fails it, rather
    than leave a copy that cannot be restored once its source is gone.
    """

    operation = operations.Operation(
        'copy_checkpoint', 'checkpoint', db.checkpoint_get,
        db.checkpoint_update,
        (_CHECKPOINT.WAIT_COPYING, _CHECKPOINT.COPYING),
        _CHECKPOINT.AVAILABLE, _CHECKPOINT.ERROR, None, 'checkpoint_id',
        'smaug.checkpoint.copy')
    resource_done = 'available'
    plugin_capability = plugin_module.Capability.COPY

    def parameters(self, run):
        copy = db.copy_get(run.context, run.record.extra_info[COPY_ID])
        return {key: value for key, value in (copy.parameters or {}).items()
                if key != operations.COPY_DESTINATION}

    def work(self, plugin, resource):
        return plugin.get_copy_work(resource)

    def writable_bank(self):
        return True

    def source_section(self, run, resource):
        return checkpoint_layout.resource_section(
            self._source_bank(run), run.record.extra_info[COPY_OF],
            resource.key(), writable=False)

    @staticmethod
    def _source_bank(run):
        if run.source_bank is None:
            source = db.checkpoint_get(run.context,
                                       run.record.extra_info[COPY_OF])
            run.source_bank = _bank_of(run, source)
        return run.source_bank

    def _extra_info(self, run, copy_status):
        return dict(run.record.extra_info, **{COPY_STATUS: copy_status})

    def begin(self, run):
        run.record = db.operation_renew_lease(
            run.context, self.record, run.operation_id, run.agent.owner,
            run.agent.conf.protection.lease_seconds,
            {'status': _CHECKPOINT.COPYING,
             'extra_info': self._extra_info(run, _CHECKPOINT.COPYING)})
        source_id = run.record.extra_info[COPY_OF]
        source_bank = self._source_bank(run)
        checkpoint_layout.copy_checkpoint(
            source_bank, source_id, run.bank, run.checkpoint_dict(),
            excluded=chunk_layout.manifests_under(
                source_bank, checkpoint_layout.resources_prefix(source_id)))
        super().begin(run)

    def finish(self, run, **values):
        self._check_chunk_data_copied(run)
        extra_info = self._extra_info(run, COPY_FINISHED)
        checkpoint_layout.write_checkpoint(run.bank, dict(
            run.checkpoint_dict(), status=self.succeeded,
            extra_info=extra_info))
        super().finish(run, extra_info=extra_info, **values)
        _notify_copy_end(run)

    def _check_chunk_data_copied(self, run):
        """:raises ChunkDataNotCopied: naming the source's manifests that
        the copy lacks."""
        source_bank = self._source_bank(run)
        source_prefix = checkpoint_layout.resources_prefix(
            run.record.extra_info[COPY_OF])
        target_prefix = checkpoint_layout.resources_prefix(run.record.id)
        missing = []
        for key in sorted(chunk_layout.manifests_under(source_bank,
                                                       source_prefix)):
            relative = key[len(source_prefix):]
            # A reference that a failed write left has no manifest.
            if (not _exists(run.bank, target_prefix + relative) and
                    _exists(source_bank, key)):
                missing.append(relative)
        if missing:
            raise ChunkDataNotCopied(keys=', '.join(missing))

    def fail(self, run, reasons, **values):
        if run.checkpoint_lease is not None:
            try:
                checkpoint_layout.delete_checkpoint(run.bank, run.record.id)
            except exception.CheckpointNotFound:
                pass  # refused before begin wrote it
            except Exception:
                LOG.exception('Could not remove the failed copy %s from '
                              'its bank', run.record.id)
        super().fail(run, reasons,
                     extra_info=self._extra_info(run, self.failed),
                     **values)
        _notify_copy_end(run)

    def write_outcome(self, run, values, log_status, log_error):
        """Also strike a failed copy from its source's list, and end the
        copy request with its last checkpoint.

        The copy request's row is locked first: its checkpoints end one at
        a time, so the last to end sees how the others did.
        """
        extra_info = run.record.extra_info
        db.copy_lock(run.context, extra_info[COPY_ID])
        record = super().write_outcome(run, values, log_status, log_error)
        if record.status != self.succeeded:
            _strike_copy(run.context, extra_info[COPY_OF],
                         record.provider_id, record.id)
        run.ended_with = _end_copy(run.context, extra_info[COPY_ID])
        return record


def _bank_of(run, checkpoint):
    if checkpoint.provider_id == run.provider.id:
        return run.bank
    return bank_module.Bank.from_provider(
        providers.get_registry().get(checkpoint.provider_id))


def _exists(bank, key):
    try:
        bank.head_object(key)
    except bank_base.BankObjectNotFound:
        return False
    return True


def _strike_copy(context, source_id, destination, copy_checkpoint_id):
    for source in db.checkpoint_lock_all(context, {'id': source_id}):
        copies = dict((source.extra_info or {}).get(COPIES) or {})
        if copies.get(destination) == copy_checkpoint_id:
            del copies[destination]
            db.checkpoint_update(context, source_id, {'extra_info': dict(
                source.extra_info, **{COPIES: copies})})


def _end_copy(context, copy_id):
    """End the copy request if none of its checkpoints is being copied.

    :returns: the copy record if this call ended it, else None.
    """
    copy = db.copy_lock(context, copy_id)
    if copy.status != states.CopyStatus.COPYING:
        return None
    ids = [pair['checkpoint_copy_id'] for pair in copy.checkpoint_pairs]
    statuses = {checkpoint.id: checkpoint.status for checkpoint in
                db.checkpoint_lock_all(context, {'id': ids})}
    copying = KINDS['copy_checkpoint'].pending
    if any(statuses.get(checkpoint_id) in copying for checkpoint_id in ids):
        return None
    failed = [checkpoint_id for checkpoint_id in ids
              if statuses.get(checkpoint_id) != _CHECKPOINT.AVAILABLE]
    reason = None
    log_status = states.OperationLogStatus.SUCCESS
    if failed:
        reason = 'the copies %s failed' % ', '.join(failed)
        log_status = states.OperationLogStatus.FAILED
    copy = db.copy_update(
        context, copy_id,
        {'status': (states.CopyStatus.FAIL if failed
                    else states.CopyStatus.SUCCESS),
         'error_reason': reason},
        expected_status=states.CopyStatus.COPYING)
    declared = operations.OPERATIONS['copy']
    db.operation_log_finish(context, {declared.log_key: copy_id,
                                      'operation_type':
                                          declared.operation_type},
                            log_status, reason)
    return copy


def _notify_copy_end(run):
    copy = run.ended_with
    if copy is None:
        return
    phase = 'end' if copy.status == states.CopyStatus.SUCCESS else 'error'
    run.notify(phase, event=KINDS['copy'].event, id=copy.id,
               provider_id=copy.provider_id)


KINDS = {kind.name: kind for kind in (
    Protect(), DeleteCheckpoint(), Restore(), Verify(), Copy(),
    CopyCheckpoint())}
