"""How much the protection engine's orchestration costs, through real services.

Run from the repository root, with the servers of the functional tests
(RabbitMQ, MariaDB or PostgreSQL) running::

    .venv/bin/python bench/orchestration.py [--backend mysql]

It starts a deployment (smaug-api, smaug-operationengine and two
smaug-protection agents on a fresh RabbitMQ vhost and database, see
``smaug.tests.fixtures.engine_deployment``) whose providers are:

* ``null``: the bench's own null-activity plugin (``null_activity.py``):
  every resource has a parallel and a sync activity, both doing nothing,
  so a checkpoint costs exactly its orchestration;
* ``noop``: Smaug's production no-op plugin, which has no activity for
  synthetic resources (only the graph, the records and the bank).

and measures, over the API:

1. the time from ``POST .../checkpoints`` to ``available`` for plans of
   500 and 1000 synthetic resources (``<size>.3.0``: depth 6-7, shared
   children), the per-resource orchestration cost and the 1000/500 ratio;
2. the throughput of 20 concurrent 50-resource checkpoints with both
   agents, then with one (the other stopped), and their ratio;
3. in-process, without persistence, the same resource flow compiled and
   run by taskflow's stock parallel engine and by Smaug's
   ``ResourceFlowEngine``; each run is a child process with a time limit,
   since the stock compiler is quadratic.

Everything it starts is stopped and dropped when it ends, however it ends;
every wait is bounded, and the whole run stops after ``--max-seconds``.
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid

KARBOR_REFERENCE_SECONDS = 40.0  # 500 no-op resources, Karbor, same class
TARGET_RATIO_1000_500 = 2.2
BRANCHING = 3
POLL_INTERVAL = 0.05
FLOW_WORKERS = 8


class OutOfTime(Exception):
    pass


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        left = self.end - time.monotonic()
        if left <= 0:
            raise OutOfTime('the benchmark ran out of time')
        return left


# In-process: the stock engine against ours, one child process per run.


def _synthetic_graph(size, branching):
    from smaug.protection import graph as graph_module
    from smaug.tests.plugins import synthetic

    graph = graph_module.ResourceGraph()
    graph.add(synthetic.node(size, branching, 0))
    for index in range(size):
        parent = synthetic.node(size, branching, index)
        for child in synthetic.children(size, branching, index):
            graph.link(parent, synthetic.node(size, branching, child))
    return graph


class _InProcessRun:
    """What the flow's tasks ask of an OperationRun, without a record."""

    operation_id = 'bench'

    def __init__(self, work_queue):
        self.work_queue = work_queue

    def activity_context(self, resource, children=None):
        from smaug.protection import activity
        return activity.ActivityContext(
            context=None, operation='protect', operation_id='bench',
            resource=resource, parameters={}, children=children or {})

    def backend_of(self, resource):
        return None

    def resource_completed(self, resource):
        pass


def engine_trial(engine_name, size):
    """Compile and run one flow in this process; :returns: timings."""
    import null_activity
    from taskflow import engines
    from taskflow.patterns import linear_flow
    from taskflow.utils import persistence_utils

    from smaug.protection import work_queue
    from smaug.protection.flows import engine as flow_engine
    from smaug.protection.flows import resource_flow

    queue = work_queue.WorkQueue(FLOW_WORKERS)
    run = _InProcessRun(queue)
    graph = _synthetic_graph(size, BRANCHING)
    built = time.perf_counter()
    flow = linear_flow.Flow('protect:bench')
    flow.add(resource_flow.build('resources', run, graph,
                                 lambda resource: null_activity.null_work()))
    if engine_name == 'stock':
        engine = engines.load(flow, engine='parallel',
                              max_workers=FLOW_WORKERS)
    else:
        engine = flow_engine.ResourceFlowEngine(
            flow, persistence_utils.create_flow_detail(flow), None,
            {'max_workers': FLOW_WORKERS})
    started = time.perf_counter()
    engine.compile()
    engine.prepare()
    engine.validate()
    compiled = time.perf_counter()
    engine.run()
    ran = time.perf_counter()
    queue.shutdown()
    return {'build': started - built, 'compile': compiled - started,
            'run': ran - compiled, 'total': ran - built,
            'atoms': 2 * len(graph)}


