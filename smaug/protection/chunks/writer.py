"""Writing an object into the chunk store: parallel, bounded, deduplicated.

The calling thread reads the stream one chunk at a time, drops chunks of
zeros, and hands the others to a pool of threads that name, hash, look
up, compress, seal and upload them. The calling thread hashes nothing:
the object's digest is made from its chunks' SHA-256 (:mod:`digests`),
which the pool computes, so the thread reading a download only receives.
At most ``chunks_in_flight`` chunks are handed out at once; the reader
waits for one to finish before it reads on, so a write holds about
``chunks_in_flight + 1`` chunks (plus their encoded forms) in memory,
whatever the object's size. Hashing, zstd and AES-GCM release the GIL, so
the pool uses every core.

A chunk already in the bank (a HEAD answers) is not uploaded again: an
unchanged object costs one HEAD per chunk and a manifest.
"""
import concurrent.futures
import threading
import time

from smaug import exception
from smaug.protection.bank import base
from smaug.protection.chunks import chunking
from smaug.protection.chunks import digests
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

        :returns: (chunk entries, size, the digest of :mod:`digests`,
            WriteStats).
        :raises smaug.exception.InvalidInput: when ``expected_size`` is
            given and the stream had another length.
        """
        # (address or None, size, the chunk's SHA-256) in order.
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
                if chunking.is_zero(block):
                    entries.append((None, len(block),
                                    digests.zero_chunk_sha256(len(block))))
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
        return (tuple((address, size) for address, size, _ in entries), done,
                digests.of_chunks((sha256, size)
                                  for _, size, sha256 in entries), stats)

    @staticmethod
    def _collect(in_flight, entries, counts):
        """Wait for one or more uploads; :returns: their bytes."""
        finished, _ = concurrent.futures.wait(
            in_flight, return_when=concurrent.futures.FIRST_COMPLETED)
        done = 0
        for future in finished:
            in_flight.discard(future)
            index, address, size, written, sha256 = future.result()
            entries[index] = (address, size, sha256)
            done += size
            if written is None:
                counts['reused'] += 1
            else:
                counts['new'] += 1
                counts['bytes'] += written
        return done

    def _put(self, index, block):
        """:returns: (index, address, size, bytes written or None, the
        chunk's SHA-256)."""
        address, written = self.put_chunk(block)
        return (index, address, len(block), written,
                self.codec.content_sha256(block, address))

    def put_chunk(self, block):
        """Name ``block`` and store it unless it is there already.

        :returns: (address, bytes written or None when it was there).
        """
        address = self.codec.address(block)
        return address, self.put_stored(
            address, lambda: self.codec.encode(block, address))

    def put_stored(self, address, stored_form):
        """Store chunk ``address`` unless this writer stored it already or
        the bank has it.

        :param stored_form: returns the bytes to store; called only when
            they must be uploaded.
        :returns: the bytes written, or None when the chunk was there.
        """
        with self._lock:
            # Twice the same chunk in one object: one upload is enough.
            if address in self._claimed:
                return None
            self._claimed.add(address)
        key = layout.chunk_key(address)
        if self._exists(key):
            return None
        stored = stored_form()
        # Chunks bypass the Bank's own SHA-256 of the stored bytes: the
        # address already checks every chunk end to end when it is read,
        # and a third hash pass would cost a third of the throughput.
        self.bank.plugin.put_object(key, stored,
                                    {WRITTEN_AT: str(int(time.time()))})
        return len(stored)

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
