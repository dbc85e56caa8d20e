"""/v1/{project_id}/plans through the whole API pipeline."""
import pytest

from smaug.tests.unit.api import fakes
from smaug.tests.unit.api import helpers
from smaug.tests.unit.api.conftest import OTHER_PROJECT

NOOP = helpers.NOOP
PROJECT = helpers.PROJECT


def _body(**plan):
    values = {'name': 'nightly', 'provider_id': NOOP, 'parameters': {},
              'resources': [{'id': PROJECT, 'type': 'OS::Keystone::Project',
                             'name': 'p'}]}
    values.update(plan)
    return {'plan': values}


def test_create_shows_karbor_keys(api):
    response = api.post('plans', _body(description='every night'))
    assert response.status == 200, response
    plan = response.json['plan']
    assert {'id', 'name', 'description', 'resources', 'provider_id',
            'status', 'parameters'} <= set(plan)
    assert plan['status'] == 'suspended'
    assert plan['resources'] == [{'id': PROJECT,
                                  'type': 'OS::Keystone::Project',
                                  'name': 'p', 'extra_info': {}}]
    assert api.get('plans/%s' % plan['id']).json['plan'] == plan


@pytest.mark.parametrize('body, field', [
    (_body(name=''), 'plan.name'),
    (_body(provider_id='not-a-uuid'), 'plan.provider_id'),
    (_body(resources=[]), 'plan.resources'),
    (_body(resources=[{'id': 'x', 'type': 'OS::Keystone::Project'}]),
     'plan.resources[0]'),
    (_body(resources=[{'id': 'x', 'type': 'OS::Nope::Thing', 'name': 'x'}]),
     'plan.resources[0].type'),
    (_body(parameters={'OS::Nope::Thing': {}}), 'plan.parameters'),
    (_body(colour='blue'), 'plan'),
    ({'plan': {'name': 'x'}}, 'plan'),
])
def test_create_rejects_bad_input_naming_the_field(api, body, field):
    response = api.post('plans', body)
    assert response.status == 400, response
    assert field in helpers.message(response)


def test_create_with_an_unknown_provider_is_404(api):
    response = api.post('plans', _body(provider_id=helpers.UNKNOWN))
    assert response.status == 404, response


def test_readers_cannot_create_or_change(api):
    assert api.post('plans', _body(), roles='reader').status == 403
    plan = helpers.make_plan(api)
    assert api.put('plans/%s' % plan['id'], {'plan': {'name': 'x'}},
                   roles='reader').status == 403
    assert api.delete('plans/%s' % plan['id'], roles='reader').status == 403
    assert api.get('plans/%s' % plan['id'], roles='reader').status == 200


def test_another_projects_plan_is_not_found(api):
    plan = helpers.make_plan(api)
    path = 'plans/%s' % plan['id']
    for response in (api.get(path, project=OTHER_PROJECT),
                     api.put(path, {'plan': {'name': 'x'}},
                             project=OTHER_PROJECT),
                     api.delete(path, project=OTHER_PROJECT)):
        assert response.status == 404, response
    assert api.get('plans', project=OTHER_PROJECT).json['plans'] == []


def test_update_only_while_suspended(api):
    plan = helpers.make_plan(api)
    path = 'plans/%s' % plan['id']
    renamed = api.put(path, {'plan': {'name': 'weekly'}})
    assert renamed.json['plan']['name'] == 'weekly'
    assert api.put(path, {'plan': {'status': 'started'}}).status == 200
    frozen = api.put(path, {'plan': {'name': 'daily'}})
    assert frozen.status == 409, frozen
    assert api.put(path, {'plan': {'status': 'suspended'}}).status == 200
    assert api.put(path, {'plan': {'name': 'daily'}}).status == 200


def test_update_needs_something_to_change(api):
    plan = helpers.make_plan(api)
    response = api.put('plans/%s' % plan['id'], {'plan': {}})
    assert response.status == 400