def compare_engines(sizes, time_limit, deadline):
    """{size: {'stock': timings or None, 'ours': timings}}; None when the
    run did not end within ``time_limit`` seconds."""
    results = {}
    for size in sizes:
        results[size] = {}
        for engine_name in ('ours', 'stock'):
            limit = min(time_limit, deadline.left())
            try:
                done = subprocess.run(
                    [sys.executable, os.path.abspath(__file__),
                     '--engine-trial', engine_name, '--size', str(size)],
                    capture_output=True, text=True, timeout=limit,
                    check=True)
                results[size][engine_name] = json.loads(
                    done.stdout.strip().splitlines()[-1])
            except subprocess.TimeoutExpired:
                results[size][engine_name] = None
            except subprocess.CalledProcessError as error:
                raise RuntimeError('the %s engine failed on %d resources:\n%s'
                                   % (engine_name, size, error.stderr))
    return results


# Through the services.


def _time_checkpoint(ops, plan, deadline):
    began = time.monotonic()
    checkpoint_id = ops.start_protect(plan)
    while True:
        record = ops.read('checkpoint', checkpoint_id)
        if record['status'] != 'protecting':
            break
        deadline.left()
        time.sleep(POLL_INTERVAL)
    elapsed = time.monotonic() - began
    if record['status'] != 'available':
        raise RuntimeError('checkpoint %s ended %s: %s' % (
            checkpoint_id, record['status'], record.get('error_reason')))
    return elapsed


def _throughput(ops, plan, count, deadline):
    """Checkpoints per second, ``count`` started at once."""
    began = time.monotonic()
    pending = {ops.start_protect(plan) for _ in range(count)}
    while pending:
        for checkpoint_id in list(pending):
            record = ops.read('checkpoint', checkpoint_id)
            if record['status'] == 'available':
                pending.discard(checkpoint_id)
            elif record['status'] != 'protecting':
                raise RuntimeError('checkpoint %s ended %s' % (
                    checkpoint_id, record['status']))
        deadline.left()
        time.sleep(POLL_INTERVAL)
    return count / (time.monotonic() - began)


def measure_services(args, deadline):
    from smaug.tests.fixtures import engine_deployment
    from smaug.tests.functional.protection import operations

    bench_dir = os.path.dirname(os.path.abspath(__file__))
    deployment = engine_deployment.EngineDeployment(
        args.backend,
        [engine_deployment.ProviderSpec('null', 'null-activity'),
         engine_deployment.ProviderSpec('noop', 'noop')],
        agents=2, options={},
        entry_points={'smaug.protections': [
            'null-activity = null_activity:NullActivityPlugin']},
        extra_path=[bench_dir])
    deployment.setUp()
    try:
        of_provider = operations.of_deployment(deployment,
                                               uuid.uuid4().hex)
        results = {'checkpoint': {}}
        for provider in ('null', 'noop'):
            ops = of_provider(provider)
            # The first checkpoint of a provider loads its plugins.
            _time_checkpoint(ops, ops.plan(20, BRANCHING), deadline)
            for size in args.sizes:
                plan = ops.plan(size, BRANCHING)
                times = [_time_checkpoint(ops, plan, deadline)
                         for _ in range(args.repeat)]
                results['checkpoint'][(provider, size)] = times
                print('  %-5s %5d resources: %s s' % (
                    provider, size, ', '.join('%.2f' % t for t in times)),
                    flush=True)
        ops = of_provider('null')
        plan = ops.plan(args.concurrent_size, BRANCHING)
        results['throughput'] = {}
        for agents in (2, 1):
            if agents == 1:
                deployment.stop_agent(1)
            results['throughput'][agents] = _throughput(
                ops, plan, args.concurrent, deadline)
            print('  %d agent(s): %.2f checkpoints/s' % (
                agents, results['throughput'][agents]), flush=True)
        return results
    finally:
        deployment.cleanUp()


# Reporting


def _median(values):
    return statistics.median(values)


