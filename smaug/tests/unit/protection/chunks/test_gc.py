"""Garbage collection: what it removes, what it keeps, and its races with
writes."""
import io
import random
import threading
import time

import pytest

from smaug.protection.bank import base
from smaug.protection.chunks import gc
from smaug.protection.chunks import layout
from smaug.protection.chunks import leases
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.protection.chunks import conftest

CHUNK = conftest.CHUNK


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setattr(leases.WriterLease, 'POLL_SECONDS', 0.05)
    monkeypatch.setattr(gc, 'POLL_SECONDS', 0.05)


def _stored_size(bank, address):
    return bank.plugin.head_object(layout.chunk_key(address)).size


def test_removes_only_chunks_no_manifest_references(store, bank):
    shared = conftest.data(CHUNK, seed=1)
    only_a = conftest.data(2 * CHUNK, seed=2)
    a = store.write(conftest.stream(shared + only_a),
                    conftest.section(bank, 'cp-a'), 'image')
    b = store.write(conftest.stream(shared + conftest.data(CHUNK, seed=3)),
                    conftest.section(bank, 'cp-b'), 'image')
    gone = a.addresses() - b.addresses()
    expected_bytes = sum(_stored_size(bank, address) for address in gone)

    store.delete(conftest.section(bank, 'cp-a'), 'image')
    report = store.collect_garbage()

    assert (report.chunks_removed, report.bytes_freed) == (2, expected_bytes)
    assert report.chunks_kept == 2 and report.manifests == 1
    assert {layout.address_of(key) for key in conftest.chunk_keys(bank)} == (
        b.addresses())
    store.verify(conftest.section(bank, 'cp-b'), 'image')
    assert store.collect_garbage().chunks_removed == 0


def test_a_checkpoint_deleted_without_the_store_is_collected(store, bank):
    # checkpoint_layout.delete_checkpoint removes every object of the
    # checkpoint, the manifest included, but not its reference.
    store.write(conftest.stream(conftest.data(2 * CHUNK)),
                conftest.section(bank), 'image')
    bank.delete_object(conftest.section(bank).prefix + '/image')
    report = store.collect_garbage()
    assert report.dangling_refs_removed == 1
    assert report.chunks_removed == 2
    assert bank.list_objects('chunks/refs/') == []


def test_young_unreferenced_chunks_wait_for_a_later_collection(bank):
    store = store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(gc_min_age_seconds=3600))
    store.write(conftest.stream(conftest.data(CHUNK)),
                conftest.section(bank), 'image')
    store.delete(conftest.section(bank), 'image')
    report = store.collect_garbage()
    assert (report.chunks_removed, report.chunks_too_young) == (0, 1)
    later = gc.GarbageCollector(bank, store.options,
                                clock=lambda: time.time() + 3601).run()
    assert later.chunks_removed == 1


def test_an_unreadable_manifest_stops_it_before_any_deletion(store, bank):
    store.write(conftest.stream(conftest.data(CHUNK)),
                conftest.section(bank, 'cp-a'), 'image')
    store.write(conftest.stream(conftest.data(CHUNK, seed=9)),
                conftest.section(bank, 'cp-b'), 'image')
    store.delete(conftest.section(bank, 'cp-a'), 'image')
    conftest.section(bank, 'cp-b').put_json('image', {'not': 'a manifest'})
    with pytest.raises(base.BankCorruption, match='cp-b.*not a chunk'):
        store.collect_garbage()
    assert len(conftest.chunk_keys(bank)) == 2
    assert bank.get_lease(layout.GC_LEASE) is None


def test_a_bank_without_chunks_is_left_alone(store, bank):
    report = store.collect_garbage()
    assert not report.skipped and report.chunks_kept == 0
    assert bank.list_objects('') == []


def test_only_one_collection_runs_at_a_time(store, bank):
    store.write(conftest.stream(b'x'), conftest.section(bank), 'image')
    assert bank.acquire_lease(layout.GC_LEASE, 'someone else', 30)
    report = store.collect_garbage()
    assert report.skipped and 'another garbage collection' in report.reason


class GatedStream(io.RawIOBase):
    """Gives ``before`` bytes, then waits for ``gate`` before the rest."""

    def __init__(self, payload, before):
        self._payload = memoryview(payload)
        self._before = before
        self.gate = threading.Event()
        self.waiting = threading.Event()

    def read(self, size=-1):
        if self._before <= 0:
            self.waiting.set()
            assert self.gate.wait(20)
        size = min(size, self._before) if self._before > 0 else size
        part = bytes(self._payload[:size])
        self._payload = self._payload[len(part):]
        self._before -= len(part)
        return part


