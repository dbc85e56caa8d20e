"""The crontab, calendar and interval time formats."""
import datetime
import time

import pytest

from smaug.operationengine.triggers import time_formats
from smaug.operationengine.triggers.time_formats import calendar
from smaug.operationengine.triggers.time_formats import crontab
from smaug.operationengine.triggers.time_formats import interval
from smaug.tests.fixtures import entry_points

UTC = datetime.timezone.utc
MONDAY = datetime.datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
KARBOR_WEEKLY = 'BEGIN:VEVENT\nRRULE:FREQ=WEEKLY;INTERVAL=1;\nEND:VEVENT'


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def iso(times):
    return [moment.isoformat() for moment in times]


# Loading by name


@pytest.fixture
def registered(request):
    fixture = entry_points.SmaugEntryPoints()
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)


def test_setup_cfg_registers_every_format():
    declared = entry_points.setup_cfg_entry_points()[time_formats.NAMESPACE]
    assert sorted(line.split('=')[0].strip() for line in declared) == [
        'calendar', 'crontab', 'interval']


@pytest.mark.parametrize('name, cls', [
    ('crontab', crontab.CrontabFormat),
    ('calendar', calendar.CalendarFormat),
    ('interval', interval.IntervalFormat),
])
def test_load_by_name(registered, name, cls):
    pattern = {'crontab': '0 * * * *', 'calendar': 'FREQ=DAILY',
               'interval': '3600'}[name]
    assert isinstance(time_formats.load(name, pattern), cls)


def test_names(registered):
    assert time_formats.names() == ['calendar', 'crontab', 'interval']


def test_unknown_format_names_the_known_ones(registered):
    with pytest.raises(time_formats.UnknownFormat) as raised:
        time_formats.load('ical', 'FREQ=DAILY')
    assert 'ical' in str(raised.value)
    assert 'calendar, crontab, interval' in str(raised.value)


def test_naive_times_are_utc():
    schedule = interval.IntervalFormat(3600)
    naive = datetime.datetime(2024, 1, 1, 10)
    [fire_time] = schedule.fire_times(naive, naive, 1)
    assert fire_time == at(2024, 1, 1, 11)
    assert fire_time.tzinfo == UTC


# crontab


def test_crontab_fire_times():
    schedule = crontab.CrontabFormat('0 */6 * * *')
    assert iso(schedule.fire_times(MONDAY, MONDAY, 3)) == [
        '2024-01-01T12:00:00+00:00', '2024-01-01T18:00:00+00:00',
        '2024-01-02T00:00:00+00:00']


def test_crontab_start_bounds_the_schedule():
    schedule = crontab.CrontabFormat('0 12 * * *')
    start = at(2024, 3, 1, 12, 0)
    assert schedule.fire_times(start, MONDAY, 2) == [
        start, at(2024, 3, 2, 12, 0)]


def test_crontab_converts_other_offsets_to_utc():
    schedule = crontab.CrontabFormat('30 1 * * *')
    paris = datetime.timezone(datetime.timedelta(hours=1))
    after = datetime.datetime(2024, 1, 1, 3, 0, tzinfo=paris)
    assert schedule.fire_times(after, after, 1) == [at(2024, 1, 2, 1, 30)]


def test_crontab_date_that_never_exists_has_no_fire_times():
    assert crontab.CrontabFormat('0 0 31 2 *').fire_times(
        MONDAY, MONDAY, 3) == []


@pytest.mark.parametrize('pattern', ['', 'every hour', '61 * * * *',
                                     '0 0 * *', 3600, None])
def test_crontab_rejects(pattern):
    with pytest.raises(time_formats.InvalidPattern) as raised:
        crontab.CrontabFormat(pattern)
    assert 'crontab' in str(raised.value)


# calendar


def test_calendar_karbor_event_form():
    schedule = calendar.CalendarFormat(KARBOR_WEEKLY)
    assert iso(schedule.fire_times(MONDAY, MONDAY, 2)) == [
        '2024-01-08T10:00:00+00:00', '2024-01-15T10:00:00+00:00']


def test_calendar_escaped_line_breaks_of_karbor_api_reference():
    pattern = 'BEGIN:VEVENT\\nRRULE:FREQ=HOURLY;INTERVAL=1;\\nEND:VEVENT'
    schedule = calendar.CalendarFormat(pattern)
    assert schedule.fire_times(MONDAY, MONDAY, 1) == [at(2024, 1, 1, 11)]


@pytest.mark.parametrize('pattern', [
    'FREQ=WEEKLY', 'RRULE:FREQ=WEEKLY', 'freq=weekly;', 'FREQ=WEEKLY\r\n'])
def test_calendar_bare_rule(pattern):
    schedule = calendar.CalendarFormat(pattern)
    assert schedule.fire_times(MONDAY, MONDAY, 1) == [at(2024, 1, 8, 10)]


def test_calendar_rule_with_times_of_day():
    schedule = calendar.CalendarFormat(
        'FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=2;BYMINUTE=30;BYSECOND=0')
    assert iso(schedule.fire_times(MONDAY, MONDAY, 3)) == [
        '2024-01-05T02:30:00+00:00', '2024-01-08T02:30:00+00:00',
        '2024-01-12T02:30:00+00:00']


def test_calendar_fire_time_at_the_start_counts():
    schedule = calendar.CalendarFormat('FREQ=DAILY')
    before = MONDAY - datetime.timedelta(seconds=1)
    assert schedule.fire_times(MONDAY, before, 1) == [MONDAY]


def test_calendar_until_a_day_includes_that_day():
    schedule = calendar.CalendarFormat('FREQ=DAILY;UNTIL=20240103')
    assert schedule.fire_times(MONDAY, MONDAY, 5) == [
        at(2024, 1, 2, 10), at(2024, 1, 3, 10)]


