"""/v1/{project_id}/quotas/{id}: the plan and checkpoint limits of project
``id``.

Anyone may read the defaults; a project's own limits are for its readers
and administrators. Only administrators set or reset limits, and a limit
below what the project already uses is refused.
"""
from oslo_utils import uuidutils

from smaug import exception
from smaug import policy
from smaug import quota
from smaug.api import common
from smaug.api import validation
from smaug.api.schemas import quotas as schemas
from smaug.api.views import quotas as views

QUOTAS = quota.QUOTAS


def checked_project_id(project_id):
    """Keystone project ids are UUIDs, with or without dashes."""
    if not uuidutils.is_uuid_like(project_id):
        raise exception.ValidationError(
            detail='%s is not a project id.' % project_id)
    return project_id


def limits(body_limits):
    """{resource: limit} of a request body, as integers."""
    return {resource: int(limit) for resource, limit in body_limits.items()}


class QuotasController:

    def _authorized(self, context, project_id, action):
        checked_project_id(project_id)
        policy.authorize(context, action, {'project_id': project_id})
        return project_id

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, id):
        context = request.context
        project_id = self._authorized(context, id, 'quota:get')
        return views.project(project_id, QUOTAS.get_project_quotas(
            context, project_id, usages=False))

    @validation.query_schema(common.NO_QUERY)
    def detail(self, request, id):
        context = request.context
        project_id = self._authorized(context, id, 'quota:get')
        return views.project_detail(project_id, QUOTAS.get_project_quotas(
            context, project_id, usages=True))

    @validation.query_schema(common.NO_QUERY)
    def defaults(self, request, id):
        context = request.context
        checked_project_id(id)
        policy.authorize(context, 'quota:get_default')
        return views.project(id, {
            resource: {'limit': limit}
            for resource, limit in QUOTAS.get_defaults(context).items()})

    @validation.schema(schemas.update)
    @validation.query_schema(common.NO_QUERY)
    def update(self, request, id, body):
        context = request.context
        project_id = self._authorized(context, id, 'quota:update')
        wanted = limits(body['quota'])
        current = QUOTAS.get_project_quotas(context, project_id,
                                            usages=True)
        for resource, limit in sorted(wanted.items()):
            used = current[resource]['in_use'] + current[resource][
                'reserved']
            if limit != -1 and limit < used:
                raise exception.ValidationError(
                    detail="Invalid input for field 'quota.%s': project %s "
                           "already uses %d (%d in use, %d reserved), more "
                           "than the limit %d." % (
                               resource, project_id, used,
                               current[resource]['in_use'],
                               current[resource]['reserved'], limit))
        for resource, limit in sorted(wanted.items()):
            QUOTAS.set_project_quota(context, project_id, resource, limit)
        return views.project(project_id, QUOTAS.get_project_quotas(
            context, project_id, usages=False))

    @validation.query_schema(common.NO_QUERY)
    def delete(self, request, id):
        context = request.context
        project_id = self._authorized(context, id, 'quota:delete')
        QUOTAS.delete_project_quotas(context, project_id)


def create_controller():
    return QuotasController()
