"""/v1/{project_id}/restores."""
from urllib import parse

import oslo_messaging
import pytest

from smaug.db import api as db
from smaug.tests.unit.api import conftest
from smaug.tests.unit.api import fakes
from smaug.tests.unit.api import helpers

PROJECT = conftest.PROJECT
OTHER = conftest.OTHER_PROJECT
NOOP = conftest.NOOP_PROVIDER
SCHEMA = fakes.SCHEMA_PROVIDER
UNKNOWN = helpers.UNKNOWN
SERVER = 'OS::Nova::Server'
AUTH = {'type': 'password', 'username': 'demo', 'password': 's3cret'}
message = helpers.message
available_checkpoint = helpers.available_checkpoint


def body(checkpoint, provider=NOOP, **extra):
    return {'restore': dict({'provider_id': provider,
                             'checkpoint_id': checkpoint['id'],
                             'parameters': {}}, **extra)}


@pytest.fixture
def checkpoint(api, db_context, rpc_casts):
    return available_checkpoint(api, db_context)


@pytest.fixture
def schema_checkpoint(api, db_context, rpc_casts, fake_cloud):
    return available_checkpoint(api, db_context, provider=SCHEMA)


def _restore(api, db_context, rpc_casts, checkpoint, **kwargs):
    response = api.post('restores', body(checkpoint), **kwargs)
    assert response.status == 200, response
    return response.json['restore']


def test_create(api, db_context, rpc_casts, checkpoint):
    response = api.post('restores', body(
        checkpoint, restore_target='http://keystone.example:5000/v3',
        restore_auth=AUTH))
    assert response.status == 200, response
    restore = response.json['restore']
    assert restore['status'] == 'in_progress'
    assert restore['project_id'] == PROJECT
    assert restore['provider_id'] == NOOP
    assert restore['checkpoint_id'] == checkpoint['id']
    assert restore['restore_target'] == 'http://keystone.example:5000/v3'
    assert restore['parameters'] == {}
    assert restore['resources_status'] == {}
    assert 'restore_auth' not in restore
    assert 's3cret' not in response.text
    record = db.restore_get(db_context, restore['id'])
    assert record.restore_auth == AUTH
    assert list(rpc_casts)[-1] == ('restore', {'restore_id': restore['id']})
    [log] = helpers.logs(db_context, restore_id=restore['id'])
    assert (log.operation_type, log.status, log.checkpoint_id, log.plan_id,
            log.provider_id) == ('restore', 'in_progress', checkpoint['id'],
                                 checkpoint['protection_plan']['id'], NOOP)


def test_restore_auth_is_never_shown(api, db_context, rpc_casts,
                                     checkpoint):
    response = api.post('restores', body(
        checkpoint, restore_target='http://keystone.example:5000/v3',
        restore_auth=AUTH))
    restore_id = response.json['restore']['id']
    for shown in (api.get('restores/%s' % restore_id),
                  api.get('restores'),
                  api.get('restores?all_tenants=1', roles='admin')):
        assert shown.status == 200
        assert 's3cret' not in shown.text
        assert 'restore_auth' not in shown.text


def test_restore_auth_may_name_the_target_project(api, db_context,
                                                   rpc_casts, checkpoint):
    auth = dict(AUTH, project_name='alt_demo', project_domain_id='default',
                user_domain_id='default')
    response = api.post('restores', body(
        checkpoint, restore_target='http://keystone.example:5000/v3',
        restore_auth=auth))
    assert response.status == 200, response
    record = db.restore_get(db_context, response.json['restore']['id'])
    assert record.restore_auth == auth


@pytest.mark.parametrize('given', [
    {'restore_target': 'http://keystone.example:5000/v3'},
    {'restore_auth': AUTH},
    {'restore_target': 'http://keystone.example:5000/v3',
     'restore_auth': None},
])
def test_restore_target_and_auth_go_together(api, rpc_casts, checkpoint,
                                             given):
    response = api.post('restores', body(checkpoint, **given))
    assert response.status == 400, response
    assert 'restore_target and restore_auth go together' in message(
        response)
    assert [cast for cast, _ in rpc_casts] == ['protect']


def test_create_with_checked_parameters(api, db_context, rpc_casts,
                                        schema_checkpoint):
    parameters = {SERVER: {'restore_name': 'again'},
                  SERVER + '#srv-1': {'restore_name': 'this one'}}
    response = api.post('restores', body(schema_checkpoint, provider=SCHEMA,
                                         parameters=parameters))
    assert response.status == 200, response
    assert response.json['restore']['parameters'] == parameters


