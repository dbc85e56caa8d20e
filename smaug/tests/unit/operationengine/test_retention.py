"""Which checkpoints a retention policy keeps and which it deletes."""
import dataclasses
import datetime
import random
import zoneinfo

import pytest

from smaug import exception
from smaug.api import validation
from smaug.operationengine import retention

UTC = datetime.timezone.utc
NOW = datetime.datetime(2025, 6, 15, 12, 0)
AVAILABLE = 'available'


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    id: str
    created_at: datetime.datetime
    status: str = AVAILABLE


def at(text, status=AVAILABLE, name=None):
    """A checkpoint created at ``text`` (ISO, UTC), named by its time."""
    return Checkpoint(name or text, datetime.datetime.fromisoformat(text),
                      status)


def deleted(definition, checkpoints, now=NOW):
    policy = retention.RetentionPolicy.from_definition(definition)
    return list(policy.decide(checkpoints, now).delete)


def kept(definition, checkpoints, now=NOW):
    policy = retention.RetentionPolicy.from_definition(definition)
    return policy.decide(checkpoints, now).keep


# One checkpoint a day at 02:00 from June 1st to June 15th 2025.
DAILY = [at('2025-06-%02dT02:00:00' % day) for day in range(1, 16)]


def days(*numbers):
    return ['2025-06-%02dT02:00:00' % day for day in numbers]


@pytest.mark.parametrize('definition, expected', [
    # No rule: everything stays.
    ({}, []),
    ({'max_backups': -1, 'retention_duration': '-1'}, []),
    ({'keep_daily': 0}, []),
    # max_backups keeps the newest N.
    ({'max_backups': 3}, days(*range(1, 13))),
    ({'max_backups': '14'}, days(1)),
    ({'max_backups': 15}, []),
    ({'max_backups': 100}, []),
    # retention_duration keeps those younger than N days (NOW is the 15th
    # at 12:00: the 12th at 02:00 is 3 days 10 hours old).
    ({'retention_duration': 3}, days(*range(1, 13))),
    ({'retention_duration': '4'}, days(*range(1, 12))),
    ({'retention_duration': 999999999}, []),
    # The rules add up: each keeps what it keeps.
    ({'max_backups': 2, 'retention_duration': 5}, days(*range(1, 11))),
    ({'max_backups': 10, 'retention_duration': 1}, days(1, 2, 3, 4, 5)),
    # Grandfather-father-son on daily checkpoints.
    ({'keep_daily': 4}, days(*range(1, 12))),
    # June 2025: ISO weeks start on Mondays, the 2nd, 9th and 16th; the
    # newest of each week is the 1st (a Sunday), the 8th and the 15th.
    ({'keep_weekly': 2}, days(*range(1, 8), *range(9, 15))),
    ({'keep_weekly': 3}, days(*range(2, 8), *range(9, 15))),
    ({'keep_monthly': 5}, days(*range(1, 15))),
    ({'keep_yearly': 1}, days(*range(1, 15))),
    ({'keep_daily': 2, 'keep_weekly': 3},
     days(*range(2, 8), *range(9, 14))),
])
def test_daily_checkpoints(definition, expected):
    assert deleted(definition, DAILY) == expected


def test_deletion_is_oldest_first_and_order_of_input_does_not_matter():
    shuffled = DAILY[7:] + DAILY[:7][::-1]
    assert deleted({'max_backups': 5}, shuffled) == days(*range(1, 11))


def test_reasons_name_every_rule_that_keeps_a_checkpoint():
    assert kept({'max_backups': 2, 'keep_weekly': 2}, DAILY) == {
        '2025-06-15T02:00:00': (retention.NEWEST_AVAILABLE, 'max_backups',
                                'keep_weekly'),
        '2025-06-14T02:00:00': ('max_backups',),
        '2025-06-08T02:00:00': ('keep_weekly',),
    }


def test_without_rules_every_available_checkpoint_is_kept():
    assert kept({}, DAILY[:2]) == {
        '2025-06-02T02:00:00': (retention.NO_RULE,),
        '2025-06-01T02:00:00': (retention.NO_RULE,)}


# Order by exact time


def test_microseconds_decide_which_is_newer():
    earlier = at('2025-06-15T10:00:00.000001', name='b')
    later = at('2025-06-15T10:00:00.000002', name='a')
    assert deleted({'max_backups': 1}, [later, earlier]) == ['b']


@pytest.mark.parametrize('order', [0, 1])
def test_equal_times_are_ordered_by_id(order):
    twins = [at('2025-06-15T10:00:00', name='aaa'),
             at('2025-06-15T10:00:00', name='bbb')]
    if order:
        twins.reverse()
    # The greater id counts as the newer.
    assert deleted({'max_backups': 1}, twins) == ['aaa']
    assert deleted({'keep_hourly': 1}, twins) == ['aaa']


