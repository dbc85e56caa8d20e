"""/v1/{project_id}/triggers: when scheduled operations run.

Only ``time`` triggers exist. Each one names its own ``format`` (Karbor
ignored it and read every pattern in one configured format) and is checked
against the operators' limits in ``[operationengine]`` when it is written.
A change is fanned out to every operation engine; deleting a trigger that
scheduled operations still use is refused with 424, as Karbor did.
"""
from oslo_log import log as logging

from smaug import exception
from smaug import policy
from smaug.api import common
from smaug.api import validation
from smaug.api import wsgi
from smaug.api.schemas import triggers as schemas
from smaug.api.views import triggers as views
from smaug.conf import CONF
from smaug.db import api as db
from smaug.operationengine import rpcapi
from smaug.operationengine.triggers import time_trigger

LOG = logging.getLogger(__name__)

SORT_KEYS = ('created_at', 'updated_at', 'id', 'name', 'type')
FILTERS = {
    'name': common.string_filter(),
    'type': common.string_filter(),
    'project_id': common.string_filter(),
}
UNREACHABLE = 'could not reach the operation engines: %s'
WHERE = 'trigger_info.properties'


def checked_properties(properties):
    """The properties to store: as given, with a start time of now if none.

    :raises InvalidProperty: (400) naming the first wrong property.
    """
    properties = dict(properties)
    if properties.get('start_time') is None:
        properties['start_time'] = time_trigger.format_time(
            time_trigger.utcnow())
    limits = CONF.operationengine
    time_trigger.TimeTrigger(properties, WHERE).check_limits(
        limits.min_interval, limits.min_window_time, limits.max_window_time)
    return properties


class TriggersController:

    def _get(self, context, trigger_id, action):
        trigger = db.trigger_get(context, trigger_id)
        policy.authorize(context, action, {'project_id': trigger.project_id})
        return trigger

    @validation.query_schema(common.list_query_schema(FILTERS))
    def index(self, request):
        context = request.context
        policy.authorize(context, 'trigger:list')
        triggers, limit = common.list_records(
            request, db.trigger_get_all, SORT_KEYS,
            common.filters(request, FILTERS))
        return views.collection(request, triggers, limit)

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, id):
        return views.detail(self._get(request.context, id, 'trigger:get'))

    @validation.schema(schemas.create)
    @validation.query_schema(common.NO_QUERY)
    def create(self, request, body):
        context = request.context
        policy.authorize(context, 'trigger:create')
        trigger = body['trigger_info']
        created = db.trigger_create(context, {
            'name': trigger['name'],
            'type': trigger['type'],
            'properties': checked_properties(trigger['properties']),
            'project_id': context.project_id,
        })
        return views.detail(created)

    @validation.schema(schemas.update)
    @validation.query_schema(common.NO_QUERY)
    def update(self, request, id, body):
        context = request.context
        trigger = self._get(context, id, 'trigger:update')
        changes = dict(body['trigger_info'])
        changes.pop('type', None)
        if 'properties' in changes:
            changes['properties'] = checked_properties(
                changes['properties'])
        if not changes:
            return views.detail(trigger)
        updated = db.trigger_update(context, trigger.id, changes)
        if 'properties' in changes:
            try:
                rpcapi.OperationEngineAPI().trigger_changed(context,
                                                            trigger.id)
            except Exception as exc:
                LOG.warning('trigger_changed of %s not sent: %s',
                            trigger.id, exc)
                # The engines run the schedule they know: put it back.
                db.trigger_update(context, trigger.id, {
                    'name': trigger.name,
                    'properties': trigger.properties,
                    'updated_at': trigger.updated_at})
                raise exception.ServiceUnavailable(reason=UNREACHABLE % exc)
        return views.detail(updated)

    @wsgi.response(202)
    @validation.query_schema(common.NO_QUERY)
    def delete(self, request, id):
        context = request.context
        trigger = self._get(context, id, 'trigger:delete')
        db.trigger_destroy(context, trigger.id)
        try:
            rpcapi.OperationEngineAPI().trigger_deleted(context, trigger.id)
        except Exception as exc:
            # No operation uses the trigger, so no engine runs it; a stale
            # copy in an engine's memory fires nothing.
            LOG.warning('trigger_deleted of %s not sent: %s', trigger.id,
                        exc)


def create_controller():
    return TriggersController()
