"""Version discovery, the health check and the OpenAPI document.

Whether they carry a request id is checked with every other response in
test_errors.
"""
from smaug.api.v1 import router
from smaug.tests.functional.api import client


def test_version_discovery_lists_v1(api, deployment):
    response = api.get('/', project=None)
    body = client.expect(response, 300, request_id=False)
    [version] = body['versions']
    assert (version['id'], version['status']) == ('v1.0', 'CURRENT')
    assert version['links'] == [{'rel': 'self',
                                 'href': deployment.url + '/v1/'}]
    assert version['media-types'][0]['base'] == 'application/json'


def test_healthcheck(api):
    response = api.get('/healthcheck', roles=None)
    assert response.status_code == 200, client.describe(response)


def test_openapi_document_has_every_route(api):
    document = client.expect(api.get('/openapi.json', roles=None), 200,
                             request_id=False)
    assert document['openapi'].startswith('3.')
    served = {path: sorted(operations)
              for path, operations in document['paths'].items()}
    assert served == {'/v1/{project_id}' + path:
                      sorted(method.lower() for method in actions)
                      for path, _module, actions in router.ROUTES}
