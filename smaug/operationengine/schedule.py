"""Which fire times are due: one engine's view of the enabled operations.

Every engine reads the same operations and triggers from the database and
so computes the same fire times; which engine runs each one is decided in
the database (:func:`smaug.db.scheduling.claim_run`). This module only
knows time: for each operation it keeps the latest fire time it has handed
out, and hands out each later one once the clock passes it.

An operation's first fire time is the first one after it was last
*scheduled since* (created, resumed, or its trigger changed) and after the
latest fire time that already has a run row, so an engine that starts
after an outage hands out exactly the fire times nobody handled.
"""
import collections
import dataclasses
import datetime
import heapq
import json

from smaug.operationengine.triggers import time_formats
from smaug.operationengine.triggers import time_trigger

# Missed fire times (out of their window) recorded per operation when an
# engine catches up after an outage; older ones are only counted, so a
# long outage of a frequent trigger does not flood the run history.
MISSED_RECORD_LIMIT = 20
# Operations of one trigger share their fire times: each is computed once
# for all of them, and the results kept until this many accumulate.
_MEMO_LIMIT = 10000


@dataclasses.dataclass(frozen=True)
class Due:
    """A fire time the clock has passed.

    :param triggered_at: when it was handed out.
    :param missed_before: fire times of the operation before this one that
        were out of their window and are not handed out (see
        ``MISSED_RECORD_LIMIT``).
    """

    operation_id: str
    fire_time: datetime.datetime
    window: datetime.timedelta
    triggered_at: datetime.datetime
    missed_before: int = 0


@dataclasses.dataclass
class _Entry:
    trigger_key: tuple
    trigger: time_trigger.TimeTrigger
    since: datetime.datetime
    window: datetime.timedelta


class Schedule:
    """The fire times of the enabled operations, as the clock passes them.

    :param default_window: the window of a trigger without one.
    """

    def __init__(self, default_window):
        self.default_window = default_window
        self._entries = {}
        self._cursor = {}
        self._next = {}
        self._heap = []
        self._triggers = {}
        self._memo = {}

    def __len__(self):
        return len(self._entries)

    def operation_ids(self):
        return set(self._entries)

    def update(self, rows, handed_out):
        """Replace the operations.

        :param rows: the operations, as :func:`smaug.db.scheduling.schedule`
            returns them.
        :param handed_out: {operation id: latest fire time with a run row},
            at least for the operations this schedule does not hold yet.
        """
        triggers, self._triggers = self._triggers, {}
        self._memo = {}
        entries = {}
        for row in rows:
            entry = self._entry(row, triggers)
            if entry is not None:
                entries[row['id']] = entry
        for operation_id in set(self._entries) - set(entries):
            self._cursor.pop(operation_id, None)
            self._next.pop(operation_id, None)
        self._entries = entries
        self._heap = []
        for operation_id, entry in entries.items():
            cursor = max(moment for moment in (
                self._cursor.get(operation_id), entry.since,
                _aware(handed_out.get(operation_id))) if moment is not None)
            self._cursor[operation_id] = cursor
            self._push(operation_id, self._after(operation_id, cursor))

    def _entry(self, row, triggers):
        properties = row['trigger_properties']
        key = (row['trigger_id'], json.dumps(properties, sort_keys=True))
        trigger = triggers.get(key) or self._triggers.get(key)
        if trigger is None:
            try:
                trigger = time_trigger.TimeTrigger(properties)
            except time_trigger.InvalidProperty:
                # The API checks triggers; one written around it is not
                # fired rather than stopping every other operation.
                return None
        self._triggers[key] = trigger
        window = (datetime.timedelta(seconds=trigger.window)
                  if trigger.window is not None else self.default_window)
        return _Entry(key, trigger, _aware(row['scheduled_since']), window)

    def _after(self, operation_id, moment):
        """The operation's first fire time after ``moment``, or None."""
        entry = self._entries[operation_id]
        # Only a trigger saved without a start time counts from the
        # operation's own start.
        start = None if entry.trigger.start_time else entry.since
        key = (entry.trigger_key, start, moment)
        if key not in self._memo:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo = {}
            times = entry.trigger.fire_times(moment, 1, start=start)
            self._memo[key] = times[0] if times else None
        return self._memo[key]

    def _push(self, operation_id, fire_time):
        self._next[operation_id] = fire_time
        if fire_time is not None:
            heapq.heappush(self._heap, (fire_time, operation_id))

    def _pop_stale(self):
        while self._heap and (self._next.get(self._heap[0][1])
                              != self._heap[0][0]):
            heapq.heappop(self._heap)

    def next_fire_time(self):
        """The earliest fire time not handed out yet, or None."""
        self._pop_stale()
        return self._heap[0][0] if self._heap else None

    def due(self, now):
        """Hand out every fire time up to ``now``, each once.

        :returns: a list of :class:`Due`, by fire time.
        """
        handed = []
        while self.next_fire_time() is not None and \
                self.next_fire_time() <= now:
            fire_time, operation_id = heapq.heappop(self._heap)
            handed.extend(self._due_of(operation_id, fire_time, now))
        handed.sort(key=lambda due: due.fire_time)
        return handed

    def _due_of(self, operation_id, fire_time, now):
        window = self._entries[operation_id].window
        missed = collections.deque(maxlen=MISSED_RECORD_LIMIT)
        in_window = []
        missed_total = 0
        moment = fire_time
        while moment is not None and moment <= now:
            if moment + window < now:
                missed.append(moment)
                missed_total += 1
            else:
                in_window.append(moment)
            self._cursor[operation_id] = moment
            moment = self._after(operation_id, moment)
        self._push(operation_id, moment)
        unrecorded = missed_total - len(missed)
        handed = [Due(operation_id, moment, window, now,
                      unrecorded if index == 0 else 0)
                  for index, moment in enumerate(missed)]
        return handed + [Due(operation_id, moment, window, now)
                         for moment in in_window]


def _aware(moment):
    return None if moment is None else time_formats.as_utc(moment)
