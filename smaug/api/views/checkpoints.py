"""The JSON form of checkpoints and copies.

Karbor's keys keep Karbor's meaning, with two deliberate differences:
``created_at`` is a full ISO 8601 timestamp (Karbor gave the date only, and
clients treat it as a string), and ``resource_graph`` stays the JSON text
Karbor sent, or null until the agent has built the graph. Keys Karbor did
not have (``provider_id``, ``plan_id``, ``resources_status``,
``resources_reason``, ``progress``, ``error_reason``, ``updated_at``) are
extensions that Karbor clients ignore.
"""
from oslo_serialization import jsonutils

from smaug.api import common


def _checkpoint(checkpoint):
    graph = checkpoint.resource_graph
    return {
        'id': checkpoint.id,
        'project_id': checkpoint.project_id,
        'status': checkpoint.status,
        'protection_plan': checkpoint.protection_plan,
        'resource_graph': (jsonutils.dumps(graph) if graph is not None
                           else None),
        'created_at': common.isotime(checkpoint.created_at),
        'extra_info': checkpoint.extra_info or {},
        'provider_id': checkpoint.provider_id,
        'plan_id': checkpoint.plan_id,
        'resources_status': checkpoint.resources_status or {},
        'resources_reason': checkpoint.resources_reason or {},
        'progress': checkpoint.progress,
        'error_reason': checkpoint.error_reason,
        'updated_at': common.isotime(checkpoint.updated_at),
    }


def detail(checkpoint):
    return {'checkpoint': _checkpoint(checkpoint)}


def collection(request, checkpoints, limit):
    items = [_checkpoint(checkpoint) for checkpoint in checkpoints]
    result = {'checkpoints': items}
    result.update(common.collection_links(request, 'checkpoints', items,
                                          limit))
    return result


def copy(record):
    """Karbor's copy answer; ``id`` and ``status`` are extensions."""
    return {'copy': {
        'id': record.id,
        'project_id': record.project_id,
        'provider_id': record.provider_id,
        'plan_id': record.plan_id,
        'checkpoint_id': record.checkpoint_pairs or [],
        'parameters': record.parameters,
        'status': record.status,
    }}
