"""How late the operation engines start scheduled runs, through real services.

Run from the repository root, with the servers of the functional tests
(RabbitMQ, MariaDB or PostgreSQL) running::

    .venv/bin/python bench/scheduling.py [--backend mysql]

It starts smaug-api and three smaug-operationengine processes on a fresh
RabbitMQ vhost and database (``smaug.tests.fixtures.scheduler_cluster``),
and measures, for one fire time of ``--operations`` scheduled operations
(5,000 by default), the *lateness* of each run: its actual start minus its
fire time, both read from the engines' clock. Each round has operations of
its own on a trigger that fires once; the engines' clock is shifted so
that the fire time comes a few seconds after the round's operations are
written, and then runs at the speed of the real one.

Rounds, all in the same run:

1. ``empty``, 3 engines: an operation type that does nothing, so the
   lateness is the scheduler's own (claim, run record, end): the
   baseline;
2. ``protect``, 3 engines: the real thing with the no-op provider (quota,
   checkpoint record, operation log, cast to the agents);
3. ``protect``, 1 engine: the two others stopped.

No protection agent runs: a ``protect`` run ends once its checkpoint is
started, which is what the engines do; the agents' side is measured by
``bench/orchestration.py``. Everything it starts is stopped and dropped
when it ends, however it ends.
"""
import argparse
import datetime
import json
import os
import signal
import statistics
import sys
import time
import uuid

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)
LEAD = datetime.timedelta(seconds=5)
PROJECTS = 5
WINDOW = 1800
NOOP_PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'


class OutOfTime(Exception):
    pass


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _trigger(api, fire_time):
    """A trigger of ``api``'s project that fires once, at ``fire_time``."""
    from smaug.tests.functional.api import client as api_client

    return api_client.expect(api.post('triggers', {'trigger_info': {
        'name': 'once', 'type': 'time', 'properties': {
            'format': 'interval', 'pattern': '3600', 'window': WINDOW,
            'start_time': fire_time.strftime('%Y-%m-%d %H:%M:%S'),
            'end_time': (fire_time + HOUR / 2).strftime(
                '%Y-%m-%d %H:%M:%S')}}}), 200)['trigger_info']['id']


def _plan(api):
    from smaug.tests.functional.api import client as api_client

    return api_client.expect(api.post('plans', {'plan': {
        'name': 'bench', 'provider_id': NOOP_PROVIDER, 'parameters': {},
        'resources': [{'id': api.project, 'type': api_client.PROJECT_TYPE,
                       'name': 'project'}]}}), 200)['plan']['id']


def run_round(cluster, apis, plans, operation_type, count, fire_time,
              deadline):
    """Schedule ``count`` operations at ``fire_time``, let the clock reach
    it and wait for every run to end; :returns: the lateness of each run
    in seconds, and the seconds from the fire time to the last start."""
    per_project = count // len(apis)
    for api, plan_id in zip(apis, plans, strict=True):
        definition = ({'provider_id': NOOP_PROVIDER, 'plan_id': plan_id}
                      if operation_type == 'protect' else {})
        cluster.add_operations(per_project, _trigger(api, fire_time),
                               api.project, api.user, operation_type,
                               definition)
    total = per_project * len(apis)
    cluster.set_clock(fire_time - LEAD)
    while len(cluster.ended_runs(fire_time)) < total:
        if time.monotonic() > deadline:
            raise OutOfTime('%d of %d runs ended' % (
                len(cluster.ended_runs(fire_time)), total))
        time.sleep(0.5)
    runs = cluster.ended_runs(fire_time)
    failed = [run for run in runs if run.state != 'success']
    if failed:
        raise RuntimeError('%d runs did not succeed, e.g. %s: %s' % (
            len(failed), failed[0].state, failed[0].error))
    lateness = [(run.actual_start_time - run.expect_start_time)
                .total_seconds() for run in runs]
    return lateness


def measure(args):
    from smaug.tests.fixtures import scheduler_cluster
    from smaug.tests.functional.api import client as api_client

    bench_dir = os.path.dirname(os.path.abspath(__file__))
    cluster = scheduler_cluster.SchedulerCluster(
        args.backend, engines=3,
        entry_points={'smaug.operations': [
            'bench-empty = empty_operation:EmptyOperation']},
        extra_path=[bench_dir])
    cluster.setUp()
    deadline = time.monotonic() + args.max_seconds
    try:
        cluster.set_clock(datetime.datetime.now(UTC))
        apis = [api_client.ApiClient(cluster.url, uuid.uuid4().hex)
                for _ in range(PROJECTS)]
        plans = [_plan(api) for api in apis]
        start = (datetime.datetime.now(UTC) + 2 * HOUR).replace(
            minute=0, second=0, microsecond=0)
        results = {}
        for index, (name, operation_type, engines) in enumerate((
                ('empty, 3 engines', 'bench-empty', 3),
                ('protect, 3 engines', 'protect', 3),
                ('protect, 1 engine', 'protect', 1))):
            if engines == 1:
                for engine in (1, 2):
                    cluster.engine(engine).stop()
            lateness = run_round(cluster, apis, plans, operation_type,
                                 args.operations, start + index * HOUR,
                                 deadline)
            results[name] = {
                'runs': len(lateness),
                'p50': statistics.median(lateness),
                'p99': _percentile(lateness, 0.99),
                'max': max(lateness),
                'runs_per_second': len(lateness) / max(lateness)}
            print('  %-20s %s' % (name, _line(results[name])), flush=True)
        return results
    finally:
        cluster.cleanUp()


def _line(result):
    return ('%5d runs: lateness p50 %6.2f s, p99 %6.2f s, max %6.2f s; '
            '%6.1f runs/s' % (result['runs'], result['p50'], result['p99'],
                              result['max'], result['runs_per_second']))


def _stop_on_sigterm():
    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--backend', default='mysql',
                        choices=('mysql', 'postgresql'))
    parser.add_argument('--operations', type=int, default=5000)
    parser.add_argument('--max-seconds', type=int, default=1200,
                        help='the longest the whole run may last')
    parser.add_argument('--json', help='also write the results here')
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    _stop_on_sigterm()
    load_before = os.getloadavg()
    print('Scheduling benchmark: %d operations per round, %s, %d CPUs'
          % (args.operations, args.backend, os.cpu_count()), flush=True)
    results = measure(args)
    baseline = results['empty, 3 engines']
    print('\nLoad average %s before, %s after.' % (
        '/'.join('%.2f' % v for v in load_before),
        '/'.join('%.2f' % v for v in os.getloadavg())))
    for name, result in results.items():
        print('%-20s %s; p99 x%.1f the empty baseline' % (
            name, _line(result), result['p99'] / max(baseline['p99'],
                                                     0.001)))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
