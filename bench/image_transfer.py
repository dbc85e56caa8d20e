"""Protect and restore of a Glance image vs the raw transfer of its bytes.

Against the Glance of the test cloud (``tools/devcloud``), for an image of
random bytes (incompressible) and a disk-like one (``synthetic_image.py``:
zeros, compressible and random extents), in one run:

1. raw download (the baseline of protect): glanceclient downloads the
   image, checking its digest on the way as ``glance image-download``
   does, into a file on the local disk, flushed to it;
2. protect: the Glance plugin's protect activities stream the image into
   the chunk store of a new file-system bank on the same disk;
3. raw upload (the baseline of restore): glanceclient creates an image
   from the source file (create, upload, until ``active``);
4. restore: the plugin's restore activities create an image from the bank
   and upload it, checked against the saved digests;
5. re-protect of the unchanged image, then protect of a copy in which 1%
   of the bytes changed (16 places), into the same bank: bank bytes
   written and time, against the first protect.

Times are the best of ``--repeat`` rounds (medians are printed too), the
contenders interleaved in every round; each round protects into a new,
empty bank. Besides wall time it reports the CPU seconds of this process
and of Glance's server for each step, which say more than wall time on a
machine that other work shares.

Ratios printed: raw time / Smaug time for protect and restore (higher is
better; target >= 0.8); bytes a re-protect writes / image size (target
< 1% when unchanged); re-protect time / first protect time.

Run from the repository root, with the test cloud up (it is started when
down)::

    .venv/bin/python bench/image_transfer.py [--size-mib 1024]
        [--cases random,disk-like] [--repeat 3] [--dir /tmp] [--json FILE]

Everything it creates (images, files, banks) is removed when it ends, also
on an error or Ctrl-C.
"""
import argparse
import contextlib
import glob
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.dirname(BENCH))
import synthetic_image  # noqa: E402

from smaug.conf import CONF  # noqa: E402
from smaug.conf import clients as clients_conf  # noqa: E402
from smaug.protection import activity  # noqa: E402
from smaug.protection import resource  # noqa: E402
from smaug.protection import resource_types  # noqa: E402
from smaug.protection.bank import bank as bank_module  # noqa: E402
from smaug.protection.bank import checkpoint_layout  # noqa: E402
from smaug.protection.bank import filesystem  # noqa: E402
from smaug.protection.plugins.openstack import glance as plugin  # noqa: E402
from smaug.protection.plugins.openstack import image_data  # noqa: E402
from smaug.tests.fixtures import cloud as cloud_fixture  # noqa: E402
from smaug.tests.unit.protection.bank import testbanks  # noqa: E402

MIB = 1024 * 1024
BLOCK = 4 * MIB
STEPS = ('raw download', 'protect', 'raw upload', 'restore', 'unchanged',
         '1% changed')


def write_random(path, size):
    with open(path, 'wb') as f:
        for _ in range(size // BLOCK):
            f.write(os.urandom(BLOCK))


CASES = {'random': write_random,
         'disk-like': synthetic_image.write_image}


def sha512_of(path):
    digest = hashlib.sha512()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(BLOCK), b''):
            digest.update(block)
    return digest.hexdigest()


# Measuring.

def glance_cpu_seconds():
    """CPU seconds Glance's server processes have used so far."""
    with open(os.path.join(cloud_fixture.STATE_DIR, 'run',
                           'glance.pid')) as f:
        master = f.read().split()[0]
    pids = [master]
    for children in _glob_read('/proc/%s/task/*/children' % master):
        pids.extend(children.split())
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            with open('/proc/%s/stat' % pid) as f:
                fields = f.read().rpartition(')')[2].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf('SC_CLK_TCK')


def _glob_read(pattern):
    for path in glob.glob(pattern):
        with contextlib.suppress(OSError):
            with open(path) as f:
                yield f.read()


class Measure:
    """Wall time and CPU (this process, Glance) of one step."""

    def __enter__(self):
        self._start = (time.monotonic(), time.process_time(),
                       glance_cpu_seconds())
        return self

    def __exit__(self, *exc):
        wall, cpu, glance_cpu = self._start
        self.wall = time.monotonic() - wall
        self.cpu = time.process_time() - cpu
        self.glance_cpu = glance_cpu_seconds() - glance_cpu


