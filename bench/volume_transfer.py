"""Protect and restore of a Cinder volume vs Cinder backup driven directly.

Against the Cinder (cinder-backup to Swift) of the test cloud
(``tools/devcloud``), for a 1 GiB volume of random (incompressible) bytes,
in one run, every round interleaving the contenders (the raw path first in
even rounds, Smaug first in odd ones):

1. raw backup (the baseline of protect): cinderclient creates a backup of
   the volume and polls it until ``available``, as a script would;
2. protect: a real protect flow in an in-process agent
   (``smaug.tests.functional.openstack.harness``) with the cinder-backup
   plugin: temporary snapshot, backup of the snapshot, snapshot deleted,
   checkpoint ``available``;
3. raw restore (the baseline of restore): cinderclient creates a volume
   from the raw backup and polls it until ``available``;
4. restore: a real restore flow of the checkpoint into a new volume,
   until the restore record says ``success``;
5. for scale, the raw upload and download of the same bytes to and from
   the Swift the backups go to (swiftclient, one object), and a snapshot
   of the volume taken and deleted (cinderclient): what backing an in-use
   volume up through a temporary snapshot adds.

Smaug's backup must hold what the raw one holds: the bench stops when the
two backups differ in size or number of objects. Times are the best of
``--repeat`` rounds (medians printed too). Besides wall time it reports
the CPU seconds cinder-backup used in each step, which say more than wall
time on a machine other work shares.

Ratios printed: raw time / Smaug time for protect and restore (higher is
better; target >= 0.8).

Smaug's status polls back off from ``[clients] wait_interval`` to
``max_wait_interval``; the bench sets them to 0.1 s and 0.5 s, and the raw
path polls every 0.25 s.

Run from the repository root, with the test cloud up (it is started when
down)::

    .venv/bin/python bench/volume_transfer.py [--size-gib 1] [--repeat 4]
        [--json FILE]

Everything it creates (volumes, backups, the image and the Swift
container it uses to get the bytes in, the agent's files) is removed when
it ends, also on an error or Ctrl-C.
"""
import argparse
import contextlib
import functools
import glob
import json
import os
import statistics
import sys
import tempfile
import time
import uuid

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.dirname(BENCH))
from image_transfer import configure  # noqa: E402

from smaug.protection import resource  # noqa: E402
from smaug.protection import resource_types  # noqa: E402
from smaug.protection.plugins.openstack import cinder_backup  # noqa: E402
from smaug.protection.plugins.openstack import cinder_objects  # noqa: E402
from smaug.protection.plugins.openstack import tagging  # noqa: E402
from smaug.tests.fixtures import cloud as cloud_fixture  # noqa: E402
from smaug.tests.functional.openstack import harness  # noqa: E402

MIB = 1024 * 1024
GIB = 1024 * MIB
BLOCK = 4 * MIB
RAW_POLL = 0.25
STEPS = ('raw backup', 'protect', 'raw restore', 'restore', 'swift upload',
         'swift download', 'snapshot')
FLOW_TIMEOUT = 1800


def service_cpu_seconds(name):
    """CPU seconds the test cloud's process ``name`` (and its children)
    have used so far."""
    with open(os.path.join(cloud_fixture.STATE_DIR, 'run',
                           name + '.pid')) as f:
        pids = [f.read().split()[0]]
    for path in glob.glob('/proc/%s/task/*/children' % pids[0]):
        with contextlib.suppress(OSError), open(path) as f:
            pids.extend(f.read().split())
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError), open('/proc/%s/stat' % pid) as f:
            fields = f.read().rpartition(')')[2].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf('SC_CLK_TCK')


class Measure:
    """Wall time and cinder-backup's CPU time of one step."""

    def __enter__(self):
        self._start = time.monotonic(), service_cpu_seconds('cinder-backup')
        return self

    def __exit__(self, *exc):
        wall, cpu = self._start
        self.wall = time.monotonic() - wall
        self.backup_cpu = service_cpu_seconds('cinder-backup') - cpu


def poll(what, fetch, goal='available', timeout=FLOW_TIMEOUT):
    """The raw path's wait: fetch every RAW_POLL s until ``goal``."""
    deadline = time.monotonic() + timeout
    while True:
        found = fetch()
        if found.status == goal:
            return found
        if 'error' in found.status or time.monotonic() > deadline:
            raise SystemExit('%s is %s' % (what, found.status))
        time.sleep(RAW_POLL)


