"""/v1/{project_id}/quota_classes/{id}."""
import pytest

from smaug.tests.unit.api import conftest

PROJECT = conftest.PROJECT


@pytest.mark.parametrize('roles', ['reader', 'member', 'admin'])
def test_show_default_class(api, roles):
    response = api.get('quota_classes/default', roles=roles)
    assert response.status == 200, response
    assert response.json == {'quota_class': {'plans': 50,
                                             'checkpoints': -1,
                                             'id': 'default'}}


def test_show_needs_a_role(api):
    assert api.get('quota_classes/default', roles='').status == 403


def test_class_without_limits_shows_the_defaults(api):
    api.put('quota_classes/default', {'quota_class': {'plans': 20}},
            roles='admin')
    response = api.get('quota_classes/gold')
    assert response.json['quota_class'] == {'plans': 20, 'checkpoints': -1,
                                            'id': 'gold'}


def test_update(api):
    response = api.put('quota_classes/gold',
                       {'quota_class': {'plans': 100, 'checkpoints': '500'}},
                       roles='admin')
    assert response.status == 200, response
    assert response.json == {'quota_class': {'plans': 100,
                                             'checkpoints': 500,
                                             'id': 'gold'}}
    assert api.get('quota_classes/gold').json == response.json
    # Only the default class changes the projects' defaults.
    assert api.get('quotas/%s' % PROJECT).json['quota']['plans'] == 50


def test_default_class_changes_the_defaults(api):
    api.put('quota_classes/default', {'quota_class': {'checkpoints': 30}},
            roles='admin')
    defaults = api.get('quotas/%s/defaults' % PROJECT).json['quota']
    assert defaults['checkpoints'] == 30
    assert api.get('quotas/%s' % PROJECT).json['quota']['checkpoints'] == 30


@pytest.mark.parametrize('body, field', [
    ({'quota_class': {'plans': -5}}, "'body.quota_class.plans'"),
    ({'quota_class': {'shares': 1}}, "'shares' was unexpected"),
    ({'quota_class': {}}, "'body.quota_class'"),
    ({'quota': {'plans': 1}}, "'quota_class' is a required"),
])
def test_update_errors(api, body, field):
    response = api.put('quota_classes/gold', body, roles='admin')
    assert response.status == 400
    assert field in response.json['badRequest']['message']


def test_class_name_too_long_is_400(api):
    response = api.get('quota_classes/%s' % ('x' * 256))
    assert response.status == 400


@pytest.mark.parametrize('roles', ['reader', 'member'])
def test_update_is_for_admins(api, roles):
    response = api.put('quota_classes/gold', {'quota_class': {'plans': 1}},
                       roles=roles)
    assert response.status == 403
    assert 'quota_class:update' in response.json['forbidden']['message']


@pytest.mark.parametrize('method, body', [
    ('GET', None), ('PUT', {'quota_class': {'plans': 1}})])
def test_routes_take_no_query(api, method, body):
    response = api.request(method, 'quota_classes/gold?x=1', body=body,
                           roles='admin')
    assert response.status == 400
    assert "'x'" in response.json['badRequest']['message']
