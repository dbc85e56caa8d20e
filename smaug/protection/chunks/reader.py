"""Reading an object back: chunks fetched ahead in parallel, each checked.

Up to ``chunks_in_flight`` chunks are fetched and decoded ahead of the one
the caller is given, by ``threads`` threads, so a reader holds a bounded
number of chunks whatever the object's size. Each chunk is checked against
its address when it is decoded (see :mod:`codec`); with the manifest's own
checksum (the bank's) that fixes every byte of the object, so reading
does not compute the object's digest again. ``digest`` does, for verify.
"""
import collections
import concurrent.futures
import hashlib
import io
import itertools

from smaug.protection.bank import base
from smaug.protection.chunks import chunking
from smaug.protection.chunks import codec as codec_module
from smaug.protection.chunks import digests
from smaug.protection.chunks import errors
from smaug.protection.chunks import layout
from smaug.protection.chunks import manifest as manifest_module

READER_BUFFER = 1024 * 1024


class ChunkReader:
    """Reads the chunks of one manifest, in order.

    :param bank: the Bank the chunks are in.
    :param codec: the ChunkCodec of the manifest's scope.
    :param options: the store's :class:`StoreOptions`.
    :param manifest: the :class:`Manifest` to read.
    """

    def __init__(self, bank, codec, options, manifest):
        self.bank = bank
        self.codec = codec
        self.options = options
        self.manifest = manifest

    def blocks(self):
        """The object's bytes, a chunk at a time.

        :raises ChunkCorruption: for a missing or damaged chunk.
        """
        return self._each_chunk(self._fetch, chunking.zeros)

    def digest(self):
        """Read and check every chunk, keeping none.

        :returns: the object's digest as the manifest's version defines it
            (:data:`manifest.DIGEST_FIELDS`).
        :raises ChunkCorruption: for a missing or damaged chunk.
        """
        if self.manifest.version == manifest_module.WHOLE_SHA256_VERSION:
            whole = hashlib.sha256()
            for block in self.blocks():
                whole.update(block)
            return whole.hexdigest()
        return digests.of_chunks(self._each_chunk(
            self._fetch_sha256,
            lambda size: (digests.zero_chunk_sha256(size), size)))

    def _each_chunk(self, fetch, zero):
        """``fetch(index, address, size)`` of each stored chunk, in order,
        ``chunks_in_flight`` of them ahead in the pool; ``zero(size)`` for
        a chunk of zeros."""
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.options.threads, thread_name_prefix='chunk-get')

        def start(entry):
            index, (address, size) = entry
            if address is None:
                return zero(size)
            return pool.submit(fetch, index, address, size)

        try:
            yield from read_ahead(enumerate(self.manifest.chunks), start,
                                  self.options.chunks_in_flight)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _fetch(self, index, address, size):
        return self.decode(index, address, size,
                           self.fetch_stored(index, address))

    def _fetch_sha256(self, index, address, size):
        """:returns: (the chunk's SHA-256, its size), hashed in the pool
        when the address is not the SHA-256 already."""
        return self.codec.content_sha256(
            self._fetch(index, address, size), address), size

    def fetch_stored(self, index, address):
        """Chunk ``index`` as the bank stores it, not yet checked.

        :raises ChunkCorruption: when it is missing, or the bank says it
            is damaged.
        """
        try:
            stored, _ = self.bank.plugin.get_object_with_metadata(
                layout.chunk_key(address))
        except base.BankObjectNotFound:
            raise self._corrupt(index, address, 'it is missing from the bank')
        except base.BankCorruption as error:
            raise self._corrupt(index, address,
                                error.kwargs.get('reason', str(error)))
        return stored

    def decode(self, index, address, size, stored):
        """Chunk ``index`` decoded from ``stored``, and checked.

        :raises ChunkCorruption: saying what does not match.
        """
        try:
            return self.codec.decode(stored, address, size)
        except codec_module.CodecError as error:
            raise self._corrupt(index, address, str(error))

    def _corrupt(self, index, address, reason):
        return errors.ChunkCorruption(manifest=self.manifest.key,
                                      index=index, chunk=address,
                                      reason=reason)


def read_ahead(items, start, ahead):
    """``start(item)`` for each item, in order, with at most ``ahead``
    items started before the one given: however many items there are,
    only that many results wait in memory.

    :param start: returns a Future (its result is given) or a value
        (given as it is).
    """
    items = iter(items)
    started = collections.deque(start(item)
                                for item in itertools.islice(items, ahead))
    while started:
        first = started.popleft()
        for item in itertools.islice(items, 1):
            started.append(start(item))
        if isinstance(first, concurrent.futures.Future):
            first = first.result()
        yield first


class _BlockStream(io.RawIOBase):
    """A raw file over a generator of blocks."""

    def __init__(self, blocks):
        super().__init__()
        self._blocks = blocks
        self._current = memoryview(b'')

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self._current:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._current = memoryview(block)
        count = min(len(buffer), len(self._current))
        buffer[:count] = self._current[:count]
        self._current = self._current[count:]
        return count

    def close(self):
        self._blocks.close()
        super().close()


def open_reader(blocks):
    """A binary file object (``read(n)``, ``close``) over ``blocks``."""
    return io.BufferedReader(_BlockStream(blocks), READER_BUFFER)
