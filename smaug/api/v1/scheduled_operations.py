"""/v1/{project_id}/scheduled_operations: protection on a trigger's clock.

An operation protects one of the caller's plans each time one of the
caller's triggers fires. The API writes the operation and then tells the
operation engines; when they cannot be told, the operation is removed
again and the caller gets a 503, so no operation exists that no engine
runs.

Two extensions to Karbor: PUT suspends or resumes an operation
(``enabled``), which Karbor could do over RPC but offered no route for;
and ``/logs`` shows the run history the engines keep.
"""
from oslo_log import log as logging

from smaug import exception
from smaug import policy
from smaug.api import common
from smaug.api import validation
from smaug.api import wsgi
from smaug.api.schemas import scheduled_operations as schemas
from smaug.api.views import scheduled_operations as views
from smaug.db import api as db
from smaug.operationengine import rpcapi

LOG = logging.getLogger(__name__)

SORT_KEYS = ('created_at', 'updated_at', 'id', 'name', 'operation_type',
             'trigger_id', 'enabled')
FILTERS = {
    'name': common.string_filter(),
    'operation_type': {'type': 'string',
                       'enum': list(schemas.OPERATION_TYPES)},
    'trigger_id': common.uuid_filter(),
    'enabled': common.bool_filter(),
    'project_id': common.string_filter(),
}
LOG_SORT_KEYS = ('created_at', 'id', 'expect_start_time',
                 'actual_start_time', 'end_time', 'state')
LOG_FILTERS = {'state': common.string_filter(64)}
LOG_QUERY = common.list_query_schema(LOG_FILTERS)
LOG_QUERY['properties']['marker'] = {'type': 'string',
                                     'pattern': '^[0-9]{1,18}$'}
UNREACHABLE = 'could not reach the operation engines: %s'
WHERE = 'scheduled_operation.operation_definition'


def _invalid(field, reason):
    return exception.ValidationError(
        detail="Invalid input for field '%s.%s': %s" % (WHERE, field,
                                                         reason))


def _check_definition(context, operation_type, definition):
    """Check an operation's definition against the caller's plans.

    The definition is then stored as given: Karbor's clients send counts
    as strings and read them back so.

    :raises ValidationError: when the plan is not the caller's, is of
        another provider, or a key does not fit the operation type.
    """
    if operation_type != schemas.RETENTION_PROTECT:
        for key in schemas.GFS_KEYS:
            if key in definition:
                raise _invalid(key, 'only retention_protect operations '
                                    'keep checkpoints by age')
    try:
        plan = db.plan_get(context, definition['plan_id'])
    except exception.PlanNotFound:
        plan = None
    if plan is None or plan.project_id != context.project_id:
        raise _invalid('plan_id', 'plan %s could not be found in project '
                                  '%s' % (definition['plan_id'],
                                          context.project_id))
    if plan.provider_id != definition['provider_id']:
        raise _invalid('provider_id', 'plan %s is protected by provider '
                                      '%s, not %s' % (
                                          plan.id, plan.provider_id,
                                          definition['provider_id']))


def _engine_host(context, operation_id):
    """The host of the engine running an operation, if one claimed it."""
    try:
        state = db.scheduled_operation_state_get(context, operation_id)
        if state.service_id is None:
            return None
        return db.service_get(context, state.service_id).host
    except (exception.ScheduledOperationStateNotFound,
            exception.ServiceNotFound):
        return None


