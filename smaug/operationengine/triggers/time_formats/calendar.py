"""``calendar``: an iCalendar recurrence rule (RFC 5545), in UTC.

Karbor's form, an event holding one rule, is read as well as the bare
rule::

    BEGIN:VEVENT
    RRULE:FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=2;BYMINUTE=0
    END:VEVENT

    FREQ=DAILY;BYHOUR=2

The rule counts from the trigger's start: DTSTART is the start, so it may
not appear in the pattern. Times without a ``Z`` are read as UTC.
"""
import calendar
import datetime
import math
import re

from dateutil import rrule

from smaug.operationengine.triggers import time_formats

FREQUENCIES = {'HOURLY': datetime.timedelta(hours=1),
               'DAILY': datetime.timedelta(days=1),
               'WEEKLY': datetime.timedelta(weeks=1),
               'MONTHLY': None,
               'YEARLY': None}
RULE_PARTS = ('FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'WKST', 'BYMONTH',
              'BYMONTHDAY', 'BYDAY', 'BYHOUR', 'BYMINUTE', 'BYSECOND',
              'BYSETPOS')
_WEEKDAYS = ('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU')
_UNTIL = re.compile(r'^(\d{8})(T\d{6})?(Z)?$')
# Any fixed instant: parsing a rule needs one, the rule is later rebuilt
# from the trigger's real start.
_PARSE_START = datetime.datetime(2000, 1, 3, tzinfo=datetime.timezone.utc)


def _invalid(reason):
    return time_formats.InvalidPattern(
        'not an iCalendar recurrence rule: %s' % reason)


def _rule_text(pattern):
    """The RRULE value of a bare rule or a VEVENT holding one."""
    if not isinstance(pattern, str):
        raise _invalid('a rule is a string, not %r' % (pattern,))
    # JSON clients often send the two characters \n for a line break.
    text = pattern.replace('\\n', '\n').replace('\r', '\n')
    lines = [line.strip() for line in text.split('\n') if line.strip()]
    if not lines:
        raise _invalid('the pattern is empty')
    if lines[0].upper() == 'BEGIN:VEVENT':
        if lines[-1].upper() != 'END:VEVENT' or len(lines) < 3:
            raise _invalid('BEGIN:VEVENT needs an RRULE line and '
                           'END:VEVENT')
        lines = lines[1:-1]
    if len(lines) != 1:
        names = ', '.join(line.partition(':')[0] for line in lines)
        raise _invalid('expected exactly one RRULE line, got: %s (set the '
                       "trigger's start_time instead of DTSTART)" % names)
    name, colon, value = lines[0].partition(':')
    if not colon and '=' in name:
        return name
    if name.strip().upper() != 'RRULE':
        raise _invalid('expected an RRULE line, got %s' % name)
    return value


def _parts(rule_text):
    """{PART: value} of a rule, with names upper-cased."""
    parts = {}
    for item in rule_text.split(';'):
        if not item.strip():
            continue
        name, equals, value = item.partition('=')
        name = name.strip().upper()
        if not equals or not value.strip():
            raise _invalid('%r is not NAME=VALUE' % item)
        if name not in RULE_PARTS:
            raise _invalid('%s is not supported; supported parts: %s'
                           % (name, ', '.join(RULE_PARTS)))
        if name in parts:
            raise _invalid('%s appears twice' % name)
        parts[name] = value.strip().upper()
    return parts


def _utc_until(value):
    match = _UNTIL.match(value)
    if not match:
        raise _invalid('UNTIL %s is not YYYYMMDD or YYYYMMDDTHHMMSS[Z]'
                       % value)
    day, time, _ = match.groups()
    # A date alone includes the whole day.
    return '%s%sZ' % (day, time or 'T235959')


def _numbers(parts, name):
    try:
        return [int(value) for value in parts[name].split(',')]
    except ValueError:
        raise _invalid('%s=%s is not a list of numbers'
                       % (name, parts[name])) from None


