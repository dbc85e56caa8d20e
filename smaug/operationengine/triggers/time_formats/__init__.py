"""The ways a time trigger may spell its schedule.

Each format is a :class:`TimeFormat` registered in the
``smaug.time_formats`` entry point namespace under the name a trigger's
``format`` property uses: ``crontab``, ``calendar`` or ``interval``. The API
uses them to validate patterns and show the next fire times; the scheduler
uses them to know when to fire.

Times are timezone-aware datetimes in UTC; a naive datetime is taken to be
in UTC.
"""
import abc
import datetime
import functools

from stevedore import driver
from stevedore import exception as stevedore_exception
from stevedore import extension

NAMESPACE = 'smaug.time_formats'


class InvalidPattern(ValueError):
    """A pattern its format cannot read, or that never fires."""


class UnknownFormat(ValueError):
    """No time format is registered under the name."""


def as_utc(moment):
    """``moment`` as an aware datetime in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


class TimeFormat(abc.ABC):
    """One parsed pattern of a format.

    :param pattern: the trigger's ``pattern`` property.
    :raises InvalidPattern: when the pattern is not of this format.
    """

    def __init__(self, pattern):
        self.pattern = pattern

    @abc.abstractmethod
    def fire_times(self, start, after, count):
        """The first ``count`` fire times later than ``after``.

        :param start: when the schedule begins: no fire time is earlier.
            Formats that count from a beginning (intervals, calendar rules
            without a fixed time of day) count from it.
        :param after: fire times returned are strictly later than this.
        :param count: how many fire times to return at most.
        :returns: a list of aware UTC datetimes, in order; shorter than
            ``count`` when the schedule ends, empty when it never fires
            again.
        """


def load(name, pattern):
    """The pattern, parsed by the format registered as ``name``.

    :raises UnknownFormat: when no format is registered as ``name``.
    :raises InvalidPattern: when the pattern is not of that format.
    """
    return format_class(name)(pattern)


@functools.cache
def format_class(name):
    """The TimeFormat registered as ``name``; found once per process.

    Every trigger shown or fired reads its pattern, and looking entry
    points up costs far more than reading one.

    :raises UnknownFormat: when no format is registered as ``name``.
    """
    try:
        manager = driver.DriverManager(NAMESPACE, name, invoke_on_load=False)
    except stevedore_exception.NoMatches:
        raise UnknownFormat('%s is not a time format; known formats: %s'
                            % (name, ', '.join(names()))) from None
    return manager.driver


def names():
    """The names of the registered time formats, sorted."""
    return sorted(extension.ExtensionManager(NAMESPACE).names())
