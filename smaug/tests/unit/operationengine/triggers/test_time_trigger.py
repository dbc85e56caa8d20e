"""Reading and checking the properties of time triggers."""
import datetime

import pytest

from smaug.operationengine.triggers import time_trigger
from smaug.tests.fixtures import entry_points

UTC = datetime.timezone.utc
NOW = datetime.datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
LIMITS = {'min_interval': 3600, 'min_window': 900, 'max_window': 1800}


@pytest.fixture(autouse=True)
def registered(request):
    fixture = entry_points.SmaugEntryPoints()
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)


def trigger(**properties):
    values = {'format': 'crontab', 'pattern': '0 * * * *'}
    values.update(properties)
    return time_trigger.TimeTrigger(values, where='trigger_info.properties')


def check(schedule, now=NOW):
    schedule.check_limits(now=now, **LIMITS)


def invalid(field, **properties):
    with pytest.raises(time_trigger.InvalidProperty) as raised:
        check(trigger(**properties))
    message = str(raised.value)
    assert "'trigger_info.properties.%s'" % field in message
    return message


@pytest.mark.parametrize('text', [
    '2024-01-01 10:00:00', '2024-01-01T10:00:00', '2024-01-01T10:00:00Z',
    '2024-01-01T11:00:00+01:00', '2024-01-01T10:00:00.000000'])
def test_times_as_karbor_wrote_them_or_iso_8601(text):
    assert time_trigger.parse_time(text, 'start_time') == NOW


def test_format_time_is_karbors():
    assert time_trigger.format_time(NOW) == '2024-01-01 10:00:00'


@pytest.mark.parametrize('window, seconds', [(900, 900), ('1800', 1800)])
def test_window_as_integer_or_string(window, seconds):
    schedule = trigger(window=window)
    check(schedule)
    assert schedule.window == seconds


def test_fire_times_end_at_the_end_time():
    schedule = trigger(start_time='2024-01-01 10:00:00',
                       end_time='2024-01-01 12:00:00')
    assert schedule.fire_times(NOW, 5) == [
        NOW + datetime.timedelta(hours=1), NOW + datetime.timedelta(hours=2)]


def test_fire_times_start_at_the_start_time():
    schedule = trigger(start_time='2024-02-01 00:00:00')
    before = datetime.datetime(2024, 1, 31, 23, 59, 59, tzinfo=UTC)
    assert schedule.fire_times(before, 1)[0].isoformat() == \
        '2024-02-01T00:00:00+00:00'


def test_format_is_the_triggers_own():
    schedule = trigger(format='interval', pattern='7200',
                       start_time='2024-01-01 10:00:00')
    check(schedule)
    assert schedule.fire_times(NOW, 1) == [NOW + datetime.timedelta(hours=2)]


def test_unknown_format():
    assert 'known formats: calendar, crontab, interval' in invalid(
        'format', format='cron')


def test_bad_pattern():
    assert 'crontab' in invalid('pattern', pattern='hourly')


@pytest.mark.parametrize('field', ['start_time', 'end_time'])
def test_bad_time(field):
    assert 'YYYY-MM-DD HH:MM:SS' in invalid(field, **{field: 'tomorrow'})


def test_end_before_start():
    assert 'after the start' in invalid(
        'end_time', start_time='2024-01-02 00:00:00',
        end_time='2024-01-01 00:00:00')


@pytest.mark.parametrize('window', [899, 1801, '3600', 0])
def test_window_out_of_limits(window):
    assert '900 to 1800' in invalid('window', window=window)


@pytest.mark.parametrize('window', ['-1', 'an hour', 1.5, True])
def test_window_not_a_number(window):
    assert 'whole number of seconds' in invalid('window', window=window)


@pytest.mark.parametrize('properties', [
    {'pattern': '*/30 * * * *'},
    {'pattern': '0,45 * * * *'},
    {'format': 'interval', 'pattern': 1800},
    {'format': 'calendar', 'pattern': 'FREQ=DAILY;BYMINUTE=0,20'},
])
def test_fires_too_often(properties):
    assert 'at most every 3600 seconds' in invalid('pattern', **properties)


def test_a_long_gap_between_short_ones_is_still_too_often():
    # Daily at 01:00 and 01:30: most gaps are long, one is 30 minutes.
    assert '1800 seconds apart' in invalid('pattern',
                                           pattern='0,30 1 * * *')


def test_never_fires_again():
    assert 'never fires before its end_time' in invalid(
        'pattern', start_time='2023-01-01 00:00:00',
        end_time='2023-06-01 00:00:00')


def test_never_fires_at_all():
    assert 'never fires from now on' in invalid('pattern',
                                                pattern='0 0 31 2 *')


def test_within_limits():
    check(trigger(pattern='0 2 * * *', window=1800,
                  start_time='2020-01-01 00:00:00'))
