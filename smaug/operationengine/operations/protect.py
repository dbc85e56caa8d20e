"""protect: start a checkpoint of a plan each time the trigger fires.

The checkpoint is started as ``POST .../checkpoints`` starts one (the same
quota, record, operation log and cast), on behalf of the operation's
creator. Its ``extra_info`` says which scheduled operation and fire time
made it.

The checkpoint's id is derived from the run's log row, so a run resumed
after its engine died finds the checkpoint its first attempt made instead
of making a second one.
"""
import uuid

from oslo_db import exception as db_exception

from smaug import exception
from smaug.api import operations
from smaug.api.schemas import parameter_types
from smaug.db import api as db
from smaug.operationengine.operations import base

CREATED_BY = 'operation-engine'
_CHECKPOINT_IDS = uuid.UUID('6f1d0c52-8b4e-4d7a-9e35-2c7b9a0f4e18')


def run_checkpoint_id(run):
    """The id of the checkpoint ``run`` makes: one per run log row."""
    return str(uuid.uuid5(_CHECKPOINT_IDS, '%s/%d' % (run.operation['id'],
                                                      run.log_id)))


class ProtectOperation(base.ScheduledOperationType):
    """Checkpoint ``plan_id`` of ``provider_id``.

    Subclasses act on the new checkpoint in :meth:`after_protect`.
    """

    name = 'protect'
    definition_schema = {
        'type': 'object',
        'properties': {'provider_id': parameter_types.UUID,
                       'plan_id': parameter_types.UUID},
        'required': ['provider_id', 'plan_id'],
        'additionalProperties': False,
    }

    def run(self, run):
        checkpoint_id = run_checkpoint_id(run)
        try:
            checkpoint = db.checkpoint_get(run.context, checkpoint_id)
        except exception.CheckpointNotFound:
            checkpoint = self._protect(run, checkpoint_id)
        result = {'checkpoint_id': checkpoint.id}
        result.update(self.after_protect(run, checkpoint.id))
        return result

    def after_protect(self, run, checkpoint_id):
        """What to do once the checkpoint is started (it may still be
        protecting); nothing here.

        :returns: more keys of the run's extend_info.
        """
        return {}

    def _protect(self, run, checkpoint_id):
        definition = run.definition
        plan = db.plan_get(run.context, definition['plan_id'])
        if plan.provider_id != definition['provider_id']:
            raise exception.Invalid(
                reason='plan %s is now protected by provider %s, not %s'
                       % (plan.id, plan.provider_id,
                          definition['provider_id']))
        extra_info = {
            'created_by': CREATED_BY,
            'scheduled_operation_id': run.operation['id'],
            'trigger_id': run.operation['trigger_id'],
            'fire_time': run.expected_time.isoformat(),
        }
        try:
            return operations.protect_plan(run.context, plan, extra_info,
                                           checkpoint_id=checkpoint_id)
        except db_exception.DBDuplicateEntry:
            # The engine this run was taken from was slow, not dead, and
            # made the checkpoint meanwhile.
            return db.checkpoint_get(run.context, checkpoint_id)
