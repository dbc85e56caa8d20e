"""Copying the chunks of a stored object into another bank or scope.

A copied checkpoint must restore from its own bank once its source is
deleted and the source's bank collected, so the destination needs every
chunk the source's manifest references, stored as the destination's
codec stores them. Each chunk is handled by one of ``threads`` threads,
at most ``chunks_in_flight`` being handed out at once, so a copy holds
about ``threads`` chunks (and their stored forms) whatever the object's
size:

* when both codecs store chunks alike (both unencrypted, or the same data
  key, whichever configured key wraps it in each bank), a chunk keeps its
  address: a HEAD in the destination, and only for a missing chunk a GET,
  a check that it decodes (a damaged chunk is not spread to the copy) and
  a PUT of the same stored bytes. In the same bank nothing is fetched at
  all: the source's manifest already keeps its chunks there, and the
  copy's manifest will too. A destination bank without a data key for the
  project yet is given the source's (see
  :func:`~smaug.protection.chunks.keys.data_key_for_writing`), so copies
  of encrypted checkpoints between two banks take this way too;
* otherwise (encryption turned on or off, another project's data key, a
  destination that had its own data key for the project before the first
  copy) a chunk is fetched and decoded, then named, looked up and, when
  missing, encoded and uploaded by the destination's writer, as a write
  does. An unchanged copy made again uploads nothing, but must read every
  chunk to learn its name in the destination.

Zero chunks stay markers. Addresses change with the codec; the bytes do
not, so the copy keeps the source's size, chunking, digest and manifest
version.
"""
import concurrent.futures

from smaug.protection.chunks import manifest as manifest_module
from smaug.protection.chunks import reader as reader_module


class ChunkCopier:
    """Copies the chunks of one manifest.

    :param chunk_reader: a ChunkReader of the source manifest (its bank
        and codec).
    :param chunk_writer: the destination's ChunkWriter (its bank, codec
        and writer lease).
    :param options: the destination store's :class:`StoreOptions`.
    """

    def __init__(self, chunk_reader, chunk_writer, options):
        self.reader = chunk_reader
        self.writer = chunk_writer
        self.options = options
        self.same_form = (chunk_reader.codec.data_key ==
                          chunk_writer.codec.data_key)

    def copy(self, progress=None):
        """Store in the destination every chunk it lacks.

        :param progress: called as ``progress(done_bytes, size)``.
        :returns: (the destination's chunk entries, WriteStats).
        :raises ChunkCorruption: naming the source manifest and chunk,
            when a chunk is missing or damaged.
        :raises ChunkLeaseLost: when the writer lease was lost.
        """
        manifest = self.reader.manifest
        if self.same_form and self.reader.bank is self.writer.bank:
            return manifest.chunks, _stats(manifest)
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.options.threads, thread_name_prefix='chunk-copy')

        def start(entry):
            index, (address, size) = entry
            self.writer.lease.check()
            if address is None:
                return None, size, None
            return pool.submit(self._copy, index, address, size)

        entries, new_chunks, bytes_written, done = [], 0, 0, 0
        try:
            for address, size, written in reader_module.read_ahead(
                    enumerate(manifest.chunks), start,
                    self.options.chunks_in_flight):
                entries.append((address, size))
                if written is not None:
                    new_chunks += 1
                    bytes_written += written
                done += size
                if progress:
                    progress(done, manifest.size)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return tuple(entries), _stats(manifest, new_chunks, bytes_written)

    def _copy(self, index, address, size):
        """:returns: (address in the destination, size, bytes written or
        None)."""
        if self.same_form:
            return address, size, self.writer.put_stored(
                address, lambda: self._checked_stored(index, address, size))
        block = self.reader.decode(index, address, size,
                                   self.reader.fetch_stored(index, address))
        new_address, written = self.writer.put_chunk(block)
        return new_address, size, written

    def _checked_stored(self, index, address, size):
        stored = self.reader.fetch_stored(index, address)
        self.reader.decode(index, address, size, stored)
        return stored


def _stats(manifest, new_chunks=0, bytes_written=0):
    stored = sum(1 for address, _ in manifest.chunks if address)
    return manifest_module.WriteStats(
        chunks=len(manifest.chunks), zero_chunks=len(manifest.chunks) - stored,
        new_chunks=new_chunks, reused_chunks=stored - new_chunks,
        bytes_written=bytes_written)