def report(args, services, engines_compared, load_before, load_after):
    lines = ['', 'Orchestration benchmark (%d CPUs; load average %s before, '
             '%s after)' % (os.cpu_count(), _load(load_before),
                            _load(load_after)), '']
    if services:
        lines.append('Checkpoint create -> available, over the API '
                     '(median of %d):' % args.repeat)
        times = services['checkpoint']
        for provider in ('null', 'noop'):
            for size in args.sizes:
                seconds = _median(times[(provider, size)])
                lines.append('  %-5s %5d resources: %6.2f s  %6.2f ms/resource'
                             % (provider, size, seconds,
                                1000 * seconds / size))
        if 500 in args.sizes and 1000 in args.sizes:
            for provider in ('null', 'noop'):
                ratio = (_median(times[(provider, 1000)]) /
                         _median(times[(provider, 500)]))
                lines.append('  %-5s 1000/500 time ratio: %.2f (target <= '
                             '%.1f)' % (provider, ratio,
                                        TARGET_RATIO_1000_500))
            null_500 = _median(times[('null', 500)])
            lines.append('  Karbor reference (fixed, not measured here): '
                         '~%.0f s for 500 no-op resources; null plugin at '
                         '500: %.1f%% of it (target < 10%%)' % (
                             KARBOR_REFERENCE_SECONDS,
                             100 * null_500 / KARBOR_REFERENCE_SECONDS))
        throughput = services['throughput']
        lines.append('Throughput, %d concurrent %d-resource checkpoints: '
                     '2 agents %.2f/s, 1 agent %.2f/s, ratio %.2f' % (
                         args.concurrent, args.concurrent_size,
                         throughput[2], throughput[1],
                         throughput[2] / throughput[1]))
    if engines_compared:
        lines.append('In-process, no persistence, compile + run of the '
                     'same flow (stock parallel engine / ResourceFlowEngine):')
        for size, result in sorted(engines_compared.items()):
            ours, stock = result['ours'], result['stock']
            if stock is None:
                lines.append('  %5d resources: ours %.2f s (compile %.2f); '
                             'stock did not finish within %d s: ratio > %.0f'
                             % (size, ours['total'], ours['compile'],
                                args.engine_time_limit,
                                args.engine_time_limit / ours['total']))
            else:
                lines.append('  %5d resources: ours %.2f s (compile %.2f), '
                             'stock %.2f s (compile %.2f): ratio %.1f' % (
                                 size, ours['total'], ours['compile'],
                                 stock['total'], stock['compile'],
                                 stock['total'] / ours['total']))
    print('\n'.join(lines), flush=True)


def _load(values):
    return '/'.join('%.2f' % value for value in values)


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--backend', default='mysql',
                        choices=('mysql', 'postgresql'))
    parser.add_argument('--sizes', default='500,1000',
                        type=lambda text: [int(s) for s in text.split(',')])
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--concurrent', type=int, default=20)
    parser.add_argument('--concurrent-size', type=int, default=50)
    parser.add_argument('--engine-time-limit', type=int, default=180,
                        help='seconds one in-process engine run may last')
    parser.add_argument('--max-seconds', type=int, default=1500,
                        help='the whole benchmark stops after this long')
    parser.add_argument('--skip-services', action='store_true',
                        help='only the in-process engine comparison')
    parser.add_argument('--json', help='also write the results here')
    parser.add_argument('--engine-trial', choices=('stock', 'ours'),
                        help=argparse.SUPPRESS)
    parser.add_argument('--size', type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _stop_on_sigterm():
    def stop(signum, frame):
        raise SystemExit('stopped by signal %d' % signum)
    signal.signal(signal.SIGTERM, stop)


def main(argv=None):
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.engine_trial:
        print(json.dumps(engine_trial(args.engine_trial, args.size)))
        return 0
    _stop_on_sigterm()
    deadline = Deadline(args.max_seconds)
    load_before = os.getloadavg()
    services = None
    if not args.skip_services:
        print('Through the services (%s):' % args.backend, flush=True)
        services = measure_services(args, deadline)
    print('In-process engines:', flush=True)
    compared = compare_engines(args.sizes, args.engine_time_limit, deadline)
    report(args, services, compared, load_before, os.getloadavg())
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'services': services and {
                'checkpoint': {'%s-%d' % key: value for key, value
                               in services['checkpoint'].items()},
                'throughput': services['throughput']},
                'engines': compared}, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
