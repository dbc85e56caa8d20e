"""``crontab``: the five fields of cron, in UTC, as croniter reads them."""
import datetime

import croniter

from smaug.operationengine.triggers import time_formats


class CrontabFormat(time_formats.TimeFormat):
    """A cron expression such as ``0 2 * * 1-5`` (02:00 UTC on weekdays).

    The start only bounds the schedule: the pattern alone decides the
    times.
    """

    def __init__(self, pattern):
        super().__init__(pattern)
        if not isinstance(pattern, str) or not croniter.croniter.is_valid(
                pattern):
            raise time_formats.InvalidPattern(
                '%r is not a crontab expression such as "0 2 * * *"'
                % (pattern,))

    def fire_times(self, start, after, count):
        start = time_formats.as_utc(start)
        after = time_formats.as_utc(after)
        # croniter returns times strictly after its base; a fire time
        # exactly at the start must count.
        base = max(after, start - datetime.timedelta(microseconds=1))
        schedule = croniter.croniter(self.pattern, base)
        times = []
        try:
            while len(times) < count:
                times.append(schedule.get_next(datetime.datetime))
        except croniter.CroniterBadDateError:
            # No further date matches: a date that never exists (31 2) or
            # a year field that has passed.
            pass
        return [time_formats.as_utc(moment) for moment in times]
