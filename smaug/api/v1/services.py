"""/v1/{project_id}/os-services: Smaug's processes, for administrators.

A service is ``up`` while its heartbeats are recent. Disabling an
operation engine or a protection service keeps new work away from it;
Karbor allowed it for operation engines only.
"""
from smaug import exception
from smaug import policy
from smaug.api import common
from smaug.api import validation
from smaug.api.schemas import services as schemas
from smaug.api.views import services as views
from smaug.db import api as db
from smaug.db import models

UPDATABLE_BINARIES = ('smaug-operationengine', 'smaug-protection')
FILTERS = {
    'host': common.string_filter(),
    'binary': common.string_filter(),
}
QUERY = {'type': 'object', 'properties': FILTERS,
         'additionalProperties': False}


def _service_id(id):
    if not id.isdigit():
        raise exception.ServiceNotFound(id=id)
    return int(id)


class ServicesController:

    @validation.query_schema(QUERY)
    def index(self, request):
        context = request.context
        policy.authorize(context, 'service:get_all')
        services = db.service_get_all(context,
                                      common.filters(request, FILTERS))
        return views.collection(services)

    @validation.schema(schemas.update)
    @validation.query_schema(common.NO_QUERY)
    def update(self, request, id, body):
        context = request.context
        policy.authorize(context, 'service:update')
        service = db.service_get(context, _service_id(id))
        if service.binary not in UPDATABLE_BINARIES:
            raise exception.ValidationError(
                detail='%s services cannot be enabled or disabled; only %s '
                       'can.' % (service.binary,
                                 ' and '.join(UPDATABLE_BINARIES)))
        if body['status'] == schemas.ENABLED:
            if body.get('disabled_reason'):
                raise exception.ValidationError(
                    detail="Invalid input for field 'body.disabled_reason': "
                           "an enabled service has no disabled reason.")
            values = {'disabled': False, 'disabled_reason': None}
        else:
            values = {'disabled': True,
                      'disabled_reason': body.get('disabled_reason')}
        # updated_at is the heartbeat: changing the status must not make a
        # dead service look alive.
        values.update(modified_at=models.utcnow(),
                      updated_at=service.updated_at)
        return views.detail(db.service_update(context, service.id, values))


def create_controller():
    return ServicesController()
