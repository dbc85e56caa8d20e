"""The schedule of a ``time`` trigger, read from its properties.

Properties: ``format`` (a registered time format), ``pattern`` (in that
format), ``start_time`` and ``end_time`` (UTC; ``YYYY-MM-DD HH:MM:SS`` or
ISO 8601), and ``window``, the seconds after a fire time within which a
late run may still start. The API validates triggers with this module and
the scheduler fires them with it, so both read properties alike.
"""
import datetime
import itertools

from oslo_utils import timeutils

from smaug import exception
from smaug.operationengine.triggers import time_formats

TYPE = 'time'
TIME_FORMAT = '%Y-%m-%d %H:%M:%S'
# Fire times compared when checking how often a trigger fires: enough to
# see the shortest gap of any weekly or daily pattern.
_SAMPLE = 25


class InvalidProperty(exception.Invalid):
    message = "Invalid input for field '%(field)s': %(reason)s"


def utcnow():
    return time_formats.as_utc(timeutils.utcnow())


def parse_time(value, field):
    """A property's time as an aware UTC datetime.

    :raises InvalidProperty: unless ``value`` is ``YYYY-MM-DD HH:MM:SS`` or
        ISO 8601; a time without an offset is in UTC.
    """
    if isinstance(value, str):
        for parse in (lambda text: datetime.datetime.strptime(text,
                                                              TIME_FORMAT),
                      datetime.datetime.fromisoformat):
            try:
                return time_formats.as_utc(parse(value.strip()))
            except ValueError:
                continue
    raise InvalidProperty(field=field, reason='%r is not a time as '
                          '"YYYY-MM-DD HH:MM:SS" or ISO 8601' % (value,))


def format_time(moment):
    """A time as start_time and end_time store it."""
    return time_formats.as_utc(moment).strftime(TIME_FORMAT)


def parse_window(value, field):
    """The window in seconds; an integer or a string of digits."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidProperty(field=field, reason='the window is a whole '
                              'number of seconds, not %r' % (value,))
    return value


class TimeTrigger:
    """A time trigger's schedule.

    :param properties: the trigger's properties.
    :param where: how messages name the properties, e.g.
        ``trigger_info.properties``.
    :raises InvalidProperty: naming the first property that is wrong.
    """

    def __init__(self, properties, where='properties'):
        self.where = where
        self.format_name = properties.get('format')
        if not isinstance(self.format_name, str):
            raise InvalidProperty(field=self._field('format'),
                                  reason='the name of a time format, not %r'
                                         % (self.format_name,))
        try:
            self.schedule = time_formats.load(self.format_name,
                                              properties.get('pattern'))
        except time_formats.UnknownFormat as exc:
            raise InvalidProperty(field=self._field('format'),
                                  reason=str(exc)) from None
        except time_formats.InvalidPattern as exc:
            raise InvalidProperty(field=self._field('pattern'),
                                  reason=str(exc)) from None
        self.start_time = self._time(properties, 'start_time')
        self.end_time = self._time(properties, 'end_time')
        if (self.start_time and self.end_time
                and self.end_time <= self.start_time):
            raise InvalidProperty(field=self._field('end_time'),
                                  reason='the end must be after the start')
        self.window = None
        if properties.get('window') is not None:
            self.window = parse_window(properties['window'],
                                       self._field('window'))

    def _field(self, name):
        return '%s.%s' % (self.where, name)

    def _time(self, properties, name):
        if properties.get(name) is None:
            return None
        return parse_time(properties[name], self._field(name))

    def fire_times(self, after, count, start=None):
        """The next ``count`` fire times later than ``after``.

        :param start: the start of a trigger saved without one.
        :returns: aware UTC datetimes, none past the end time.
        """
        start = self.start_time or start or after
        times = self.schedule.fire_times(start, after, count)
        if self.end_time is not None:
            times = [moment for moment in times if moment <= self.end_time]
        return times

    def check_limits(self, min_interval, min_window, max_window, now=None):
        """Whether the operators' limits allow this trigger.

        :raises InvalidProperty: when the window is outside
            [min_window, max_window], when the trigger never fires from
            now on, or when two fire times are closer than
            ``min_interval`` seconds.
        """
        if self.window is not None and not (
                min_window <= self.window <= max_window):
            raise InvalidProperty(
                field=self._field('window'),
                reason='%d is outside the allowed %d to %d seconds'
                       % (self.window, min_window, max_window))
        now = now or utcnow()
        start = self.start_time or now
        # A fire time exactly at the start counts.
        after = max(now, start - datetime.timedelta(microseconds=1))
        times = self.fire_times(after, _SAMPLE, start=start)
        if not times:
            raise InvalidProperty(
                field=self._field('pattern'),
                reason='the trigger never fires %s' % (
                    'before its end_time' if self.end_time else
                    'from now on'))
        for earlier, later in itertools.pairwise(times):
            gap = (later - earlier).total_seconds()
            if gap < min_interval:
                raise InvalidProperty(
                    field=self._field('pattern'),
                    reason='fires %d seconds apart (%s and %s); triggers may '
                           'fire at most every %d seconds'
                           % (gap, earlier.isoformat(), later.isoformat(),
                              min_interval))
