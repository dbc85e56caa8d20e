"""A synthetic disk image, and copies of it with 1% of its bytes changed.

The image is a sequence of extents of 256 KiB to 16 MiB (64 KiB-aligned,
as a file system allocates them), each of one kind, as a used raw disk
image has them:

* 25% zeros (never written blocks);
* 35% low-entropy bytes (16 symbols: compresses about 2:1, like text,
  logs and binaries);
* 40% random bytes (already compressed or encrypted files).

Every extent is unique (seeded from its position), so the image holds no
duplicate data beyond its zeros. Generation is deterministic.
"""
import random

MIB = 1024 * 1024
EXTENT_UNIT = 64 * 1024
_LOW_ENTROPY = bytes(b'etaoinshrd lu\n.,'[i % 16] for i in range(256))


def _extent(rng, length):
    kind = rng.random()
    if kind < 0.25:
        return bytes(length)
    data = rng.randbytes(length)
    if kind < 0.60:
        return data.translate(_LOW_ENTROPY)
    return data


def write_image(path, size, seed=1):
    """Write a ``size``-byte image at ``path``."""
    rng = random.Random(seed)
    written = 0
    with open(path, 'wb') as f:
        while written < size:
            length = min(rng.randint(4, 256) * EXTENT_UNIT, size - written)
            f.write(_extent(rng, length))
            written += length


def _change_points(size, fraction, regions, seed):
    rng = random.Random(seed)
    length = max(1, int(size * fraction / regions))
    offsets = sorted(rng.randrange(0, size - length) for _ in range(regions))
    return [(offset, rng.randbytes(length)) for offset in offsets]


def write_changed(source, target, size, fraction=0.01, regions=16,
                  mode='overwrite', seed=2):
    """Copy ``source`` to ``target`` with ``fraction`` of its bytes
    changed in ``regions`` places, overwritten in place or inserted
    (the copy is then longer).

    :returns: the changed copy's size.
    """
    changes = _change_points(size, fraction, regions, seed)
    position = 0
    with open(source, 'rb') as src, open(target, 'wb') as dst:
        for offset, data in changes + [(size, b'')]:
            _copy(src, dst, offset - position)
            position = offset
            dst.write(data)
            if mode == 'overwrite' and data:
                src.seek(len(data), 1)
                position += len(data)
        return dst.tell()


def _copy(src, dst, count):
    while count > 0:
        block = src.read(min(count, 16 * MIB))
        if not block:
            return
        dst.write(block)
        count -= len(block)
