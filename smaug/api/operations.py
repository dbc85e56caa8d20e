"""The API half of every asynchronous operation, written once.

Protect, delete a checkpoint, restore, verify and copy all start the same
way: the controller has validated the request and checked the policy; here
the quota is reserved (where one applies), the record is written in its
pending state next to an ``in_progress`` operation log, the reservation is
committed, and only then is smaug-protection told by a cast carrying the
record's id. The agent owns the record from there on.

A record is never left pending for work nobody will do: when the cast
cannot be sent, the record moves to its failure state with the reason, its
log to ``failed``, and the caller gets a 503.
"""
from collections.abc import Callable
import contextlib
import dataclasses

from oslo_log import log as logging
from oslo_utils import timeutils

from smaug import exception
from smaug import quota
from smaug import states
from smaug.db import api as db
from smaug.protection import rpcapi

LOG = logging.getLogger(__name__)

UNREACHABLE = 'could not reach the protection service: %s'
UNRECORDED = 'could not record the operation: %s'


class OperationType:
    """The ``operation_type`` of operation logs, as Karbor named them."""

    PROTECT = 'protect'
    DELETE = 'delete'
    RESTORE = 'restore'
    VERIFY = 'verify'
    COPY = 'copy'


@dataclasses.dataclass(frozen=True)
class Operation:
    """How one kind of operation is recorded and handed over.

    :param operation_type: the operation log's type.
    :param update: ``db.<record>_update``.
    :param pending: the state the API writes the record in.
    :param failed: the state of a record whose cast could not be sent.
    :param cast: the :class:`rpcapi.ProtectionAPI` method to call.
    :param log_key: the operation log column naming the record.
    """

    operation_type: str
    update: Callable
    pending: str
    failed: str
    cast: str
    log_key: str


PROTECT = Operation(
    OperationType.PROTECT, db.checkpoint_update,
    states.CheckpointStatus.PROTECTING, states.CheckpointStatus.ERROR,
    'protect', 'checkpoint_id')
DELETE_CHECKPOINT = Operation(
    OperationType.DELETE, db.checkpoint_update,
    states.CheckpointStatus.DELETING, states.CheckpointStatus.ERROR_DELETING,
    'delete_checkpoint', 'checkpoint_id')
RESTORE = Operation(
    OperationType.RESTORE, db.restore_update,
    states.RestoreStatus.IN_PROGRESS, states.RestoreStatus.FAIL,
    'restore', 'restore_id')
VERIFY = Operation(
    OperationType.VERIFY, db.verification_update,
    states.VerificationStatus.IN_PROGRESS, states.VerificationStatus.FAIL,
    'verify', 'verification_id')
COPY = Operation(
    OperationType.COPY, db.copy_update,
    states.CopyStatus.WAIT_COPYING, states.CopyStatus.FAIL,
    'copy', 'copy_id')


def start(context, operation, write_record, log_ids, quota_deltas=None):
    """Record ``operation`` in its pending state and hand it over.

    :param operation: one of the :class:`Operation` constants above.
    :param write_record: called with no argument, writes the record in
        ``operation.pending`` (a create or a compare-and-swap) and returns
        it.
    :param log_ids: the ids the operation log carries besides the
        record's own: plan_id, provider_id, checkpoint_id,
        scheduled_operation_id.
    :param quota_deltas: keyword arguments of :func:`quota.reserved`
        (deltas, and ``project_id`` when the project charged is not the
        caller's): reserved before the record is written, committed once
        the record and its log exist.
    :returns: the record, as written.
    :raises ServiceUnavailable: when the cast could not be sent; the record
        is then in ``operation.failed``.
    """
    reservation = (quota.reserved(context, **quota_deltas) if quota_deltas
                   else contextlib.nullcontext())
    with reservation:
        record = write_record()
        try:
            log = db.operation_log_create(context, dict(
                {key: value for key, value in log_ids.items()
                 if value is not None},
                project_id=record.project_id,
                operation_type=operation.operation_type,
                status=states.OperationLogStatus.IN_PROGRESS,
                started_at=timeutils.utcnow(),
                **{operation.log_key: record.id}))
        except Exception as exc:
            _fail(context, operation, record, None, UNRECORDED % exc)
            raise
    try:
        getattr(rpcapi.ProtectionAPI(), operation.cast)(context, record.id)
    except Exception as exc:
        LOG.warning('%s of %s %s not sent: %s', operation.cast,
                    operation.log_key, record.id, exc)
        reason = UNREACHABLE % exc
        _fail(context, operation, record, log, reason)
        raise exception.ServiceUnavailable(reason=reason)
    return record


def _fail(context, operation, record, log, reason):
    """Move a record nobody will work on, and its log, to failure."""
    try:
        operation.update(context, record.id,
                         {'status': operation.failed, 'error_reason': reason},
                         expected_status=operation.pending)
        if log is not None:
            db.operation_log_update(context, log.id, {
                'status': states.OperationLogStatus.FAILED,
                'error_info': reason, 'ended_at': timeutils.utcnow()})
    except exception.InvalidState:
        # An agent got the record after all and moved it on: it owns it.
        LOG.info('%s %s was taken over despite: %s', operation.log_key,
                 record.id, reason)
    except Exception:
        # The caller hears of the first error; this one is for the
        # operator, who can reset the record's state.
        LOG.exception('Could not mark %s %s failed', operation.log_key,
                      record.id)
