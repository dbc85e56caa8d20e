"""The part of smaug-protection that carries operations out.

One Agent per process. It claims each operation record before working on
it (owner and lease in the database, renewed while it works), runs at most
``max_concurrent_operations`` at once, and looks for operations nobody
works on: claims whose lease expired (their agent died), claims left by an
earlier life of this agent, and records no agent ever claimed (their cast
was lost, or arrived while no agent ran). Claims are atomic, so however
many agents look, one runs each operation.

Owners are ``<host>:<random>``: each agent's ``host`` must be unique, so
that a restarted agent recognises its own earlier claims and resumes them
at once instead of waiting for their leases to run out.
"""
import concurrent.futures
import datetime
import threading
import uuid

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from smaug import context as context_module
from smaug import exception
from smaug.db import api as db
from smaug.protection import operations
from smaug.protection import work_queue
from smaug.protection.flows import kinds
from smaug.protection.flows import persistence
from smaug.protection.flows import run as run_module

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

_LOST = (exception.OperationClaimed, exception.InvalidState,
         exception.NotFound)


class Agent:
    """Claims, runs and keeps track of this process's operations."""

    _instance = None
    _instance_lock = threading.Lock()

    @classmethod
    def get(cls):
        """The process's agent, started on first use (after any fork)."""
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
                cls._instance.start()
            return cls._instance

    @classmethod
    def stop_instance(cls):
        with cls._instance_lock:
            if cls._instance is not None:
                cls._instance.stop()
                cls._instance = None

    def __init__(self, conf=CONF):
        self.conf = conf
        self.owner = '%s:%s' % (conf.host, uuid.uuid4().hex[:12])
        options = conf.protection
        self._operations = concurrent.futures.ThreadPoolExecutor(
            max_workers=options.max_concurrent_operations,
            thread_name_prefix='operation')
        self.work_queue = work_queue.WorkQueue(
            options.work_concurrency,
            {name: int(limit) for name, limit
             in options.backend_concurrency.items()})
        self.persistence = None
        self._held = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads = []

    def start(self):
        self.persistence = persistence.FlowPersistence()
        for target in (self._keep_leases, self._adopt_orphans):
            thread = threading.Thread(target=target, daemon=True,
                                      name=target.__name__.strip('_'))
            thread.start()
            self._threads.append(thread)

    def stop(self):
        """Stop taking operations and suspend the running flows.

        A suspended flow keeps its saved state and its record is released,
        so the next agent (or this one, restarted) resumes it.
        """
        with self._lock:
            self._stopping.set()
            running = [run for run in self._held.values() if run is not None]
        for run in running:
            run.abandon()
        self._operations.shutdown(wait=True, cancel_futures=True)
        self.work_queue.shutdown()
        if self.persistence is not None:
            self.persistence.flush()

    def accept(self, kind, context, record_id, take_over=None):
        """Queue an operation; it is claimed when a slot is free.

        :param take_over: the owner of an earlier life of this agent, whose
            claim may be taken without waiting for its lease to expire.
        """
        key = (kind.name, record_id)
        with self._lock:
            if key in self._held or self._stopping.is_set():
                return False
            self._held[key] = None
        self._operations.submit(self._execute, kind, context, record_id,
                                take_over)
        return True

    def _execute(self, kind, context, record_id, take_over):
        # Keyed by kind too: a checkpoint's delete may be cast while its
        # protect, already released, is still tidying up here.
        key = (kind.name, record_id)
        try:
            record = db.operation_claim(
                context, kind.record, record_id, self.owner,
                self.conf.protection.lease_seconds,
                expected_status=kind.pending, take_over=take_over)
        except _LOST as reason:
            LOG.info('Not taking %s %s: %s', kind.record, record_id, reason)
            self._forget(key)
            return
        LOG.info('Running %s of %s %s', kind.name, kind.record, record_id)
        try:
            run = run_module.OperationRun(self, kind, context, record)
            with self._lock:
                self._held[key] = run
                stopping = self._stopping.is_set()
            if stopping:
                self._release(kind, context, record_id)
                return
            if not run.execute(take_over):
                self._release(kind, context, record_id)
        except Exception as error:
            LOG.exception('%s of %s %s broke off', kind.name, kind.record,
                          record_id)
            self._give_up(kind, context, record_id, error)
        finally:
            self._forget(key)

    def _give_up(self, kind, context, record_id, error):
        """Hand the operation back when the flow could not run at all.

        Errors the flow handled have already moved the record. What is
        left is an operation whose flow never ran (its provider or plugins
        are gone) or broke off (the database went away): the first moves
        to its failure state; the second keeps its saved flow and is
        released for whoever comes next.
        """
        values = None
        if isinstance(error, exception.SmaugException):
            values = {'status': kind.failed, 'error_reason': str(error)}
        self._release(kind, context, record_id, values)

    def _release(self, kind, context, record_id, values=None):
        try:
            db.operation_release(context, kind.record, record_id,
                                 self.owner, values)
        except Exception:
            LOG.exception('Could not release %s %s; its lease will expire',
                          kind.record, record_id)

    def _forget(self, key):
        with self._lock:
            self._held.pop(key, None)

    def capacity(self):
        with self._lock:
            busy = len(self._held)
        return self.conf.protection.max_concurrent_operations - busy

    # Background threads.

    def _keep_leases(self):
        """Renew the claims, and show each operation's progress with them.

        The bank lease of an operation is renewed after its claim, even
        when the database cannot be reached: the operation goes on (see
        run.py), so it must keep its checkpoint from other writers.
        """
        lease = self.conf.protection.lease_seconds
        interval = min(lease / 3.0, self.conf.protection.progress_interval)
        admin = context_module.get_admin_context()
        while not self._stopping.wait(interval):
            with self._lock:
                held = [run for run in self._held.values()
                        if run is not None]
            for run in held:
                if run.finished.is_set():
                    continue
                model, record_id = run.kind.record, run.operation_id
                try:
                    db.operation_renew_lease(admin, model, record_id,
                                             self.owner, lease,
                                             run.progress_values())
                except exception.OperationClaimed:
                    if run.finished.is_set():
                        continue  # released with its final state just now
                    LOG.error('Lost the claim on %s %s; stopping its flow',
                              model, record_id)
                    run.abandon(claim_lost=True)
                    continue
                except Exception:
                    LOG.exception('Could not renew the lease of %s %s',
                                  model, record_id)
                self._renew_bank_lease(run)

    @staticmethod
    def _renew_bank_lease(run):
        try:
            run.renew_checkpoint_lease()
        except exception.OperationClaimed as lost:
            if run.finished.is_set():
                return
            LOG.error('Lost the bank lease of %s %s (%s); stopping its '
                      'flow', run.kind.record, run.operation_id, lost)
            run.abandon(claim_lost=True)
        except Exception:
            LOG.exception('Could not renew the bank lease of %s %s',
                          run.kind.record, run.operation_id)

    def _adopt_orphans(self):
        interval = self.conf.protection.orphan_scan_interval
        while True:
            try:
                self.adopt_orphans()
            except Exception:
                LOG.exception('Scan for orphaned operations failed')
            if self._stopping.wait(interval):
                return

    def adopt_orphans(self):
        """Take the operations nobody works on, as capacity allows."""
        admin = context_module.get_admin_context()
        grace = datetime.timedelta(
            seconds=self.conf.protection.unclaimed_grace_seconds)
        unclaimed_before = timeutils.utcnow() - grace
        adopted = 0
        for kind in kinds.KINDS.values():
            if self.capacity() <= 0:
                break
            orphans = db.operation_get_orphans(
                admin, kind.record, kind.pending, unclaimed_before,
                previous_owners_like='%s:%%' % self.conf.host,
                current_owner=self.owner)
            for record in orphans:
                if self.capacity() <= 0:
                    break
                previous = (record.owner if record.owner and
                            record.owner.startswith(self.conf.host + ':')
                            else None)
                if self.accept(kind, context_module.of_record(record),
                               record.id, take_over=previous):
                    adopted += 1
        if adopted:
            LOG.info('Adopted %d orphaned operations', adopted)
        return adopted


class FlowOperationEngine(operations.OperationEngine):
    """Hands operations of one kind to the process's Agent."""

    kind = None

    def run(self, ctx, record_id):
        Agent.get().accept(self.kind, ctx, record_id)


class ProtectEngine(FlowOperationEngine):
    kind = kinds.KINDS['protect']


class DeleteCheckpointEngine(FlowOperationEngine):
    kind = kinds.KINDS['delete_checkpoint']


class RestoreEngine(FlowOperationEngine):
    kind = kinds.KINDS['restore']


class VerifyEngine(FlowOperationEngine):
    kind = kinds.KINDS['verify']


class CopyEngine(FlowOperationEngine):
    """Plans a copy; its checkpoints' copies follow as operations of
    their own (``copy_checkpoint``), adopted like any other."""

    kind = kinds.KINDS['copy']
