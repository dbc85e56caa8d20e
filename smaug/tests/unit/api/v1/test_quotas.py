"""/v1/{project_id}/quotas/{id}."""
import pytest

from smaug import quota
from smaug.tests.unit.api import conftest

PROJECT = conftest.PROJECT
OTHER = conftest.OTHER_PROJECT
DEFAULTS = {'plans': 50, 'checkpoints': -1}


def use(db_context, project=PROJECT, **deltas):
    quota.QUOTAS.commit(db_context, quota.QUOTAS.reserve(
        db_context, project_id=project, **deltas), project_id=project)


def test_show_defaults_of_a_project_without_limits(api):
    response = api.get('quotas/%s' % PROJECT, roles='reader')
    assert response.status == 200, response
    assert response.json == {'quota': dict(DEFAULTS, id=PROJECT)}


def test_detail_shows_usage(api, db_context):
    use(db_context, plans=2)
    quota.QUOTAS.reserve(db_context, project_id=PROJECT, checkpoints=1)
    response = api.get('quotas/%s/detail' % PROJECT, roles='reader')
    assert response.status == 200, response
    assert response.json == {'quota': {
        'id': PROJECT,
        'plans': {'limit': 50, 'in_use': 2, 'reserved': 0},
        'checkpoints': {'limit': -1, 'in_use': 0, 'reserved': 1}}}


def test_defaults(api):
    response = api.get('quotas/%s/defaults' % OTHER, roles='reader')
    assert response.status == 200, response
    assert response.json == {'quota': dict(DEFAULTS, id=OTHER)}


def test_defaults_follow_the_options(api, smaug_conf):
    smaug_conf.config(group='quota', plans=7)
    response = api.get('quotas/%s/defaults' % PROJECT)
    assert response.json['quota']['plans'] == 7


@pytest.mark.parametrize('path', ['quotas/%s', 'quotas/%s/detail'])
def test_another_projects_quota_is_forbidden(api, path):
    response = api.get(path % OTHER, roles='member')
    assert response.status == 403
    assert 'quota:get' in response.json['forbidden']['message']
    assert api.get(path % OTHER, roles='admin').status == 200


@pytest.mark.parametrize('path', ['quotas/%s', 'quotas/%s/detail',
                                  'quotas/%s/defaults'])
def test_project_id_must_be_a_uuid(api, path):
    response = api.get(path % 'project-one', roles='admin')
    assert response.status == 400
    assert 'project-one' in response.json['badRequest']['message']


def test_reading_needs_a_role(api):
    assert api.get('quotas/%s' % PROJECT, roles='').status == 403
    assert api.get('quotas/%s/defaults' % PROJECT, roles='').status == 403


def test_update(api):
    response = api.put('quotas/%s' % OTHER,
                       {'quota': {'plans': 10, 'checkpoints': '100'}},
                       roles='admin')
    assert response.status == 200, response
    assert response.json == {'quota': {'plans': 10, 'checkpoints': 100,
                                       'id': OTHER}}
    response = api.put('quotas/%s' % OTHER, {'quota': {'plans': -1}},
                       roles='admin')
    assert response.json['quota'] == {'plans': -1, 'checkpoints': 100,
                                      'id': OTHER}
    shown = api.get('quotas/%s' % OTHER, project=OTHER, roles='reader')
    assert shown.json['quota'] == {'plans': -1, 'checkpoints': 100,
                                   'id': OTHER}
    # Others keep the defaults.
    assert api.get('quotas/%s' % PROJECT).json['quota']['plans'] == 50


def test_limit_applies_to_new_plans(api, db_context):
    api.put('quotas/%s' % PROJECT, {'quota': {'plans': 1}}, roles='admin')
    use(db_context, plans=1)
    with pytest.raises(Exception) as raised:
        use(db_context, plans=1)
    assert raised.value.code == 413


def test_limit_below_usage_is_400(api, db_context):
    use(db_context, plans=3)
    quota.QUOTAS.reserve(db_context, project_id=PROJECT, plans=1)
    response = api.put('quotas/%s' % PROJECT, {'quota': {'plans': 3}},
                       roles='admin')
    assert response.status == 400
    message = response.json['badRequest']['message']
    assert "'quota.plans'" in message
    assert '3 in use, 1 reserved' in message
    assert api.get('quotas/%s' % PROJECT).json['quota']['plans'] == 50
    assert api.put('quotas/%s' % PROJECT, {'quota': {'plans': 4}},
                   roles='admin').status == 200
    assert api.put('quotas/%s' % PROJECT, {'quota': {'plans': -1}},
                   roles='admin').status == 200


@pytest.mark.parametrize('body, field', [
    ({'quota': {'plans': -2}}, "'body.quota.plans'"),
    ({'quota': {'plans': '-2'}}, "'body.quota.plans'"),
    ({'quota': {'plans': 'ten'}}, "'body.quota.plans'"),
    ({'quota': {'plans': 1.5}}, "'body.quota.plans'"),
    ({'quota': {'volumes': 1}}, "'volumes' was unexpected"),
    ({'quota': {}}, "'body.quota'"),
    ({'plans': 1}, "'quota' is a required"),
])
def test_update_errors(api, body, field):
    response = api.put('quotas/%s' % PROJECT, body, roles='admin')
    assert response.status == 400
    assert field in response.json['badRequest']['message']


@pytest.mark.parametrize('roles', ['reader', 'member'])
def test_update_is_for_admins(api, roles):
    response = api.put('quotas/%s' % PROJECT, {'quota': {'plans': 1}},
                       roles=roles)
    assert response.status == 403
    assert 'quota:update' in response.json['forbidden']['message']


def test_delete_resets_to_defaults(api):
    api.put('quotas/%s' % OTHER, {'quota': {'plans': 10}}, roles='admin')
    response = api.delete('quotas/%s' % OTHER, roles='admin')
    assert response.status == 200
    assert response.text == ''
    assert api.get('quotas/%s' % OTHER, roles='admin').json['quota'] == \
        dict(DEFAULTS, id=OTHER)


@pytest.mark.parametrize('roles', ['reader', 'member'])
def test_delete_is_for_admins(api, roles):
    response = api.delete('quotas/%s' % PROJECT, roles=roles)
    assert response.status == 403
    assert 'quota:delete' in response.json['forbidden']['message']


def test_delete_bad_project_id_is_400(api):
    assert api.delete('quotas/x', roles='admin').status == 400


@pytest.mark.parametrize('method, path, body', [
    ('GET', 'quotas/%s', None), ('GET', 'quotas/%s/detail', None),
    ('GET', 'quotas/%s/defaults', None),
    ('PUT', 'quotas/%s', {'quota': {'plans': 1}}),
    ('DELETE', 'quotas/%s', None)])
def test_routes_take_no_query(api, method, path, body):
    response = api.request(method, (path % PROJECT) + '?usage=1', body=body,
                           roles='admin')
    assert response.status == 400
    assert 'usage' in response.json['badRequest']['message']
    assert api.get('quotas/%s' % PROJECT).json['quota']['plans'] == 50
