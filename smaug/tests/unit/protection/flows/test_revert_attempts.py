"""Reverts that fail with an error other than a refusal: tried again by
whoever resumes the flow, and given up after max_revert_attempts. Reverts
that an agent stopping leaves: done by whoever resumes the flow."""
import collections
import logging
import time

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from smaug.conf import CONF
from smaug.db import api as db
from smaug.protection.flows import kinds
from smaug.protection.flows import reverts
from smaug.tests.plugins import synthetic
from smaug.tests.unit.protection.flows import harness

PROTECT = kinds.KINDS['protect']
FAILING = synthetic.node(30, 3, 4)
# A child of FAILING: its protect ran before FAILING's sync step failed.
UNDOABLE = synthetic.node(30, 3, 13)


def _options(fail_revert_times=0):
    return ('fail_resource = %s\nfail_phase = sync\n'
            'fail_revert_resource = %s\nfail_revert_times = %d\n'
            'delay = 0.01' % (FAILING.id, UNDOABLE.id, fail_revert_times))


def _events(entries, phase, event):
    """{resource id: how many times it had ``event`` in ``phase``}."""
    return collections.Counter(entry['resource'] for entry in entries
                               if entry['phase'] == phase and
                               entry['event'] == event)


class RevertAttemptsTest(testtools.TestCase):

    def _protect(self, h):
        checkpoint = h.checkpoint(30)
        h.agent.accept(PROTECT, h.context, checkpoint.id)
        return checkpoint

    def _assert_done_once_and_undone(self, entries, left=()):
        created = _events(entries, 'run', 'created')
        # Resumed, the flow goes on reverting: nothing is done twice.
        self.assertEqual({1}, set(created.values()))
        self.assertEqual({resource: 1 for resource in created
                          if resource not in left},
                         dict(_events(entries, 'revert', 'deleted')))

    def _assert_given_up_after_three_attempts(self, h, checkpoint):
        """The protect ends in error, UNDOABLE's revert tried three times
        in all, then named as left behind."""
        record = h.wait(db.checkpoint_get, checkpoint.id, 'protecting',
                        timeout=30)
        self.assertEqual('error', record.status)
        entries = h.journal.read()
        self.assertEqual({UNDOABLE.id: 3},
                         _events(entries, 'revert', 'fail'))
        self.assertIn('left behind, not undone: the service answered 500',
                      record.resources_reason[UNDOABLE.key()])
        self.assertIn('%s: left behind, not undone: the service answered '
                      '500' % UNDOABLE.key(), record.error_reason)
        self.assertIn('injected failure',
                      record.resources_reason[FAILING.key()])
        self._assert_done_once_and_undone(entries, left={UNDOABLE.id})

    def _assert_given_up_after_the_limit(self, backend):
        h = self.useFixture(harness.EngineHarness(
            backend=backend, provider_options=_options(),
            max_revert_attempts=3))
        self._assert_given_up_after_three_attempts(h, self._protect(h))

    def test_a_revert_that_always_fails_is_given_up_after_the_limit(self):
        self._assert_given_up_after_the_limit('sqlite')

    def test_the_count_is_kept_in_mariadb(self):
        self._assert_given_up_after_the_limit('mysql')

    def test_the_count_is_kept_in_postgresql(self):
        self._assert_given_up_after_the_limit('postgresql')

    def test_a_revert_that_fails_once_is_done_on_the_next_attempt(self):
        h = self.useFixture(harness.EngineHarness(
            provider_options=_options(fail_revert_times=1),
            max_revert_attempts=3))
        checkpoint = self._protect(h)
        record = h.wait(db.checkpoint_get, checkpoint.id, 'protecting',
                        timeout=30)
        self.assertEqual('error', record.status)
        self.assertNotIn('left behind', record.error_reason)
        self.assertIn('injected failure', record.error_reason)
        entries = h.journal.read()
        self.assertEqual({UNDOABLE.id: 1},
                         _events(entries, 'revert', 'fail'))
        self._assert_done_once_and_undone(entries)

    def test_the_count_of_failed_attempts_outlives_the_agent(self):
        # The first agent scans for orphans only when it starts: it makes
        # one attempt, then stops as a dead agent would.
        h = self.useFixture(harness.EngineHarness(
            provider_options=_options(), max_revert_attempts=3,
            orphan_scan_interval=600))
        checkpoint = self._protect(h)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            record = db.checkpoint_get(h.context, checkpoint.id)
            if (_events(h.journal.read(), 'revert', 'fail') and
                    record.owner is None):
                break
            time.sleep(0.05)
        h.agent.stop()
        self.assertEqual('protecting', record.status)
        self.assertEqual({UNDOABLE.id: 1},
                         _events(h.journal.read(), 'revert', 'fail'))
        conf = self.useFixture(config_fixture.Config(CONF))
        conf.config(orphan_scan_interval=1, group='protection')
        h.new_agent()
        # Two more attempts, not three: the first agent's was counted.
        self._assert_given_up_after_three_attempts(h, checkpoint)

    def test_reverts_an_agent_stopping_leaves_are_done_on_resumption(self):
        # Slow reverts, two at a time: the agent stops with most pending.
        h = self.useFixture(harness.EngineHarness(
            provider_options='fail_resource = %s\nfail_phase = sync\n'
                             'revert_delay = 0.2' % FAILING.id,
            flow_workers=2))
        log = self.useFixture(fixtures.FakeLogger(
            name='smaug.protection.agent', level=logging.WARNING))
        engine_log = self.useFixture(fixtures.FakeLogger(
            name=reverts.ENGINE_LOGGER, level=logging.WARNING))
        checkpoint = self._protect(h)
        deadline = time.monotonic() + 30
        while not _events(h.journal.read(), 'revert', 'deleted'):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.02)
        h.agent.stop()
        record = db.checkpoint_get(h.context, checkpoint.id)
        self.assertEqual(('protecting', None), (record.status, record.owner))
        entries = h.journal.read()
        self.assertLess(len(_events(entries, 'revert', 'deleted')),
                        len(_events(entries, 'run', 'created')))
        # Stopping is no failure of the operation.
        self.assertEqual('', log.output)
        self.assertEqual('', engine_log.output)
        h.new_agent()
        record = h.wait(db.checkpoint_get, checkpoint.id, 'protecting',
                        timeout=30)
        self.assertEqual('error', record.status)
        self.assertIn('injected failure',
                      record.resources_reason[FAILING.key()])
        self._assert_done_once_and_undone(h.journal.read())
