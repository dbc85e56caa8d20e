"""One fire time from claim to recorded end, on a real database and a
clock the test moves: exactly once, dropped, skipped, adopted."""
import datetime
import threading

from oslo_config import fixture as config_fixture
import pytest

from smaug.conf import CONF
from smaug.db import scheduling
from smaug.operationengine import delegation
from smaug.operationengine import runs
from smaug.operationengine.schedule import Due
from smaug.tests.unit.operationengine import scheduling as helpers

T0 = helpers.T0
HOUR = helpers.HOUR
WINDOW = datetime.timedelta(seconds=helpers.WINDOW)
SECOND = datetime.timedelta(seconds=1)
HOST = 'engine-a'


@pytest.fixture
def conf(request, database):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)
    fixture.config(service_down_time=60)
    return fixture.conf


@pytest.fixture
def clock():
    return helpers.FakeClock(T0 + SECOND)


@pytest.fixture
def recording():
    return helpers.RecordingOperation()


def make_runner(conf, clock, recording, host=HOST, alive=()):
    """A Runner of an engine on ``host``; ``alive`` are the hosts of the
    other engines whose heartbeats are current."""
    owner = '%s:life-1' % host
    engines = runs.EngineLiveness(conf, host, owner)
    for other in alive:
        helpers.beat(other)
    engines.refresh(helpers.admin())
    return runs.Runner(owner, clock, {recording.name: recording},
                       delegation.RunContexts(), engines)


def due(operation, fire_time, window=WINDOW, triggered_at=None, **kwargs):
    return Due(operation.id, fire_time, window, triggered_at or fire_time,
               **kwargs)


def orphans(runner):
    return [run for run in scheduling.runs_in_flight(helpers.admin())
            if runner.is_orphan(run)]


@pytest.fixture
def operation(database):
    return helpers.make_operation(helpers.make_trigger())


def test_a_run_is_recorded_from_claim_to_end(conf, clock, recording,
                                             operation):
    runner = make_runner(conf, clock, recording)
    clock.advance(SECOND)

    runner.run_due(due(operation, T0, triggered_at=T0 + SECOND))

    [run] = recording.runs
    assert run.expected_time == T0
    assert run.operation['id'] == operation.id
    assert 'request_context' not in run.operation
    assert run.context.user_id == 'user-1'
    assert run.context.project_id == 'project-1'
    row = helpers.runs_of(operation.id)[T0]
    assert row.state == 'success'
    assert row.checkpoint_id == 'checkpoint-%d' % row.id
    assert run.log_id == row.id
    assert row.triggered_time == (T0 + SECOND).replace(tzinfo=None)
    assert row.actual_start_time == (T0 + 2 * SECOND).replace(tzinfo=None)
    assert row.end_time == (T0 + 2 * SECOND).replace(tzinfo=None)
    assert row.extend_info == {'engine': runner.owner,
                               'checkpoint_id': row.checkpoint_id,
                               'context_user': 'user-1'}
    assert row.error is None


@pytest.mark.parametrize('migrated_database', ['mysql', 'postgresql'],
                         indirect=True, scope='session')
def test_engines_racing_for_fire_times_run_each_once(conf, clock,
                                                     recording, database):
    trigger = helpers.make_trigger()
    operations = [helpers.make_operation(trigger) for _ in range(10)]
    runners = [make_runner(conf, clock, recording, host='engine-%d' % n)
               for n in range(4)]
    fire_times = [T0, T0 + HOUR]
    clock.set(T0 + HOUR + SECOND)
    barrier = threading.Barrier(len(runners))
    errors = []

    def engine(runner):
        barrier.wait()
        try:
            for fire_time in fire_times:
                for operation in operations:
                    runner.run_due(due(operation, fire_time, 2 * HOUR))
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=engine, args=(runner,))
               for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    ran = sorted((run.operation['id'], run.expected_time)
                 for run in recording.runs)
    assert ran == sorted((operation.id, fire_time)
                         for operation in operations
                         for fire_time in fire_times)
    for operation in operations:
        rows = helpers.runs_of(operation.id)
        assert sorted(rows) == fire_times
        assert {row.state for row in rows.values()} == {'success'}


def test_a_fire_time_past_its_window_is_dropped(conf, clock, recording,
                                                operation):
    runner = make_runner(conf, clock, recording)
    clock.set(T0 + WINDOW + SECOND)

    runner.run_due(due(operation, T0, missed_before=3))

    assert recording.runs == []
    row = helpers.runs_of(operation.id)[T0]
    assert row.state == 'dropped'
    assert row.error == ('it could not start within its 900 s window: an '
                         'engine reached it 901 s after its fire time; 3 '
                         'earlier fire times were missed too and are not '
                         'recorded')
    assert row.actual_start_time is None
    # Another engine reaching it later records nothing more.
    make_runner(conf, clock, recording, host='engine-b').run_due(
        due(operation, T0))
    assert len(helpers.runs_of(operation.id)) == 1


def test_a_fire_time_is_skipped_while_the_previous_run_goes_on(
        conf, clock, recording, operation):
    runner = make_runner(conf, clock, recording)
    release = threading.Event()
    recording.hold[T0] = release
    first = threading.Thread(target=runner.run_due,
                             args=(due(operation, T0),))
    first.start()
    try:
        recording.wait_started(1)
        clock.set(T0 + HOUR + SECOND)

        runner.run_due(due(operation, T0 + HOUR))
    finally:
        release.set()
        first.join(10)

    assert recording.fire_times() == [T0]
    rows = helpers.runs_of(operation.id)
    assert rows[T0].state == 'success'
    assert rows[T0 + HOUR].state == 'skipped'
    assert rows[T0 + HOUR].error == (
        'the run of fire time %s is still going on %s'
        % (T0.replace(tzinfo=None).isoformat(), runner.owner))
    # The next fire time runs again.
    clock.set(T0 + 2 * HOUR + SECOND)
    runner.run_due(due(operation, T0 + 2 * HOUR))
    assert helpers.runs_of(operation.id)[T0 + 2 * HOUR].state == 'success'


