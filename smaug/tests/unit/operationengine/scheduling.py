"""What the scheduler's tests share: a clock they move by hand, an
operation type that records its runs, and scheduled operations written
straight to the database."""
import datetime
import threading
import uuid

from smaug import context
from smaug import states
from smaug.db import api as db
from smaug.db import models
from smaug.db import scheduling
from smaug.operationengine.operations import base

UTC = datetime.timezone.utc
# Fire times of the tests: every hour on the hour of 2030.
T0 = datetime.datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
HOUR = datetime.timedelta(hours=1)
WINDOW = 900
ENGINE = 'smaug-operationengine'


class FakeClock:
    """The scheduler's clock, moved only by the test."""

    def __init__(self, now):
        self.now = now
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            return self.now

    def set(self, now):
        with self._lock:
            self.now = now

    def advance(self, delta):
        with self._lock:
            self.now += delta


class RecordingOperation(base.ScheduledOperationType):
    """Records each run; a run of a fire time in ``hold`` waits until the
    test releases it, and one in ``fail`` raises."""

    name = 'recording'

    def __init__(self, conf=None):
        super().__init__(conf)
        self.runs = []
        self.hold = {}
        self.fail = set()
        self.started = threading.Condition()

    def run(self, run):
        with self.started:
            self.runs.append(run)
            self.started.notify_all()
        gate = self.hold.get(run.expected_time)
        if gate is not None:
            assert gate.wait(30), 'the test never released the run'
        if run.expected_time in self.fail:
            raise RuntimeError('failed on purpose')
        return {'checkpoint_id': 'checkpoint-%d' % run.log_id,
                'context_user': run.context.user_id}

    def wait_started(self, count, timeout=10):
        with self.started:
            assert self.started.wait_for(lambda: len(self.runs) >= count,
                                         timeout), self.runs

    def fire_times(self, operation_id=None):
        return sorted(run.expected_time for run in self.runs
                      if operation_id in (None, run.operation['id']))


def admin():
    return context.get_admin_context()


def make_trigger(pattern='0 * * * *', window=WINDOW, project='project-1'):
    return db.trigger_create(admin(), {
        'name': 'hourly', 'type': 'time', 'project_id': project,
        'properties': {'format': 'crontab', 'pattern': pattern,
                       'start_time': '2029-12-01 00:00:00',
                       'window': window}})


def make_operation(trigger, since=T0 - HOUR, enabled=True,
                   project='project-1', user='user-1'):
    """A scheduled operation of the recording type, scheduled since
    ``since`` (as if created then)."""
    created_at = since.replace(tzinfo=None)
    creator = context.RequestContext(user_id=user, project_id=project,
                                     roles=['member', 'reader'])
    operation = db.scheduled_operation_create(admin(), {
        'id': str(uuid.uuid4()), 'name': 'op', 'project_id': project,
        'user_id': user, 'operation_type': RecordingOperation.name,
        'trigger_id': trigger.id, 'operation_definition': {},
        'enabled': enabled, 'created_at': created_at,
        'request_context': creator.to_dict()})
    db.scheduled_operation_state_create(admin(), {
        'operation_id': operation.id, 'created_at': created_at,
        'state': (states.ScheduleState.SCHEDULED if enabled
                  else states.ScheduleState.SUSPENDED)})
    return operation


def runs_of(operation_id):
    """{fire time: run row} of an operation."""
    rows = db.scheduled_operation_log_get_all(
        admin(), filters={'operation_id': operation_id},
        sort_keys=['expect_start_time'], sort_dirs=['asc'])
    return {row.expect_start_time.replace(tzinfo=UTC): row for row in rows}


def beat(host, age=0):
    """The last heartbeat of an engine on ``host``, ``age`` seconds ago."""
    try:
        service = db.service_get_by_host_and_binary(admin(), host, ENGINE)
    except Exception:
        service = db.service_create(admin(), {
            'host': host, 'binary': ENGINE, 'topic': ENGINE})
    return db.service_update(admin(), service.id, {
        'updated_at': models.utcnow() - datetime.timedelta(seconds=age)})


def claim_as(owner, operation, fire_time, clock):
    """A run of ``owner`` (another engine), claimed and started."""
    def start(operation, others):
        return (states.ScheduledRunState.RUNNING,
                {'actual_start_time': clock().replace(tzinfo=None)})
    return scheduling.start_run(admin(), operation.id, fire_time, owner,
                                start)
