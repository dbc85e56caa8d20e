"""The protect flow of the agent, in-process, on the recording plugin."""
import collections
import time

import testtools

from smaug.db import api as db
from smaug.protection import graph as graph_module
from smaug.protection.flows import kinds
from smaug.tests.plugins import synthetic
from smaug.tests.unit.protection.flows import harness

PROTECT = kinds.KINDS['protect']


def _by_resource(entries, phase, event):
    found = collections.defaultdict(list)
    for entry in entries:
        if entry['phase'] == phase and entry['event'] == event:
            found[entry['resource']].append(entry['time'])
    return found


def _saved_graph(record):
    return graph_module.ResourceGraph.from_primitive(record.resource_graph)


class ProtectFlowTest(testtools.TestCase):

    def _protect(self, harness_fixture, size):
        checkpoint = harness_fixture.checkpoint(size)
        harness_fixture.agent.accept(PROTECT, harness_fixture.context,
                                     checkpoint.id)
        return harness_fixture.wait(db.checkpoint_get, checkpoint.id,
                                    'protecting')

    def test_activities_follow_the_graph(self):
        h = self.useFixture(harness.EngineHarness(
            provider_options='delay = 0.01'))
        record = self._protect(h, 40)
        self.assertEqual('available', record.status)
        graph = _saved_graph(record)
        self.assertEqual(40, len(graph))
        entries = h.journal.read()
        run_ends = _by_resource(entries, 'run', 'end')
        sync_begins = _by_resource(entries, 'sync', 'begin')
        sync_ends = _by_resource(entries, 'sync', 'end')
        for resource in graph:
            # Blue edge: the sync step waits for its own parallel work.
            self.assertGreaterEqual(sync_begins[resource.id][0],
                                    run_ends[resource.id][0])
            # Red edges: and for every child's sync step.
            for child in graph.children_of(resource):
                self.assertGreaterEqual(sync_begins[resource.id][0],
                                        sync_ends[child.id][0], child.id)
        self.assertEqual({r.id for r in graph}, set(sync_ends))
        self.assertEqual(
            {r.key(): 'available' for r in graph}, record.resources_status)

    def test_parallel_activities_overlap(self):
        h = self.useFixture(harness.EngineHarness(
            provider_options='delay = 0.05', work_concurrency=8))
        self._protect(h, 16)
        entries = sorted((e for e in h.journal.read() if e['phase'] == 'run'
                          and e['event'] in ('begin', 'end')),
                         key=lambda e: e['time'])
        running = peak = 0
        for entry in entries:
            running += 1 if entry['event'] == 'begin' else -1
            peak = max(peak, running)
        self.assertGreater(peak, 4)

    def test_shared_child_is_protected_once(self):
        h = self.useFixture(harness.EngineHarness())
        record = self._protect(h, 30)
        graph = _saved_graph(record)
        shared = [r for r in graph if len(graph.parents_of(r)) > 1]
        self.assertTrue(shared)
        created = _by_resource(h.journal.read(), 'run', 'created')
        for resource in shared:
            self.assertEqual(1, len(created[resource.id]))

    def test_failure_compensates_in_reverse_and_names_the_resource(self):
        failing = synthetic.node(30, 3, 4)
        h = self.useFixture(harness.EngineHarness(
            provider_options='fail_resource = %s\nfail_phase = sync\n'
                             'delay = 0.01' % failing.id))
        record = self._protect(h, 30)
        self.assertEqual('error', record.status)
        self.assertIn('injected failure', record.resources_reason[
            failing.key()])
        self.assertEqual('error', record.resources_status[failing.key()])
        entries = h.journal.read()
        created = _by_resource(entries, 'run', 'created')
        deleted = _by_resource(entries, 'revert', 'deleted')
        # Nothing is left behind: every artifact made was removed.
        self.assertEqual(set(created), set(deleted))
        reverted = _by_resource(entries, 'sync-revert', 'end')
        ran = _by_resource(entries, 'sync', 'begin')
        graph = _saved_graph(record)
        for resource in graph:
            for child in graph.children_of(resource):
                # Taskflow also "reverts" tasks that never ran, in no
                # particular order; the order matters for those that ran.
                if resource.id in ran and child.id in ran:
                    # Parents are undone before the children they need.
                    self.assertLessEqual(
                        reverted[resource.id][0], reverted[child.id][0],
                        '%s reverted after its child %s: %s' % (
                            resource.id, child.id, [
                                e for e in entries if e['resource'] in
                                (resource.id, child.id)]))
        logs = db.operation_log_get_all(h.context)
        self.assertEqual([], [log for log in logs if log.status ==
                              'in_progress'])

    def test_a_refused_revert_is_reported_and_the_rest_compensated(self):
        failing = synthetic.node(30, 3, 4)
        refused = synthetic.node(30, 3, 13)  # a child of failing: it ran
        h = self.useFixture(harness.EngineHarness(
            provider_options='fail_resource = %s\nfail_phase = sync\n'
                             'refuse_revert_resource = %s\ndelay = 0.01'
                             % (failing.id, refused.id)))
        record = self._protect(h, 30)
        self.assertEqual('error', record.status)
        entries = h.journal.read()
        self.assertEqual([refused.id], list(
            _by_resource(entries, 'revert', 'refused')))
        self.assertIn('left behind, not undone: the token is not accepted',
                      record.resources_reason[refused.key()])
        self.assertIn('left behind', record.error_reason)
        self.assertIn('injected failure',
                      record.resources_reason[failing.key()])
        # Everything else made was removed.
        created = set(_by_resource(entries, 'run', 'created'))
        deleted = set(_by_resource(entries, 'revert', 'deleted'))
        self.assertEqual(created - {refused.id}, deleted)

    def test_stopped_agent_is_resumed_without_redoing_finished_work(self):
        h = self.useFixture(harness.EngineHarness(
            provider_options='delay = 0.02', work_concurrency=2,
            flow_workers=2))
        checkpoint = h.checkpoint(40)
        h.agent.accept(PROTECT, h.context, checkpoint.id)
        deadline = time.monotonic() + 30
        while (len(_by_resource(h.journal.read(), 'sync', 'end')) < 10
               and time.monotonic() < deadline):
            time.sleep(0.02)
        h.agent.stop()
        finished_before = set(_by_resource(h.journal.read(), 'sync', 'end'))
        self.assertLess(len(finished_before), 40)
        successor = h.new_agent()
        record = h.wait(db.checkpoint_get, checkpoint.id, 'protecting')
        self.assertEqual('available', record.status)
        sync_ends = _by_resource(h.journal.read(), 'sync', 'end')
        self.assertEqual(40, len(sync_ends))
        for resource_id in finished_before:
            self.assertEqual(1, len(sync_ends[resource_id]), resource_id)
        self.assertIsNotNone(successor)

    def test_progress_is_visible_while_the_operation_runs(self):
        h = self.useFixture(harness.EngineHarness(
            provider_options='delay = 0.03', work_concurrency=2,
            flow_workers=2, progress_interval=0.1))
        checkpoint = h.checkpoint(40)
        h.agent.accept(PROTECT, h.context, checkpoint.id)
        partial = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            record = db.checkpoint_get(h.context, checkpoint.id)
            if record.status != 'protecting':
                break
            done = len(record.resources_status or {})
            if 0 < done < 40:
                partial = record
            time.sleep(0.05)
        self.assertIsNotNone(partial, 'no partial progress was ever shown')
        self.assertEqual(40, partial.progress['resources_total'])
        self.assertLess(partial.progress['resources_done'], 40)
        self.assertTrue(partial.progress['resources'])
        self.assertEqual('available', record.status)
        self.assertEqual(40, len(record.resources_status))
