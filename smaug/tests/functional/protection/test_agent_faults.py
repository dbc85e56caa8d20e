"""Faults during flows: a killed agent, a restarted broker or database.

Two agents run. In each round of the kill test, protects and restores of
a 30-resource graph (flows of 1-3 s) start over the API; after a random
delay within their flows, the agent holding one of them is killed with
SIGKILL. On alternate rounds it is restarted at once (it takes over its
own claims) or only once the round is over (the other agent adopts its
operations when their leases expire); every third round the plugin fails
on one resource, so that some flows are killed while they compensate.
Rounds go on until at least ``TRIALS`` protects and ``TRIALS`` restores
were running on the killed agent.

Whatever happened, every operation must reach a terminal state within
``SETTLE_TIMEOUT``; a resumed flow does not run again a sync step whose
completion was saved before the kill (flow state is saved behind the
engine, so only steps that ended in the last ``journal.SYNC_REDO_WINDOW``
seconds before the kill may run again); a flow that succeeds has run every
resource's sync step, in the graph's order, and the API shows every
resource's status; a protect that fails leaves no artifact behind, one
that succeeds has every artifact; and a finished flow leaves no saved
state (except one killed between writing its outcome and deleting it).

The outage tests stop RabbitMQ, then MariaDB and PostgreSQL, for
``OUTAGE_SECONDS`` during flows: the same must hold once the server is
back, and operations started afterwards must run. They are marked to run
alone (``smaug/tests/conftest.py``): the servers are the machine's.

Set SMAUG_FAULT_SEED to replay a run's random delays.
"""
import dataclasses
import os
import random
import time

import pytest

from smaug.tests.fixtures import servers
from smaug.tests.functional.protection import journal
from smaug.tests.functional.protection import operations as operations_module
from smaug.tests.functional.protection import providers

TRIALS = 12
MAX_ROUNDS = 14
# Casts go to the agents in turn: each gets half the protects and half
# the restores of a round.
PER_ROUND = 4
SETTLE_TIMEOUT = 45
KILL_DELAY = (0.2, 1.6)
OUTAGE_SECONDS = 4
DONE = {'checkpoint': ('available', 'available'),
        'restore': ('success', 'restored')}
FAILED = {'checkpoint': 'error', 'restore': 'fail'}


@dataclasses.dataclass
class Started:
    """An operation a round started."""

    kind: str
    record_id: str
    provider: str
    ops: operations_module.Operations
    children: dict = None

    @property
    def operation(self):
        return 'protect' if self.kind == 'checkpoint' else 'restore'


class Scenario:
    """The plans, the checkpoints to restore and the checks of a test."""

    def __init__(self, deployment, operations, failing=True):
        self.deployment = deployment
        names = ['faults'] + (['failing-protect', 'failing-restore']
                              if failing else [])
        self.ops = {name: operations(name) for name in names}
        self.plans = {name: self.ops[name].plan(*providers.FAULT_GRAPH)
                      for name in names}
        # Restores need a checkpoint; the failing-restore provider
        # protects without failing.
        sources = [name for name in ('faults', 'failing-restore')
                   if name in names]
        protects = {name: self.ops[name].start_protect(self.plans[name])
                    for name in sources}
        self.sources = {name: self.ops[name].wait('checkpoint', record_id)
                        for name, record_id in protects.items()}
        for checkpoint in self.sources.values():
            assert checkpoint['status'] == 'available', checkpoint

    def start(self, failing, count):
        """``count`` protects, then ``count`` restores."""
        protector = 'failing-protect' if failing else 'faults'
        restorer = 'failing-restore' if failing else 'faults'
        started = []
        ops = self.ops[protector]
        for _ in range(count):
            started.append(Started('checkpoint', ops.start_protect(
                self.plans[protector]), protector, ops))
        ops = self.ops[restorer]
        source = self.sources[restorer]
        for _ in range(count):
            started.append(Started(
                'restore', ops.start_restore(source['id']), restorer, ops,
                operations_module.graph_of(source)))
        return started

    def settle(self, started, timeout=SETTLE_TIMEOUT):
        """Wait until every operation is terminal; :returns: records."""
        deadline = time.monotonic() + timeout
        return [each.ops.wait(each.kind, each.record_id,
                              max(1.0, deadline - time.monotonic()))
                for each in started]

    def problems(self, each, record, failing, killed_at=None):
        """What is wrong with a terminal operation, as descriptions."""
        what = '%s %s (%s)' % (each.operation, each.record_id, each.provider)
        entries = journal.of_operation(
            self.deployment.journal(each.provider).read(), each.record_id,
            each.operation)
        children = each.children or operations_module.graph_of(record)
        found = ['%s: %s' % (what, problem) for problem in
                 journal.order_violations(entries, children)]
        if killed_at is not None:
            found += ['%s: %s' % (what, problem) for problem in
                      journal.redone_syncs(entries, killed_at)]
        succeeded, resource_done = DONE[each.kind]
        if failing:
            if record['status'] != FAILED[each.kind]:
                found.append('%s ended %s despite its failing plugin' % (
                    what, record['status']))
            elif operations_module.node_key(providers.FAILING_NODE) not in \
                    record['resources_reason']:
                found.append('%s failed without naming %s: %s' % (
                    what, providers.FAILING_NODE,
                    record['resources_reason']))
        elif record['status'] != succeeded:
            found.append('%s ended %s: %s' % (what, record['status'],
                                              record.get('error_reason')))
        if record['status'] == succeeded:
            missing = journal.missing_syncs(entries, children)
            if missing:
                found.append('%s succeeded without the sync of %s' % (
                    what, missing))
            statuses = set(record['resources_status'].values())
            if len(record['resources_status']) != len(children) or \
                    statuses != {resource_done}:
                found.append('%s: resources_status %s' % (
                    what, record['resources_status']))
        if each.kind == 'checkpoint':
            leftover = journal.leftover_artifacts(entries)
            if record['status'] == 'error' and leftover:
                found.append('%s failed and left the artifacts of %s' % (
                    what, leftover))
            if record['status'] == 'available' and \
                    sorted(leftover) != sorted(children):
                found.append('%s is available without the artifacts of '
                             '%s' % (what, sorted(set(children) -
                                                  set(leftover))))
        return found

    def ran_in(self, each, pids):
        """Whether any of ``pids`` worked on the operation."""
        entries = journal.of_operation(
            self.deployment.journal(each.provider).read(), each.record_id,
            each.operation)
        return bool(set(journal.pids(entries)) & pids)

    def saved_flows_left(self, started):
        """Problems: finished operations whose saved flow is still there."""
        left = operations_module.saved_flows_left(
            self.deployment, [(each.kind, each.record_id)
                              for each in started])
        return ['%s left its saved flow, %s' % item
                for item in sorted(left.items())]


