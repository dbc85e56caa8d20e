"""Errors as a client sees them on the wire: the JSON fault shape, the
status, a message naming the problem, and a request id on every answer.
"""
import pytest

from smaug.tests.functional.api import client

fault = client.fault
UNKNOWN = client.UNKNOWN


def test_malformed_json_body_is_400(api):
    response = api.request('POST', 'plans', data=b'{"plan": {"name": ')
    message = fault(response, 400, 'badRequest')
    assert 'not valid JSON' in message, client.describe(response)


def test_unknown_field_is_400_naming_it(api, project):
    body = client.plan_body(project)
    body['plan']['colour'] = 'red'
    message = fault(api.post('plans', body), 400, 'badRequest')
    assert 'colour' in message


def test_unknown_query_parameter_is_400_naming_it(api):
    message = fault(api.get('plans?colour=red'), 400, 'badRequest')
    assert 'colour' in message


@pytest.mark.parametrize('path', [
    'plans/%s', 'triggers/%s', 'scheduled_operations/%s', 'restores/%s',
    'verifications/%s', 'operation_logs/%s', 'providers/%s',
    'providers/%s/checkpoints/%%s' % client.NOOP_PROVIDER])
def test_unknown_id_is_404(api, path):
    message = fault(api.get(path % UNKNOWN), 404, 'itemNotFound')
    assert UNKNOWN in message


def test_another_projects_records_are_404(api, deployment):
    plan = client.make_plan(api)
    trigger = client.make_trigger(api)
    other = client.ApiClient(deployment.url, 'b' * 32)
    for path in ('plans/%s' % plan['id'], 'triggers/%s' % trigger['id']):
        fault(other.get(path), 404, 'itemNotFound')
        fault(other.delete(path), 404, 'itemNotFound')
    fault(other.put('plans/%s' % plan['id'], {'plan': {'name': 'mine'}}),
          404, 'itemNotFound')
    client.expect(api.get('plans/%s' % plan['id']), 200)


def test_reader_cannot_write(api, project):
    message = fault(api.post('plans', client.plan_body(project),
                             roles='reader'), 403, 'forbidden')
    assert 'plan:create' in message
    plan = client.make_plan(api)
    fault(api.delete('plans/%s' % plan['id'], roles='reader'), 403,
          'forbidden')
    fault(api.post('triggers', client.trigger_body(), roles='reader'), 403,
          'forbidden')
    assert client.expect(api.get('plans'), 200)['plans'] == [plan]


@pytest.mark.parametrize('roles', ['reader', 'member'])
def test_services_are_for_admins(api, roles):
    message = fault(api.get('os-services', roles=roles), 403, 'forbidden')
    assert 'service:get_all' in message
    fault(api.put('os-services/1', {'status': 'disabled'}, roles=roles), 403,
          'forbidden')


def test_over_quota_is_413(api, project):
    client.expect(api.put('quotas/%s' % project, {'quota': {'plans': 0}},
                          roles='admin'), 200)
    message = fault(api.post('plans', client.plan_body(project)), 413,
                    'overLimit')
    assert 'plans' in message


@pytest.mark.parametrize('method, path', [
    ('GET', '/'),
    ('GET', '/healthcheck'),
    ('GET', '/openapi.json'),
    ('GET', '/v2/'),
    ('GET', 'plans'),
    ('GET', 'nowhere'),
    ('PATCH', 'plans'),
])
def test_every_response_carries_a_request_id(api, method, path):
    response = api.request(method, path)
    assert client.has_request_id(response), client.describe(response)