def test_calendar_until_without_zone_is_utc():
    schedule = calendar.CalendarFormat('FREQ=DAILY;UNTIL=20240102T100000')
    assert schedule.fire_times(MONDAY, MONDAY, 5) == [at(2024, 1, 2, 10)]


def test_calendar_count_is_counted_from_the_start():
    schedule = calendar.CalendarFormat('FREQ=DAILY;COUNT=3')
    assert schedule.fire_times(MONDAY, at(2024, 1, 2, 12), 5) == [
        at(2024, 1, 3, 10)]


def test_calendar_old_start_keeps_its_phase_and_is_quick():
    start = at(1990, 1, 1, 0, 0, 7)
    schedule = calendar.CalendarFormat('FREQ=HOURLY;INTERVAL=5')
    began = time.monotonic()
    times = schedule.fire_times(start, at(2024, 6, 1), 2)
    assert time.monotonic() - began < 1
    hours = (times[0] - start).total_seconds() / 3600
    assert hours % 5 == 0
    assert times[1] - times[0] == datetime.timedelta(hours=5)
    assert times[0] > at(2024, 6, 1) >= times[0] - datetime.timedelta(
        hours=5)


def test_calendar_steps_that_never_reach_a_weekday_fire_never():
    # Every 7 days from a Monday is only ever a Monday.
    schedule = calendar.CalendarFormat('FREQ=DAILY;INTERVAL=7;BYDAY=TU')
    began = time.monotonic()
    assert schedule.fire_times(MONDAY, MONDAY, 1) == []
    assert time.monotonic() - began < 1
    assert calendar.CalendarFormat(
        'FREQ=DAILY;INTERVAL=7;BYDAY=MO').fire_times(
        MONDAY, MONDAY, 1) == [at(2024, 1, 8, 10)]


@pytest.mark.parametrize('pattern, reason', [
    ('', 'empty'),
    ('BEGIN:VEVENT\nEND:VEVENT', 'RRULE'),
    ('BEGIN:VEVENT\nRRULE:FREQ=DAILY', 'END:VEVENT'),
    ('DTSTART:20240101T000000Z\nRRULE:FREQ=DAILY', 'start_time'),
    ('SUMMARY:backup', 'expected an RRULE'),
    ('INTERVAL=2', 'FREQ must be one of'),
    ('FREQ=MINUTELY', 'crontab'),
    ('FREQ=SECONDLY;INTERVAL=3600', 'FREQ must be one of'),
    ('FREQ=DAILY;BYYEARDAY=1', 'BYYEARDAY is not supported'),
    ('FREQ=DAILY;FREQ=WEEKLY', 'twice'),
    ('FREQ=DAILY;BYHOUR', 'NAME=VALUE'),
    ('FREQ=DAILY;INTERVAL=0', 'INTERVAL must be a positive'),
    ('FREQ=DAILY;COUNT=-1', 'COUNT must be a positive'),
    ('FREQ=DAILY;COUNT=2;UNTIL=20250101', 'exclude'),
    ('FREQ=DAILY;UNTIL=tomorrow', 'UNTIL'),
    ('FREQ=DAILY;BYHOUR=24', 'hour'),
    ('FREQ=WEEKLY;BYDAY=XX', 'XX'),
    ('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', 'no date'),
    ('FREQ=DAILY;BYMONTH=4,6;BYMONTHDAY=31,-31', 'no date'),
    ('FREQ=DAILY;BYMONTHDAY=x', 'numbers'),
    ('FREQ=WEEKLY;BYSETPOS=1', 'BYSETPOS'),
    ('FREQ=HOURLY;INTERVAL=24;BYHOUR=3', 'empty set'),
    (3600, 'string'),
])
def test_calendar_rejects(pattern, reason):
    began = time.monotonic()
    with pytest.raises(time_formats.InvalidPattern) as raised:
        calendar.CalendarFormat(pattern)
    assert reason in str(raised.value)
    assert time.monotonic() - began < 1


def test_calendar_leap_day_exists():
    schedule = calendar.CalendarFormat(
        'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29')
    assert schedule.fire_times(MONDAY, MONDAY, 2) == [
        at(2024, 2, 29, 10), at(2028, 2, 29, 10)]


def test_calendar_last_friday_of_the_month():
    schedule = calendar.CalendarFormat(
        'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1;BYHOUR=1;BYMINUTE=0;BYSECOND=0')
    assert iso(schedule.fire_times(MONDAY, MONDAY, 2)) == [
        '2024-01-26T01:00:00+00:00', '2024-02-23T01:00:00+00:00']


# interval


@pytest.mark.parametrize('pattern', [3600, '3600', ' 3600 '])
def test_interval_counts_from_the_start(pattern):
    schedule = interval.IntervalFormat(pattern)
    assert schedule.fire_times(MONDAY, at(2024, 1, 1, 12, 30), 2) == [
        at(2024, 1, 1, 13), at(2024, 1, 1, 14)]


def test_interval_first_fire_is_the_start():
    schedule = interval.IntervalFormat(60)
    assert schedule.fire_times(MONDAY, at(2023, 1, 1), 2) == [
        MONDAY, at(2024, 1, 1, 10, 1)]


def test_interval_fire_time_equal_to_after_is_excluded():
    schedule = interval.IntervalFormat(60)
    assert schedule.fire_times(MONDAY, MONDAY, 1) == [at(2024, 1, 1, 10, 1)]


@pytest.mark.parametrize('pattern', [0, -5, '-5', '1.5', 1.5, 'PT1H', True,
                                     None, ''])
def test_interval_rejects(pattern):
    with pytest.raises(time_formats.InvalidPattern) as raised:
        interval.IntervalFormat(pattern)
    assert 'second' in str(raised.value)
