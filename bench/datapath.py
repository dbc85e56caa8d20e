"""The chunk store's data path against a raw copy and restic, one run.

Run from the repository root (restic from Debian: ``apt-get install -y
restic``; without it that part is reported as missing)::

    .venv/bin/python bench/datapath.py [--size-mib 1024] [--dir /tmp]
                                       [--repeat 2] [--json FILE]

In a temporary directory under ``--dir`` (on the disk to measure) it
writes a synthetic disk image (``synthetic_image.py``: zeros,
compressible and random extents) and a copy with 1% of its bytes
overwritten in 16 places, then measures, with the image in the page cache
for every contender:

1. raw copy: the image copied to a file in 4 MiB blocks, fsync'd (the
   baseline);
2. chunk store write (protect) of the image into a file-system bank with
   fsync on, plain and encrypted, with the default ``[chunk_store]``
   options;
3. chunk store read (restore): the object read back and written to a
   file, fsync'd (then, untimed, verified against the image's SHA-256);
4. re-protect of the unchanged image and of the 1%-changed copy: bytes
   written to the bank (chunks and manifest) and time, against the first
   write;
5. restic (``restic backup`` of the same file into a new repository in
   the same directory, default compression).

Dirty pages are written back before each measurement, so none pays for
the previous one's writes. Times are the best of ``--repeat`` runs,
contenders interleaved. Every
file is removed at the end, however the run ends.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from oslo_config import cfg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_image  # noqa: E402

from smaug.conf import protection as protection_conf  # noqa: E402
from smaug.protection.bank import bank as bank_module  # noqa: E402
from smaug.protection.bank import filesystem  # noqa: E402
from smaug.protection.chunks import digests  # noqa: E402
from smaug.protection.chunks import store as store_module  # noqa: E402

MIB = 1024 * 1024
BLOCK = 4 * MIB
KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY='
TARGETS = {'write': 0.8, 'read': 0.8, 'unchanged_bytes': 0.01,
           'restic': 2.0}


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def raw_copy(source, target):
    with open(source, 'rb') as src, open(target, 'wb') as dst:
        while True:
            block = src.read(BLOCK)
            if not block:
                break
            dst.write(block)
        dst.flush()
        os.fsync(dst.fileno())
    os.unlink(target)


def warm(path):
    """Put ``path`` in the page cache, and write back every dirty page
    first, so that no contender pays for the previous one's writes."""
    with open(path, 'rb') as f:
        while f.read(16 * MIB):
            pass
    os.sync()


def make_bank(path):
    conf = cfg.ConfigOpts()
    conf(args=[], default_config_files=[])
    filesystem.FileSystemBankPlugin.register_opts(conf)
    conf.set_override('bank_path', path, group='file_system_bank')
    return bank_module.Bank(filesystem.FileSystemBankPlugin(conf))


def make_store(bank, encrypted):
    conf = cfg.ConfigOpts()
    conf(args=[], default_config_files=[])
    conf.register_opts(protection_conf.chunk_store_opts, group='chunk_store')
    if encrypted:
        conf.set_override('encryption_key', KEY, group='chunk_store')
    return store_module.ChunkStore.for_bank(bank, conf, project_id='bench')


def disk_usage(path):
    total = 0
    for directory, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(directory, name))
    return total


def protect(store, bank, path, checkpoint):
    section = bank.section('checkpoints/%s/resources/image' % checkpoint)
    with open(path, 'rb') as f:
        return store.write(f, section, 'data')


def restore(store, bank, checkpoint, target):
    section = bank.section('checkpoints/%s/resources/image' % checkpoint)
    with open(target, 'wb') as out:
        for block in store.read(section, 'data'):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    os.unlink(target)


def verified_digest(store, bank, checkpoint):
    section = bank.section('checkpoints/%s/resources/image' % checkpoint)
    return store.verify(section, 'data').digest


def restic_backup(workdir, image, run):
    if shutil.which('restic') is None:
        return None
    repo = os.path.join(workdir, 'restic-%d' % run)
    env = dict(os.environ, RESTIC_PASSWORD='bench', RESTIC_CACHE_DIR=repo +
               '-cache')
    subprocess.run(['restic', 'init', '--repo', repo], env=env, check=True,
                   capture_output=True)
    started = time.perf_counter()
    subprocess.run(['restic', 'backup', '--repo', repo, image], env=env,
                   check=True, capture_output=True)
    seconds = time.perf_counter() - started
    size = disk_usage(repo)
    shutil.rmtree(repo, ignore_errors=True)
    shutil.rmtree(repo + '-cache', ignore_errors=True)
    return seconds, size


def restic_version():
    if shutil.which('restic') is None:
        return None
    return subprocess.run(['restic', 'version'], capture_output=True,
                          text=True).stdout.strip()