@pytest.mark.parametrize('parameters, field', [
    ({SERVER: {'restore_name': 7}}, 'restore.parameters.OS::Nova::Server'
                                    '.restore_name'),
    ({SERVER: {'colour': 'red'}}, 'restore.parameters.OS::Nova::Server'),
    ({'OS::Keystone::Project': {}}, 'restore.parameters'),
])
def test_create_checks_parameters_against_the_provider(
        api, rpc_casts, schema_checkpoint, parameters, field):
    response = api.post('restores', body(schema_checkpoint, provider=SCHEMA,
                                         parameters=parameters))
    assert response.status == 400, response
    assert field in message(response)
    assert [cast for cast, _ in rpc_casts] == ['protect']


@pytest.mark.parametrize('change, field', [
    ({'provider_id': None}, 'restore.provider_id'),
    ({'checkpoint_id': 'x'}, 'restore.checkpoint_id'),
    ({'parameters': None}, 'restore.parameters'),
    ({'parameters': {'bad key': {}}}, 'restore.parameters'),
    ({'parameters': {SERVER: 'x'}}, 'restore.parameters.OS::Nova::Server'),
    ({'restore_target': 5}, 'restore.restore_target'),
    ({'restore_auth': {'type': 'token', 'username': 'a', 'password': 'b'}},
     'restore.restore_auth.type'),
    ({'restore_auth': {'type': 'password', 'username': 'a'}}, 'password'),
    ({'restore_auth': {'type': 'password', 'username': 'a',
                       'password': 'b', 'domain': 'd'}}, 'domain'),
    ({'restore_auth': 'secret'}, 'restore.restore_auth'),
    ({'restore_auth': dict(AUTH, project_id='')}, 'project_id'),
    ({'name': 'mine'}, 'name'),
])
def test_create_validation(api, rpc_casts, checkpoint, change, field):
    request = body(checkpoint)
    request['restore'].update(change)
    response = api.post('restores', request)
    assert response.status == 400, response
    assert field in message(response)


@pytest.mark.parametrize('missing', ['provider_id', 'checkpoint_id',
                                     'parameters'])
def test_create_missing_field(api, rpc_casts, checkpoint, missing):
    request = body(checkpoint)
    del request['restore'][missing]
    response = api.post('restores', request)
    assert response.status == 400
    assert missing in message(response)


def test_create_without_body_is_400(api):
    assert api.post('restores').status == 400
    assert api.post('restores', raw=b'{').status == 400


def test_create_from_unknown_checkpoint_is_404(api, rpc_casts):
    response = api.post('restores', body({'id': UNKNOWN}))
    assert response.status == 404
    assert UNKNOWN in message(response)


def test_create_from_another_projects_checkpoint_is_404(api, db_context,
                                                        rpc_casts):
    theirs = available_checkpoint(api, db_context, project=OTHER)
    response = api.post('restores', body(theirs))
    assert response.status == 404


def test_create_from_another_providers_checkpoint_is_404(
        api, rpc_casts, checkpoint, fake_cloud):
    response = api.post('restores', body(checkpoint, provider=SCHEMA))
    assert response.status == 404
    assert checkpoint['id'] in message(response)


def test_create_with_unknown_provider_is_404(api, rpc_casts, checkpoint):
    response = api.post('restores', body(checkpoint, provider=UNKNOWN))
    assert response.status == 404
    assert 'Provider' in message(response)


@pytest.mark.parametrize('status', ['protecting', 'error', 'deleting',
                                    'deleted', 'copying'])
def test_create_from_unavailable_checkpoint_is_409(api, db_context,
                                                   rpc_casts, checkpoint,
                                                   status):
    helpers.set_checkpoint(db_context, checkpoint['id'], status=status)
    response = api.post('restores', body(checkpoint))
    assert response.status == 409
    assert status in message(response)
    assert not db.restore_get_all(db_context, all_tenants=True)


def test_create_is_denied_to_readers(api, db_context, rpc_casts,
                                     checkpoint):
    response = api.post('restores', body(checkpoint), roles='reader')
    assert response.status == 403
    assert 'restore:create' in message(response)
    assert not db.restore_get_all(db_context, all_tenants=True)


def test_admin_restores_another_projects_checkpoint(api, db_context,
                                                    rpc_casts):
    theirs = available_checkpoint(api, db_context, project=OTHER)
    response = api.post('restores', body(theirs), roles='admin')
    assert response.status == 200
    assert response.json['restore']['project_id'] == OTHER


