"""/v1/{project_id}/quota_classes/{id}: the limits of quota class ``id``.

Class ``default`` holds the limits of every project without its own; its
limits override the ``[quota]`` options. A class with no limits set shows
the defaults.
"""
from smaug import exception
from smaug import policy
from smaug import quota
from smaug.api import common
from smaug.api import validation
from smaug.api.schemas import quotas as schemas
from smaug.api.v1 import quotas
from smaug.api.views import quotas as views

QUOTAS = quota.QUOTAS


def checked_class_name(class_name):
    if len(class_name) > 255:
        raise exception.ValidationError(
            detail='A quota class name has at most 255 characters.')
    return class_name


class QuotaClassesController:

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, id):
        context = request.context
        policy.authorize(context, 'quota_class:get')
        class_name = checked_class_name(id)
        return views.quota_class(class_name,
                                 QUOTAS.get_class_quotas(context, class_name))

    @validation.schema(schemas.update_class)
    @validation.query_schema(common.NO_QUERY)
    def update(self, request, id, body):
        context = request.context
        policy.authorize(context, 'quota_class:update')
        class_name = checked_class_name(id)
        for resource, limit in sorted(
                quotas.limits(body['quota_class']).items()):
            QUOTAS.set_class_quota(context, class_name, resource, limit)
        return views.quota_class(class_name,
                                 QUOTAS.get_class_quotas(context, class_name))


def create_controller():
    return QuotaClassesController()
