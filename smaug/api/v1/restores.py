"""/v1/{project_id}/restores: bringing a checkpoint's resources back.

A restore reads an ``available`` checkpoint of the provider it names; its
parameters must fit that provider's restore schemas. ``restore_target``
(a Keystone URL) and ``restore_auth`` (credentials there) come together:
the restore then creates everything as that user, in that user's project.
``restore_auth`` is kept for the agent and never shown.
"""
from smaug import exception
from smaug import policy
from smaug import states
from smaug.api import common
from smaug.api import operations
from smaug.api import parameters
from smaug.api import validation
from smaug.api.schemas import restores as schemas
from smaug.api.v1 import checkpoints
from smaug.api.views import restores as views
from smaug.db import api as db

SORT_KEYS = ('created_at', 'updated_at', 'id', 'status', 'checkpoint_id',
             'provider_id')
FILTERS = {
    'status': {'type': 'string', 'enum': list(states.RestoreStatus.ALL)},
    'checkpoint_id': common.uuid_filter(),
    'provider_id': common.uuid_filter(),
    'project_id': common.string_filter(),
}


class RestoresController:

    @validation.query_schema(common.list_query_schema(FILTERS))
    def index(self, request):
        context = request.context
        policy.authorize(context, 'restore:get_all')
        restores, limit = common.list_records(
            request, db.restore_get_all, SORT_KEYS,
            common.filters(request, FILTERS))
        return views.collection(request, restores, limit)

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, id):
        context = request.context
        restore = db.restore_get(context, id)
        policy.authorize(context, 'restore:get',
                         {'project_id': restore.project_id})
        return views.detail(restore)

    @validation.schema(schemas.create)
    @validation.query_schema(common.NO_QUERY)
    def create(self, request, body):
        context = request.context
        policy.authorize(context, 'restore:create')
        restore = body['restore']
        if bool(restore.get('restore_target')) != bool(
                restore.get('restore_auth')):
            raise exception.InvalidInput(
                reason='restore_target and restore_auth go together: the '
                       'Keystone URL of the target and the credentials to '
                       'act there with')
        record = checkpoints.start_reading_operation(
            context, 'restore:create', restore, 'restore',
            parameters.RESTORE, operations.RESTORE, db.restore_create,
            {'restore_target': restore.get('restore_target'),
             'restore_auth': restore.get('restore_auth'),
             'status': states.RestoreStatus.IN_PROGRESS})
        return views.detail(record)


def create_controller():
    return RestoresController()
