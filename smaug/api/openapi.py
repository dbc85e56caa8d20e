"""Build the OpenAPI 3.1 document of the v1 API from the real routes.

Paths and methods come from the router's table, request and query schemas
from the validation decorators on the controller methods, and summaries
from the policy rules, so the document cannot drift from the code; a test
compares it with the copy kept in ``doc/source/api/openapi.json``.
"""
import inspect
import json
import re

import webob
import webob.dec

from smaug.api.v1 import router
from smaug.policies import resources as policy_rules

_ERROR = {
    'description': 'An error, as {"<faultName>": {"code", "message"}}.',
    'content': {'application/json': {'schema': {
        'type': 'object', 'minProperties': 1, 'maxProperties': 1,
        'additionalProperties': {
            'type': 'object', 'required': ['code', 'message'],
            'properties': {'code': {'type': 'integer'},
                           'message': {'type': 'string'}}}}}},
}
_ERROR_CODES = ('400', '401', '403', '404', '409', '413', '424', '503')


def _summaries():
    """(method, path) -> description, from the documented policy rules."""
    found = {}
    for rule in policy_rules.list_rules():
        for operation in rule.operations:
            path = operation['path'].replace('/v1', '', 1)
            found[(operation['method'], _normalise(path))] = (
                rule.description, rule.name)
    return found


def _normalise(path):
    return re.sub(r'\{[^}]+\}', '{}', path)


def _parameters(path, method):
    params = [{'name': name, 'in': 'path', 'required': True,
               'schema': {'type': 'string'}}
              for name in re.findall(r'\{([^}]+)\}', path)]
    query = getattr(method, 'query_schema', None)
    for name, schema in sorted((query or {}).get('properties', {}).items()):
        params.append({'name': name, 'in': 'query', 'required': False,
                       'schema': schema})
    return params


def _operation(path, http_method, module, action, summaries):
    controller_class = type(module.create_controller())
    method = inspect.getattr_static(controller_class, action)
    status = str(getattr(method, 'wsgi_status', 200))
    description, rule = summaries.get(
        (http_method, _normalise(path)), ('', None))
    operation = {
        'operationId': '%s_%s' % (module.__name__.rsplit('.', 1)[-1],
                                  action),
        'summary': description,
        'parameters': _parameters(path, method),
        'responses': {status: {'description': 'Success.'}},
    }
    if rule:
        operation['x-policy-rule'] = rule
    for code in _ERROR_CODES:
        operation['responses'][code] = {'$ref': '#/components/responses/'
                                                'Error'}
    body = getattr(method, 'body_schema', None)
    if body is not None:
        operation['requestBody'] = {
            'required': True,
            'content': {'application/json': {'schema': body}}}
    return operation


def build():
    """The OpenAPI document as a dict."""
    summaries = _summaries()
    paths = {}
    for path, module, actions in router.ROUTES:
        full = '/v1/{project_id}' + path
        item = paths.setdefault(full, {})
        for http_method, action in sorted(actions.items()):
            item[http_method.lower()] = _operation(
                '/{project_id}' + path, http_method, module, action,
                summaries)
    return {
        'openapi': '3.1.0',
        'info': {'title': 'Smaug data protection API', 'version': '1.0'},
        'paths': paths,
        'components': {'responses': {'Error': _ERROR}},
    }


def render():
    return json.dumps(build(), indent=2, sort_keys=True) + '\n'


class OpenAPIDocument:
    """Serves the document at a stable path, without authentication."""

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls()

    def __init__(self):
        self._body = render().encode()

    @webob.dec.wsgify
    def __call__(self, request):
        return webob.Response(body=self._body,
                              content_type='application/json',
                              charset='UTF-8')
