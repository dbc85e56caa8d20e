"""/v1/{project_id}/operation_logs: the record of every operation run.

One log per protect, checkpoint delete, restore, verify and copy, written
by the API when the operation starts and closed by the agent that ran it.
"""
from smaug import policy
from smaug.api import common
from smaug.api import validation
from smaug.api.views import operation_logs as views
from smaug.db import api as db

SORT_KEYS = ('created_at', 'updated_at', 'id', 'started_at', 'ended_at',
             'status', 'operation_type')
FILTERS = {
    'checkpoint_id': common.uuid_filter(),
    'plan_id': common.uuid_filter(),
    'restore_id': common.uuid_filter(),
    'scheduled_operation_id': common.uuid_filter(),
    'status': common.string_filter(64),
    'operation_type': common.string_filter(64),
    'project_id': common.string_filter(),
}


class OperationLogsController:

    @validation.query_schema(common.list_query_schema(FILTERS))
    def index(self, request):
        context = request.context
        policy.authorize(context, 'operation_log:list')
        logs, limit = common.list_records(
            request, db.operation_log_get_all, SORT_KEYS,
            common.filters(request, FILTERS))
        return views.collection(request, logs, limit)

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, id):
        context = request.context
        log = db.operation_log_get(context, id)
        policy.authorize(context, 'operation_log:get',
                         {'project_id': log.project_id})
        return views.detail(log)


def create_controller():
    return OperationLogsController()
