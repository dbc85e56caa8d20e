"""The JSON form of operation logs: Karbor's keys, plus project_id,
created_at and updated_at."""
from smaug.api import common


def _operation_log(log):
    return {
        'id': log.id,
        'operation_type': log.operation_type,
        'checkpoint_id': log.checkpoint_id,
        'plan_id': log.plan_id,
        'provider_id': log.provider_id,
        'restore_id': log.restore_id,
        'scheduled_operation_id': log.scheduled_operation_id,
        'status': log.status,
        'started_at': common.isotime(log.started_at),
        'ended_at': common.isotime(log.ended_at),
        'error_info': log.error_info,
        'extra_info': log.extra_info,
        'project_id': log.project_id,
        'created_at': common.isotime(log.created_at),
        'updated_at': common.isotime(log.updated_at),
    }


def detail(log):
    return {'operation_log': _operation_log(log)}


def collection(request, logs, limit):
    items = [_operation_log(log) for log in logs]
    result = {'operation_logs': items}
    result.update(common.collection_links(request, 'operation_logs', items,
                                          limit))
    return result
