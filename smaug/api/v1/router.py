"""The v1 URL map: every route of Karbor's v1 API, under /{project_id}."""
import routes

from smaug.api import wsgi
from smaug.api.v1 import checkpoints
from smaug.api.v1 import operation_logs
from smaug.api.v1 import plans
from smaug.api.v1 import protectables
from smaug.api.v1 import providers
from smaug.api.v1 import quota_classes
from smaug.api.v1 import quotas
from smaug.api.v1 import restores
from smaug.api.v1 import scheduled_operations
from smaug.api.v1 import services
from smaug.api.v1 import triggers
from smaug.api.v1 import verifications

P = '/{project_id}'

# (path, controller module, {HTTP method: action})
ROUTES = [
    ('/providers', providers, {'GET': 'index'}),
    ('/providers/{id}', providers, {'GET': 'show'}),
    ('/providers/{provider_id}/checkpoints', checkpoints,
     {'GET': 'index', 'POST': 'create'}),
    ('/providers/{provider_id}/checkpoints/action', checkpoints,
     {'POST': 'action'}),
    ('/providers/{provider_id}/checkpoints/{id}', checkpoints,
     {'GET': 'show', 'DELETE': 'delete', 'PUT': 'update'}),
    ('/plans', plans, {'GET': 'index', 'POST': 'create'}),
    ('/plans/{id}', plans, {'GET': 'show', 'PUT': 'update',
                            'DELETE': 'delete'}),
    ('/restores', restores, {'GET': 'index', 'POST': 'create'}),
    ('/restores/{id}', restores, {'GET': 'show'}),
    ('/verifications', verifications, {'GET': 'index', 'POST': 'create'}),
    ('/verifications/{id}', verifications, {'GET': 'show'}),
    ('/protectables', protectables, {'GET': 'index'}),
    ('/protectables/{protectable_type}', protectables, {'GET': 'show'}),
    ('/protectables/{protectable_type}/instances', protectables,
     {'GET': 'instances_index'}),
    ('/protectables/{protectable_type}/instances/{protectable_id}',
     protectables, {'GET': 'instances_show'}),
    ('/triggers', triggers, {'GET': 'index', 'POST': 'create'}),
    ('/triggers/{id}', triggers, {'GET': 'show', 'PUT': 'update',
                                  'DELETE': 'delete'}),
    ('/scheduled_operations', scheduled_operations,
     {'GET': 'index', 'POST': 'create'}),
    ('/scheduled_operations/{id}', scheduled_operations,
     {'GET': 'show', 'PUT': 'update', 'DELETE': 'delete'}),
    ('/scheduled_operations/{id}/logs', scheduled_operations,
     {'GET': 'logs'}),
    ('/operation_logs', operation_logs, {'GET': 'index'}),
    ('/operation_logs/{id}', operation_logs, {'GET': 'show'}),
    ('/os-services', services, {'GET': 'index'}),
    ('/os-services/{id}', services, {'PUT': 'update'}),
    ('/quotas/{id}', quotas, {'GET': 'show', 'PUT': 'update',
                              'DELETE': 'delete'}),
    ('/quotas/{id}/detail', quotas, {'GET': 'detail'}),
    ('/quotas/{id}/defaults', quotas, {'GET': 'defaults'}),
    ('/quota_classes/{id}', quota_classes, {'GET': 'show',
                                             'PUT': 'update'}),
]


class APIRouter(wsgi.Router):
    """Routes /v1/{project_id}/... to the controllers."""

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls()

    def __init__(self):
        mapper = routes.Mapper()
        resources = {}
        for path, module, actions in ROUTES:
            resource = resources.setdefault(
                module, wsgi.Resource(module.create_controller()))
            for method, action in actions.items():
                mapper.connect(P + path, controller=resource, action=action,
                               conditions={'method': [method]})
            mapper.connect(P + path,
                           controller=wsgi.method_not_allowed(
                               sorted(actions)))
        super().__init__(mapper)