def measure(workdir, size, repeat):
    image = os.path.join(workdir, 'image')
    changed = os.path.join(workdir, 'image-changed')
    synthetic_image.write_image(image, size)
    synthetic_image.write_changed(image, changed, size)
    with open(image, 'rb') as f:
        expected = digests.of_stream(f)
    best = {}

    def keep(name, seconds):
        best[name] = min(seconds, best.get(name, seconds))

    results = {'size': size}
    for run in range(repeat):
        warm(image)
        keep('raw', timed(raw_copy, image,
                          os.path.join(workdir, 'copy'))[0])
        for encrypted in (False, True):
            label = 'encrypted' if encrypted else 'plain'
            bank_dir = os.path.join(workdir, 'bank-%s-%d' % (label, run))
            bank = make_bank(bank_dir)
            store = make_store(bank, encrypted)
            warm(image)
            seconds, first = timed(protect, store, bank, image, 'c1')
            keep('write_' + label, seconds)
            warm(image)
            seconds, _ = timed(restore, store, bank, 'c1',
                               os.path.join(workdir, 'restored'))
            keep('read_' + label, seconds)
            # Untimed: what a read returns is checked against the image.
            assert verified_digest(store, bank, 'c1') == expected
            stored = disk_usage(bank_dir)
            warm(image)
            seconds, again = timed(protect, store, bank, image, 'c2')
            keep('unchanged_' + label, seconds)
            warm(changed)
            seconds, delta = timed(protect, store, bank, changed, 'c3')
            keep('changed_' + label, seconds)
            results[label] = {
                'stored_bytes': stored,
                'first_bytes_written': first.stats.bytes_written,
                'unchanged_bytes_written': again.stats.bytes_written,
                'unchanged_new_chunks': again.stats.new_chunks,
                'changed_bytes_written': delta.stats.bytes_written,
                'manifest_bytes': os.path.getsize(os.path.join(
                    bank_dir, 'objects', first.key + ',object')),
            }
            shutil.rmtree(bank_dir, ignore_errors=True)
        warm(image)
        restic = restic_backup(workdir, image, run)
        if restic is not None:
            keep('restic', restic[0])
            results['restic_bytes'] = restic[1]
    results['seconds'] = best
    results['restic_version'] = restic_version()
    return results


def report(results):
    size = results['size']
    best = results['seconds']
    mbps = {name: size / 1e6 / seconds for name, seconds in best.items()}
    lines = ['image: %d MiB; best of the runs; MB/s = image bytes / time'
             % (size // MIB), '',
             '%-34s %8s %8s %12s' % ('', 'seconds', 'MB/s', 'vs raw copy')]
    rows = [('raw copy (baseline)', 'raw')]
    for label in ('plain', 'encrypted'):
        rows += [('chunk store write, %s' % label, 'write_' + label),
                 ('chunk store read, %s' % label, 'read_' + label),
                 ('re-protect unchanged, %s' % label, 'unchanged_' + label),
                 ('re-protect 1%% changed, %s' % label, 'changed_' + label)]
    if 'restic' in best:
        rows.append(('restic backup', 'restic'))
    for title, name in rows:
        lines.append('%-34s %8.2f %8.0f %11.2fx' % (
            title, best[name], mbps[name], best['raw'] / best[name]))
    lines.append('')
    for label in ('plain', 'encrypted'):
        data = results[label]
        manifest = data['manifest_bytes']
        lines.append(
            '%s: bank holds %.1f%% of the image; unchanged re-protect '
            'wrote %.4f%% (%d new chunks, manifest %d bytes); 1%%-changed '
            'wrote %.1f%%; time ratios to the first write: unchanged %.2f, '
            'changed %.2f' % (
                label, 100.0 * data['stored_bytes'] / size,
                100.0 * (data['unchanged_bytes_written'] + manifest) / size,
                data['unchanged_new_chunks'], manifest,
                100.0 * (data['changed_bytes_written'] + manifest) / size,
                best['unchanged_' + label] / best['write_' + label],
                best['changed_' + label] / best['write_' + label]))
    if 'restic' in best:
        lines.append('restic (%s): repository %.1f%% of the image; chunk '
                     'store write / restic throughput: plain %.2fx, '
                     'encrypted %.2fx' % (
                         results['restic_version'],
                         100.0 * results['restic_bytes'] / size,
                         best['restic'] / best['write_plain'],
                         best['restic'] / best['write_encrypted']))
    else:
        lines.append('restic: not installed (apt-get install -y restic)')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size-mib', type=int, default=1024)
    parser.add_argument('--dir', default=None,
                        help='where the temporary directory goes')
    parser.add_argument('--repeat', type=int, default=2)
    parser.add_argument('--json', help='also write the results here')
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix='smaug-datapath-', dir=args.dir)
    try:
        results = measure(workdir, args.size_mib * MIB, args.repeat)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(report(results))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
