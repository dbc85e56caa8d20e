"""The engines that carry out protection operations, one per operation type.

The protection manager only moves records between states; the work belongs
to an :class:`OperationEngine` installed under the
``smaug.protection.operations`` entry-point namespace, named after the
operation it runs (see ``OPERATIONS``). An operation whose engine is not
installed, or whose engine fails to take it over, moves its record to the
failure state with a readable reason at once: a record never stays pending
for work nobody will do.
"""
import abc
from collections.abc import Callable
import dataclasses

from oslo_log import log as logging
from stevedore import extension

from smaug import exception
from smaug import states
from smaug.db import api as db

LOG = logging.getLogger(__name__)

NAMESPACE = 'smaug.protection.operations'
NO_ENGINE = 'no protection engine is installed'
#: The key of a copy's parameters naming where the copies go:
#: ``{"provider_id": <uuid>}``; the copy's own provider when absent.
COPY_DESTINATION = 'destination'


class OperationEngine(abc.ABC):
    """Carries out one type of operation on the record it is handed.

    Engines are built with no arguments when smaug-protection starts, before
    its launcher forks the worker: a constructor should open nothing.
    """

    @abc.abstractmethod
    def run(self, ctx, record_id):
        """Take over the operation of ``record_id``.

        Called from a thread of the RPC server's pool: an engine whose work
        lasts should hand it to workers of its own and return.

        :param ctx: the RequestContext of the user who asked for it.
        :param record_id: the id of the record, found in its pending state.
        :raises Exception: any error; the record then moves to its failure
            state with the error as the reason.
        """


@dataclasses.dataclass(frozen=True)
class Operation:
    """One type of protection operation, as every layer sees it.

    The API writes the record and casts, the registry dispatches it, and
    the agent's flow kinds (``smaug.protection.flows.kinds``) run it: all
    read these fields, so an operation type is declared once, here.

    :ivar name: the operation's name: its ProtectionAPI method and RPC
        endpoint, and the entry point of its engine.
    :ivar record: the leased record's model name.
    :ivar get, update: the record's ``smaug.db.api`` functions.
    :ivar pending: the state (or states) the record waits in.
    :ivar succeeded, failed: the record's final states.
    :ivar operation_type: the type of its operation log; None for work
        that is part of another operation and has no log of its own.
    :ivar log_key: the operation log column naming the record.
    :ivar event: the notification prefix, ``smaug.<object>.<action>``.
    """

    name: str
    record: str
    get: Callable
    update: Callable
    pending: str | tuple
    succeeded: str
    failed: str
    operation_type: str | None
    log_key: str
    event: str

    @property
    def cast(self):
        """The :class:`smaug.protection.rpcapi.ProtectionAPI` method."""
        return self.name


_CHECKPOINT = states.CheckpointStatus

OPERATIONS = {operation.name: operation for operation in (
    Operation('protect', 'checkpoint', db.checkpoint_get,
              db.checkpoint_update, _CHECKPOINT.PROTECTING,
              _CHECKPOINT.AVAILABLE, _CHECKPOINT.ERROR, 'protect',
              'checkpoint_id', 'smaug.checkpoint.create'),
    Operation('delete_checkpoint', 'checkpoint', db.checkpoint_get,
              db.checkpoint_update, _CHECKPOINT.DELETING,
              _CHECKPOINT.DELETED, _CHECKPOINT.ERROR_DELETING, 'delete',
              'checkpoint_id', 'smaug.checkpoint.delete'),
    Operation('restore', 'restore', db.restore_get, db.restore_update,
              states.RestoreStatus.IN_PROGRESS, states.RestoreStatus.SUCCESS,
              states.RestoreStatus.FAIL, 'restore', 'restore_id',
              'smaug.restore.create'),
    Operation('verify', 'verification', db.verification_get,
              db.verification_update, states.VerificationStatus.IN_PROGRESS,
              states.VerificationStatus.SUCCESS,
              states.VerificationStatus.FAIL, 'verify', 'verification_id',
              'smaug.verification.create'),
    Operation('copy', 'copy', db.copy_get, db.copy_update,
              states.CopyStatus.WAIT_COPYING, states.CopyStatus.SUCCESS,
              states.CopyStatus.FAIL, 'copy', 'copy_id',
              'smaug.copy.create'),
)}


class OperationRegistry:
    """The installed engines, by operation type, and the dispatch to them."""

    def __init__(self, engines):
        """:param engines: a mapping of operation type to OperationEngine."""
        unknown = set(engines) - set(OPERATIONS)
        if unknown:
            raise exception.InvalidInput(
                reason='engines for unknown operations: %s'
                       % ', '.join(sorted(unknown)))
        self._engines = dict(engines)

    @classmethod
    def load(cls):
        """The registry of the engines installed as entry points."""
        manager = extension.ExtensionManager(NAMESPACE, invoke_on_load=True)
        return cls({ext.name: ext.obj for ext in manager})

    def installed(self):
        """The operation types that have an engine, sorted."""
        return sorted(self._engines)

    def dispatch(self, ctx, operation_type, record_id):
        """Hand the pending record ``record_id`` to its engine.

        A record that is missing or no longer pending (a message delivered
        twice, or an administrator's reset) is left as it is.
        """
        operation = OPERATIONS[operation_type]
        try:
            record = operation.get(ctx, record_id)
        except exception.NotFound:
            LOG.warning('%s %s is gone; nothing to %s.', operation.record,
                        record_id, operation_type)
            return
        if record.status != operation.pending:
            LOG.warning('%s %s is %s, not %s; %s ignored.', operation.record,
                        record_id, record.status, operation.pending,
                        operation_type)
            return
        engine = self._engines.get(operation_type)
        if engine is None:
            self._fail(ctx, operation, record_id, NO_ENGINE)
            return
        try:
            engine.run(ctx, record_id)
        except Exception as error:
            LOG.exception('The %s engine failed on %s %s.', operation_type,
                          operation.record, record_id)
            self._fail(ctx, operation, record_id, str(error) or
                       error.__class__.__name__)

    @staticmethod
    def _fail(ctx, operation, record_id, reason):
        LOG.error('%s %s failed: %s', operation.record, record_id, reason)
        try:
            operation.update(ctx, record_id,
                             {'status': operation.failed,
                              'error_reason': reason},
                             expected_status=operation.pending)
            db.operation_log_finish(
                ctx, {operation.log_key: record_id,
                      'operation_type': operation.operation_type},
                states.OperationLogStatus.FAILED, reason)
        except exception.InvalidState as moved:
            # The engine got far enough to move the record itself; its
            # state says more than this failure can.
            LOG.warning('%s %s left as it is: %s', operation.record,
                        record_id, moved)