def test_delete_is_accepted_and_gives_the_quota_back(api):
    plan = helpers.make_plan(api)
    detail = api.get('quotas/%s/detail' % PROJECT).json['quota']
    assert detail['plans']['in_use'] == 1
    assert api.delete('plans/%s' % plan['id']).status == 202
    assert api.get('plans/%s' % plan['id']).status == 404
    detail = api.get('quotas/%s/detail' % PROJECT).json['quota']
    assert detail['plans']['in_use'] == 0


def test_list_pages_and_sorts(api):
    names = ['p%d' % i for i in range(5)]
    for name in names:
        helpers.make_plan(api, name=name)
    first = api.get('plans?limit=2&sort=name:asc').json
    assert [p['name'] for p in first['plans']] == names[:2]
    next_link = first['plans_links'][0]['href']
    marker = next_link.split('marker=')[1].split('&')[0]
    second = api.get('plans?limit=2&sort=name:asc&marker=%s' % marker).json
    assert [p['name'] for p in second['plans']] == names[2:4]
    descending = api.get('plans?sort=name:desc').json['plans']
    assert [p['name'] for p in descending] == names[::-1]
    assert api.get('plans?sort=colour:asc').status == 400
    assert api.get('plans?colour=blue').status == 400


def test_list_filters_by_status(api):
    plan = helpers.make_plan(api)
    api.put('plans/%s' % plan['id'], {'plan': {'status': 'started'}})
    helpers.make_plan(api, name='other')
    started = api.get('plans?status=started').json['plans']
    assert [p['id'] for p in started] == [plan['id']]


def test_all_tenants_is_for_admins(api):
    helpers.make_plan(api, project=OTHER_PROJECT)
    mine = api.get('plans?all_tenants=1', roles='member').json['plans']
    assert mine == []
    everyone = api.get('plans?all_tenants=1', roles='admin').json['plans']
    assert len(everyone) == 1


# Required capabilities (a Smaug extension)


def _server_plan(**plan):
    return _body(provider_id=fakes.SCHEMA_PROVIDER, resources=[
        {'id': 'vm-1', 'type': 'OS::Nova::Server', 'name': 'web'}], **plan)


def test_required_capabilities_are_kept_and_shown(api):
    response = api.post('plans', _body(required_capabilities=['live',
                                                              'copy']))
    assert response.status == 200, response
    plan = response.json['plan']
    assert plan['required_capabilities'] == ['live', 'copy']
    assert api.get('plans/%s' % plan['id']).json['plan'] == plan
    assert helpers.make_plan(api)['required_capabilities'] == []


def test_capabilities_no_plugin_of_a_type_offers_are_400(api, fake_cloud):
    response = api.post('plans', _server_plan(required_capabilities=['live']))
    assert response.status == 400, response
    text = helpers.message(response)
    assert 'plan.required_capabilities' in text
    assert 'OS::Nova::Server' in text
    assert 'missing: live' in text
    assert api.post('plans', _server_plan()).status == 200


@pytest.mark.parametrize('capabilities', [['fast'], ['live', 'live'], 'live'])
def test_unknown_or_repeated_capabilities_are_400(api, capabilities):
    response = api.post('plans', _body(required_capabilities=capabilities))
    assert response.status == 400, response
    assert 'plan.required_capabilities' in helpers.message(response)


def test_an_update_is_checked_against_the_plugins(api, fake_cloud):
    plan = api.post('plans', _server_plan()).json['plan']
    path = 'plans/%s' % plan['id']

    response = api.put(path, {'plan': {'required_capabilities': ['copy']}})
    assert response.status == 400, response
    assert 'OS::Nova::Server' in helpers.message(response)

    noop_plan = api.post('plans', _body(
        required_capabilities=['incremental'])).json['plan']
    response = api.put('plans/%s' % noop_plan['id'], {'plan': {
        'resources': [{'id': 'vm-1', 'type': 'OS::Nova::Server',
                       'name': 'web'}]}})
    assert response.status == 200, response
    assert response.json['plan']['required_capabilities'] == ['incremental']
    response = api.put('plans/%s' % noop_plan['id'],
                       {'plan': {'required_capabilities': []}})
    assert response.json['plan']['required_capabilities'] == []
