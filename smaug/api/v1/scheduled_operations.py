"""/v1/{project_id}/scheduled_operations: protection on a trigger's clock.

An operation runs one of the caller's plans through an operation type
(``protect``, ``retention_protect``...; plugins of
:mod:`smaug.operationengine.operations`, whose schemas check the
definition) each time one of the caller's triggers fires. Behind Keystone
the caller's roles are delegated to Smaug's service user with a trust,
shared by the caller's operations in the project and deleted with the last
of them (:mod:`smaug.operationengine.delegation`).

The database is what the operation engines follow: every change is
committed first, then the engines are woken so that it applies at once. A
wake-up that cannot be sent is only logged, since the engines poll the
database anyway; suspension and deletion take effect even before that, as
an engine claims a fire time only for a live, enabled operation.

Two extensions to Karbor: PUT suspends or resumes an operation
(``enabled``), which Karbor could do over RPC but offered no route for;
and ``/logs`` shows the run history: one entry per fire time, with its
state (``running``, then ``success`` or ``failed``; or ``dropped`` or
``skipped``), checkpoint and error.
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
from smaug.db import scheduling
from smaug.operationengine import delegation
from smaug.operationengine import operations as operation_types
from smaug.operationengine import rpcapi

LOG = logging.getLogger(__name__)

SORT_KEYS = ('created_at', 'updated_at', 'id', 'name', 'operation_type',
             'trigger_id', 'enabled')
FILTERS = {
    'name': common.string_filter(),
    'operation_type': common.string_filter(64),
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
WHERE = 'scheduled_operation.operation_definition'


def _invalid(field, reason):
    return exception.ValidationError(
        detail="Invalid input for field '%s.%s': %s" % (WHERE, field,
                                                         reason))


def _operation_type(name):
    """:raises ValidationError: when no type is registered as ``name``."""
    try:
        return operation_types.type_class(name)
    except operation_types.UnknownOperationType as exc:
        raise exception.ValidationError(
            detail="Invalid input for field 'body.scheduled_operation."
                   "operation_type': %s" % exc) from None


def _check_definition(context, operation_type, definition):
    """Check an operation's definition against its type and the caller's
    plans.

    The definition is then stored as given: Karbor's clients send counts
    as strings and read them back so.

    :raises ValidationError: when the definition does not fit the type's
        schema, or names a plan that is not the caller's or is of another
        provider.
    """
    validation.validate(operation_type.definition_schema, definition,
                        root='body.' + WHERE)
    if 'plan_id' not in definition:
        return
    try:
        plan = db.plan_get(context, definition['plan_id'])
    except exception.PlanNotFound:
        plan = None
    if plan is None or plan.project_id != context.project_id:
        raise _invalid('plan_id', 'plan %s could not be found in project '
                                  '%s' % (definition['plan_id'],
                                          context.project_id))
    if plan.provider_id != definition.get('provider_id'):
        raise _invalid('provider_id', 'plan %s is protected by provider '
                                      '%s, not %s' % (
                                          plan.id, plan.provider_id,
                                          definition.get('provider_id')))


def _trust_for(context):
    """The trust the caller's new operation acts through: the one of the
    caller's other operations in the project, or a new one. None without
    Keystone.

    :raises OpenStackAccessUnavailable: (503) when Keystone makes none.
    """
    if not delegation.uses_trusts():
        return None
    return (scheduling.trust_of(context, context.user_id,
                                context.project_id)
            or delegation.create_trust(context))


def _release_trust(context, trust_id, trustor_user_id):
    """Delete ``trust_id`` unless an operation still acts through it."""
    if not trust_id or scheduling.trust_in_use(context, trust_id):
        return
    try:
        delegation.delete_trust(context, trust_id, trustor_user_id)
    except exception.OpenStackAccessUnavailable as exc:
        # The operation is gone either way; the trust is the operator's
        # to remove now.
        LOG.warning('Trust %s of user %s is no longer used but could not '
                    'be deleted: %s', trust_id, trustor_user_id, exc)


def _wake_engines(cast, context, *args):
    """Tell an engine what changed; the engines poll when it fails."""
    try:
        cast(rpcapi.OperationEngineAPI(), context, *args)
    except Exception as exc:
        LOG.warning('%s%r not sent; the engines will read the change at '
                    'their next poll: %s', cast.__name__, args, exc)


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
        _check_definition(context,
                          _operation_type(operation['operation_type']),
                          operation['operation_definition'])
        values = {
            'name': operation['name'],
            'description': operation.get('description'),
            'operation_type': operation['operation_type'],
            'trigger_id': trigger.id,
            'operation_definition': operation['operation_definition'],
            'enabled': True,
            'user_id': context.user_id,
            'project_id': context.project_id,
        }
        trust_id = _trust_for(context)
        if trust_id:
            # The trust replaces the caller's token, which would expire.
            values['request_context'] = None
        try:
            created = scheduling.operation_create(context, values, trust_id)
        except Exception:
            _release_trust(context, trust_id, context.user_id)
            raise
        _wake_engines(rpcapi.OperationEngineAPI.scheduled_operation_created,
                      context, created.id)
        return views.detail(created)

    @validation.schema(schemas.update)
    @validation.query_schema(common.NO_QUERY)
    def update(self, request, id, body):
        context = request.context
        operation = self._get(context, id, 'scheduled_operation:update')
        changes = dict(body['scheduled_operation'])
        enabled = changes.pop('enabled', operation.enabled)
        updated = operation
        if changes:
            updated = db.scheduled_operation_update(context, operation.id,
                                                    changes)
        if enabled != operation.enabled:
            updated = scheduling.operation_set_enabled(context, operation.id,
                                                       enabled)
            _wake_engines(
                rpcapi.OperationEngineAPI.scheduled_operation_state_changed,
                context, operation.id, enabled)
        return views.detail(updated)

    @wsgi.response(202)
    @validation.query_schema(common.NO_QUERY)
    def delete(self, request, id):
        context = request.context
        operation = self._get(context, id, 'scheduled_operation:delete')
        try:
            trust_id = db.scheduled_operation_state_get(
                context, operation.id).trust_id
        except exception.ScheduledOperationStateNotFound:
            trust_id = None
        db.scheduled_operation_destroy(context, operation.id)
        _wake_engines(rpcapi.OperationEngineAPI.scheduled_operation_deleted,
                      context, operation.id)
        _release_trust(context, trust_id, operation.user_id)


def create_controller():
    return ScheduledOperationsController()
