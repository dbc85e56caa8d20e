"""Writing an object into the chunk store: parallel, bounded, deduplicated.

The calling thread reads the stream one chunk at a time, feeds the whole
object's SHA-256, drops chunks of zeros, and hands the others to a pool of
threads that name, look up, compress, seal and upload them. At most
``chunks_in_flight`` chunks are handed out at once; the reader waits for
one to finish before it reads on, so a write holds about
``chunks_in_flight + 1`` chunks (plus their encoded forms) in memory,
whatever the object's size. Hashing, zstd and AES-GCM release the GIL, so
the pool uses every core.

A chunk already in the bank (a HEAD answers) is not uploaded again: an
unchanged object costs one HEAD per chunk and a manifest.
"""
import concurrent.futures
import hashlib
import threading
import time

from smaug import exception
from smaug.protection.bank import base
from smaug.protection.chunks import chunking
from smaug.protection.chunks import layout
from smaug.protection.chunks import manifest as manifest_module

WRITTEN_AT = 'chunk-written-at'


class ChunkWriter:
    """Stores the chunks of one object.

    :param bank: the Bank the chunks go to.
    :param codec: the ChunkCodec of the object's scope.
    :param options: the store's :class:`StoreOptions`.
    :param lease: the WriterLease held while writing.
    """

    def __init__(self, bank, codec, options, lease):
        self.bank = bank
        self.codec = codec
        self.options = options
        self.lease = lease
        self._claimed = set()
        self._lock = threading.Lock()

    def store(self, stream, progress=None, expected_size=None):
        """Store the chunks of ``stream``.

        :returns: (chunk entries, size, SHA-256 hex, WriteStats).
        :raises smaug.exception.InvalidInput: when ``expected_size`` is
            given and the stream had another length.
        """
        whole = hashlib.sha256()
        entries = []
        counts = {'zero': 0, 'new': 0, 'reused': 0, 'bytes': 0}
        done = 0
        in_flight = set()
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.options.threads, thread_name_prefix='chunk-put')
        try:
            for block in chunking.fixed_chunks(stream,
                                               self.options.chunk_size):
                self.lease.check()
                whole.update(block)
                if chunking.is_zero(block):
                    entries.append((None, len(block)))
                    counts['zero'] += 1
                    done += len(block)
                    continue
                while len(in_flight) >= self.options.chunks_in_flight:
                    done += self._collect(in_flight, entries, counts)
                    if progress:
                        progress(done, expected_size)
                entries.append(None)
                in_flight.add(pool.submit(self._put, len(entries) - 1,
                                          block))
            while in_flight:
                done += self._collect(in_flight, entries, counts)
            if progress:
                progress(done, expected_size)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if expected_size is not None and done != expected_size:
            raise _wrong_size(done, expected_size)
        stats = manifest_module.WriteStats(
            chunks=len(entries), zero_chunks=counts['zero'],
            new_chunks=counts['new'], reused_chunks=counts['reused'],
            bytes_written=counts['bytes'])
        return tuple(entries), done, whole.hexdigest(), stats

    @staticmethod
    def _collect(in_flight, entries, counts):
        """Wait for one or more uploads; :returns: their bytes."""
        finished, _ = concurrent.futures.wait(
            in_flight, return_when=concurrent.futures.FIRST_COMPLETED)
        done = 0
        for future in finished:
            in_flight.discard(future)
            index, address, size, written = future.result()
            entries[index] = (address, size)
            done += size
            if written is None:
                counts['reused'] += 1
            else:
                counts['new'] += 1
                counts['bytes'] += written
        return done

    def _put(self, index, block):
        """:returns: (index, address, size, bytes written or None)."""
        address = self.codec.address(block)
        with self._lock:
            # Twice the same chunk in one object: one upload is enough.
            if address in self._claimed:
                return index, address, len(block), None
            self._claimed.add(address)
        key = layout.chunk_key(address)
        if self._exists(key):
            return index, address, len(block), None
        stored = self.codec.encode(block, address)
        # Chunks bypass the Bank's own SHA-256 of the stored bytes: the
        # address already checks every chunk end to end when it is read,
        # and a third hash pass would cost a third of the throughput.
        self.bank.plugin.put_object(key, stored,
                                    {WRITTEN_AT: str(int(time.time()))})
        return index, address, len(block), len(stored)

    def _exists(self, key):
        try:
            self.bank.plugin.head_object(key)
        except base.BankObjectNotFound:
            return False
        return True


def _wrong_size(actual, expected):
    return exception.InvalidInput(
        reason='the stream held %d bytes where %d were expected'
               % (actual, expected))