def written_since(before, after):
    return sum(size for key, size in after.items()
               if before.get(key) != size)


# The cloud, Smaug's configuration and the banks.

def configure(cloud):
    CONF([], project='smaug', default_config_files=[])
    group = clients_conf.SERVICE_CREDENTIALS
    CONF.register_opts(ks_loading.get_auth_plugin_conf_options('password'),
                       group=group)
    for option, value in cloud.service_credentials().items():
        CONF.set_override(option, value, group=group)
    CONF.set_override('region_name', cloud.region, group='clients')
    CONF.set_override('wait_interval', 0.1, group='clients')
    CONF.set_override('max_wait_interval', 0.5, group='clients')


def file_system_bank(path):
    conf = cfg.ConfigOpts()
    conf(args=[], default_config_files=[])
    filesystem.FileSystemBankPlugin.register_opts(conf)
    conf.set_override('bank_path', path, group=filesystem.GROUP)
    return bank_module.Bank(filesystem.FileSystemBankPlugin(conf))


class Bench:
    """The steps, as the plugin runs them, and what to clean up."""

    def __init__(self, cloud, workdir):
        self.cloud = cloud
        self.glance = cloud.glance('demo')
        self.workdir = workdir
        self.images = []

    def _context(self, operation, image_id, section, parameters=None):
        # A fresh token per operation, as each operation's request has.
        return activity.ActivityContext(
            context=self.cloud.user_context('demo'), operation=operation,
            operation_id=str(uuid.uuid4()),
            resource=resource.Resource(type=resource_types.IMAGE,
                                       id=image_id),
            parameters=parameters or {}, progress=lambda *_: None,
            bank=section)

    def raw_upload(self, path, name):
        image = self.glance.images.create(name=name, disk_format='raw',
                                          container_format='bare')
        self.images.append(image.id)
        with open(path, 'rb') as f:
            self.glance.images.upload(image.id, f,
                                      image_size=os.path.getsize(path))
        image_data.wait_active(self.glance, image.id)
        return image.id

    def raw_download(self, image_id):
        path = os.path.join(self.workdir, 'downloaded')
        with open(path, 'wb') as f:
            for part in self.glance.images.data(image_id):
                f.write(part)
            f.flush()
            os.fsync(f.fileno())
        os.unlink(path)

    def protect(self, bank, image_id):
        """:returns: the image's section of the new checkpoint."""
        section = checkpoint_layout.resource_section(
            bank, str(uuid.uuid4()),
            resource.Resource(type=resource_types.IMAGE, id=image_id))
        ctx = self._context('protect', image_id, section)
        work = plugin.ProtectImage()
        work.run(ctx, work.start(ctx))
        return section

    def restore(self, image_id, section, name):
        """:returns: the new image."""
        ctx = self._context('restore', image_id, section.read_only(),
                            {'name': name})
        work = plugin.RestoreImage()
        begun = work.start(ctx)
        self.images.append(begun['image_id'])
        return self.glance.images.get(work.run(ctx, begun)['image_id'])

    def delete_image(self, image_id):
        image_data.delete_image(self.glance, image_id)

    def cleanup(self):
        for image_id in self.images:
            with contextlib.suppress(Exception):
                self.delete_image(image_id)


def measure_case(bench, case, size, repeat):
    """:returns: {step: [Measure, ...]}, {step: bank bytes written}."""
    name = 'bench-%s-%s' % (case, uuid.uuid4().hex[:8])
    source = os.path.join(bench.workdir, 'source')
    changed = os.path.join(bench.workdir, 'changed')
    CASES[case](source, size)
    synthetic_image.write_changed(source, changed, size)
    digest = sha512_of(source)
    image_id = bench.raw_upload(source, name)
    changed_id = bench.raw_upload(changed, name + '-changed')
    os.unlink(changed)
    times = {step: [] for step in STEPS}
    written = {}
    for round_ in range(repeat):
        bank_path = os.path.join(bench.workdir, 'bank-%d' % round_)
        bank = file_system_bank(bank_path)
        with Measure() as m:
            bench.raw_download(image_id)
        times['raw download'].append(m)
        with Measure() as m:
            section = bench.protect(bank, image_id)
        times['protect'].append(m)
        written['protect'] = written_since(
            {}, testbanks.stored_sizes(bank_path))
        with Measure() as m:
            uploaded = bench.raw_upload(source, name + '-raw')
        times['raw upload'].append(m)
        bench.delete_image(uploaded)
        with Measure() as m:
            restored = bench.restore(image_id, section, name + '-restored')
        times['restore'].append(m)
        if restored.os_hash_value != digest:
            raise SystemExit('The restored %s image differs.' % case)
        bench.delete_image(restored.id)
        for step, protected in (('unchanged', image_id),
                                ('1% changed', changed_id)):
            before = testbanks.stored_sizes(bank_path)
            with Measure() as m:
                bench.protect(bank, protected)
            times[step].append(m)
            written[step] = written_since(
                before, testbanks.stored_sizes(bank_path))
        shutil.rmtree(bank_path)
    os.unlink(source)
    return times, written