@pytest.fixture
def seed():
    value = int(os.environ.get('SMAUG_FAULT_SEED') or time.time())
    print('SMAUG_FAULT_SEED=%d' % value)
    return value


def _holders(deployment, started):
    """{agent index: [operations it holds right now]}."""
    held = {}
    for each in started:
        index = deployment.agent_of_owner(deployment.owner_of(
            each.kind, each.record_id))
        if index is not None:
            held.setdefault(index, []).append(each)
    return held


def _victim(held, target_kind, rng):
    """The agent to kill: one holding an operation of ``target_kind``,
    else of any kind, else agent 0."""
    for kinds in ({target_kind}, {'checkpoint', 'restore'}):
        candidates = sorted(index for index, holding in held.items()
                            if kinds & {each.kind for each in holding})
        if candidates:
            return rng.choice(candidates)
    return 0


def test_agents_killed_at_random_points(deployment, operations, seed):
    rng = random.Random(seed)
    scenario = Scenario(deployment, operations)
    trials = {'checkpoint': 0, 'restore': 0}
    problems = []
    rounds = 0
    while min(trials.values()) < TRIALS and rounds < MAX_ROUNDS:
        restart_at_once = rounds % 2 == 0
        failing = rounds % 3 == 2
        target = 'checkpoint' if rounds % 2 == 0 else 'restore'
        rounds += 1
        began = time.monotonic()
        started = scenario.start(failing, PER_ROUND)
        delay = rng.uniform(*KILL_DELAY)
        time.sleep(delay)
        holders = _holders(deployment, started)
        victim = _victim(holders, target, rng)
        victim_pids = deployment.agent_pids(victim)
        killed_at = deployment.kill_agent(victim)
        held = holders.get(victim, [])
        for each in held:
            trials[each.kind] += 1
        if restart_at_once:
            deployment.start_agent(victim)
        records = scenario.settle(started)
        print('round %d: killed agent %d after %.2fs, %s; agents held %s; '
              'all ended within %.1fs' % (
                  rounds, victim, delay, 'restarted at once'
                  if restart_at_once else 'restarted after the round',
                  {index: ['%s %s' % (each.kind, each.record_id)
                           for each in holding]
                   for index, holding in sorted(holders.items())},
                  time.monotonic() - began))
        for each, record in zip(started, records, strict=True):
            problems += scenario.problems(each, record, failing, killed_at)
        # A flow killed between writing its outcome and deleting its saved
        # state leaves that state; flows the killed agent never ran must
        # not.
        problems += scenario.saved_flows_left(
            [each for each in started
             if not scenario.ran_in(each, victim_pids)])
        if not restart_at_once:
            deployment.start_agent(victim)
        deployment.wait_serving(victim)
    assert problems == [], 'seed %d:\n%s' % (seed, '\n'.join(problems))
    assert min(trials.values()) >= TRIALS, (
        'seed %d: only %s operations were running on a killed agent in %d '
        'rounds' % (seed, trials, rounds))


def _outage_test(deployment, operations, outage):
    """Operations started before ``outage`` end once it is over, and
    operations started after it run."""
    scenario = Scenario(deployment, operations, failing=False)
    started = scenario.start(False, 2)
    time.sleep(0.5)
    with outage():
        time.sleep(OUTAGE_SECONDS)
    problems = []
    records = scenario.settle(started, SETTLE_TIMEOUT + OUTAGE_SECONDS)
    for each, record in zip(started, records, strict=True):
        problems += scenario.problems(each, record, False)
    after = scenario.start(False, 1)
    for each, record in zip(after, scenario.settle(after), strict=True):
        problems += scenario.problems(each, record, False)
    problems += scenario.saved_flows_left(started + after)
    assert problems == [], '\n'.join(problems)


@pytest.mark.stops_shared_servers
def test_rabbitmq_restart_during_flows(deployment, operations):
    _outage_test(deployment, operations, servers.rabbitmq_down)


@pytest.fixture(params=['mysql', 'postgresql'])
def any_deployment(request):
    """The deployment on MariaDB, then the one on PostgreSQL."""
    return request.getfixturevalue(
        'deployment' if request.param == 'mysql' else
        'postgresql_deployment')


@pytest.mark.stops_shared_servers
def test_database_restart_during_flows(any_deployment):
    _outage_test(any_deployment,
                 operations_module.of_deployment(any_deployment),
                 lambda: servers.database_down(any_deployment.backend))
