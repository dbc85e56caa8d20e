"""Cutting a stream into fixed-size chunks.

Chunk ``i`` of an object always covers bytes ``[i * size, (i + 1) * size)``:
an overwrite changes only the chunks it touches, and a reader knows where
any byte lives without reading the chunks before it. See
``doc/source/contributor/chunk-store.rst`` for why fixed-size chunks were
chosen over content-defined ones.
"""
import functools

DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024


def read_full(stream, size):
    """Up to ``size`` bytes of ``stream``, short only at its end.

    HTTP bodies and pipes return less than asked for before their end, so
    one ``read`` is not enough.
    """
    parts = []
    missing = size
    while missing > 0:
        part = stream.read(missing)
        if not part:
            break
        parts.append(part)
        missing -= len(part)
    if len(parts) == 1 and isinstance(parts[0], bytes):
        return parts[0]
    return b''.join(parts)


def fixed_chunks(stream, chunk_size=DEFAULT_CHUNK_SIZE):
    """The chunks of ``stream``: bytes of ``chunk_size``, the last one
    shorter (never empty)."""
    while True:
        block = read_full(stream, chunk_size)
        if not block:
            return
        yield block
        if len(block) < chunk_size:
            return


@functools.lru_cache(maxsize=4)
def zeros(length):
    """``length`` zero bytes, shared (bytes do not change)."""
    return bytes(length)


def is_zero(block):
    """Whether every byte of ``block`` is zero (a memcmp, not a loop)."""
    return block == zeros(len(block))
