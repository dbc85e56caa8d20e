"""Three operation engines, real processes over RabbitMQ and MariaDB, fire
1,000 scheduled ``protect`` operations on four triggers: each fire time
makes exactly one checkpoint, while one engine is killed (SIGKILL) in the
middle of a fire time and restarted.

The engines' clock is moved an hour at a time (see
:mod:`smaug.tests.fixtures.scheduler_cluster`), so three fire times of
hourly and two-hourly triggers take seconds. Plans and triggers are made
through the API; the 1,000 operations are written to the database in one
go, as the API would write them, since their creation is not what is
tested here.
"""
import collections
import datetime
import time
import uuid

import fixtures
import pytest
import sqlalchemy as sa

from smaug.db import models
from smaug.tests.fixtures import scheduler_cluster
from smaug.tests.functional.api import client as api_client

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)
SECOND = datetime.timedelta(seconds=1)
OPERATIONS_PER_TRIGGER = 250
STEP_TIMEOUT = 60
KILLED = 1
# (name, properties, steps it fires at: 0, 1, 2 hours after T0)
TRIGGERS = [
    ('hourly crontab', {'format': 'crontab', 'pattern': '0 * * * *'},
     (0, 1, 2)),
    ('hourly calendar', {'format': 'calendar', 'pattern':
                         'BEGIN:VEVENT\nRRULE:FREQ=HOURLY;INTERVAL=1\n'
                         'END:VEVENT'}, (0, 1, 2)),
    ('two-hourly interval', {'format': 'interval', 'pattern': '7200'},
     (0, 2)),
    ('two-hourly crontab', {'format': 'crontab', 'pattern': '0 */2 * * *'},
     (0, 2)),
]


def _first_even_hour_after(moment, hours):
    start = moment.replace(minute=0, second=0, microsecond=0) + hours * HOUR
    return start + HOUR if start.hour % 2 else start


@pytest.fixture(scope='module')
def cluster():
    running = scheduler_cluster.SchedulerCluster('mysql', engines=3)
    try:
        running.setUp()
    except fixtures.MultipleExceptions as error:
        pytest.fail(str(error.args[0][1]), pytrace=False)
    yield running
    running.cleanUp()


def _schedule(cluster, t0):
    """Plans, triggers and operations; :returns: {operation id: the fire
    times it must run at}."""
    expected = {}
    for name, properties, steps in TRIGGERS:
        api = api_client.ApiClient(cluster.url, uuid.uuid4().hex)
        plan = api_client.expect(api.post('plans', {'plan': {
            'name': name, 'provider_id': api_client.NOOP_PROVIDER,
            'parameters': {}, 'resources': [{
                'id': api.project, 'type': api_client.PROJECT_TYPE,
                'name': 'project'}]}}), 200)['plan']
        trigger = api_client.expect(api.post('triggers', {'trigger_info': {
            'name': name, 'type': 'time', 'properties': dict(
                properties, window=1800,
                start_time=t0.strftime('%Y-%m-%d %H:%M:%S'))}}),
            200)['trigger_info']
        for operation_id in cluster.add_operations(
                OPERATIONS_PER_TRIGGER, trigger['id'], api.project,
                api.user, definition={
                    'provider_id': api_client.NOOP_PROVIDER,
                    'plan_id': plan['id']}):
            expected[operation_id] = [t0 + step * HOUR for step in steps]
    return expected


def _wait_for(cluster, what, check, timeout=STEP_TIMEOUT):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail('no %s within %ss:\n%s' % (
                what, timeout, cluster.log_tails()), pytrace=False)
        time.sleep(0.2)


def _engine_of(run):
    return run.extend_info['engine']


def _fire(cluster, fire_time, count, during=None):
    """Move the clock just past ``fire_time`` and wait for its ``count``
    runs to end; ``during(ended)`` is called on the way."""
    cluster.set_clock(fire_time + SECOND)
    if during is not None:
        during()
    _wait_for(cluster, '%d ended runs of %s' % (count, fire_time),
              lambda: len(cluster.ended_runs(fire_time)) >= count)


def _checkpoints(cluster):
    table = models.Checkpoint.__table__
    with cluster._engine.connect() as connection:
        return connection.execute(sa.select(
            table.c.id, table.c.extra_info)).all()


def test_each_fire_time_runs_once_while_an_engine_dies(cluster):
    t0 = _first_even_hour_after(datetime.datetime.now(UTC), 2)
    cluster.set_clock(datetime.datetime.now(UTC))
    expected = _schedule(cluster, t0)
    per_step = collections.Counter(fire_time for times in expected.values()
                                   for fire_time in times)
    killed_host = cluster.engine_hosts[KILLED]

    _fire(cluster, t0, per_step[t0])

    def kill_midway():
        _wait_for(cluster, 'a third of the runs of %s' % (t0 + HOUR),
                  lambda: len(cluster.ended_runs(t0 + HOUR))
                  >= per_step[t0 + HOUR] // 3)
        cluster.kill_engine(KILLED)
    started = time.monotonic()
    _fire(cluster, t0 + HOUR, per_step[t0 + HOUR], during=kill_midway)
    finished_without_it = time.monotonic() - started
    cluster.start_engine(KILLED)
    cluster.wait_engine_serving(KILLED)
    _fire(cluster, t0 + 2 * HOUR, per_step[t0 + 2 * HOUR])
    time.sleep(1)  # a fire time run twice would show by now

    # Exactly one checkpoint per operation and fire time, and no other.
    made = collections.Counter()
    for checkpoint in _checkpoints(cluster):
        extra_info = checkpoint.extra_info
        made[(extra_info['scheduled_operation_id'],
              extra_info['fire_time'])] += 1
    wanted = {(operation_id, fire_time.isoformat())
              for operation_id, times in expected.items()
              for fire_time in times}
    assert len(wanted) == 2500
    assert set(made) == wanted
    assert set(made.values()) == {1}
    # Every run succeeded and names its checkpoint.
    runs = cluster.runs()
    assert len(runs) == len(wanted)
    assert collections.Counter(run.state for run in runs) == {
        'success': len(wanted)}, [run.error for run in runs if run.error]
    assert len({run.checkpoint_id for run in runs}) == len(wanted)
    # The killed engine ran part of the second fire time before it died,
    # the others ended it, and its next life took part in the third.
    engines_of = collections.defaultdict(set)
    for run in runs:
        engines_of[run.expect_start_time].add(
            _engine_of(run).rpartition(':')[0])
    assert killed_host in engines_of[(t0 + HOUR).replace(tzinfo=None)]
    lives = {_engine_of(run) for run in runs
             if _engine_of(run).startswith(killed_host + ':')}
    assert len(lives) == 2, lives
    assert killed_host in engines_of[(t0 + 2 * HOUR).replace(tzinfo=None)]
    adopted = [run for run in runs
               if (run.extend_info.get('adopted_from') or '')
               .startswith(killed_host + ':')]
    print('second fire time ended %.1f s after the clock reached it, %d '
          'runs adopted from the killed engine' % (finished_without_it,
                                                   len(adopted)))
