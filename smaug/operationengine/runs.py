"""One fire time, from claim to recorded end, on one engine.

A fire time becomes a run row (:mod:`smaug.db.scheduling`) when an engine
claims it, already in the state the run starts in::

    claim ──► running ──► success | failed   (the operation type's run())
      ├─────► skipped    the previous run of the operation is still going
      └─────► dropped    its window passed before any engine could start it

A run whose engine died is found by the others: its row names an engine
that no longer beats (or an earlier life of a restarted one), and one of
them adopts it and runs it again; operation types finish such a run
instead of repeating it (see :class:`~smaug.operationengine.operations.
base.ScheduledOperationType`).
"""
import contextlib
import threading

from oslo_log import log as logging
from oslo_utils import timeutils

from smaug import context as context_module
from smaug import liveness
from smaug import states
from smaug.db import scheduling
from smaug.operationengine import rpcapi
from smaug.operationengine.operations import base
from smaug.operationengine.triggers import time_formats

LOG = logging.getLogger(__name__)

RunState = states.ScheduledRunState


def owner_of(run):
    return (run.extend_info or {}).get(scheduling.ENGINE)


class EngineLiveness:
    """Which engines (``<host>:<random>`` owners) are alive, as the
    services table's heartbeats said when last read.

    :param owner: this engine; the owners of its host's earlier lives are
        dead, whatever the host's heartbeat says.
    """

    def __init__(self, conf, host, owner):
        self.conf = conf
        self.host = host
        self.owner = owner
        self._live_hosts = set()

    def refresh(self, context):
        self._live_hosts = {service.host for service in
                            liveness.live_services(
                                context, rpcapi.OperationEngineAPI.BINARY,
                                self.conf)}

    def is_alive(self, owner):
        if owner == self.owner:
            return True
        host = (owner or '').rpartition(':')[0]
        return host != self.host and host in self._live_hosts


def _naive(moment):
    return timeutils.normalize_time(moment)


def _seconds(delta):
    return int(delta.total_seconds())


class Runner:
    """Runs fire times for one engine.

    :param owner: the engine's name in the run rows.
    :param clock: the scheduler's clock.
    :param types: {operation type name: ScheduledOperationType}.
    :param contexts: a :class:`~smaug.operationengine.delegation.
        RunContexts`.
    :param engines: an :class:`EngineLiveness`.
    """

    def __init__(self, owner, clock, types, contexts, engines):
        self.owner = owner
        self.clock = clock
        self.types = types
        self.contexts = contexts
        self.engines = engines
        self.admin = context_module.get_admin_context()
        self._in_hand = set()
        self._lock = threading.Lock()

    def is_orphan(self, run):
        """Whether nobody works on ``run``, a running row: its engine is
        dead, or it is this engine's but no worker holds it (its worker
        met an error, a database outage, on the way)."""
        owner = owner_of(run)
        if owner == self.owner:
            with self._lock:
                return (run.operation_id,
                        run.expect_start_time) not in self._in_hand
        return not self.engines.is_alive(owner)

    @contextlib.contextmanager
    def _holding(self, operation_id, fire_time):
        """Mark a fire time as in a worker's hands, from before its claim
        to the end of its run."""
        key = (operation_id, _naive(fire_time))
        with self._lock:
            self._in_hand.add(key)
        try:
            yield
        finally:
            with self._lock:
                self._in_hand.discard(key)

    # A fire time the schedule handed out

    def run_due(self, due):
        """Claim ``due`` (a :class:`~smaug.operationengine.schedule.Due`)
        and run it, unless another engine has it."""
        now = self.clock()

        def decide(operation, running):
            values = {'triggered_time': _naive(due.triggered_at)}
            if now > due.fire_time + due.window:
                reason = ('it could not start within its %d s window: an '
                          'engine reached it %d s after its fire time' % (
                              _seconds(due.window),
                              _seconds(now - due.fire_time)))
                if due.missed_before:
                    reason += ('; %d earlier fire times were missed too '
                               'and are not recorded' % due.missed_before)
                return RunState.DROPPED, dict(values, error=reason)
            going = [run for run in running
                     if self.engines.is_alive(owner_of(run))]
            if going:
                return RunState.SKIPPED, dict(values, error=(
                    'the run of fire time %s is still going on %s' % (
                        going[0].expect_start_time.isoformat(),
                        owner_of(going[0]))))
            return RunState.RUNNING, dict(values,
                                          actual_start_time=_naive(now))

        with self._holding(due.operation_id, due.fire_time):
            started = scheduling.start_run(self.admin, due.operation_id,
                                           due.fire_time, self.owner, decide)
            if started is None:
                return
            run_id, state, fence = started
            if state != RunState.RUNNING:
                LOG.warning('Scheduled operation %s: fire time %s %s.',
                            due.operation_id, due.fire_time.isoformat(),
                            state)
                return
            self._run(run_id, fence, due.operation_id, due.fire_time,
                      {scheduling.ENGINE: self.owner})

    # A dead engine's run

    def adopt(self, run):
        """Run ``run`` again, a running row whose engine died."""
        with self._holding(run.operation_id, run.expect_start_time):
            fence = scheduling.adopt_run(self.admin, run, self.owner)
            if fence is None:
                return
            previous = owner_of(run)
            LOG.warning('Scheduled operation %s: adopted the run of %s from '
                        '%s, which no longer works on it.', run.operation_id,
                        run.expect_start_time.isoformat(), previous)
            self._run(run.id, fence, run.operation_id,
                      time_formats.as_utc(run.expect_start_time),
                      {scheduling.ENGINE: self.owner,
                       'adopted_from': previous})

    def _run(self, run_id, fence, operation_id, fire_time, extend_info):
        operation, state = scheduling.operation_with_state(self.admin,
                                                           operation_id)
        values = {'extend_info': dict(extend_info)}
        try:
            if operation is None:
                raise LookupError('the operation was deleted')
            operation_type = self.types.get(operation.operation_type)
            if operation_type is None:
                raise LookupError('this engine has no operation type %r'
                                  % operation.operation_type)
            result = operation_type.run(base.ScheduledRun(
                context=self.contexts.context_for(operation, state),
                operation=_as_dict(operation),
                definition=operation.operation_definition,
                expected_time=fire_time, log_id=run_id, now=self.clock))
            values['extend_info'].update(result or {})
            values['checkpoint_id'] = (result or {}).get('checkpoint_id')
            outcome = RunState.SUCCESS
        except Exception as error:
            LOG.exception('Scheduled operation %s: the run of fire time %s '
                          'failed.', operation_id, fire_time.isoformat())
            values['error'] = str(error) or type(error).__name__
            outcome = RunState.FAILED
        values['end_time'] = _naive(self.clock())
        if not scheduling.finish_run(self.admin, run_id, fence, outcome,
                                     values):
            LOG.warning('Run %s of scheduled operation %s ended %s, but '
                        'another engine had taken it over (or the operation '
                        'was deleted): its end is not recorded.', run_id,
                        operation_id, outcome)


def _as_dict(operation):
    values = operation.to_dict()
    # The creator's token stays out of what operation types see and log.
    values.pop('request_context', None)
    return values
