"""The JSON form of triggers.

``properties`` are shown as they were given. ``next_fire_times``, the next
five fire times from now in UTC, is an extension to Karbor's keys, like
``project_id``, ``created_at`` and ``updated_at``.
"""
from oslo_log import log as logging

from smaug import exception
from smaug.api import common
from smaug.operationengine.triggers import time_formats
from smaug.operationengine.triggers import time_trigger

LOG = logging.getLogger(__name__)

NEXT_FIRE_TIMES = 5


def next_fire_times(trigger, now=None):
    """The trigger's next fire times; none if it cannot be read anymore."""
    try:
        schedule = time_trigger.TimeTrigger(trigger.properties)
        times = schedule.fire_times(now or time_trigger.utcnow(),
                                    NEXT_FIRE_TIMES)
    except (exception.Invalid, time_formats.InvalidPattern) as exc:
        # Saved properties no longer readable, e.g. a format removed
        # from this installation: show the trigger all the same.
        LOG.warning('Trigger %s has no fire times: %s', trigger.id, exc)
        return []
    return [common.isotime(moment.replace(tzinfo=None)) for moment in times]


def _trigger(trigger, now):
    return {
        'id': trigger.id,
        'name': trigger.name,
        'type': trigger.type,
        'properties': trigger.properties,
        'next_fire_times': next_fire_times(trigger, now),
        'project_id': trigger.project_id,
        'created_at': common.isotime(trigger.created_at),
        'updated_at': common.isotime(trigger.updated_at),
    }


def detail(trigger):
    return {'trigger_info': _trigger(trigger, time_trigger.utcnow())}


def collection(request, triggers, limit):
    now = time_trigger.utcnow()
    items = [_trigger(trigger, now) for trigger in triggers]
    result = {'triggers': items}
    result.update(common.collection_links(request, 'triggers', items, limit))
    return result
