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
import contextlib

from oslo_log import log as logging
from oslo_utils import timeutils
from oslo_utils import uuidutils

from smaug import exception
from smaug import policy
from smaug import quota
from smaug import states
from smaug.api.views import plans as plan_views
from smaug.db import api as db
from smaug.protection import operations as protection_operations
from smaug.protection import rpcapi

LOG = logging.getLogger(__name__)

UNREACHABLE = 'could not reach the protection service: %s'
UNRECORDED = 'could not record the operation: %s'


# How each kind of operation is recorded and handed over: declared once,
# with what the agents need of it, in smaug.protection.operations.
PROTECT = protection_operations.OPERATIONS['protect']
DELETE_CHECKPOINT = protection_operations.OPERATIONS['delete_checkpoint']
RESTORE = protection_operations.OPERATIONS['restore']
VERIFY = protection_operations.OPERATIONS['verify']
COPY = protection_operations.OPERATIONS['copy']
# The states a checkpoint may be deleted from, a failed deletion included.
DELETABLE = states.sources_of(states.CHECKPOINT_TRANSITIONS,
                              states.CheckpointStatus.DELETING)


def start(context, operation, write_record, log_ids, quota_deltas=None):
    """Record ``operation`` in its pending state and hand it over.

    :param operation: one of the operation constants above.
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


def protect_plan(context, plan, extra_info, checkpoint_id=None):
    """Start a checkpoint of ``plan``, as ``POST .../checkpoints`` does.

    The checkpoint keeps the plan as it is now (``protection_plan``), so
    later changes to the plan do not change what it holds.

    :param plan: the plan record, as read by ``context``.
    :param extra_info: the checkpoint's ``extra_info``; a
        ``scheduled_operation_id`` in it goes to the operation log too.
    :param checkpoint_id: the new checkpoint's id; a new uuid when None.
    :raises PolicyNotAuthorized: when ``context`` may not protect the plan.
    :raises OverQuota: when the plan's project has no checkpoint left.
    :raises ServiceUnavailable: as :func:`start`.
    :returns: the checkpoint record, ``protecting``.
    """
    policy.authorize(context, 'provider:checkpoint_create',
                     {'project_id': plan.project_id})
    values = {
        'id': checkpoint_id or uuidutils.generate_uuid(),
        'project_id': plan.project_id,
        'user_id': context.user_id,
        'provider_id': plan.provider_id,
        'plan_id': plan.id,
        'status': states.CheckpointStatus.PROTECTING,
        'protection_plan': {
            'id': plan.id, 'name': plan.name,
            'provider_id': plan.provider_id,
            'resources': [plan_views.resource(row)
                          for row in plan.resources],
            # What the agent hands the plugins as protect parameters.
            'parameters': plan.parameters or {}},
        'extra_info': extra_info,
    }
    if plan.required_capabilities:
        # The agent uses only plugins that have them (a Smaug extension).
        values['protection_plan']['required_capabilities'] = list(
            plan.required_capabilities)
    return start(
        context, PROTECT, lambda: db.checkpoint_create(context, values),
        {'plan_id': plan.id, 'provider_id': plan.provider_id,
         'scheduled_operation_id': extra_info.get('scheduled_operation_id')},
        quota_deltas={'project_id': plan.project_id, 'checkpoints': 1})


def delete_checkpoint(context, checkpoint, expected_status=DELETABLE,
                      scheduled_operation_id=None):
    """Start deleting a checkpoint, as ``DELETE .../checkpoints/{id}`` does.

    The checkpoint moves to ``deleting`` only from ``expected_status``
    (compare and swap on the state), so a checkpoint that changed since it
    was read is left alone.

    :param checkpoint: the checkpoint record, as read.
    :param expected_status: the states it may be deleted from.
    :param scheduled_operation_id: the scheduled operation deleting it, for
        its operation log.
    :raises InvalidState: when it is not in ``expected_status``.
    :raises ServiceUnavailable: as :func:`start`.
    """
    return start(
        context, DELETE_CHECKPOINT,
        lambda: db.checkpoint_update(
            context, checkpoint.id,
            {'status': states.CheckpointStatus.DELETING,
             'error_reason': None},
            expected_status=expected_status),
        {'plan_id': checkpoint.plan_id,
         'provider_id': checkpoint.provider_id,
         'scheduled_operation_id': scheduled_operation_id})


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
