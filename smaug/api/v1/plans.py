"""/v1/{project_id}/plans: what to protect, with which provider."""
from smaug import exception
from smaug import policy
from smaug import quota
from smaug import states
from smaug.api import common
from smaug.api import parameters
from smaug.api import validation
from smaug.api import wsgi
from smaug.api.schemas import plans as schemas
from smaug.api.views import plans as views
from smaug.db import api as db
from smaug.protection import protectable
from smaug.protection import providers

SORT_KEYS = ('created_at', 'updated_at', 'id', 'name', 'status')
FILTERS = {
    'name': common.string_filter(),
    'description': common.string_filter(),
    'status': {'type': 'string', 'enum': list(states.PlanStatus.ALL)},
    'provider_id': common.uuid_filter(),
    'project_id': common.string_filter(),
}


def _resource_rows(resources):
    registry = protectable.get_registry()
    rows = []
    for index, item in enumerate(resources):
        if item['type'] not in registry.types():
            raise exception.ValidationError(
                detail="Invalid input for field 'plan.resources[%d].type': "
                       "%s is not a protectable resource type."
                       % (index, item['type']))
        rows.append({'resource_id': item['id'],
                     'resource_type': item['type'],
                     'resource_name': item['name'],
                     'resource_extra_info': item.get('extra_info') or {}})
    return rows


def _check_capabilities(provider, resource_types, required):
    """Every plan resource type the provider protects must have a plugin
    offering ``required`` (and the provider's own requirements).

    :raises ValidationError: naming the type and what its plugins lack.
    """
    for resource_type in sorted(set(resource_types)):
        missing = provider.missing_capabilities(resource_type, required)
        if missing:
            raise exception.ValidationError(
                detail="Invalid input for field 'plan.required_capabilities'"
                       ": no plugin of provider %s protects %s with the "
                       "required capabilities; missing: %s." % (
                           provider.id, resource_type, ', '.join(missing)))


class PlansController:

    def _get(self, context, plan_id, action):
        plan = db.plan_get(context, plan_id)
        policy.authorize(context, action, {'project_id': plan.project_id})
        return plan

    @validation.query_schema(common.list_query_schema(FILTERS))
    def index(self, request):
        context = request.context
        policy.authorize(context, 'plan:get_all')
        plans, limit = common.list_records(
            request, db.plan_get_all, SORT_KEYS,
            common.filters(request, FILTERS))
        return views.collection(request, plans, limit)

    def show(self, request, id):
        return views.detail(self._get(request.context, id, 'plan:get'))

    @validation.schema(schemas.create)
    def create(self, request, body):
        context = request.context
        policy.authorize(context, 'plan:create')
        plan = body['plan']
        provider = providers.get_registry().get(plan['provider_id'])
        parameters.validate(provider, plan['parameters'],
                            parameters.OPTIONS, 'plan.parameters')
        required = plan.get('required_capabilities') or []
        _check_capabilities(provider, (item['type']
                                       for item in plan['resources']),
                            required)
        values = {
            'name': plan['name'],
            'description': plan.get('description'),
            'provider_id': provider.id,
            'parameters': plan['parameters'],
            'resources': _resource_rows(plan['resources']),
            'project_id': context.project_id,
            'user_id': context.user_id,
            'status': states.PlanStatus.SUSPENDED,
            'required_capabilities': required,
        }
        with quota.reserved(context, plans=1):
            created = db.plan_create(context, values)
        return views.detail(created)

    @validation.schema(schemas.update)
    def update(self, request, id, body):
        context = request.context
        plan = self._get(context, id, 'plan:update')
        changes = dict(body['plan'])
        if 'resources' in changes:
            changes['resources'] = _resource_rows(changes['resources'])
        if {'resources', 'required_capabilities'} & set(changes):
            rows = changes.get('resources')
            _check_capabilities(
                providers.get_registry().get(plan.provider_id),
                (row['resource_type'] for row in rows) if rows is not None
                else (row.resource_type for row in plan.resources),
                changes.get('required_capabilities',
                            plan.required_capabilities or []))
        # Karbor's rule: a started plan is frozen until it is suspended;
        # the status itself may always change.
        if set(changes) - {'status'}:
            expected = states.PlanStatus.SUSPENDED
        else:
            expected = None
        updated = db.plan_update(context, plan.id, changes,
                                 expected_status=expected)
        return views.detail(updated)

    @wsgi.response(202)
    def delete(self, request, id):
        context = request.context
        plan = self._get(context, id, 'plan:delete')
        with quota.reserved(context, project_id=plan.project_id, plans=-1):
            db.plan_destroy(context, plan.id)


def create_controller():
    return PlansController()
