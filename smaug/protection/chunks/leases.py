"""Leases that keep garbage collection and writes apart.

A write may reuse a chunk that no manifest references any more (its
checkpoint was deleted); garbage collection deletes exactly such chunks.
So the two must never overlap: the write would commit a manifest whose
chunk was deleted under it. The bank's leases are exclusive, so the
store builds a readers-writer exclusion from them:

* a write takes its own lease ``chunks/writers/<id>``, writes an object of
  the same name (leases cannot be listed; objects can), *then* looks at
  the lease ``chunks/gc``: if a collection holds it, the write withdraws
  both and waits;
* a collection takes ``chunks/gc``, *then* lists the writers' objects and
  waits until none of their leases is live.

Each side writes its own mark before it reads the other's, so however
their steps interleave at least one of them sees the other. Both renew
their lease every third of its length in a thread, and stop (a write
before committing its manifest, a collection before each deletion) once
their last renewal is older than half of it: past that the other side
might already be running.
"""
import socket
import threading
import time
import uuid

from oslo_log import log as logging

from smaug.protection.chunks import errors
from smaug.protection.chunks import layout

LOG = logging.getLogger(__name__)


def _owner():
    return '%s:%s' % (socket.gethostname(), uuid.uuid4().hex)


class _Renewal:
    """Renews a lease the caller just took, and knows if it still holds."""

    def __init__(self, bank, name, owner, ttl_seconds, taken_at):
        self.bank = bank
        self.name = name
        self.owner = owner
        self.ttl_seconds = ttl_seconds
        self._renewed_at = taken_at
        self._lost = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True,
                                        name='lease ' + name)
        self._thread.start()

    def _renew(self):
        while not self._stopped.wait(self.ttl_seconds / 3.0):
            sent_at = time.monotonic()
            try:
                if not self.bank.renew_lease(self.name, self.owner,
                                             self.ttl_seconds):
                    self._lost = 'the bank no longer gives it to us'
                    return
                self._renewed_at = sent_at
            except Exception as error:
                LOG.warning('Could not renew lease %s: %s', self.name, error)

    def check(self):
        """:raises ChunkLeaseLost: unless it is safely held."""
        if self._lost:
            raise errors.ChunkLeaseLost(lease=self.name, reason=self._lost)
        age = time.monotonic() - self._renewed_at
        if age > self.ttl_seconds / 2.0:
            raise errors.ChunkLeaseLost(
                lease=self.name, reason='it was last renewed %.1f s ago, '
                                        'over half its %s s' % (
                                            age, self.ttl_seconds))

    def stop(self):
        self._stopped.set()
        self._thread.join()


class WriterLease:
    """Held by one write from before its first chunk to its manifest.

    :param bank: a Bank.
    :param ttl_seconds: how long the lease lasts unrenewed.
    :param wait_seconds: how long to wait for a collection to end.
    """

    POLL_SECONDS = 0.5

    def __init__(self, bank, ttl_seconds, wait_seconds):
        self.bank = bank
        self.ttl_seconds = ttl_seconds
        self.wait_seconds = wait_seconds
        self.owner = _owner()
        self.name = layout.writer_key(uuid.uuid4().hex)
        self._renewal = None

    def __enter__(self):
        deadline = time.monotonic() + self.wait_seconds
        while True:
            taken_at = self._register()
            collector = self.bank.get_lease(layout.GC_LEASE)
            if collector is None:
                break
            self._withdraw()
            if time.monotonic() >= deadline:
                raise errors.ChunkStoreBusy(
                    bank=self.bank.name,
                    reason='garbage collection %s ran for longer than the '
                           '%s s a write waits' % (collector.owner,
                                                   self.wait_seconds))
            time.sleep(self.POLL_SECONDS)
        self._renewal = _Renewal(self.bank, self.name, self.owner,
                                 self.ttl_seconds, taken_at)
        return self

    def _register(self):
        taken_at = time.monotonic()
        if not self.bank.acquire_lease(self.name, self.owner,
                                       self.ttl_seconds):
            raise errors.ChunkLeaseLost(
                lease=self.name, reason='another owner holds a new lease')
        self.bank.put_json(self.name, {'owner': self.owner,
                                       'started_at': time.time()})
        return taken_at

    def _withdraw(self):
        self.bank.delete_object(self.name)
        self.bank.release_lease(self.name, self.owner)

    def check(self):
        """:raises ChunkLeaseLost: when a collection may have started."""
        self._renewal.check()

    def __exit__(self, *exc_info):
        self._renewal.stop()
        try:
            self._withdraw()
        except Exception:
            # Its lease runs out by itself; a collection then removes it.
            LOG.exception('Could not withdraw chunk writer %s', self.name)


class CollectorLease:
    """Held by one garbage collection of a bank."""

    def __init__(self, bank, ttl_seconds):
        self.bank = bank
        self.ttl_seconds = ttl_seconds
        self.owner = _owner()
        self._renewal = None

    def acquire(self):
        """:returns: False when another collection holds the bank."""
        taken_at = time.monotonic()
        if not self.bank.acquire_lease(layout.GC_LEASE, self.owner,
                                       self.ttl_seconds):
            return False
        self._renewal = _Renewal(self.bank, layout.GC_LEASE, self.owner,
                                 self.ttl_seconds, taken_at)
        return True

    def check(self):
        """:raises ChunkLeaseLost: when writes may have started."""
        self._renewal.check()

    def release(self):
        self._renewal.stop()
        self.bank.release_lease(layout.GC_LEASE, self.owner)


def live_writers(bank):
    """The writes in progress, by name.

    :returns: (names of live writers, number of registrations removed
        because their lease had ended: writers that died).
    """
    live, stale = [], 0
    for page in layout.pages(bank, layout.WRITERS):
        for name in page:
            if bank.get_lease(name) is None:
                bank.delete_object(name)
                stale += 1
            else:
                live.append(name)
    return live, stale
