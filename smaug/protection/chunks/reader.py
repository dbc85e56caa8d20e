"""Reading an object back: chunks fetched ahead in parallel, each checked.

Up to ``chunks_in_flight`` chunks are fetched and decoded ahead of the one
the caller is given, by ``threads`` threads, so a reader holds a bounded
number of chunks whatever the object's size. Each chunk is checked against
its address when it is decoded (see :mod:`codec`); with the manifest's own
checksum (the bank's) that fixes every byte of the object, so reading
does not hash the whole object again. ``verify`` does.
"""
import collections
import concurrent.futures
import io

from smaug.protection.bank import base
from smaug.protection.chunks import chunking
from smaug.protection.chunks import codec as codec_module
from smaug.protection.chunks import errors
from smaug.protection.chunks import layout

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
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.options.threads, thread_name_prefix='chunk-get')
        ahead = collections.deque()
        entries = enumerate(self.manifest.chunks)

        def fetch_next():
            for index, (address, size) in entries:
                ahead.append(size if address is None else pool.submit(
                    self._fetch, index, address, size))
                return

        try:
            for _ in range(self.options.chunks_in_flight):
                fetch_next()
            while ahead:
                item = ahead.popleft()
                block = (chunking.zeros(item) if isinstance(item, int)
                         else item.result())
                fetch_next()
                yield block
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _fetch(self, index, address, size):
        def corrupt(reason):
            return errors.ChunkCorruption(
                manifest=self.manifest.key, index=index, chunk=address,
                reason=reason)

        try:
            stored, _ = self.bank.plugin.get_object_with_metadata(
                layout.chunk_key(address))
        except base.BankObjectNotFound:
            raise corrupt('it is missing from the bank')
        except base.BankCorruption as error:
            raise corrupt(error.kwargs.get('reason', str(error)))
        try:
            return self.codec.decode(stored, address, size)
        except codec_module.CodecError as error:
            raise corrupt(str(error))


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
