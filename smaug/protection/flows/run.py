"""One operation being carried out by this agent: its flow and its record.

An OperationRun builds the operation's flow from the resource graph and the
provider's plugins, runs it on the persisted taskflow engine (resuming from
whatever an earlier run of the same operation saved), and writes the
outcome: the record's final state, per-resource statuses and reasons, the
operation log, and notifications.

The plugin of each resource type is the provider's first one with every
capability the provider and the checkpoint's plan require (and that the
kind needs, ``copy`` for a copy). An operation whose plan cannot be served
that way ends in its failure state before its flow starts, with a reason
per resource, rather than being carried out some weaker way.

An operation that writes its checkpoint to the bank (protect, delete,
copy) holds the checkpoint's bank lease while its flow runs, besides its
claim on the record: the claim keeps the agents of one database apart, the
bank lease also the deployments sharing a bank. The lease lasts
``lease_seconds``, like the claim, and is renewed just after it, so it ends
just after the claim: an agent that adopts a dead agent's operation finds
the bank lease free within moments, and waits for it up to one lease
length. A lease still held after that has a live holder (another
deployment): the operation fails, naming it.
"""
import functools
import threading
import time
import uuid

from oslo_config import cfg
from oslo_db import exception as db_exception
from oslo_log import log as logging
from sqlalchemy import exc as sa_exception
from taskflow import states as tf_states
from taskflow.patterns import linear_flow
from taskflow.persistence import models as tf_models

from smaug import exception
from smaug import quota
from smaug import rpc
from smaug.db import session as db_session
from smaug.protection import activity
from smaug.protection import providers
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import checkpoint_layout
from smaug.protection.flows import engine as flow_engine
from smaug.protection.flows import kinds
from smaug.protection.flows import resource_flow
from smaug.protection.flows import reverts
from smaug.protection.flows import tasks

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

NO_WORK = activity.ResourceWork()
FLOW_NAMESPACE = uuid.UUID('0b6f4b1e-8d0c-4a55-9a8e-5b2f7f9d6c31')
FINISHED = (tf_states.SUCCESS, tf_states.REVERTED)


UNREACHABLE = (db_exception.DBConnectionError, sa_exception.OperationalError)


