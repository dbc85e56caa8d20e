"""Which fire times one engine hands out, and when."""
import datetime

import pytest

from smaug.operationengine import schedule as schedule_module
from smaug.tests.fixtures import entry_points

UTC = datetime.timezone.utc
T0 = datetime.datetime(2030, 1, 1, 0, 0, tzinfo=UTC)
HOUR = datetime.timedelta(hours=1)
WINDOW = datetime.timedelta(seconds=900)


@pytest.fixture(autouse=True)
def registered(request):
    fixture = entry_points.SmaugEntryPoints()
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)


def row(operation_id, since=T0 - HOUR, trigger_id='hourly', **properties):
    values = {'format': 'crontab', 'pattern': '0 * * * *',
              'start_time': '2029-12-01 00:00:00'}
    values.update(properties)
    return {'id': operation_id, 'trigger_id': trigger_id,
            'trigger_properties': values,
            'scheduled_since': since.replace(tzinfo=None)}


def handed(schedule, now):
    return [(due.operation_id, due.fire_time)
            for due in schedule.due(now)]


def test_each_fire_time_is_handed_out_once_the_clock_passes_it():
    schedule = schedule_module.Schedule(WINDOW)
    schedule.update([row('a'), row('b', pattern='30 * * * *')], {})

    assert schedule.next_fire_time() == T0 - HOUR / 2
    assert handed(schedule, T0 - HOUR / 2 - datetime.timedelta(
        microseconds=1)) == []
    assert handed(schedule, T0 - HOUR / 2) == [('b', T0 - HOUR / 2)]
    assert handed(schedule, T0 - HOUR / 2) == []
    assert handed(schedule, T0 + HOUR / 2) == [('a', T0), ('b', T0 + HOUR / 2)]
    assert schedule.next_fire_time() == T0 + HOUR


def test_nothing_before_the_operation_was_scheduled_nor_its_last_run():
    schedule = schedule_module.Schedule(WINDOW)
    # Scheduled (created or resumed) at 00:10; run up to 02:00 already.
    schedule.update([row('new', since=T0 + HOUR / 6),
                     row('ran', since=T0 + HOUR / 6)],
                    {'ran': (T0 + 2 * HOUR).replace(tzinfo=None)})

    assert handed(schedule, T0 + 3 * HOUR) == [
        ('new', T0 + HOUR), ('new', T0 + 2 * HOUR),
        ('new', T0 + 3 * HOUR), ('ran', T0 + 3 * HOUR)]


def test_a_long_outage_hands_out_recent_missed_times_and_counts_the_rest():
    schedule = schedule_module.Schedule(WINDOW)
    schedule.update([row('a', since=T0)], {})
    now = T0 + 100 * HOUR + datetime.timedelta(minutes=5)

    due = schedule.due(now)

    limit = schedule_module.MISSED_RECORD_LIMIT
    # 100 fire times missed their window (01:00 to 99:00 after T0); the
    # newest are handed out to be recorded dropped, the first one naming
    # how many older ones were not; 100:00 is still in its window.
    assert [d.fire_time for d in due] == [
        T0 + n * HOUR for n in range(100 - limit, 101)]
    assert due[0].missed_before == 99 - limit
    assert [d.missed_before for d in due[1:]] == [0] * limit
    assert {(d.window, d.triggered_at) for d in due} == {(WINDOW, now)}


def test_a_trigger_window_is_used():
    schedule = schedule_module.Schedule(WINDOW)
    schedule.update([row('a', window='1800'), row('b')], {})

    assert [due.window for due in schedule.due(T0)] == [
        datetime.timedelta(seconds=1800), WINDOW]


def test_update_keeps_what_was_handed_out_and_drops_what_left():
    schedule = schedule_module.Schedule(WINDOW)
    schedule.update([row('a'), row('b')], {})
    assert len(handed(schedule, T0)) == 2

    # b was suspended; a's trigger fires every 30 minutes from now on.
    schedule.update([row('a', since=T0 + HOUR / 6, pattern='*/30 * * * *')],
                    {})

    assert schedule.operation_ids() == {'a'}
    assert handed(schedule, T0 + HOUR) == [('a', T0 + HOUR / 2),
                                           ('a', T0 + HOUR)]


def test_a_trigger_that_ended_or_cannot_be_read_never_fires():
    schedule = schedule_module.Schedule(WINDOW)
    schedule.update([row('ended', end_time='2029-12-31 23:30:00'),
                     row('unreadable', pattern='never')], {})

    assert schedule.operation_ids() == {'ended'}
    assert schedule.next_fire_time() is None
    assert handed(schedule, T0 + 10 * HOUR) == []


def test_an_interval_counts_from_the_trigger_start():
    schedule = schedule_module.Schedule(WINDOW)
    schedule.update([row('a', format='interval', pattern='5400',
                         start_time='2030-01-01 00:00:00')], {})

    assert handed(schedule, T0 + 4 * HOUR) == [
        ('a', T0), ('a', T0 + 1.5 * HOUR), ('a', T0 + 3 * HOUR)]
