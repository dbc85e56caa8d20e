"""Fixed-size or content-defined chunks? What 1% of changes cost each.

Run from the repository root (needs ``pip install fastcdc``, which this
measurement alone uses)::

    .venv/bin/python bench/chunking.py [--size-mib 1024] [--dir /tmp]

It writes a synthetic image (``synthetic_image.py``) and two copies with
1% of the bytes changed in 16 places, overwritten in place or inserted,
then cuts each into fixed 4 MiB chunks and into FastCDC chunks (average 4
MiB, and 1 MiB), and prints for each change the bytes of chunks the
original does not have (what a re-protect stores), and the speed of the
chunking alone. Zero chunks count as free (the store never writes them).
Temporary files are removed at the end.
"""
import argparse
import hashlib
import mmap
import os
import shutil
import sys
import tempfile
import time

import fastcdc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_image  # noqa: E402

MIB = 1024 * 1024


def fixed(view, size):
    for start in range(0, len(view), size):
        yield start, min(size, len(view) - start)


def content_defined(average):
    def cut(view, _):
        for chunk in fastcdc.fastcdc(view, min_size=average // 4,
                                     avg_size=average,
                                     max_size=average * 4, fat=False):
            yield chunk.offset, chunk.length
    return cut


def chunk_set(path, cutter, size):
    """{digest: length} of the file's non-zero chunks, and the seconds
    cutting alone took."""
    chunks = {}
    cutting = 0.0
    with open(path, 'rb') as f, mmap.mmap(f.fileno(), 0,
                                           access=mmap.ACCESS_READ) as view:
        started = time.perf_counter()
        boundaries = list(cutter(view, size))
        cutting = time.perf_counter() - started
        for offset, length in boundaries:
            block = view[offset:offset + length]
            if block.count(0) != length:
                chunks[hashlib.sha256(block).digest()] = length
    return chunks, cutting


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size-mib', type=int, default=1024)
    parser.add_argument('--dir', default=None)
    args = parser.parse_args()
    size = args.size_mib * MIB
    workdir = tempfile.mkdtemp(prefix='smaug-chunking-', dir=args.dir)
    try:
        original = os.path.join(workdir, 'image')
        synthetic_image.write_image(original, size)
        changed = {}
        for mode in ('overwrite', 'insert'):
            changed[mode] = os.path.join(workdir, mode)
            synthetic_image.write_changed(original, changed[mode], size,
                                          mode=mode)
        schemes = [('fixed 4 MiB', fixed, 4 * MIB),
                   ('FastCDC avg 4 MiB', content_defined(4 * MIB), None),
                   ('FastCDC avg 1 MiB', content_defined(MIB), None)]
        print('%-18s %12s %16s %16s' % ('chunking', 'cut MB/s',
                                         '1% overwritten', '1% inserted'))
        for name, cutter, chunk_size in schemes:
            base, seconds = chunk_set(original, cutter, chunk_size)
            cells = []
            for mode in ('overwrite', 'insert'):
                chunks, _ = chunk_set(changed[mode], cutter, chunk_size)
                new = sum(length for digest, length in chunks.items()
                          if digest not in base)
                cells.append('%6.1f MiB %4.1f%%' % (new / MIB,
                                                    100.0 * new / size))
            speed = ('%12.0f' % (size / 1e6 / seconds) if seconds > 0.001
                     else '%12s' % 'n/a')
            print('%-18s %s %16s %16s' % (name, speed, *cells))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()
