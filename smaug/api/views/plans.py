"""The JSON form of plans."""
from smaug.api import common


def resource(row):
    return {'id': row.resource_id, 'type': row.resource_type,
            'name': row.resource_name,
            'extra_info': row.resource_extra_info or {}}


def detail(plan):
    return {'plan': _plan(plan)}


def _plan(plan):
    return {
        'id': plan.id,
        'name': plan.name,
        'description': plan.description,
        'resources': [resource(row) for row in plan.resources],
        'provider_id': plan.provider_id,
        'status': plan.status,
        'parameters': plan.parameters,
        'project_id': plan.project_id,
        'created_at': plan.created_at.isoformat(),
        'required_capabilities': plan.required_capabilities or [],
    }


def collection(request, plans, limit):
    items = [_plan(plan) for plan in plans]
    result = {'plans': items}
    result.update(common.collection_links(request, 'plans', items, limit))
    return result
