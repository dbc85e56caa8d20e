"""The JSON form of scheduled operations and of their run history.

Karbor lists scheduled operations under ``operations``. The run history
(``/scheduled_operations/{id}/logs``) is an extension: Karbor kept it but
never showed it.
"""
from smaug.api import common


def _operation(operation):
    return {
        'id': operation.id,
        'name': operation.name,
        'description': operation.description,
        'operation_type': operation.operation_type,
        'trigger_id': operation.trigger_id,
        'operation_definition': operation.operation_definition,
        'enabled': operation.enabled,
        'project_id': operation.project_id,
        'created_at': common.isotime(operation.created_at),
        'updated_at': common.isotime(operation.updated_at),
    }


def detail(operation):
    return {'scheduled_operation': _operation(operation)}


def collection(request, operations, limit):
    items = [_operation(operation) for operation in operations]
    result = {'operations': items}
    result.update(common.collection_links(request, 'operations', items,
                                          limit))
    return result


def _log(log):
    return {
        'id': log.id,
        'operation_id': log.operation_id,
        'expect_start_time': common.isotime(log.expect_start_time),
        'triggered_time': common.isotime(log.triggered_time),
        'actual_start_time': common.isotime(log.actual_start_time),
        'end_time': common.isotime(log.end_time),
        'state': log.state,
        'checkpoint_id': log.checkpoint_id,
        'error': log.error,
        'extend_info': log.extend_info,
    }


def logs(request, logs, limit):
    items = [_log(log) for log in logs]
    result = {'scheduled_operation_logs': items}
    result.update(common.collection_links(
        request, 'scheduled_operation_logs', items, limit))
    return result