class Bench:
    """The contenders, and everything to clean up."""

    def __init__(self, cloud, name, size):
        self.cloud = cloud
        self.name = name
        self.size = size
        self.cinder = cloud.cinder('demo')
        self.swift = cloud.swift('demo')
        self.volumes, self.backups, self.checkpoints = [], [], set()
        self.snapshots = []
        self.source = None
        self.agent = harness.CloudAgent(cloud, ['cinder-backup'])

    def make_source(self, workdir):
        """A volume of random bytes, through an image; the file stays for
        the Swift transfers."""
        path = os.path.join(workdir, 'source')
        with open(path, 'wb') as f:
            for _ in range(self.size // BLOCK):
                f.write(os.urandom(BLOCK))
        glance = self.cloud.glance('demo')
        image = glance.images.create(name=self.name, disk_format='raw',
                                     container_format='bare')
        try:
            with open(path, 'rb') as f:
                glance.images.upload(image.id, f, image_size=self.size)
            volume = self._created(self.cinder.volumes.create(
                self.size // GIB, name=self.name, imageRef=image.id))
        finally:
            glance.images.delete(image.id)
        self.source = volume
        return path

    def _created(self, volume):
        self.volumes.append(volume.id)
        return poll('volume %s' % volume.id,
                    lambda: self.cinder.volumes.get(volume.id))

    def raw_backup(self):
        backup = self.cinder.backups.create(self.source.id,
                                            name=self.name + '-raw')
        self.backups.append(backup.id)
        return poll('backup %s' % backup.id,
                    lambda: self.cinder.backups.get(backup.id))

    def raw_restore(self, backup):
        return self._created(self.cinder.volumes.create(
            self.size // GIB, backup_id=backup.id, name=self.name + '-raw'))

    def protect(self):
        checkpoint = self.agent.protect(
            [resource.Resource(type=resource_types.VOLUME,
                               id=self.source.id)], timeout=FLOW_TIMEOUT)
        self.checkpoints.add(checkpoint.id)
        if checkpoint.status != 'available':
            raise SystemExit('protect failed: %s' % checkpoint.error_reason)
        return checkpoint

    def restore(self, checkpoint):
        restore = self.agent.restore(checkpoint.id, timeout=FLOW_TIMEOUT)
        made = self.cinder.volumes.list(search_opts={'metadata': {
            tagging.OPERATION_KEY: restore.id}})
        self.volumes.extend(volume.id for volume in made)
        if restore.status != 'success':
            raise SystemExit('restore failed: %s' % restore.error_reason)
        return made[0]

    def smaug_backup(self, checkpoint):
        return next(backup for backup in self.cinder.backups.list(
            search_opts={'volume_id': self.source.id})
            if (backup.metadata or {}).get(tagging.OPERATION_KEY) ==
            checkpoint.id)

    def swift_upload(self, path):
        self.swift.put_container(self.name)
        with open(path, 'rb') as f:
            self.swift.put_object(self.name, 'volume', f,
                                  content_length=self.size)

    def swift_download(self):
        _, body = self.swift.get_object(self.name, 'volume',
                                        resp_chunk_size=BLOCK)
        received = sum(len(part) for part in body)
        if received != self.size:
            raise SystemExit('Swift returned %d bytes' % received)

    def snapshot(self):
        """Take a snapshot of the volume and delete it, as the protect of
        an in-use volume does."""
        snapshot = self.cinder.volume_snapshots.create(
            self.source.id, force=True, name=self.name)
        self.snapshots.append(snapshot.id)
        poll('snapshot %s' % snapshot.id,
             lambda: self.cinder.volume_snapshots.get(snapshot.id))
        cinder_objects.delete(self.cinder, cinder_objects.SNAPSHOT,
                              snapshot.id)

    def delete_checkpoint(self, checkpoint_id):
        """Delete the checkpoint, and with it Smaug's backup."""
        self.agent.delete(checkpoint_id, timeout=FLOW_TIMEOUT)
        self.checkpoints.discard(checkpoint_id)

    def delete_volume(self, volume_id):
        cinder_objects.delete(self.cinder, cinder_objects.VOLUME, volume_id)

    def cleanup(self):
        for checkpoint_id in list(self.checkpoints):
            with contextlib.suppress(Exception):
                self.delete_checkpoint(checkpoint_id)
        for backup_id in self.backups:
            with contextlib.suppress(Exception):
                cinder_backup.release(self.cinder, backup_id)
        for snapshot_id in self.snapshots:
            with contextlib.suppress(Exception):
                cinder_objects.delete(self.cinder, cinder_objects.SNAPSHOT,
                                      snapshot_id)
        for volume_id in self.volumes:
            with contextlib.suppress(Exception):
                self.delete_volume(volume_id)
        with contextlib.suppress(Exception):
            self.swift.delete_object(self.name, 'volume')
            self.swift.delete_container(self.name)


def _timed(times, contenders, reverse):
    """Run ``[(step, callable)]`` in order (or in reverse), each measured;
    :returns: {step: what it returned}."""
    results = {}
    for step, run in (reversed(contenders) if reverse else contenders):
        with Measure() as m:
            results[step] = run()
        times[step].append(m)
    return results


def measure(bench, path, repeat):
    """:returns: {step: [Measure, ...]}; the raw path goes first in even
    rounds, Smaug first in odd ones."""
    times = {step: [] for step in STEPS}
    for round_ in range(repeat):
        made = _timed(times, [('raw backup', bench.raw_backup),
                              ('protect', bench.protect)], round_ % 2)
        raw, checkpoint = made['raw backup'], made['protect']
        ours = bench.smaug_backup(checkpoint)
        if (ours.size, ours.object_count) != (raw.size, raw.object_count):
            raise SystemExit('Smaug backed up %s GiB in %s objects, the raw '
                             'backup %s GiB in %s' % (
                                 ours.size, ours.object_count, raw.size,
                                 raw.object_count))
        restored = _timed(times, [
            ('raw restore', functools.partial(bench.raw_restore, raw)),
            ('restore', functools.partial(bench.restore, checkpoint))],
            round_ % 2)
        for volume in restored.values():
            bench.delete_volume(volume.id)
        _timed(times, [('swift upload',
                        functools.partial(bench.swift_upload, path)),
                       ('swift download', bench.swift_download),
                       ('snapshot', bench.snapshot)], False)
        # Each round backs up in full: nothing of the last round stays.
        cinder_backup.release(bench.cinder, raw.id)
        bench.delete_checkpoint(checkpoint.id)
    return times


def summary(size, times):
    best = {step: min(times[step], key=lambda m: m.wall) for step in STEPS}
    median = {step: statistics.median(m.wall for m in times[step])
              for step in STEPS}
    return {
        'size': size, 'rounds': len(times['protect']),
        'steps': {step: {'best_s': best[step].wall,
                         'median_s': median[step],
                         'backup_cpu_s': best[step].backup_cpu}
                  for step in STEPS},
        'protect_ratio': best['raw backup'].wall / best['protect'].wall,
        'restore_ratio': best['raw restore'].wall / best['restore'].wall,
        'protect_ratio_median': median['raw backup'] / median['protect'],
        'restore_ratio_median': median['raw restore'] / median['restore'],
    }


def report(result):
    size = result['size']
    lines = ['random volume, %d GiB, best of %d (median):' % (
        size // GIB, result['rounds']),
        '  %-15s %7s %9s %8s %16s' % ('step', 'best s', 'median s', 'MiB/s',
                                      'cinder-backup s')]
    for step, values in result['steps'].items():
        lines.append('  %-15s %7.2f %9.2f %8.1f %16.2f' % (
            step, values['best_s'], values['median_s'],
            size / MIB / values['best_s'], values['backup_cpu_s']))
    lines += [
        '  protect: raw backup/protect = %.2f (median %.2f)' % (
            result['protect_ratio'], result['protect_ratio_median']),
        '  restore: raw restore/restore = %.2f (median %.2f)' % (
            result['restore_ratio'], result['restore_ratio_median']),
    ]
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size-gib', type=int, default=1)
    parser.add_argument('--repeat', type=int, default=4)
    parser.add_argument('--json', help='Also write the results here.')
    args = parser.parse_args(argv)
    size = args.size_gib * GIB
    cloud = cloud_fixture.bring_up()
    configure(cloud)
    bench = Bench(cloud, 'bench-volume-%s' % uuid.uuid4().hex[:8], size)
    bench.agent.setUp()
    try:
        with tempfile.TemporaryDirectory(prefix='smaug-bench-volume-') as (
                workdir):
            path = bench.make_source(workdir)
            print('load average before: %.2f %.2f %.2f' % os.getloadavg())
            result = summary(size, measure(bench, path, args.repeat))
        print(report(result))
        print('load average after: %.2f %.2f %.2f' % os.getloadavg())
    finally:
        bench.cleanup()
        bench.agent.cleanUp()
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