def _retry_while_unreachable(function, *args):
    """Call ``function``, retrying while the database cannot be reached.

    Finished work must not be reverted because its outcome could not be
    written during a database restart; if another agent took the
    operation over meanwhile, the write fails with OperationClaimed and
    this run stands down (see :meth:`OperationRun.abandon`).
    """
    deadline = time.monotonic() + max(60, 3 * CONF.protection.lease_seconds)
    delay = 0.2
    while True:
        try:
            return function(*args)
        except UNREACHABLE:
            if time.monotonic() >= deadline:
                raise
            LOG.warning('The database is unreachable; retrying in %.1fs',
                        delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def lease_owner(agent_owner, kind):
    """Who holds a checkpoint's bank lease for an operation: its agent and
    kind. A deletion that starts on the agent whose protect of the same
    checkpoint is still letting go then waits for it, rather than sharing
    a lease the protect is about to release."""
    return '%s/%s' % (agent_owner, kind.name)


class OperationRun:
    """The run of one claimed operation record.

    :param agent: the Agent holding the claim (work queue, persistence,
        owner name).
    :param kind: the :class:`kinds.Kind` of the operation.
    :param context: the RequestContext of the user it runs for.
    :param record: the claimed record.
    """

    def __init__(self, agent, kind, context, record):
        self.agent = agent
        self.kind = kind
        self.context = context
        self.record = record
        self.operation_id = record.id
        # A checkpoint is protected, then deleted: one flow each.
        self.flow_uuid = str(uuid.uuid5(FLOW_NAMESPACE, '%s:%s' % (
            kind.name, record.id)))
        self.work_queue = agent.work_queue
        self.provider = providers.get_registry().get(record.provider_id)
        self.bank = bank_module.Bank.from_provider(self.provider)
        self._plugins = {}
        self._done = {}
        self._progress = {}
        self._left_behind = {}
        self._failed_revert_attempts = {}
        self._broke_off_reverting = threading.Event()
        self._resource_count = None
        self._lock = threading.Lock()
        self._engine = None
        self._abandoned = threading.Event()
        self._claim_lost = threading.Event()
        #: Set once the record holds its final state and no claim.
        self.finished = threading.Event()
        self._parameters = kind.parameters(self)
        self.required_capabilities = frozenset()
        #: The checkpoint's bank lease, while held.
        self.checkpoint_lease = None
        self._lease_lock = threading.Lock()
        #: The bank of the checkpoint a copy copies, once looked up.
        self.source_bank = None
        #: A record the outcome ended besides this one (the copy request
        #: whose last checkpoint this was), for the kind to report.
        self.ended_with = None

    # What the tasks ask of their run.

    def plugin_for(self, resource):
        """The plugin of the resource's type; None when the provider has
        no plugin for that type at all (the resource has no work).

        :raises NoCapablePlugin: when none has the required capabilities.
        :raises PluginLacksCapability: when it lacks the kind's.
        """
        with self._lock:
            if resource.type not in self._plugins:
                self._plugins[resource.type] = self._load_plugin(
                    resource.type)
            return self._plugins[resource.type]

    def _load_plugin(self, resource_type):
        if not self.provider.protects(resource_type):
            return None
        plugin_class = self.provider.plugin_with(resource_type,
                                                 self.required_capabilities)
        needed = self.kind.plugin_capability
        if needed is not None and needed not in plugin_class.capabilities:
            raise exception.PluginLacksCapability(
                plugin=plugin_class.__name__, type=resource_type,
                capability=needed)
        return plugin_class(self.provider.config)

    def work_of(self, resource):
        plugin = self.plugin_for(resource)
        if plugin is None:
            return NO_WORK
        return self.kind.work(plugin, resource) or NO_WORK

    def backend_of(self, resource):
        plugin = self.plugin_for(resource)
        return getattr(plugin, 'backend', None)

    def parameters_for(self, resource):
        merged = dict(self._parameters.get(resource.type) or {})
        merged.update(self._parameters.get(resource.key()) or {})
        return merged

    def activity_context(self, resource, children=None):
        return activity.ActivityContext(
            context=self.context, operation=self.kind.name,
            operation_id=self.operation_id, resource=resource,
            parameters=self.parameters_for(resource),
            bank=checkpoint_layout.resource_section(
                self.bank, self.kind.checkpoint_id(self.record),
                resource.key(), writable=self.kind.writable_bank()),
            source=self.kind.source_section(self, resource),
            children=children or {},
            progress=functools.partial(self.report_progress, resource),
            restore_target=self._restore_target())

    def _restore_target(self):
        target_url = getattr(self.record, 'restore_target', None)
        credentials = getattr(self.record, 'restore_auth', None)
        if not (target_url and credentials):
            return None
        return dict(credentials, auth_url=target_url)

    def resource_completed(self, resource):
        with self._lock:
            self._done[resource.key()] = self.kind.resource_done

    def left_behind(self, atom_name, resource, error):
        """A revert could not remove what was done on ``resource``.

        Saved with the atom: whoever resumes a flow that dies before its
        record fails still names it.
        """
        with self._lock:
            self._left_behind[resource.key()] = str(error)
        self._engine.storage.update_atom_metadata(
            atom_name, {reverts.LEFT_BEHIND: str(error)})

    def revert_failed(self, atom_name, resource, result, error):
        """Count a failed attempt at the revert of ``atom_name``.

        :param result: what the atom's execute returned, for the next
            attempt to undo.
        :returns: whether to give the revert up (it has failed
            ``max_revert_attempts`` times); if not, the flow breaks off and
            whoever resumes it tries again.
        """
        limit = self.agent.conf.protection.max_revert_attempts
        with self._lock:
            attempts = self._failed_revert_attempts.get(atom_name, 0) + 1
            self._failed_revert_attempts[atom_name] = attempts
        self._engine.storage.update_atom_metadata(
            atom_name, reverts.failed_attempt(attempts, result))
        if attempts >= limit:
            LOG.error('Giving up undoing the work on %s of %s %s after %d '
                      'failed attempts; it is left behind: %s',
                      resource.key(), self.kind.record, self.operation_id,
                      attempts, error)
            return True
        LOG.warning('Attempt %d of %d to undo the work on %s of %s %s '
                    'failed; the operation is left for the next scan to '
                    'try again: %s', attempts, limit, resource.key(),
                    self.kind.record, self.operation_id, error,
                    exc_info=True)
        self._broke_off_reverting.set()
        return False

    def stand_down(self, atom_name, result):
        """Leave the revert of ``atom_name``, which this abandoned run does
        not do, to whoever resumes the flow.

        When the agent stops, the revert is kept with what it undoes, as a
        failed one is, but with no failed attempt counted: it did not fail.
        When another agent owns the operation, nothing may be saved: the
        revert is skipped.

        :param result: what the atom's execute returned.
        :raises reverts.RevertLeft: when the revert is kept.
        """
        if self._claim_lost.is_set():
            return
        self._engine.storage.update_atom_metadata(
            atom_name, reverts.result_to_undo(result))
        LOG.info('Leaving the revert of %s of %s %s to whoever resumes it',
                 atom_name, self.kind.record, self.operation_id)
        raise reverts.RevertLeft('the revert of %s is left to whoever '
                                 'resumes the flow' % atom_name)

    def leftovers(self):
        """{resource key: why its revert failed}."""
        with self._lock:
            return dict(self._left_behind)

    def report_progress(self, resource, done, total=None):
        """What an activity has done so far (bytes, or steps)."""
        with self._lock:
            self._progress[resource.key()] = {'done': done, 'total': total}

    def statuses(self):
        with self._lock:
            return dict(self._done)

    def progress_values(self):
        """The record's columns that show how far the operation is."""
        with self._lock:
            values = {'resources_status': dict(self._done)}
            if self.kind.has_progress:
                values['progress'] = {
                    'resources_done': len(self._done),
                    'resources_total': self._resource_count,
                    'resources': dict(self._progress)}
        return values

    # What the kinds ask of their run.

    def checkpoint_dict(self):
        record = self.record
        return {'id': record.id, 'status': record.status,
                'owner_id': record.user_id,
                'provider_id': record.provider_id,
                'project_id': record.project_id,
                'protection_plan': record.protection_plan,
                'extra_info': record.extra_info or {},
                'created_at': record.created_at.isoformat(),
                'resource_graph': record.resource_graph}

    def complete(self, values, log_status, log_error=None):
        """Write the final state, end the operation log and give the claim
        up, in one transaction.

        The checkpoint's bank lease goes first: the kind has written the
        bank for the last time, and an operation asked for as soon as the
        record shows the outcome (a deletion of a checkpoint whose protect
        just failed) must not find it still held while the flow winds
        down. A database outage here must not turn finished work into a
        revert: the write is retried for up to ``lease_seconds``.
        """
        self._release_checkpoint_lease()
        try:
            self.record = _retry_while_unreachable(
                self._write_outcome, values, log_status, log_error)
        except exception.OperationClaimed:
            # Another agent owns the operation now: it finishes it from
            # the saved flow; undoing anything here would undo its work.
            self.abandon(claim_lost=True)
            raise
        self.finished.set()

    def _write_outcome(self, values, log_status, log_error):
        with db_session.writer(self.context):
            return self.kind.write_outcome(self, values, log_status,
                                           log_error)

    def notify(self, phase, event=None, **payload):
        """Send ``<event>.<phase>``, the kind's event by default; the
        payload names this operation unless it says otherwise."""
        payload = dict({'id': self.operation_id,
                        'project_id': self.record.project_id,
                        'provider_id': self.record.provider_id}, **payload)
        event = '%s.%s' % (event or self.kind.event, phase)
        try:
            notifier = rpc.get_notifier('smaug-protection.%s' % CONF.host)
            if phase == 'error':
                notifier.error(self.context, event, payload)
            else:
                notifier.info(self.context, event, payload)
        except Exception:
            LOG.exception('Could not send %s', event)

    def release_checkpoint_quota(self):
        with quota.reserved(self.context, project_id=self.record.project_id,
                            checkpoints=-1):
            pass

    # The checkpoint's bank lease.

    def _take_checkpoint_lease(self, take_over):
        if not self.kind.writable_bank():
            return
        lease_seconds = self.agent.conf.protection.lease_seconds
        lease = checkpoint_layout.acquire_lease(
            self.bank, self.kind.checkpoint_id(self.record),
            lease_owner(self.agent.owner, self.kind), lease_seconds,
            take_over=take_over and lease_owner(take_over, self.kind),
            patience=lease_seconds)
        with self._lease_lock:
            self.checkpoint_lease = lease

    def renew_checkpoint_lease(self):
        """Renew the bank lease, if held (the agent's heartbeat does, just
        after it renews the claim).

        :raises OperationClaimed: when it was lost: the flow must stop
            writing.
        """
        with self._lease_lock:
            if self.checkpoint_lease is not None:
                self.checkpoint_lease.renew()

    def _release_checkpoint_lease(self):
        with self._lease_lock:
            lease, self.checkpoint_lease = self.checkpoint_lease, None
            if lease is None:
                return
            try:
                lease.release()
            except Exception:
                LOG.exception('Could not release the bank lease of %s; it '
                              'expires by itself', lease.name)

    # The flow.

    def execute(self, take_over=None):
        """Run (or resume) the flow; the kind records the outcome.

        :param take_over: the owner of an earlier life of this agent, whose
            bank lease may be taken at once.
        :returns: whether the operation ended (False: its flow was
            suspended, and keeps its saved state for whoever resumes it).
        """
        try:
            self._take_checkpoint_lease(take_over)
        except exception.OperationClaimed as held:
            return self._refuse({'bank': str(held)})
        try:
            return self._execute()
        finally:
            self._release_checkpoint_lease()

    def _refuse(self, reasons):
        """End the operation without running its flow."""
        LOG.error('%s of %s %s refused: %s', self.kind.name, self.kind.record,
                  self.operation_id, kinds.summary(reasons))
        self.kind.fail(self, reasons)
        self.agent.persistence.delete_flow_detail(self.flow_uuid)
        return True

    def _unservable(self, graph):
        """{resource key: why} for the resources no plugin may work on."""
        reasons = {}
        for resource in graph:
            try:
                self.plugin_for(resource)
            except (exception.NoCapablePlugin,
                    exception.PluginLacksCapability) as error:
                reasons[resource.key()] = str(error)
        return reasons

    def _execute(self):
        graph = self.kind.graph(self)
        self._resource_count = len(graph)
        self.required_capabilities = self.kind.required_capabilities(self)
        unservable = self._unservable(graph)
        if unservable:
            return self._refuse(unservable)
        flow = linear_flow.Flow('%s:%s' % (self.kind.name,
                                           self.operation_id))
        flow.add(kinds.Begin(self),
                 resource_flow.build('resources', self, graph, self.work_of),
                 kinds.Finish(self))
        persistence = self.agent.persistence
        detail = (persistence.load_flow_detail(self.flow_uuid) or
                  tf_models.FlowDetail(flow.name, uuid=self.flow_uuid))
        self._remember_failed_reverts(detail)
        self._engine = flow_engine.ResourceFlowEngine(
            flow, detail, persistence,
            {'max_workers': CONF.protection.flow_workers})
        self._remember_finished_resources(detail)
        if not self._abandoned.is_set():
            try:
                self._engine.run()
            except Exception:
                # Taskflow raises the failure that made the flow revert,
                # also when its reverts were broken off or left to whoever
                # resumes it; a reverted flow has recorded its outcome
                # (Begin.revert).
                if not (self.finished.is_set() or self._abandoned.is_set() or
                        self._broke_off_reverting.is_set()):
                    raise
        if self.finished.is_set():
            persistence.delete_flow_detail(self.flow_uuid)
            return True
        if self._abandoned.is_set():
            # Taskflow may report a suspended flow whose queued tasks it
            # cancelled as reverted, though nothing was reverted: the
            # saved state must say suspended, for whoever resumes it.
            self._engine.storage.set_flow_state(tf_states.SUSPENDED)
        if self._abandoned.is_set() or self._broke_off_reverting.is_set():
            # Saved before the record is released: whoever resumes it next
            # must find the reverts left to it and the failed attempts
            # counted.
            persistence.flush()
            return False
        # Kept when the run broke off (the database or the agent went
        # away): whoever takes the operation over resumes from it.
        if self._engine.storage.get_flow_state() not in FINISHED:
            return False
        persistence.delete_flow_detail(self.flow_uuid)
        return True

    def _remember_finished_resources(self, detail):
        """Statuses of the resources an earlier run of this flow did."""
        with self._lock:
            for atom in detail:
                if (atom.name.startswith(tasks.SYNC_PREFIX) and
                        atom.state == tf_states.SUCCESS):
                    key = atom.name[len(tasks.SYNC_PREFIX):]
                    self._done[key] = self.kind.resource_done

    def _remember_failed_reverts(self, detail):
        """Reopen the reverts an earlier run of this flow failed, with the
        count of their failed attempts and what they left behind."""
        reopened = reverts.reopen(detail)
        if reopened:
            LOG.info('Trying again to revert %s of %s %s',
                     ', '.join(sorted(reopened)), self.kind.record,
                     self.operation_id)
        with self._lock:
            self._failed_revert_attempts = reverts.failed_attempts(detail)
            for name, why in reverts.left_behind(detail).items():
                self._left_behind[name.partition(':')[2]] = why

    @property
    def abandoned(self):
        return self._abandoned.is_set()

    def abandon(self, claim_lost=False):
        """Stop scheduling tasks (the agent stops, or lost its claim).

        :param claim_lost: another agent owns the operation: nothing of
            this run may be saved any more.
        """
        if claim_lost:
            self._claim_lost.set()
            self.agent.persistence.fence(self.flow_uuid)
        self._abandoned.set()
        if self._engine is not None:
            self._engine.suspend()