def test_create_when_the_cast_fails(api, db_context, rpc_casts,
                                    checkpoint):
    rpc_casts.fail_with(oslo_messaging.MessageDeliveryFailure('gone'))
    response = api.post('restores', body(checkpoint))
    assert response.status == 503
    assert 'could not reach the protection service' in message(response)
    [record] = db.restore_get_all(db_context, all_tenants=True)
    assert (record.status, record.error_reason) == (
        'fail', 'could not reach the protection service: gone')
    [log] = helpers.logs(db_context, restore_id=record.id)
    assert log.status == 'failed'
    shown = api.get('restores/%s' % record.id).json['restore']
    assert shown['status'] == 'fail'
    assert shown['error_reason'].endswith('gone')


# Show and list


def test_show(api, db_context, rpc_casts, checkpoint):
    restore = _restore(api, db_context, rpc_casts, checkpoint)
    response = api.get('restores/%s' % restore['id'], roles='reader')
    assert response.status == 200
    assert response.json['restore'] == restore


def test_show_unknown_or_foreign_is_404(api, db_context, rpc_casts,
                                        checkpoint):
    restore = _restore(api, db_context, rpc_casts, checkpoint)
    assert api.get('restores/%s' % UNKNOWN).status == 404
    assert api.get('restores/%s' % restore['id'],
                   project=OTHER).status == 404
    assert api.get('restores/%s' % restore['id'], project=OTHER,
                   roles='admin').status == 200


def test_show_needs_a_role(api, db_context, rpc_casts, checkpoint):
    restore = _restore(api, db_context, rpc_casts, checkpoint)
    assert api.get('restores/%s' % restore['id'], roles='').status == 403


@pytest.fixture
def three(api, db_context, rpc_casts, checkpoint):
    return [_restore(api, db_context, rpc_casts, checkpoint)['id']
            for _ in range(3)]


def _ids(response):
    assert response.status == 200, response
    return [restore['id'] for restore in response.json['restores']]


def test_list_newest_first(api, three):
    assert _ids(api.get('restores', roles='reader')) == three[::-1]


def test_list_sorting(api, three):
    assert _ids(api.get('restores?sort=created_at:asc')) == three
    assert _ids(api.get('restores?sort_key=created_at&sort_dir=desc')) == \
        three[::-1]


@pytest.mark.parametrize('query, field', [
    ('sort=restore_auth', 'restore_auth'),
    ('sort=colour:asc', 'colour'),
    ('status=broken', 'query.status'),
    ('checkpoint_id=x', 'query.checkpoint_id'),
    ('limit=many', 'query.limit'),
    ('colour=red', 'colour'),
])
def test_list_bad_query_is_400(api, query, field):
    response = api.get('restores?' + query)
    assert response.status == 400
    assert field in message(response)


def test_list_paging(api, three):
    first = api.get('restores?limit=2')
    assert _ids(first) == three[:0:-1]
    [link] = first.json['restores_links']
    query = dict(parse.parse_qsl(parse.urlsplit(link['href']).query))
    assert query == {'limit': '2', 'marker': three[1]}
    second = api.get('restores?' + parse.urlencode(query))
    assert _ids(second) == [three[0]]
    assert 'restores_links' not in second.json
    assert api.get('restores?marker=%s' % UNKNOWN).status == 400


def test_list_filters(api, db_context, three):
    db.restore_update(db_context, three[0], {'status': 'success'})
    assert _ids(api.get('restores?status=success')) == [three[0]]
    assert _ids(api.get('restores?status=in_progress')) == three[:0:-1]
    assert _ids(api.get('restores?provider_id=%s' % SCHEMA)) == []


def test_list_is_scoped_to_the_project(api, db_context, rpc_casts, three):
    theirs = available_checkpoint(api, db_context, project=OTHER)
    other = api.post('restores', body(theirs), project=OTHER)
    other_id = other.json['restore']['id']
    assert _ids(api.get('restores')) == three[::-1]
    assert _ids(api.get('restores?all_tenants=true')) == three[::-1]
    assert _ids(api.get('restores', project=OTHER)) == [other_id]
    assert sorted(_ids(api.get('restores?all_tenants=true',
                               roles='admin'))) == sorted(three +
                                                          [other_id])


def test_list_needs_a_role(api):
    response = api.get('restores', roles='')
    assert response.status == 403
    assert 'restore:get_all' in message(response)


def test_no_update_or_delete(api, db_context, rpc_casts, checkpoint):
    restore = _restore(api, db_context, rpc_casts, checkpoint)
    response = api.delete('restores/%s' % restore['id'])
    assert response.status == 405
    assert response.headers['Allow'] == 'GET'


def test_routes_take_no_query(api, db_context, rpc_casts, checkpoint):
    response = api.post('restores?dry_run=1', body(checkpoint))
    assert response.status == 400
    assert 'dry_run' in message(response)
    restore = _restore(api, db_context, rpc_casts, checkpoint)
    response = api.get('restores/%s?fields=id' % restore['id'])
    assert response.status == 400
    assert 'fields' in message(response)
