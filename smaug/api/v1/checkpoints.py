"""/v1/{project_id}/providers/{provider_id}/checkpoints: protection points.

The database record is the source of every list and show, so listing needs
neither the agents nor the bank. A checkpoint under another provider's URL
does not exist there (404).

Creating, deleting and copying are asynchronous (see
:mod:`smaug.api.operations`). Deletion is allowed from every state the
state table lets reach ``deleting``, so a failed deletion can be retried.
``os-resetState`` lets an administrator release a checkpoint stuck in any
state but ``deleted``: its lease goes too, so no agent still owns it.
"""
import datetime

from oslo_utils import uuidutils

from smaug import exception
from smaug import policy
from smaug import states
from smaug.api import common
from smaug.api import operations
from smaug.api import parameters
from smaug.api import validation
from smaug.api import wsgi
from smaug.api.schemas import checkpoints as schemas
from smaug.api.views import checkpoints as views
from smaug.db import api as db
from smaug.protection import operations as protection_operations
from smaug.protection import providers

CheckpointStatus = states.CheckpointStatus

SORT_KEYS = ('created_at', 'updated_at', 'id', 'status', 'plan_id')
_DATE = {'type': 'string', 'format': 'date',
         'pattern': r'^\d{4}-\d{2}-\d{2}$'}
FILTERS = {
    'plan_id': common.uuid_filter(),
    'status': {'type': 'string', 'enum': list(CheckpointStatus.ALL)},
    'start_date': _DATE,
    'end_date': _DATE,
    'project_id': common.string_filter(),
}
# Listed unless asked for by status: deleted checkpoints have no data left.
_LISTED = [status for status in CheckpointStatus.ALL
           if status != CheckpointStatus.DELETED]
MANUAL = 'manual'


def _day(text):
    return datetime.datetime.strptime(text, '%Y-%m-%d')


def _list_filters(request, provider_id):
    """Database filters of a checkpoint list; end_date is inclusive."""
    given = common.filters(request, FILTERS)
    filters = {'provider_id': provider_id,
               'status': given.pop('status', _LISTED)}
    if 'start_date' in given:
        filters['created_at_gte'] = _day(given.pop('start_date'))
    if 'end_date' in given:
        filters['created_at_lt'] = (_day(given.pop('end_date')) +
                                    datetime.timedelta(days=1))
    filters.update(given)
    return filters


def _extra_info(checkpoint):
    """Karbor documented ``extra-info`` and read ``extra_info``: take
    either, never both."""
    if 'extra_info' in checkpoint and 'extra-info' in checkpoint:
        raise exception.ValidationError(
            detail="Invalid input for field 'checkpoint': give extra_info "
                   "or extra-info, not both.")
    extra_info = dict(checkpoint.get('extra_info') or
                      checkpoint.get('extra-info') or {})
    extra_info.setdefault('created_by', MANUAL)
    return extra_info


def start_reading_operation(context, rule, request, kind, parameters_kind,
                            operation, create, values):
    """Start an operation that reads an available checkpoint of the
    provider ``request`` names (a restore or a verification).

    :param rule: the policy rule, checked against the checkpoint's project.
    :param request: the operation's part of the body (``kind`` names it).
    :param parameters_kind: which of the provider's schemas the request's
        ``parameters`` must fit (:mod:`smaug.api.parameters`).
    :param operation: the :mod:`smaug.api.operations` kind to start.
    :param create: callable(context, values) creating the record.
    :param values: the record's values besides those of the checkpoint,
        the caller and the parameters.
    :returns: the created record.
    :raises CheckpointNotFound: when the caller cannot see the checkpoint
        or it is another provider's.
    :raises InvalidState: when it is not available.
    """
    provider = providers.get_registry().get(request['provider_id'])
    checkpoint = db.checkpoint_get(context, request['checkpoint_id'])
    if checkpoint.provider_id != provider.id:
        raise exception.CheckpointNotFound(id=checkpoint.id)
    policy.authorize(context, rule, {'project_id': checkpoint.project_id})
    if checkpoint.status != CheckpointStatus.AVAILABLE:
        raise exception.InvalidState(
            object='Checkpoint', id=checkpoint.id, state=checkpoint.status,
            allowed=CheckpointStatus.AVAILABLE)
    request_parameters = request.get('parameters') or {}
    parameters.validate(provider, request_parameters, parameters_kind,
                        kind + '.parameters')
    values = dict(values, id=uuidutils.generate_uuid(),
                  project_id=checkpoint.project_id, user_id=context.user_id,
                  provider_id=provider.id, checkpoint_id=checkpoint.id,
                  parameters=request_parameters)
    return operations.start(
        context, operation, lambda: create(context, values),
        {'plan_id': checkpoint.plan_id, 'provider_id': provider.id,
         'checkpoint_id': checkpoint.id})