def test_aware_times_are_compared_in_utc():
    paris = datetime.timezone(datetime.timedelta(hours=2))
    # 01:00 at +02:00 is 23:00 UTC the day before.
    late = Checkpoint('late', datetime.datetime(2025, 6, 2, 1, 0,
                                                tzinfo=paris))
    later = at('2025-06-01T23:30:00', name='later')
    newest = at('2025-06-03T10:00:00', name='newest')
    assert deleted({'keep_daily': 2}, [late, later, newest]) == ['late']
    assert deleted({'keep_daily': 2}, [late, later, newest],
                   now=NOW.replace(tzinfo=UTC)) == ['late']


# Periods


@pytest.mark.parametrize('rule, count, times, expected', [
    # Several an hour: the newest of each hour, in the newest N hours.
    ('keep_hourly', 2,
     ['2025-06-15T08:10:00', '2025-06-15T08:50:00', '2025-06-15T09:00:00',
      '2025-06-15T09:59:59.999999', '2025-06-15T10:00:00'],
     ['2025-06-15T08:10:00', '2025-06-15T08:50:00',
      '2025-06-15T09:00:00']),
    # Hours without a checkpoint are not counted.
    ('keep_hourly', 2,
     ['2025-06-10T03:00:00', '2025-06-14T23:00:00',
      '2025-06-15T10:00:00'],
     ['2025-06-10T03:00:00']),
    # Days end at midnight UTC.
    ('keep_daily', 1,
     ['2025-06-14T23:59:59.999999', '2025-06-15T00:00:00'],
     ['2025-06-14T23:59:59.999999']),
    ('keep_daily', 2,
     ['2025-06-13T05:00:00', '2025-06-14T23:59:59.999999',
      '2025-06-15T00:00:00'],
     ['2025-06-13T05:00:00']),
    # ISO weeks end on Sunday night: Sunday and the following Monday are
    # two weeks, Monday to Sunday is one.
    ('keep_weekly', 1,
     ['2025-06-08T23:59:59', '2025-06-09T00:00:00'],
     ['2025-06-08T23:59:59']),
    ('keep_weekly', 1,
     ['2025-06-09T00:00:00', '2025-06-15T23:59:59'],
     ['2025-06-09T00:00:00']),
    # Monday 2024-12-30 opens ISO week 1 of 2025: with New Year's Day it
    # is one week, the Sunday before belongs to week 52 of 2024.
    ('keep_weekly', 2,
     ['2024-12-22T12:00:00', '2024-12-29T12:00:00', '2024-12-30T12:00:00',
      '2025-01-01T12:00:00'],
     ['2024-12-22T12:00:00', '2024-12-30T12:00:00']),
    ('keep_monthly', 2,
     ['2025-03-31T23:00:00', '2025-04-01T00:00:00', '2025-04-30T10:00:00',
      '2025-06-01T00:00:00'],
     ['2025-03-31T23:00:00', '2025-04-01T00:00:00']),
    ('keep_yearly', 3,
     ['2022-07-01T00:00:00', '2023-12-31T23:59:59', '2024-01-01T00:00:00',
      '2024-06-01T00:00:00', '2025-01-01T00:00:00'],
     ['2022-07-01T00:00:00', '2024-01-01T00:00:00']),
])
def test_periods(rule, count, times, expected):
    assert deleted({rule: count}, [at(text) for text in times]) == expected


def test_hours_are_utc_hours_across_a_daylight_saving_change():
    berlin = zoneinfo.ZoneInfo('Europe/Berlin')
    # 2024-10-27 02:30 happens twice in Berlin (summer, then winter time):
    # one local hour, two UTC hours.
    summer = Checkpoint('summer', datetime.datetime(
        2024, 10, 27, 2, 30, tzinfo=berlin, fold=0))
    winter = Checkpoint('winter', datetime.datetime(
        2024, 10, 27, 2, 30, tzinfo=berlin, fold=1))
    oldest = at('2024-10-26T23:30:00', name='oldest')
    assert deleted({'keep_hourly': 2}, [winter, summer, oldest],
                   now=datetime.datetime(2024, 10, 27, 3)) == ['oldest']


# Which checkpoints take part


@pytest.mark.parametrize('status', ['protecting', 'deleting', 'error',
                                    'error-deleting', 'copying',
                                    'wait_copying', 'deleted'])
def test_checkpoints_not_available_are_neither_counted_nor_deleted(status):
    checkpoints = [at('2025-06-15T10:00:00', status, name='busy-newest'),
                   at('2025-06-14T10:00:00', name='kept'),
                   at('2025-06-13T10:00:00', status, name='busy'),
                   at('2025-06-12T10:00:00', name='dropped'),
                   at('2025-05-01T10:00:00', status, name='busy-old')]
    decision = retention.RetentionPolicy.from_definition(
        {'max_backups': 1, 'retention_duration': 1}).decide(checkpoints,
                                                            NOW)
    assert list(decision.delete) == ['dropped']
    assert list(decision.keep) == ['kept']