def test_a_dead_engines_run_does_not_hold_the_next_one_back(
        conf, clock, recording, operation):
    helpers.claim_as('engine-dead:life-1', operation, T0, clock)
    clock.set(T0 + HOUR + SECOND)
    runner = make_runner(conf, clock, recording, alive=['engine-live'])

    runner.run_due(due(operation, T0 + HOUR))

    assert helpers.runs_of(operation.id)[T0 + HOUR].state == 'success'


def test_a_live_engines_run_holds_the_next_one_back(conf, clock, recording,
                                                    operation):
    helpers.claim_as('engine-live:life-1', operation, T0, clock)
    clock.set(T0 + HOUR + SECOND)
    runner = make_runner(conf, clock, recording, alive=['engine-live'])

    runner.run_due(due(operation, T0 + HOUR))

    assert helpers.runs_of(operation.id)[T0 + HOUR].state == 'skipped'
    assert recording.runs == []


def test_a_suspended_or_deleted_operation_is_not_run(conf, clock, recording,
                                                     database):
    trigger = helpers.make_trigger()
    suspended = helpers.make_operation(trigger, enabled=False)
    deleted = helpers.make_operation(trigger)
    helpers.db.scheduled_operation_destroy(helpers.admin(), deleted.id)
    runner = make_runner(conf, clock, recording)

    for operation in (suspended, deleted):
        runner.run_due(due(operation, T0))

    assert recording.runs == []
    assert helpers.runs_of(suspended.id) == {}


def test_the_runs_of_a_dead_engine_are_adopted_and_run_again(
        conf, clock, recording, database):
    trigger = helpers.make_trigger()
    dead, earlier, living = (helpers.make_operation(trigger)
                             for _ in range(3))
    helpers.claim_as('engine-dead:life-1', dead, T0, clock)
    helpers.claim_as('%s:life-0' % HOST, earlier, T0, clock)
    helpers.claim_as('engine-live:life-1', living, T0, clock)
    clock.set(T0 + HOUR + 5 * SECOND)
    helpers.beat('engine-dead', age=conf.service_down_time + 1)
    runner = make_runner(conf, clock, recording, alive=['engine-live'])

    found = orphans(runner)
    # The dead engine's run, and the one this host's earlier life left;
    # not the live engine's.
    assert sorted(run.operation_id for run in found) == sorted(
        [dead.id, earlier.id])
    for run in found:
        runner.adopt(run)

    assert sorted(run.operation['id'] for run in recording.runs) == sorted(
        [dead.id, earlier.id])
    for operation, previous in ((dead, 'engine-dead:life-1'),
                                (earlier, '%s:life-0' % HOST)):
        row = helpers.runs_of(operation.id)[T0]
        assert row.state == 'success'
        assert row.extend_info['engine'] == runner.owner
        assert row.extend_info['adopted_from'] == previous
    assert helpers.runs_of(living.id)[T0].state == 'running'
    assert orphans(runner) == []


def test_a_run_taken_over_cannot_be_recorded_by_its_first_engine(
        conf, clock, recording, operation):
    first = make_runner(conf, clock, recording, host='engine-slow')
    release = threading.Event()
    recording.hold[T0] = release
    slow = threading.Thread(target=first.run_due,
                            args=(due(operation, T0),))
    slow.start()
    try:
        recording.wait_started(1)
        # Another engine takes the run for dead (the slow one never beat)
        # and runs it to the end.
        recording.hold.pop(T0)
        adopter = make_runner(conf, clock, recording)
        [run] = orphans(adopter)
        adopter.adopt(run)
        adopted = helpers.runs_of(operation.id)[T0]
        assert adopted.state == 'success'
    finally:
        recording.fail.add(T0)
        release.set()
        slow.join(10)

    # The slow engine's run failed afterwards; the record keeps the
    # adopter's success.
    assert len(recording.runs) == 2
    row = helpers.runs_of(operation.id)[T0]
    assert row.state == 'success'
    assert row.extend_info['engine'] == adopter.owner
    assert row.updated_at == adopted.updated_at


def test_an_engine_does_not_adopt_what_its_own_workers_hold(
        conf, clock, recording, operation):
    runner = make_runner(conf, clock, recording)
    release = threading.Event()
    recording.hold[T0] = release
    worker = threading.Thread(target=runner.run_due,
                              args=(due(operation, T0),))
    worker.start()
    try:
        recording.wait_started(1)
        assert orphans(runner) == []
    finally:
        release.set()
        worker.join(10)
    assert helpers.runs_of(operation.id)[T0].state == 'success'


def test_a_failed_run_records_its_error(conf, clock, recording, operation):
    recording.fail.add(T0)
    runner = make_runner(conf, clock, recording)

    runner.run_due(due(operation, T0))

    row = helpers.runs_of(operation.id)[T0]
    assert row.state == 'failed'
    assert row.error == 'failed on purpose'
    assert row.checkpoint_id is None
    assert row.end_time is not None


def test_an_unknown_operation_type_fails_the_run(conf, clock, operation):
    runner = make_runner(conf, clock, helpers.RecordingOperation())
    runner.types = {}

    runner.run_due(due(operation, T0))

    row = helpers.runs_of(operation.id)[T0]
    assert row.state == 'failed'
    assert row.error == "this engine has no operation type 'recording'"
