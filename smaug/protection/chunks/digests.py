"""The digest a manifest records for its object: the SHA-256 of its chunk
list.

A manifest of version 2 records, under ``chunks_sha256``, the SHA-256 of
the concatenated records of its chunks in order, each the chunk's own
SHA-256 (32 bytes) followed by its size (8 bytes, big-endian); chunks of
zeros count like any other chunk. Cut at the same chunk size, the same
bytes always give the same digest, and any other bytes another one, so
it identifies the object as well as a SHA-256 of its bytes would.

It replaces the SHA-256 of the whole object (version 1) because that cost
a second pass over every byte in the thread reading the stream, which on
a download was the bottleneck. A chunk's SHA-256 is computed in the
writer's pool, where the chunk is handled anyway: it is the chunk's
address when the store is not encrypted, so it costs nothing more.
"""
import functools
import hashlib

from smaug.protection.chunks import chunking

_SIZE_BYTES = 8


def chunk_sha256(block):
    """The SHA-256 (32 bytes) of a chunk's bytes."""
    return hashlib.sha256(block).digest()


@functools.lru_cache(maxsize=4)
def zero_chunk_sha256(size):
    """The SHA-256 of a chunk of ``size`` zeros, which is never read."""
    return chunk_sha256(chunking.zeros(size))


def of_chunks(chunks):
    """The object's digest, from its chunks.

    :param chunks: (SHA-256 of the chunk's bytes, 32 bytes; its size) for
        each chunk, in order, chunks of zeros included.
    :returns: 64 hex digits.
    """
    digest = hashlib.sha256()
    for sha256, size in chunks:
        digest.update(sha256 + size.to_bytes(_SIZE_BYTES, 'big'))
    return digest.hexdigest()


def of_stream(stream, chunk_size=chunking.DEFAULT_CHUNK_SIZE):
    """The digest the chunk store records for the bytes of ``stream``
    when it cuts them into chunks of ``chunk_size``: what a caller holding
    the original bytes compares a manifest's digest with.

    :param stream: a file-like object with ``read(n)``.
    """
    return of_chunks((chunk_sha256(block), len(block))
                     for block in chunking.fixed_chunks(stream, chunk_size))
