"""Collections run in the background after checkpoint deletions."""
import time

from oslo_config import fixture as config_fixture
import testtools

from smaug.conf import CONF
from smaug.db import api as db
from smaug.protection import providers
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import checkpoint_layout
from smaug.protection.chunks import collector
from smaug.protection.chunks import store as store_module
from smaug.protection.flows import kinds
from smaug.tests.unit.protection.chunks import conftest
from smaug.tests.unit.protection.flows import harness


def _wait_until(check, timeout=20):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, 'timed out'
        time.sleep(0.05)


def test_requests_are_served_in_the_background(bank):
    conf = conftest.make_conf()
    store = store_module.ChunkStore.for_bank(bank, conf)
    store.write(conftest.stream(conftest.data(3 * conftest.CHUNK)),
                conftest.section(bank), 'image')
    store.delete(conftest.section(bank), 'image')
    background = collector.BackgroundCollector(conf, retry_seconds=0.1)
    background.request('bank-1', bank)
    background.request('bank-1', bank)  # coalesced with the first
    _wait_until(lambda: not conftest.chunk_keys(bank))
    _wait_until(lambda: not background._running)


def test_a_skipped_collection_is_tried_again(bank):
    conf = conftest.make_conf()
    store = store_module.ChunkStore.for_bank(bank, conf)
    store.write(conftest.stream(b'garbage'), conftest.section(bank), 'image')
    store.delete(conftest.section(bank), 'image')
    bank.acquire_lease('chunks/gc', 'another agent', 1)
    collector.BackgroundCollector(conf, retry_seconds=1.2).request(
        'bank-1', bank)
    time.sleep(0.3)
    assert conftest.chunk_keys(bank)
    _wait_until(lambda: not conftest.chunk_keys(bank))


class DeletedCheckpointTest(testtools.TestCase):
    """Through the engine: a checkpoint whose plugin stored chunks is
    deleted, and its chunks are freed."""

    def test_deleting_a_checkpoint_frees_its_chunks(self):
        h = self.useFixture(harness.EngineHarness())
        self.useFixture(config_fixture.Config(CONF)).config(
            group='chunk_store', gc_settle_seconds=0, gc_min_age_seconds=0)
        record = h.checkpoint(3)
        h.agent.accept(kinds.KINDS['protect'], h.context, record.id)
        self.assertEqual('available', h.wait(db.checkpoint_get, record.id,
                                             'protecting').status)
        bank = bank_module.Bank.from_provider(
            providers.get_registry().get(harness.PROVIDER_ID))
        store = store_module.ChunkStore.for_bank(bank)
        section = checkpoint_layout.resource_section(
            bank, record.id, 'OS::Glance::Image#image-1')
        store.write(conftest.stream(conftest.data(1024 * 1024)), section,
                    'data')
        self.assertTrue(conftest.chunk_keys(bank))

        db.checkpoint_update(h.context, record.id, {'status': 'deleting'})
        h.agent.accept(kinds.KINDS['delete_checkpoint'], h.context,
                       record.id)
        self.assertEqual('deleted', h.wait(db.checkpoint_get, record.id,
                                           'deleting').status)
        _wait_until(lambda: not conftest.chunk_keys(bank))
        self.assertEqual([], bank.list_objects('chunks/refs/'))
