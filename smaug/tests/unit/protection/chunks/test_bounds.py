"""A read or a write holds a bounded number of chunks, whatever the size."""
import io
import random
import threading
import time
import tracemalloc

from smaug.protection.chunks import layout
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.protection.chunks import conftest

CHUNK = conftest.CHUNK
IN_FLIGHT = 4


class CountingStream(io.RawIOBase):
    """``size`` random bytes made as they are read; counts what was read."""

    def __init__(self, size, seed=0):
        self.left = size
        self.read_bytes = 0
        self._rng = random.Random(seed)

    def read(self, size=-1):
        size = min(size, self.left)
        self.left -= size
        self.read_bytes += size
        return self._rng.randbytes(size)


def test_a_stalled_bank_stops_the_stream_after_the_chunks_in_flight(
        store, bank, monkeypatch):
    gate = threading.Event()
    put = bank.plugin.put_object

    def stalled_put(key, data, metadata=None):
        if key.startswith(layout.DATA):
            assert gate.wait(20)
        put(key, data, metadata)

    monkeypatch.setattr(bank.plugin, 'put_object', stalled_put)
    stream = CountingStream(40 * CHUNK)
    writer = threading.Thread(target=store.write, args=(
        stream, conftest.section(bank), 'image'))
    writer.start()
    # IN_FLIGHT chunks handed out, one more read and waiting for a slot,
    # and no further.
    deadline = time.monotonic() + 10
    while (stream.read_bytes < (IN_FLIGHT + 1) * CHUNK and
           time.monotonic() < deadline):
        time.sleep(0.01)
    time.sleep(0.3)
    assert stream.read_bytes == (IN_FLIGHT + 1) * CHUNK
    gate.set()
    writer.join(20)
    assert stream.read_bytes == 40 * CHUNK
    assert store.manifest(conftest.section(bank), 'image').size == (
        40 * CHUNK)


def test_a_reader_fetches_a_bounded_number_of_chunks_ahead(
        store, bank, monkeypatch):
    store.write(CountingStream(40 * CHUNK), conftest.section(bank), 'image')
    fetched = []
    get = bank.plugin.get_object_with_metadata

    def counting_get(key):
        if key.startswith(layout.DATA):
            fetched.append(key)
        return get(key)

    monkeypatch.setattr(bank.plugin, 'get_object_with_metadata',
                        counting_get)
    blocks = store.read(conftest.section(bank), 'image')
    next(blocks)
    deadline = time.monotonic() + 10
    while len(fetched) < 1 + IN_FLIGHT and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    assert len(fetched) == 1 + IN_FLIGHT
    assert sum(len(block) for block in blocks) == 39 * CHUNK
    assert len(fetched) == 40


def _peak_memory_of(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_object(bank):
    # Incompressible data: each chunk in flight holds its raw and its
    # stored form.
    store = store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(encryption_key=conftest.KEY), 'p1')

    def round_trip(chunks, name):
        def run():
            store.write(CountingStream(chunks * CHUNK, seed=chunks),
                        conftest.section(bank), name)
            for _ in store.read(conftest.section(bank), name):
                pass
        return run

    small = _peak_memory_of(round_trip(8, 'small'))
    large = _peak_memory_of(round_trip(128, 'large'))
    assert large < small * 1.5
    assert large < 3 * (IN_FLIGHT + 2) * CHUNK
