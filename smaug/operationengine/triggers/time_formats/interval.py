"""``interval``: fire every so many seconds, counting from the start."""
import datetime

from smaug.operationengine.triggers import time_formats


class IntervalFormat(time_formats.TimeFormat):
    """A whole number of seconds, as an integer or a string of digits.

    Fires at ``start``, ``start + interval``, ``start + 2 * interval``...
    """

    def __init__(self, pattern):
        super().__init__(pattern)
        self.seconds = self._seconds(pattern)
        self.step = datetime.timedelta(seconds=self.seconds)

    @staticmethod
    def _seconds(pattern):
        if isinstance(pattern, str) and pattern.strip().isdigit():
            pattern = int(pattern.strip())
        if not isinstance(pattern, int) or isinstance(pattern, bool):
            raise time_formats.InvalidPattern(
                'an interval is a whole number of seconds, not %r'
                % (pattern,))
        if pattern <= 0:
            raise time_formats.InvalidPattern(
                'an interval must be at least one second, not %d' % pattern)
        return pattern

    def fire_times(self, start, after, count):
        start = time_formats.as_utc(start)
        after = time_formats.as_utc(after)
        if after < start:
            first = start
        else:
            elapsed = (after - start) // self.step
            first = start + (elapsed + 1) * self.step
        return [first + n * self.step for n in range(count)]
