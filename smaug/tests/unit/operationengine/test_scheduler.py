"""Schedulers with their threads, on a real database and a clock the test
moves: each fire time once, missed ones after a restart, changes applied
at once."""
import datetime
import time

from oslo_config import fixture as config_fixture
import pytest

from smaug.conf import CONF
from smaug.db import scheduling
from smaug.db import session
from smaug.operationengine import scheduler as scheduler_module
from smaug.tests.unit.operationengine import scheduling as helpers

T0 = helpers.T0
HOUR = helpers.HOUR
SECOND = datetime.timedelta(seconds=1)
TIMEOUT = 20


@pytest.fixture
def conf(request, database):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)
    fixture.config(group='operationengine', workers=4, poll_interval=0.1)
    return fixture


@pytest.fixture
def clock():
    return helpers.FakeClock(T0 - HOUR / 2)


@pytest.fixture
def recording():
    return helpers.RecordingOperation()


@pytest.fixture
def start(request, clock, recording):
    """start(host) runs a Scheduler until the end of the test."""
    def start(host='engine-a'):
        helpers.beat(host)
        scheduler = scheduler_module.Scheduler(
            host, CONF, clock=clock, types={recording.name: recording})
        scheduler.start()
        request.addfinalizer(lambda: scheduler.stop(10))
        return scheduler
    return start


def wait_for(what, check):
    deadline = time.monotonic() + TIMEOUT
    while not check():
        assert time.monotonic() < deadline, 'no %s within %ss' % (what,
                                                                   TIMEOUT)
        time.sleep(0.02)


def final_runs(operations):
    """{(operation id, fire time): state} of the runs that ended."""
    return {(operation.id, fire_time): row.state
            for operation in operations
            for fire_time, row in helpers.runs_of(operation.id).items()
            if row.state != 'running'}


@pytest.mark.parametrize('migrated_database', ['mysql', 'postgresql'],
                         indirect=True, scope='session')
def test_schedulers_run_each_fire_time_once(conf, clock, recording, start):
    trigger = helpers.make_trigger()
    operations = [helpers.make_operation(trigger) for _ in range(20)]
    start('engine-a'), start('engine-b')

    clock.set(T0 + SECOND)
    wait_for('run of 00:00', lambda: len(final_runs(operations)) == 20)
    clock.set(T0 + HOUR + SECOND)
    wait_for('run of 01:00', lambda: len(final_runs(operations)) == 40)
    time.sleep(0.3)  # a doubled run would show by now

    assert sorted((run.operation['id'], run.expected_time)
                  for run in recording.runs) == sorted(
        (operation.id, fire_time) for operation in operations
        for fire_time in (T0, T0 + HOUR))
    assert set(final_runs(operations).values()) == {'success'}


def test_after_a_restart_missed_fire_times_run_within_their_window(
        conf, clock, recording, start, database):
    operation = helpers.make_operation(helpers.make_trigger())
    first = start('engine-a')
    clock.set(T0 + SECOND)
    wait_for('run of 00:00', lambda: final_runs([operation]))
    first.stop(10)

    # Down from 00:00 to 03:10: 01:00 and 02:00 are out of their 15
    # minute window, 03:00 is still in it.
    clock.set(T0 + 3 * HOUR + 10 * 60 * SECOND)
    start('engine-a')
    wait_for('the missed fire times', lambda: len(final_runs([operation]))
             == 4)

    rows = helpers.runs_of(operation.id)
    assert {fire_time: row.state for fire_time, row in rows.items()} == {
        T0: 'success', T0 + HOUR: 'dropped', T0 + 2 * HOUR: 'dropped',
        T0 + 3 * HOUR: 'success'}
    assert rows[T0 + HOUR].error == (
        'it could not start within its 900 s window: an engine reached it '
        '7800 s after its fire time')
    assert recording.fire_times() == [T0, T0 + 3 * HOUR]


def test_a_wake_applies_a_new_operation_at_once(conf, clock, recording,
                                                start, database):
    conf.config(group='operationengine', poll_interval=3600)
    trigger = helpers.make_trigger()
    scheduler = start()
    assert scheduler.loaded.wait(TIMEOUT)
    operation = helpers.make_operation(trigger)
    clock.set(T0 + SECOND)
    time.sleep(0.5)
    assert helpers.runs_of(operation.id) == {}

    scheduler.wake()

    wait_for('run of 00:00', lambda: final_runs([operation]))
    assert recording.fire_times() == [T0]


def test_a_suspension_applies_at_once_without_a_wake(conf, clock, recording,
                                                     start, database):
    conf.config(group='operationengine', poll_interval=3600)
    trigger = helpers.make_trigger()
    kept, suspended = (helpers.make_operation(trigger) for _ in range(2))
    start()
    time.sleep(0.2)

    scheduling.operation_set_enabled(helpers.admin(), suspended.id, False)
    clock.set(T0 + SECOND)

    wait_for('run of 00:00', lambda: final_runs([kept]))
    time.sleep(0.3)
    assert helpers.runs_of(suspended.id) == {}
    assert recording.fire_times() == [T0]


def test_a_resumed_operation_fires_from_its_resumption(conf, clock,
                                                       recording, start,
                                                       database):
    trigger = helpers.make_trigger()
    operation = helpers.make_operation(trigger, enabled=False)
    start()
    clock.set(T0 + 2 * HOUR + SECOND)
    time.sleep(0.3)

    # Resumed at 02:00 of the test's time, in one transaction as the API
    # resumes it (the record's own time is the real one, long before T0).
    ctx = helpers.admin()
    with session.writer(ctx):
        scheduling.operation_set_enabled(ctx, operation.id, True)
        helpers.db.scheduled_operation_state_update(
            ctx, operation.id,
            {'updated_at': (T0 + 2 * HOUR).replace(tzinfo=None)})
    # The fire times while it was suspended are neither run nor recorded;
    # the next one runs.
    clock.set(T0 + 3 * HOUR + SECOND)

    wait_for('run of 03:00', lambda: final_runs([operation]))
    time.sleep(0.3)
    assert sorted(helpers.runs_of(operation.id)) == [T0 + 3 * HOUR]


def test_a_dead_engines_run_is_adopted_at_the_next_poll(conf, clock,
                                                        recording, start,
                                                        database):
    operation = helpers.make_operation(helpers.make_trigger())
    clock.set(T0 + SECOND)
    helpers.claim_as('engine-gone:life-1', operation, T0, clock)

    start()

    wait_for('the adopted run', lambda: final_runs([operation]))
    row = helpers.runs_of(operation.id)[T0]
    assert row.state == 'success'
    assert row.extend_info['adopted_from'] == 'engine-gone:life-1'
    assert recording.fire_times() == [T0]