@pytest.mark.parametrize('definition', [
    {'max_backups': 1}, {'retention_duration': 1}, {'keep_hourly': 1},
    {'keep_daily': 1}, {'keep_yearly': 1},
    {'retention_duration': 1, 'keep_hourly': 1},
])
def test_the_newest_available_checkpoint_is_always_kept(definition):
    # Old checkpoints only, the newest protect failed: the rules alone
    # would keep nothing but the last available one must stay.
    checkpoints = [at('2025-06-15T11:00:00', 'error', name='failed'),
                   at('2020-01-01T00:00:00', name='old'),
                   at('2020-01-01T00:00:00.000001', name='last')]
    decision = retention.RetentionPolicy.from_definition(
        definition).decide(checkpoints, NOW)
    assert list(decision.delete) == ['old']
    assert retention.NEWEST_AVAILABLE in decision.keep['last']


def test_nothing_available_nothing_deleted():
    checkpoints = [at('2020-01-01T00:00:00', 'error'),
                   at('2020-01-02T00:00:00', 'protecting')]
    decision = retention.RetentionPolicy.from_definition(
        {'max_backups': 1}).decide(checkpoints, NOW)
    assert decision == retention.Decision({}, ())


def test_checkpoints_from_the_future_count_as_young():
    future = at('2025-06-20T00:00:00', name='future')
    assert deleted({'retention_duration': 1},
                   [future, at('2025-06-15T11:00:00', name='recent'),
                    at('2025-06-13T00:00:00', name='old')]) == ['old']


def test_age_limit_is_exact_to_the_microsecond():
    limit = NOW - datetime.timedelta(days=2)
    on_the_limit = Checkpoint('on', limit)
    just_younger = Checkpoint('younger',
                              limit + datetime.timedelta(microseconds=1))
    newest = at('2025-06-15T11:00:00', name='newest')
    assert deleted({'retention_duration': 2},
                   [on_the_limit, just_younger, newest]) == ['on']


# Validation


@pytest.mark.parametrize('definition, rules', [
    ({'provider_id': 'p', 'plan_id': 'q'}, {}),
    ({'max_backups': '7', 'retention_duration': 30},
     {'max_backups': 7, 'retention_duration': 30}),
    ({'max_backups': -1, 'retention_duration': '0', 'keep_daily': '007'},
     {'keep_daily': 7}),
    ({'keep_hourly': 24, 'keep_weekly': '4', 'keep_monthly': 12,
      'keep_yearly': '999999999'},
     {'keep_hourly': 24, 'keep_weekly': 4, 'keep_monthly': 12,
      'keep_yearly': 999999999}),
])
def test_policy_of_a_definition(definition, rules):
    assert retention.RetentionPolicy.from_definition(definition).rules == \
        rules


@pytest.mark.parametrize('rule, value', [
    ('max_backups', 'seven'), ('max_backups', -2), ('max_backups', '-2'),
    ('retention_duration', 1.5), ('retention_duration', '1.5'),
    ('keep_daily', True), ('keep_weekly', None), ('keep_monthly', ''),
    ('keep_yearly', 1000000000), ('keep_hourly', '1000000000'),
    ('keep_hourly', ' 3'), ('keep_daily', [3]),
])
def test_invalid_values_are_named_in_the_error(rule, value):
    with pytest.raises(exception.ValidationError) as raised:
        retention.RetentionPolicy.from_definition({rule: value})
    assert raised.value.code == 400
    assert "'operation_definition.%s'" % rule in str(raised.value)
    assert repr(value) in str(raised.value)


@pytest.mark.parametrize('value, valid', [
    (-1, True), ('-1', True), (0, True), ('999999999', True), (3, True),
    (-2, False), ('3 ', False), ('abc', False), (2.5, False),
    (1000000000, False),
])
def test_schema_properties_accept_what_the_policy_accepts(value, valid):
    schema = {'type': 'object',
              'properties': retention.SCHEMA_PROPERTIES}
    for rule in retention.RULES:
        if valid:
            validation.validate(schema, {rule: value})
            retention.RetentionPolicy.from_definition({rule: value})
        else:
            with pytest.raises(exception.ValidationError):
                validation.validate(schema, {rule: value})
            with pytest.raises(exception.ValidationError):
                retention.RetentionPolicy.from_definition({rule: value})


# Deciding again


@pytest.mark.parametrize('seed', range(20))
def test_deciding_again_on_what_was_kept_deletes_nothing(seed):
    # A resumed run prunes a second time: it must not go further.
    rng = random.Random(seed)
    start = datetime.datetime(2023, 1, 1)
    checkpoints = [
        Checkpoint('c%03d' % index, start + datetime.timedelta(
            minutes=rng.randrange(3 * 365 * 24 * 60)))
        for index in range(200)]
    definition = {rule: rng.choice([-1, 1, 2, 5])
                  for rule in retention.RULES}
    policy = retention.RetentionPolicy.from_definition(definition)
    now = datetime.datetime(2026, 1, 1)
    first = policy.decide(checkpoints, now)
    kept = [checkpoint for checkpoint in checkpoints
            if checkpoint.id in first.keep]
    again = policy.decide(kept, now)
    assert again.delete == ()
    assert again.keep == first.keep
