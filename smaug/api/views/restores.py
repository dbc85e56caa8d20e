"""The JSON form of restores.

``restore_auth`` holds credentials: it is stored for the agent and never
shown. ``created_at``, ``updated_at``, ``progress`` and ``error_reason``
are extensions to Karbor's keys.
"""
from smaug.api import common


def _restore(restore):
    return {
        'id': restore.id,
        'project_id': restore.project_id,
        'provider_id': restore.provider_id,
        'checkpoint_id': restore.checkpoint_id,
        'restore_target': restore.restore_target,
        'parameters': restore.parameters,
        'status': restore.status,
        'resources_status': restore.resources_status or {},
        'resources_reason': restore.resources_reason or {},
        'progress': restore.progress,
        'error_reason': restore.error_reason,
        'created_at': common.isotime(restore.created_at),
        'updated_at': common.isotime(restore.updated_at),
    }


def detail(restore):
    return {'restore': _restore(restore)}


def collection(request, restores, limit):
    items = [_restore(restore) for restore in restores]
    result = {'restores': items}
    result.update(common.collection_links(request, 'restores', items, limit))
    return result
