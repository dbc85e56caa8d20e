"""/v1/{project_id}/os-services."""
import datetime

import pytest

from smaug.db import api as db
from smaug.db import models


def add_service(db_context, host, binary, seconds_since_beat=0,
                **values):
    beat = models.utcnow() - datetime.timedelta(seconds=seconds_since_beat)
    return db.service_create(db_context, dict(
        host=host, binary=binary, topic=binary, created_at=beat,
        updated_at=beat, **values))


@pytest.fixture
def services(db_context):
    return [
        add_service(db_context, 'node-1', 'smaug-operationengine'),
        add_service(db_context, 'node-1', 'smaug-protection',
                    seconds_since_beat=3600),
        add_service(db_context, 'node-2', 'smaug-protection',
                    disabled=True, disabled_reason='maintenance'),
        add_service(db_context, 'node-2', 'smaug-api'),
    ]


def test_list(api, services):
    response = api.get('os-services', roles='admin')
    assert response.status == 200, response
    listed = response.json['services']
    assert [service['id'] for service in listed] == [
        service.id for service in services]
    assert listed[0] == {
        'id': services[0].id, 'binary': 'smaug-operationengine',
        'host': 'node-1', 'status': 'enabled', 'state': 'up',
        'updated_at': services[0].updated_at.isoformat(),
        'disabled_reason': None}
    assert listed[1]['state'] == 'down'
    assert listed[2]['status'] == 'disabled'
    assert listed[2]['disabled_reason'] == 'maintenance'


def test_down_time_is_the_operators(api, services, smaug_conf):
    smaug_conf.config(service_down_time=7200)
    listed = api.get('os-services', roles='admin').json['services']
    assert listed[1]['state'] == 'up'


@pytest.mark.parametrize('query, expected', [
    ('host=node-2', [2, 3]),
    ('binary=smaug-protection', [1, 2]),
    ('host=node-1&binary=smaug-protection', [1]),
    ('host=node-9', []),
])
def test_list_filters(api, services, query, expected):
    response = api.get('os-services?' + query, roles='admin')
    assert [service['id'] for service in response.json['services']] == [
        services[index].id for index in expected]


def test_list_unknown_filter_is_400(api, services):
    response = api.get('os-services?topic=x', roles='admin')
    assert response.status == 400
    assert 'topic' in response.json['badRequest']['message']


@pytest.mark.parametrize('roles', ['reader', 'member', ''])
def test_list_is_for_admins(api, services, roles):
    response = api.get('os-services', roles=roles)
    assert response.status == 403
    assert 'service:get_all' in response.json['forbidden']['message']


def _update(api, service_id, body, roles='admin'):
    return api.put('os-services/%s' % service_id, body, roles=roles)


@pytest.mark.parametrize('index', [0, 1])
def test_disable_and_enable(api, services, db_context, index):
    service = services[index]
    response = _update(api, service.id, {'status': 'disabled',
                                         'disabled_reason': 'service down'})
    assert response.status == 200, response
    shown = response.json['service']
    assert shown['status'] == 'disabled'
    assert shown['disabled_reason'] == 'service down'
    stored = db.service_get(db_context, service.id)
    assert stored.disabled is True
    assert stored.modified_at is not None
    response = _update(api, service.id, {'status': 'enabled'})
    assert response.json['service']['status'] == 'enabled'
    assert response.json['service']['disabled_reason'] is None


def test_status_change_is_not_a_heartbeat(api, services):
    dead = services[1]
    response = _update(api, dead.id, {'status': 'disabled'})
    assert response.json['service']['state'] == 'down'
    assert response.json['service']['updated_at'] == \
        dead.updated_at.isoformat()


def test_other_binaries_cannot_be_disabled(api, services):
    response = _update(api, services[3].id, {'status': 'disabled'})
    assert response.status == 400
    message = response.json['badRequest']['message']
    assert 'smaug-api' in message
    assert 'smaug-operationengine and smaug-protection' in message


def test_enabled_with_a_reason_is_400(api, services):
    response = _update(api, services[2].id, {
        'status': 'enabled', 'disabled_reason': 'why'})
    assert response.status == 400
    assert 'disabled_reason' in response.json['badRequest']['message']


@pytest.mark.parametrize('body, field', [
    ({}, "'status' is a required"),
    ({'status': 'off'}, "'body.status'"),
    ({'status': 'disabled', 'disabled_reason': 'x' * 256},
     "'body.disabled_reason'"),
    ({'status': 'disabled', 'host': 'node-3'}, "'host' was unexpected"),
])
def test_update_schema_errors(api, services, body, field):
    response = _update(api, services[0].id, body)
    assert response.status == 400
    assert field in response.json['badRequest']['message']


@pytest.mark.parametrize('service_id', ['999', 'abc'])
def test_update_unknown_is_404(api, services, service_id):
    response = _update(api, service_id, {'status': 'disabled'})
    assert response.status == 404
    assert service_id in response.json['itemNotFound']['message']


@pytest.mark.parametrize('roles', ['reader', 'member'])
def test_update_is_for_admins(api, services, roles):
    response = _update(api, services[0].id, {'status': 'disabled'},
                       roles=roles)
    assert response.status == 403


def test_update_takes_no_query(api, services):
    response = api.put('os-services/%s?force=1' % services[0].id,
                       {'status': 'disabled'}, roles='admin')
    assert response.status == 400
    assert 'force' in response.json['badRequest']['message']