def _check_destination(parameters):
    """A copy's destination provider, when it names one, must exist."""
    destination = parameters.get(protection_operations.COPY_DESTINATION)
    if destination is None:
        return
    try:
        providers.get_registry().get(destination['provider_id'])
    except exception.ProviderNotFound as error:
        raise exception.ValidationError(
            detail="Invalid input for field 'copy.parameters.%s."
                   "provider_id': %s" % (
                       protection_operations.COPY_DESTINATION, error))


class CheckpointsController:

    def _get(self, context, provider_id, checkpoint_id, action):
        providers.get_registry().get(provider_id)
        checkpoint = db.checkpoint_get(context, checkpoint_id)
        if checkpoint.provider_id != provider_id:
            raise exception.CheckpointNotFound(id=checkpoint_id)
        policy.authorize(context, action,
                         {'project_id': checkpoint.project_id})
        return checkpoint

    def _plan(self, context, provider_id, plan_id, field):
        provider = providers.get_registry().get(provider_id)
        plan = db.plan_get(context, plan_id)
        if plan.provider_id != provider.id:
            raise exception.Invalid(
                "Invalid input for field '%s': plan %s belongs to provider "
                "%s, not %s." % (field, plan.id, plan.provider_id,
                                 provider.id))
        return plan

    @validation.query_schema(common.list_query_schema(FILTERS))
    def index(self, request, provider_id):
        context = request.context
        policy.authorize(context, 'provider:checkpoint_get_all')
        providers.get_registry().get(provider_id)
        project_id = request.GET.get('project_id')
        if project_id not in (None, context.project_id) and \
                not context.is_admin:
            raise exception.PolicyNotAuthorized(
                action='listing the checkpoints of another project')
        checkpoints, limit = common.list_records(
            request, db.checkpoint_get_all, SORT_KEYS,
            _list_filters(request, provider_id))
        return views.collection(request, checkpoints, limit)

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, provider_id, id):
        return views.detail(self._get(request.context, provider_id, id,
                                      'provider:checkpoint_get'))

    @validation.schema(schemas.create)
    @validation.query_schema(common.NO_QUERY)
    def create(self, request, provider_id, body):
        context = request.context
        policy.authorize(context, 'provider:checkpoint_create')
        plan = self._plan(context, provider_id, body['checkpoint']['plan_id'],
                          'checkpoint.plan_id')
        checkpoint = operations.protect_plan(
            context, plan, _extra_info(body['checkpoint']))
        return views.detail(checkpoint)

    @wsgi.response(202)
    @validation.query_schema(common.NO_QUERY)
    def delete(self, request, provider_id, id):
        context = request.context
        checkpoint = self._get(context, provider_id, id,
                               'provider:checkpoint_delete')
        operations.delete_checkpoint(context, checkpoint)

    @validation.schema(schemas.reset_state)
    @validation.query_schema(common.NO_QUERY)
    def update(self, request, provider_id, id, body):
        context = request.context
        checkpoint = self._get(context, provider_id, id,
                               'provider:checkpoint_update')
        if checkpoint.status == CheckpointStatus.DELETED:
            raise exception.InvalidState(
                object='Checkpoint', id=checkpoint.id,
                state=checkpoint.status,
                allowed='any state but %s' % CheckpointStatus.DELETED)
        # Compare-and-swap on the state read: a concurrent change wins and
        # the administrator looks again.
        db.checkpoint_update(
            context, checkpoint.id,
            {'status': body['os-resetState']['state'], 'owner': None,
             'lease_expires_at': None},
            expected_status=checkpoint.status)
        return {}

    @validation.schema(schemas.copy)
    @validation.query_schema(common.NO_QUERY)
    def action(self, request, provider_id, body):
        context = request.context
        policy.authorize(context, 'copy:create')
        copy = body['copy']
        plan = self._plan(context, provider_id, copy['plan_id'],
                          'copy.plan_id')
        policy.authorize(context, 'copy:create',
                         {'project_id': plan.project_id})
        _check_destination(copy.get('parameters') or {})
        values = {
            'id': uuidutils.generate_uuid(),
            'project_id': plan.project_id,
            'user_id': context.user_id,
            'provider_id': plan.provider_id,
            'plan_id': plan.id,
            'parameters': copy.get('parameters') or {},
            'status': states.CopyStatus.WAIT_COPYING,
        }
        record = operations.start(
            context, operations.COPY,
            lambda: db.copy_create(context, values),
            {'plan_id': plan.id, 'provider_id': plan.provider_id})
        return views.copy(record)


def create_controller():
    return CheckpointsController()
