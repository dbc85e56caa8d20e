"""The scheduler of smaug-operationengine: fires the scheduled operations.

Each engine process runs one :class:`Scheduler`: a thread that follows
the database and the clock, and ``[operationengine] workers`` threads that
claim and run fire times. Every engine hands the same fire times to its
workers (:mod:`~smaug.operationengine.schedule`), in a random order among
equal times; a worker claims one only when it is free, and the database
lets one engine claim each (:mod:`~smaug.operationengine.runs`). So any
number of engines share the work, a busy engine leaves it to idle ones,
and the fire times of an engine that died are simply claimed by the
others.

The thread reads the operations again when the API wakes it over RPC (a
change applies at once) and when the schedule's version in the database
moved at its poll, every ``poll_interval`` seconds, so changes reach every
engine even when a message is lost. When it starts, and then every half
``service_down_time``, it also looks for runs left ``running`` by an
engine that stopped beating (or by this host's previous life) and adopts
them.
"""
import datetime
import heapq
import itertools
import random
import threading
import time
import uuid

from oslo_log import log as logging

from smaug import context as context_module
from smaug.conf import CONF
from smaug.db import scheduling
from smaug.operationengine import clock as clock_module
from smaug.operationengine import delegation
from smaug.operationengine import operations
from smaug.operationengine import runs
from smaug.operationengine import schedule as schedule_module

LOG = logging.getLogger(__name__)

# Adoptions go before fire times: an adopted run is already late.
_ADOPTION, _FIRE_TIME = 0, 1
# The clock is read at most this often, and at least this often, so that
# a clock set forward (by NTP, or an offset-file rehearsal) is followed
# within a second.
_MIN_SLEEP = 0.01
_MAX_SLEEP = 1.0


class Scheduler:
    """Fires the scheduled operations from one engine.

    :param host: the engine's host, as in the services table.
    :param clock: the clock fire times follow; ``[operationengine] clock``
        by default.
    :param types: {name: ScheduledOperationType}; every registered type by
        default.
    :param contexts: a :class:`~smaug.operationengine.delegation.
        RunContexts`.
    """

    def __init__(self, host, conf=CONF, clock=None, types=None,
                 contexts=None):
        self.conf = conf
        options = conf.operationengine
        # Each life of an engine has a name of its own: the runs of an
        # earlier life on this host are recognised as orphans at once.
        self.owner = '%s:%s' % (host, uuid.uuid4().hex[:12])
        self.clock = clock or clock_module.from_conf(conf)
        self.schedule = schedule_module.Schedule(
            datetime.timedelta(seconds=options.min_window_time))
        self.engines = runs.EngineLiveness(conf, host, self.owner)
        self.runner = runs.Runner(
            self.owner, self.clock,
            operations.load_all(conf) if types is None else types,
            contexts or delegation.RunContexts(), self.engines)
        self._admin = context_module.get_admin_context()
        self._condition = threading.Condition()
        self._queue = []
        self._order = itertools.count()
        self._adopting = set()
        self._retries = []
        self._woken = True
        self._stopping = False
        self._threads = []
        self._version = None
        self._next_poll = 0.0
        self._next_scan = 0.0
        #: Set once the schedule was first read from the database.
        self.loaded = threading.Event()

    # Life

    def start(self):
        self._threads = [threading.Thread(target=self._follow,
                                          name='scheduler', daemon=True)]
        self._threads += [
            threading.Thread(target=self._work, name='scheduler-worker-%d'
                             % index, daemon=True)
            for index in range(self.conf.operationengine.workers)]
        for thread in self._threads:
            thread.start()
        LOG.info('Scheduler %s started with %d workers.', self.owner,
                 self.conf.operationengine.workers)

    def stop(self, timeout=None):
        """Claim nothing more and let the runs in hand finish.

        Fire times queued but not claimed are left to the other engines.
        """
        with self._condition:
            self._stopping = True
            self._queue = []
            self._condition.notify_all()
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None
                        else max(0, deadline - time.monotonic()))
        LOG.info('Scheduler %s stopped.', self.owner)

    def wake(self):
        """Read the operations again now: the API changed one."""
        with self._condition:
            self._woken = True
            self._condition.notify_all()

    # The scheduler thread

    def _follow(self):
        while True:
            try:
                self.tick()
            except Exception:
                # A database outage: the next pass tries again.
                LOG.exception('The scheduler pass failed.')
            with self._condition:
                if self._stopping:
                    return
                if not self._woken:
                    self._condition.wait(self._sleep())
                if self._stopping:
                    return

    def _sleep(self):
        until_poll = self._next_poll - time.monotonic()
        next_fire_time = self.schedule.next_fire_time()
        if next_fire_time is not None:
            until_fire = (next_fire_time - self.clock()).total_seconds()
            until_poll = min(until_poll, until_fire)
        return min(_MAX_SLEEP, max(_MIN_SLEEP, until_poll))

    def tick(self):
        """One pass: follow the database if it is time, then queue every
        fire time the clock has passed."""
        with self._condition:
            woken, self._woken = self._woken, False
        if woken or time.monotonic() >= self._next_poll:
            self._next_poll = (time.monotonic() +
                               self.conf.operationengine.poll_interval)
            self._poll(reload=woken)
        due = self.schedule.due(self.clock())
        # Engines take equal fire times in different orders, so that they
        # rarely reach for the same one.
        random.shuffle(due)
        with self._condition:
            due, self._retries = self._retries + due, []
            for item in due:
                self._put((_FIRE_TIME, item.fire_time, random.random()),
                          self.runner.run_due, item)

    def _poll(self, reload):
        version = scheduling.schedule_version(self._admin)
        if reload or version != self._version:
            rows = scheduling.schedule(self._admin)
            new = {row['id'] for row in rows} - self.schedule.operation_ids()
            handed_out = scheduling.last_fire_times(
                self._admin, None if self._version is None else new)
            self.schedule.update(rows, handed_out)
            self._version = version
            self.loaded.set()
            LOG.debug('Scheduler %s follows %d operations.', self.owner,
                      len(self.schedule))
        self.engines.refresh(self._admin)
        if time.monotonic() >= self._next_scan:
            # An engine is found dead only service_down_time seconds after
            # its last beat: looking for its runs more often finds nothing
            # more, and each look reads every running row.
            self._next_scan = (time.monotonic() +
                               self.conf.service_down_time / 2)
            self._adopt_orphans()

    def _adopt_orphans(self):
        orphans = [run for run in scheduling.runs_in_flight(self._admin)
                   if self.runner.is_orphan(run)]
        with self._condition:
            for run in orphans:
                if run.id in self._adopting:
                    continue
                self._adopting.add(run.id)
                self._put((_ADOPTION, run.expect_start_time, run.id),
                          self._adopt, run)

    def _adopt(self, run):
        try:
            self.runner.adopt(run)
        finally:
            with self._condition:
                self._adopting.discard(run.id)

    # The workers

    def _put(self, key, action, argument):
        heapq.heappush(self._queue, (key, next(self._order), action,
                                     argument))
        self._condition.notify()

    def _work(self):
        while True:
            with self._condition:
                while not self._queue and not self._stopping:
                    self._condition.wait()
                if self._stopping:
                    return
                _, _, action, argument = heapq.heappop(self._queue)
            try:
                action(argument)
            except Exception:
                LOG.exception('A scheduled run could not be handled.')
                if action == self.runner.run_due:
                    # Most likely the database was out: try again at the
                    # next pass, which records it dropped once too late.
                    with self._condition:
                        self._retries.append(argument)