def _check_a_date_exists(parts):
    if 'BYMONTHDAY' not in parts:
        return
    months = _numbers(parts, 'BYMONTH') if 'BYMONTH' in parts else \
        range(1, 13)
    # February as in a leap year: the 29th exists, if rarely.
    longest = {month: calendar.monthrange(2000, month)[1]
               for month in range(1, 13)}
    for month in months:
        for day in _numbers(parts, 'BYMONTHDAY'):
            if month in longest and 0 < abs(day) <= longest[month]:
                return
    raise _invalid('BYMONTH and BYMONTHDAY name no date that exists')


def _check_parts(parts):
    frequency = parts.get('FREQ')
    if frequency not in FREQUENCIES:
        raise _invalid('FREQ must be one of %s, not %s; crontab patterns '
                       'reach single minutes' % (', '.join(FREQUENCIES),
                                                 frequency))
    if 'BYSETPOS' in parts and FREQUENCIES[frequency] is not None:
        raise _invalid('BYSETPOS needs FREQ=MONTHLY or FREQ=YEARLY')
    if 'COUNT' in parts and 'UNTIL' in parts:
        raise _invalid('COUNT and UNTIL exclude each other')
    for name in ('INTERVAL', 'COUNT'):
        if name in parts and not (parts[name].isdigit()
                                  and int(parts[name]) > 0):
            raise _invalid('%s must be a positive whole number, not %s'
                           % (name, parts[name]))
    _check_a_date_exists(parts)


class CalendarFormat(time_formats.TimeFormat):
    """An RRULE, alone or in a VEVENT."""

    def __init__(self, pattern):
        super().__init__(pattern)
        parts = _parts(_rule_text(pattern))
        _check_parts(parts)
        if 'UNTIL' in parts:
            parts['UNTIL'] = _utc_until(parts['UNTIL'])
        self.parts = parts
        self.rule_text = ';'.join('%s=%s' % item for item in parts.items())
        self._rule(_PARSE_START)
        self.frequency = parts['FREQ']
        self.interval = int(parts.get('INTERVAL', 1))

    def _rule(self, start):
        try:
            return rrule.rrulestr(self.rule_text, dtstart=start)
        except (ValueError, TypeError, IndexError) as exc:
            raise _invalid(str(exc)) from None

    def fire_times(self, start, after, count):
        start = time_formats.as_utc(start).replace(microsecond=0)
        after = time_formats.as_utc(after)
        if not self._weekday_reachable(start):
            return []
        anchor = self._anchor(start, after)
        return list(self._rule(anchor).xafter(after, count=count))

    def _anchor(self, start, after):
        """A start as good as ``start`` for times after ``after``.

        A rule enumerates every period from its start, so a trigger
        started years ago would cost years of periods on every call. A
        start moved by whole steps of the rule keeps its phase and its
        defaults (time of day, weekday), so it yields the same times.
        """
        unit = FREQUENCIES[self.frequency]
        if unit is None or 'COUNT' in self.parts or after <= start:
            return start
        step = unit * self.interval
        return start + step * ((after - start) // step)

    def _weekday_reachable(self, start):
        """Whether the rule's steps ever land on one of its BYDAY days.

        Stepping by a whole number of weeks from a Monday only ever
        reaches Mondays; dateutil would search to the year 9999 for
        another day.
        """
        unit = FREQUENCIES[self.frequency]
        if 'BYDAY' not in self.parts or unit is None or \
                unit >= datetime.timedelta(weeks=1):
            return True
        wanted = {_WEEKDAYS.index(day[-2:])
                  for day in self.parts['BYDAY'].split(',')
                  if day[-2:] in _WEEKDAYS}
        hours = set(_numbers(self.parts, 'BYHOUR')) \
            if 'BYHOUR' in self.parts and self.frequency == 'HOURLY' \
            else set(range(24))
        step_hours = int(unit.total_seconds()) // 3600 * self.interval
        week_hours = 7 * 24
        gap = math.gcd(step_hours, week_hours)
        first = start.weekday() * 24 + start.hour
        for offset in range(0, week_hours, gap):
            hour_of_week = (first + offset) % week_hours
            if hour_of_week // 24 in wanted and hour_of_week % 24 in hours:
                return True
        return False
