"""Garbage collection: mark the chunks manifests reference, sweep the rest.

Deleting a manifest (or the checkpoint holding it) frees nothing by
itself: its chunks may be shared with other manifests. A collection:

1. takes the bank's collection lease and waits until no write is in
   progress (see :mod:`leases`: writes arriving meanwhile wait for it);
2. marks: reads every manifest, found through ``chunks/refs/``, and
   collects the addresses they reference. A reference whose manifest is
   gone (deleted with its checkpoint, or never written by a write that
   failed) is removed. A manifest that cannot be read stops the
   collection before anything is deleted;
3. sweeps: deletes every chunk not marked, unless it was written less than
   ``gc_min_age_seconds`` ago. The leases make this age unnecessary for
   correctness on a consistent bank; it covers a bank whose listings lag
   behind writes (Swift's container listings are updated asynchronously)
   for longer than ``gc_settle_seconds``.
"""
import concurrent.futures
import dataclasses
import time

from smaug.protection.bank import base
from smaug.protection.chunks import layout
from smaug.protection.chunks import leases
from smaug.protection.chunks import manifest as manifest_module
from smaug.protection.chunks import writer

POLL_SECONDS = 0.5


@dataclasses.dataclass
class GCReport:
    """What a collection did."""

    bytes_freed: int = 0
    chunks_removed: int = 0
    #: Chunks still referenced by a manifest.
    chunks_kept: int = 0
    #: Unreferenced chunks spared because they are recent.
    chunks_too_young: int = 0
    manifests: int = 0
    dangling_refs_removed: int = 0
    #: Registrations of writers that died, removed.
    stale_writers_removed: int = 0
    #: True when the collection did not run; ``reason`` says why.
    skipped: bool = False
    reason: str = None
    seconds: float = 0.0


class GarbageCollector:
    """One collection of a bank's chunks.

    :param bank: the Bank.
    :param options: the store's :class:`StoreOptions`.
    :param clock: seconds since the epoch, now (chunks' ages).
    """

    def __init__(self, bank, options, clock=time.time):
        self.bank = bank
        self.options = options
        self.clock = clock

    def run(self):
        """:returns: a :class:`GCReport`.

        :raises BankCorruption: when a manifest cannot be read; nothing
            was deleted then.
        :raises ChunkLeaseLost: when the collection lease could not be
            kept; it stopped before its next deletion.
        """
        started = time.monotonic()
        report = GCReport()
        if not self.bank.list_objects(layout.ROOT, limit=1):
            return report
        lease = leases.CollectorLease(self.bank, self.options.lease_seconds)
        if not lease.acquire():
            report.skipped = True
            report.reason = 'another garbage collection holds the bank'
            return report
        try:
            if self._writes_finished(report, lease):
                with concurrent.futures.ThreadPoolExecutor(
                        max_workers=self.options.threads,
                        thread_name_prefix='chunk-gc') as pool:
                    referenced = self._mark(report, pool)
                    self._sweep(referenced, report, lease, pool)
        finally:
            lease.release()
            report.seconds = time.monotonic() - started
        return report

    def _writes_finished(self, report, lease):
        """Wait for the writes in progress; False if they outlast the
        wait."""
        settle = self.options.gc_settle_seconds
        deadline = time.monotonic() + self.options.gc_writer_wait_seconds
        time.sleep(settle)  # a writer's just-written object may be unlisted
        waited = False
        while True:
            live, stale = leases.live_writers(self.bank)
            report.stale_writers_removed += stale
            if not live:
                break
            if time.monotonic() >= deadline:
                report.skipped = True
                report.reason = ('%d writes were still in progress after '
                                 '%s s' % (len(live), self.options.
                                           gc_writer_wait_seconds))
                return False
            lease.check()
            waited = True
            time.sleep(POLL_SECONDS)
        if waited:
            time.sleep(settle)  # their references may be unlisted too
        return True

    def _mark(self, report, pool):
        referenced = set()
        for page in layout.pages(self.bank, layout.REFS):
            for addresses in pool.map(self._addresses_of, page):
                if addresses is None:
                    report.dangling_refs_removed += 1
                else:
                    report.manifests += 1
                    referenced |= addresses
        return referenced

    def _addresses_of(self, ref):
        """The chunks a reference's manifest needs; None (and the
        reference removed) if the manifest is gone."""
        key = layout.manifest_key_of(ref)
        try:
            document = self.bank.get_json(key)
        except base.BankObjectNotFound:
            self.bank.delete_object(ref)
            return None
        return manifest_module.from_document(document, key).addresses()

    def _sweep(self, referenced, report, lease, pool):
        oldest = self.clock() - self.options.gc_min_age_seconds
        for page in layout.pages(self.bank, layout.DATA):
            garbage = [key for key in page
                       if layout.address_of(key) not in referenced]
            report.chunks_kept += len(page) - len(garbage)
            for freed in pool.map(lambda key: self._remove(key, oldest,
                                                           lease), garbage):
                if freed is None:
                    report.chunks_too_young += 1
                else:
                    report.chunks_removed += 1
                    report.bytes_freed += freed

    def _remove(self, key, oldest, lease):
        """:returns: the bytes freed, or None for a chunk too young."""
        try:
            info = self.bank.plugin.head_object(key)
        except base.BankObjectNotFound:
            return 0
        try:
            written_at = int(info.metadata.get(writer.WRITTEN_AT, '0'))
        except ValueError:
            written_at = 0
        if written_at > oldest:
            return None
        lease.check()
        self.bank.plugin.delete_object(key)
        return info.size
