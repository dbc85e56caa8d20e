"""retention_protect: protect a plan, then delete what its policy drops.

The definition is Karbor's (``provider_id``, ``plan_id``, ``max_backups``,
``retention_duration``) plus the grandfather-father-son keys of
:mod:`smaug.operationengine.retention`, which says what is kept.

Pruning waits for the new checkpoint to be *available*: a protect that
failed, or that is still running after ``[operationengine]
retention_wait_timeout`` seconds, prunes nothing, so a broken backup never
costs a good one. The checkpoint record is what is waited on, not the
agent's notification: the record is the truth, survives a lost message,
and reading it by id every ``retention_poll_interval`` seconds is cheap.

Checkpoints are deleted as ``DELETE .../checkpoints/{id}`` deletes them,
under the same policy rule for the operation's creator, but only from
``available``: one that changed since the plan's checkpoints were read (a
copy, a manual deletion) is left alone.

A run resumed after its engine died prunes again; that is safe, because
what a policy keeps, it keeps again (see
:mod:`smaug.operationengine.retention`): the second pass deletes nothing
the first kept.
"""
import copy
import time

from oslo_log import log as logging

from smaug import exception
from smaug import policy
from smaug import states
from smaug.api import operations
from smaug.db import api as db
from smaug.operationengine import retention
from smaug.operationengine.operations import protect

LOG = logging.getLogger(__name__)

AVAILABLE = states.CheckpointStatus.AVAILABLE
PROTECTING = states.CheckpointStatus.PROTECTING
PRUNED = 'pruned_checkpoints'


def _with_retention(schema):
    """``schema`` of a protect definition, with the retention keys."""
    schema = copy.deepcopy(schema)
    schema['properties'].update(retention.SCHEMA_PROPERTIES)
    return schema


class RetentionProtectOperation(protect.ProtectOperation):
    """Protect, wait for the checkpoint, then prune the plan's checkpoints.

    The run's extend_info carries ``checkpoint_id`` and, under
    ``pruned_checkpoints``, the ids of the checkpoints it started deleting,
    oldest first.
    """

    name = 'retention_protect'
    definition_schema = _with_retention(
        protect.ProtectOperation.definition_schema)

    def run(self, run):
        # A policy that cannot be read would leave every checkpoint of
        # this schedule in place: fail before protecting, not after.
        retention.RetentionPolicy.from_definition(run.definition)
        return super().run(run)

    def after_protect(self, run, checkpoint_id):
        """Prune once the new checkpoint is available.

        :raises WaitTimeout: when it is still protecting after
            ``retention_wait_timeout`` seconds.
        :raises ResourceFailed: when its protect failed.
        """
        checkpoint = self._protected(run.context, checkpoint_id)
        if checkpoint.status != AVAILABLE:
            raise exception.ResourceFailed(
                what='Checkpoint %s' % checkpoint.id, status=checkpoint.status,
                reason='%s; nothing was pruned' % (
                    checkpoint.error_reason or 'no reason given'))
        retention_policy = retention.RetentionPolicy.from_definition(
            run.definition)
        return {PRUNED: self._prune(run, retention_policy, checkpoint)}

    def _protected(self, context, checkpoint_id):
        """The checkpoint once its protect ended, in whatever state."""
        options = self.conf.operationengine
        deadline = time.monotonic() + options.retention_wait_timeout
        while True:
            checkpoint = db.checkpoint_get(context, checkpoint_id)
            if checkpoint.status != PROTECTING:
                return checkpoint
            if time.monotonic() >= deadline:
                raise exception.WaitTimeout(
                    what='Checkpoint %s' % checkpoint_id, goal=AVAILABLE,
                    timeout=options.retention_wait_timeout,
                    status='%s; nothing was pruned' % checkpoint.status)
            time.sleep(options.retention_poll_interval)

    def _prune(self, run, retention_policy, checkpoint):
        """Start deleting what the policy drops.

        :returns: the ids of the checkpoints it started deleting.

        :raises PolicyNotAuthorized: when the operation's creator may not
            delete the plan's checkpoints.
        """
        policy.authorize(run.context, 'provider:checkpoint_delete',
                         {'project_id': checkpoint.project_id})
        candidates = {record.id: record for record in db.checkpoint_get_all(
            run.context, filters={'plan_id': checkpoint.plan_id,
                                  'status': AVAILABLE})}
        decision = retention_policy.decide(candidates.values(), run.now())
        pruned = []
        for checkpoint_id in decision.delete:
            try:
                operations.delete_checkpoint(
                    run.context, candidates[checkpoint_id],
                    expected_status=AVAILABLE,
                    scheduled_operation_id=run.operation['id'])
            except (exception.InvalidState, exception.CheckpointNotFound):
                LOG.info('Checkpoint %s changed since it was read; '
                         'retention leaves it alone.', checkpoint_id)
                continue
            pruned.append(checkpoint_id)
        LOG.info('Scheduled operation %s kept %d checkpoints of plan %s '
                 'and started deleting %s.', run.operation['id'],
                 len(decision.keep), checkpoint.plan_id, pruned)
        LOG.debug('Rules keeping each checkpoint of plan %s: %s',
                  checkpoint.plan_id, decision.keep)
        return pruned