def summary(case, size, times, written):
    best = {step: min(times[step], key=lambda m: m.wall) for step in STEPS}
    median = {step: statistics.median(m.wall for m in times[step])
              for step in STEPS}
    result = {
        'case': case, 'size': size, 'rounds': len(times['protect']),
        'steps': {step: {
            'best_s': best[step].wall, 'median_s': median[step],
            'cpu_s': best[step].cpu, 'glance_cpu_s': best[step].glance_cpu,
            'bank_bytes': written.get(step)} for step in STEPS},
        'protect_ratio': best['raw download'].wall / best['protect'].wall,
        'restore_ratio': best['raw upload'].wall / best['restore'].wall,
        'protect_ratio_median': median['raw download'] / median['protect'],
        'restore_ratio_median': median['raw upload'] / median['restore'],
        'unchanged_bytes_share': written['unchanged'] / size,
        'changed_bytes_share': written['1% changed'] / size,
        'unchanged_time_ratio': best['unchanged'].wall /
        best['protect'].wall,
        'changed_time_ratio': best['1% changed'].wall /
        best['protect'].wall,
    }
    return result


def report(result):
    size = result['size']
    lines = ['%s image, %d MiB, best of %d (median):' % (
        result['case'], size // MIB, result['rounds']),
        '  %-13s %7s %9s %11s %8s %10s %12s' % (
            'step', 'best s', 'median s', 'MiB/s', 'cpu s', 'glance s',
            'bank MiB')]
    for step, values in result['steps'].items():
        bank = values['bank_bytes']
        lines.append('  %-13s %7.2f %9.2f %11.1f %8.2f %10.2f %12s' % (
            step, values['best_s'], values['median_s'],
            size / MIB / values['best_s'], values['cpu_s'],
            values['glance_cpu_s'],
            '' if bank is None else '%.3f' % (bank / MIB)))
    lines += [
        '  protect: raw/protect = %.2f (median %.2f)' % (
            result['protect_ratio'], result['protect_ratio_median']),
        '  restore: raw/restore = %.2f (median %.2f)' % (
            result['restore_ratio'], result['restore_ratio_median']),
        '  unchanged re-protect: wrote %.4f%% of the image, time %.2f of '
        'protect' % (100 * result['unchanged_bytes_share'],
                     result['unchanged_time_ratio']),
        '  1%%-changed protect: wrote %.2f%% of the image, time %.2f of '
        'protect' % (100 * result['changed_bytes_share'],
                     result['changed_time_ratio']),
    ]
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size-mib', type=int, default=1024)
    parser.add_argument('--cases', default=','.join(CASES),
                        help='Comma-separated: %s.' % ', '.join(CASES))
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--dir', default=None,
                        help='Where the files and banks go (on the disk '
                             'to measure); the system temporary directory '
                             'by default.')
    parser.add_argument('--json', help='Also write the results here.')
    args = parser.parse_args(argv)
    size = args.size_mib * MIB
    if size % BLOCK:
        parser.error('--size-mib must be a multiple of 4')
    cloud = cloud_fixture.bring_up()
    configure(cloud)
    workdir = tempfile.mkdtemp(prefix='smaug-bench-image-', dir=args.dir)
    bench = Bench(cloud, workdir)
    results = []
    try:
        print('load average before: %.2f %.2f %.2f' % os.getloadavg())
        for case in args.cases.split(','):
            result = summary(case, size, *measure_case(bench, case, size,
                                                       args.repeat))
            results.append(result)
            print(report(result), flush=True)
        print('load average after: %.2f %.2f %.2f' % os.getloadavg())
    finally:
        bench.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
