"""Garbage collection in the background, after checkpoint deletions.

Deleting a checkpoint removes its manifests; the chunks that only they
referenced are freed by a collection of the bank. A collection can be long
(it reads every manifest) and may wait for writes in progress, so the
deletion only asks for one: the request returns at once, and a thread per
bank runs collections while requests keep coming (requests made during a
run are served by one more run). A collection that was skipped (writes
outlasted its wait, or another agent's collection held the bank) is tried
again later, a few times. Nothing is lost if the agent stops first: the
next collection of the bank frees everything unreferenced.
"""
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from smaug.protection.chunks import store as store_module

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

ATTEMPTS = 3
RETRY_SECONDS = 60.0


class BackgroundCollector:
    """Runs the collections asked for, one bank at a time per bank.

    :param conf: the ConfigOpts with ``[chunk_store]``.
    """

    def __init__(self, conf=CONF, retry_seconds=RETRY_SECONDS):
        self.conf = conf
        self.retry_seconds = retry_seconds
        self._requested = {}
        self._running = set()
        self._lock = threading.Lock()

    def request(self, bank_id, bank):
        """Ask for a collection of ``bank`` (named ``bank_id``, e.g. its
        provider's id) soon."""
        with self._lock:
            self._requested[bank_id] = bank
            if bank_id in self._running:
                return
            self._running.add(bank_id)
        threading.Thread(target=self._serve, args=(bank_id,), daemon=True,
                         name='chunk-gc %s' % bank_id).start()

    def _serve(self, bank_id):
        while True:
            with self._lock:
                bank = self._requested.pop(bank_id, None)
                if bank is None:
                    self._running.discard(bank_id)
                    return
            self._collect(bank_id, bank)

    def _collect(self, bank_id, bank):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                report = store_module.ChunkStore.for_bank(
                    bank, self.conf).collect_garbage()
            except Exception:
                LOG.exception('Garbage collection of the chunks of bank %s '
                              'failed', bank_id)
                return
            if not report.skipped:
                LOG.info('Garbage collection of bank %s freed %d bytes '
                         '(%d chunks) in %.1f s', bank_id,
                         report.bytes_freed, report.chunks_removed,
                         report.seconds)
                return
            LOG.info('Garbage collection of bank %s skipped (attempt %d of '
                     '%d): %s', bank_id, attempt, ATTEMPTS, report.reason)
            if attempt < ATTEMPTS:
                time.sleep(self.retry_seconds)


_collector = BackgroundCollector()


def collect_in_background(bank_id, bank):
    """Ask this process's collector for a collection of ``bank``."""
    _collector.request(bank_id, bank)