def _in_thread(function, *args):
    result = {}

    def run():
        try:
            result['value'] = function(*args)
        except Exception as error:
            result['error'] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def test_a_write_reusing_garbage_keeps_it_through_a_collection(store, bank):
    """The race a collection must not lose: a write reuses a chunk no
    manifest references any more, and a collection runs before the
    write's manifest exists."""
    old = conftest.data(2 * CHUNK, seed=4)
    store.write(conftest.stream(old), conftest.section(bank, 'cp-old'),
                'image')
    store.delete(conftest.section(bank, 'cp-old'), 'image')

    payload = old + conftest.data(2 * CHUNK, seed=5)
    gated = GatedStream(payload, before=2 * CHUNK)
    writer, result = _in_thread(store.write, gated,
                                conftest.section(bank, 'cp-new'), 'image')
    assert gated.waiting.wait(10)
    # The write has found both old chunks in the bank and will not upload
    # them: a collection now must not remove them.
    report = store.collect_garbage()
    assert report.skipped and '1 writes were still in progress' in (
        report.reason)
    gated.gate.set()
    writer.join(20)
    assert result['value'].stats.reused_chunks == 2
    assert store.collect_garbage().chunks_removed == 0
    assert b''.join(store.read(conftest.section(bank, 'cp-new'),
                               'image')) == payload


def test_a_write_waits_for_a_running_collection(store, bank):
    assert bank.acquire_lease(layout.GC_LEASE, 'collector', 30)
    writer, result = _in_thread(store.write,
                                conftest.stream(conftest.data(CHUNK)),
                                conftest.section(bank), 'image')
    time.sleep(0.5)
    assert writer.is_alive()
    assert conftest.chunk_keys(bank) == []
    assert bank.list_objects('chunks/refs/') == []
    bank.release_lease(layout.GC_LEASE, 'collector')
    writer.join(10)
    assert result['value'].stats.new_chunks == 1


def test_a_write_gives_up_after_waiting_too_long(bank):
    store = store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(writer_wait_seconds=1))
    assert bank.acquire_lease(layout.GC_LEASE, 'collector', 30)
    from smaug.protection.chunks import errors
    with pytest.raises(errors.ChunkStoreBusy, match='collector'):
        store.write(conftest.stream(b'data'), conftest.section(bank),
                    'image')
    assert bank.list_objects('chunks/') == []


def test_a_dead_writer_does_not_block_collections(store, bank):
    bank.put_json(layout.writer_key('dead'), {'owner': 'gone'})
    store.write(conftest.stream(b'x'), conftest.section(bank), 'image')
    report = store.collect_garbage()
    assert not report.skipped and report.stale_writers_removed == 1
    assert bank.list_objects(layout.WRITERS) == []


def test_a_write_that_loses_its_lease_writes_no_manifest(store, bank,
                                                         monkeypatch):
    monkeypatch.setattr(bank, 'renew_lease', lambda *args: False)
    gated = GatedStream(conftest.data(3 * CHUNK), before=CHUNK)
    writer, result = _in_thread(store.write, gated, conftest.section(bank),
                                'image')
    assert gated.waiting.wait(10)
    time.sleep(store.options.lease_seconds / 3.0 + 0.5)  # one renewal
    gated.gate.set()
    writer.join(10)
    from smaug.protection.chunks import errors
    assert isinstance(result['error'], errors.ChunkLeaseLost)
    with pytest.raises(base.BankObjectNotFound):
        store.manifest(conftest.section(bank), 'image')


def test_concurrent_writes_deletes_and_collections_lose_nothing(store, bank):
    """Writers reuse a pool of chunks that deletions keep orphaning, while
    collections run in a loop; every manifest left must read back."""
    pool = [conftest.data(CHUNK, seed=100 + i) for i in range(6)]
    kept = {}
    lock = threading.Lock()
    stop = threading.Event()
    failures = []
    reports = []

    def writer(number):
        rng = random.Random(number)
        try:
            for round_ in range(6):
                payload = b''.join(rng.choice(pool) for _ in range(3)) + (
                    rng.randbytes(100))
                section = conftest.section(bank, 'w%d-%d' % (number, round_))
                store.write(conftest.stream(payload), section, 'image')
                with lock:
                    kept[section.prefix] = (section, payload)
                if round_ % 2 == 0:  # orphan what was just written
                    store.delete(section, 'image')
                    with lock:
                        del kept[section.prefix]
        except Exception as error:
            failures.append(error)

    def collector():
        while not stop.is_set():
            reports.append(store.collect_garbage())

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    collecting = threading.Thread(target=collector)
    collecting.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(60)
    stop.set()
    collecting.join(30)
    assert not failures
    assert any(report.chunks_removed for report in reports)
    final = store.collect_garbage()
    for section, payload in kept.values():
        assert b''.join(store.read(section, 'image')) == payload
    assert final.manifests == len(kept) == 9
