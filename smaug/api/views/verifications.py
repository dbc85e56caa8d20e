"""The JSON form of verifications; ``created_at``, ``updated_at`` and
``error_reason`` are extensions to Karbor's keys."""
from smaug.api import common


def _verification(verification):
    return {
        'id': verification.id,
        'project_id': verification.project_id,
        'provider_id': verification.provider_id,
        'checkpoint_id': verification.checkpoint_id,
        'parameters': verification.parameters,
        'status': verification.status,
        'resources_status': verification.resources_status or {},
        'resources_reason': verification.resources_reason or {},
        'error_reason': verification.error_reason,
        'created_at': common.isotime(verification.created_at),
        'updated_at': common.isotime(verification.updated_at),
    }


def detail(verification):
    return {'verification': _verification(verification)}


def collection(request, verifications, limit):
    items = [_verification(verification) for verification in verifications]
    result = {'verifications': items}
    result.update(common.collection_links(request, 'verifications', items,
                                          limit))
    return result
