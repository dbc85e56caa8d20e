"""The bank lease of the checkpoint an operation writes.

A second deployment is a second user of the same file-system bank with a
database of its own: here, a Bank on the same directory whose leases the
test takes by hand.
"""
import time

import testtools

from smaug import exception
from smaug.conf import CONF
from smaug.db import api as db
from smaug.protection import providers
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import checkpoint_layout as layout
from smaug.protection.flows import kinds
from smaug.tests.plugins import synthetic
from smaug.tests.unit.protection.flows import harness

LEASE_SECONDS = 2
SIZE = 10


def _other_deployment():
    """A Bank of its own over the harness provider's bank directory."""
    return bank_module.Bank.from_provider(
        providers.ProviderRegistry().get(harness.PROVIDER_ID))


def _released(bank, name, timeout=10):
    """Whether lease ``name`` is free within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while bank.get_lease(name) is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _protect_entries(h, record_id):
    return [e for e in h.journal.read() if e['operation_id'] == record_id]


class CheckpointLeaseTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.h = self.useFixture(harness.EngineHarness(
            provider_options='delay = 0.01', lease_seconds=LEASE_SECONDS,
            progress_interval=0.1))
        self.other = _other_deployment()

    def test_the_lease_is_held_renewed_and_released_by_a_protect(self):
        # Slow enough to outlast two leases (sync steps wait for children).
        slow = self.h.add_provider('slow', options='delay = 0.8')
        record = self.h.checkpoint(20)
        db.checkpoint_update(self.h.context, record.id,
                             {'provider_id': slow})
        other = bank_module.Bank.from_provider(
            providers.ProviderRegistry().get(slow))
        name = layout.lease_name(record.id)
        started = time.monotonic()
        self.h.agent.accept(kinds.KINDS['protect'], self.h.context,
                            record.id)
        held_since = held_until = None
        while time.monotonic() - started < 30:
            lease = other.get_lease(name)
            if lease is not None:
                self.assertEqual(self.h.agent.owner + '/protect',
                                 lease.owner)
                held_since = held_since or time.monotonic()
                held_until = time.monotonic()
                if held_until - held_since > LEASE_SECONDS * 1.2:
                    self.assertFalse(other.acquire_lease(name, 'other:1',
                                                         60))
            elif held_since is not None:
                break
            time.sleep(0.1)

        self.assertEqual('available', self.h.wait(
            db.checkpoint_get, record.id, 'protecting').status)
        # Held for longer than a lease and a half: the heartbeat renewed
        # it; and
        # released at the end.
        self.assertGreater(held_until - held_since, LEASE_SECONDS * 1.5)
        self.assertTrue(_released(other, name))

    def test_the_lease_is_free_when_the_record_shows_the_outcome(self):
        # A failed protect winds its flow down after its record says so:
        # a deletion asked for at once must find the lease free.
        root = synthetic.node(SIZE, 3, 0)
        failing = self.h.add_provider('failing', options=(
            'fail_resource = %s\nfail_phase = sync' % root.id))
        for provider_id, outcome in ((harness.PROVIDER_ID, 'available'),
                                     (failing, 'error')):
            record = self.h.checkpoint(SIZE)
            db.checkpoint_update(self.h.context, record.id,
                                 {'provider_id': provider_id})
            other = bank_module.Bank.from_provider(
                providers.ProviderRegistry().get(provider_id))
            self.h.agent.accept(kinds.KINDS['protect'], self.h.context,
                                record.id)
            record = self.h.wait(db.checkpoint_get, record.id, 'protecting',
                                 interval=0.005)
            lease = other.get_lease(layout.lease_name(record.id))
            self.assertEqual(outcome, record.status)
            self.assertIsNone(lease)

    def test_a_checkpoint_another_deployment_writes_is_not_deleted(self):
        record = self.h.protect(SIZE)
        self.assertEqual('available', record.status)
        name = layout.lease_name(record.id)
        self.assertTrue(_released(self.other, name))
        self.assertTrue(self.other.acquire_lease(name, 'other:1', 600))
        db.checkpoint_update(self.h.context, record.id,
                             {'status': 'deleting'})

        self.h.agent.accept(kinds.KINDS['delete_checkpoint'],
                            self.h.context, record.id)
        record = self.h.wait(db.checkpoint_get, record.id, 'deleting')

        self.assertEqual('error-deleting', record.status)
        self.assertIn('held by other:1', record.error_reason)
        self.assertEqual([], [e for e in _protect_entries(self.h, record.id)
                              if e['operation'] == 'delete_checkpoint'])
        self.assertEqual('available', layout.read_checkpoint(
            self.other, record.id)['status'])
        self.assertEqual('other:1', self.other.get_lease(name).owner)

    def test_an_earlier_life_of_the_agent_is_taken_over_at_once(self):
        record = self.h.checkpoint(SIZE)
        earlier = '%s:earlier' % CONF.host
        db.operation_claim(self.h.context, 'checkpoint', record.id, earlier,
                           600)
        self.assertTrue(self.other.acquire_lease(
            layout.lease_name(record.id), earlier + '/protect', 600))

        # The scan adopts it; neither lease makes it wait.
        record = self.h.wait(db.checkpoint_get, record.id, 'protecting',
                             timeout=30)

        self.assertEqual('available', record.status)
        self.assertTrue(_released(self.other, layout.lease_name(record.id)))

    def test_an_adopter_waits_for_a_dead_agents_bank_lease(self):
        record = self.h.checkpoint(SIZE)
        dead = 'elsewhere:dead'
        db.operation_claim(self.h.context, 'checkpoint', record.id, dead, 1)
        self.assertTrue(self.other.acquire_lease(
            layout.lease_name(record.id), dead, 2.5))
        bank_lease_end = self.other.get_lease(
            layout.lease_name(record.id)).expires_at

        record = self.h.wait(db.checkpoint_get, record.id, 'protecting',
                             timeout=30)

        self.assertEqual('available', record.status)
        first_write = min(e['time'] for e in _protect_entries(self.h,
                                                              record.id))
        self.assertGreaterEqual(first_write, bank_lease_end)

    def test_a_live_holder_fails_the_operation_naming_it(self):
        record = self.h.checkpoint(SIZE)
        self.assertTrue(self.other.acquire_lease(
            layout.lease_name(record.id), 'elsewhere:alive', 600))

        self.h.agent.accept(kinds.KINDS['protect'], self.h.context,
                            record.id)
        record = self.h.wait(db.checkpoint_get, record.id, 'protecting')

        self.assertEqual('error', record.status)
        self.assertIn('held by elsewhere:alive', record.error_reason)
        self.assertEqual([], _protect_entries(self.h, record.id))
        self.assertRaises(exception.CheckpointNotFound,
                          layout.read_checkpoint, self.other, record.id)