class ScheduledOperationsController:

    def _get(self, context, operation_id, action):
        operation = db.scheduled_operation_get(context, operation_id)
        policy.authorize(context, action,
                         {'project_id': operation.project_id})
        return operation

    @validation.query_schema(common.list_query_schema(FILTERS))
    def index(self, request):
        context = request.context
        policy.authorize(context, 'scheduled_operation:list')
        filters = common.filters(request, FILTERS)
        if 'enabled' in filters:
            filters['enabled'] = common.bool_param(filters['enabled'])
        operations, limit = common.list_records(
            request, db.scheduled_operation_get_all, SORT_KEYS, filters)
        return views.collection(request, operations, limit)

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, id):
        return views.detail(self._get(request.context, id,
                                      'scheduled_operation:get'))

    @validation.query_schema(LOG_QUERY)
    def logs(self, request, id):
        context = request.context
        operation = self._get(context, id, 'scheduled_operation:get')
        marker, limit, sort_keys, sort_dirs = common.paging(request,
                                                            LOG_SORT_KEYS)
        filters = dict(common.filters(request, LOG_FILTERS),
                       operation_id=operation.id)
        logs = db.scheduled_operation_log_get_all(
            context, filters=filters,
            marker=int(marker) if marker else None, limit=limit,
            sort_keys=sort_keys, sort_dirs=sort_dirs)
        return views.logs(request, logs, limit)

    @validation.schema(schemas.create)
    @validation.query_schema(common.NO_QUERY)
    def create(self, request, body):
        context = request.context
        policy.authorize(context, 'scheduled_operation:create')
        operation = body['scheduled_operation']
        trigger = db.trigger_get(context, operation['trigger_id'])
        if trigger.project_id != context.project_id:
            # An administrator sees every trigger but schedules only on
            # the triggers of the project they act in.
            raise exception.TriggerNotFound(id=trigger.id)
        _check_definition(context, operation['operation_type'],
                          operation['operation_definition'])
        created = db.scheduled_operation_create(context, {
            'name': operation['name'],
            'description': operation.get('description'),
            'operation_type': operation['operation_type'],
            'trigger_id': trigger.id,
            'operation_definition': operation['operation_definition'],
            'enabled': True,
            'user_id': context.user_id,
            'project_id': context.project_id,
        })
        try:
            rpcapi.OperationEngineAPI().scheduled_operation_created(
                context, created.id)
        except Exception as exc:
            LOG.warning('scheduled_operation_created of %s not sent: %s',
                        created.id, exc)
            db.scheduled_operation_destroy(context, created.id)
            raise exception.ServiceUnavailable(reason=UNREACHABLE % exc)
        return views.detail(created)

    @validation.schema(schemas.update)
    @validation.query_schema(common.NO_QUERY)
    def update(self, request, id, body):
        context = request.context
        operation = self._get(context, id, 'scheduled_operation:update')
        changes = body['scheduled_operation']
        updated = db.scheduled_operation_update(context, operation.id,
                                                changes)
        if changes.get('enabled', operation.enabled) == operation.enabled:
            return views.detail(updated)
        try:
            rpcapi.OperationEngineAPI().scheduled_operation_state_changed(
                context, operation.id, updated.enabled,
                host=_engine_host(context, operation.id))
        except Exception as exc:
            LOG.warning('scheduled_operation_state_changed of %s not sent: '
                        '%s', operation.id, exc)
            # The engine runs the operation as it knew it: put it back.
            db.scheduled_operation_update(context, operation.id, {
                key: getattr(operation, key) for key in
                list(changes) + ['updated_at']})
            raise exception.ServiceUnavailable(reason=UNREACHABLE % exc)
        return views.detail(updated)

    @wsgi.response(202)
    @validation.query_schema(common.NO_QUERY)
    def delete(self, request, id):
        context = request.context
        operation = self._get(context, id, 'scheduled_operation:delete')
        host = _engine_host(context, operation.id)
        db.scheduled_operation_destroy(context, operation.id)
        try:
            rpcapi.OperationEngineAPI().scheduled_operation_deleted(
                context, operation.id, host=host)
        except Exception as exc:
            # The record is gone, and an engine runs only operations whose
            # record it can read: it drops this one when it next looks.
            LOG.warning('scheduled_operation_deleted of %s not sent: %s',
                        operation.id, exc)


def create_controller():
    return ScheduledOperationsController()
