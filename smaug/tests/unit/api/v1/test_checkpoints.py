"""/v1/{project_id}/providers/{provider_id}/checkpoints, copy included."""
import datetime
from urllib import parse

import oslo_messaging
import pytest

from smaug import quota
from smaug.db import api as db
from smaug.tests.unit.api import conftest
from smaug.tests.unit.api import fakes
from smaug.tests.unit.api import helpers

PROJECT = conftest.PROJECT
OTHER = conftest.OTHER_PROJECT
NOOP = conftest.NOOP_PROVIDER
UNKNOWN = helpers.UNKNOWN
PATH = 'providers/%s/checkpoints' % NOOP
message = helpers.message
logs = helpers.logs
make_plan = helpers.make_plan
make_checkpoint = helpers.make_checkpoint
set_checkpoint = helpers.set_checkpoint


@pytest.fixture
def plan(api):
    return make_plan(api)


# Create


def test_create(api, db_context, rpc_casts, plan):
    response = api.post(PATH, {'checkpoint': {'plan_id': plan['id']}})
    assert response.status == 200, response
    checkpoint = response.json['checkpoint']
    assert checkpoint['status'] == 'protecting'
    assert checkpoint['project_id'] == PROJECT
    assert checkpoint['protection_plan'] == {
        'id': plan['id'], 'name': 'nightly', 'provider_id': NOOP,
        'resources': plan['resources'], 'parameters': plan['parameters']}
    assert checkpoint['extra_info'] == {'created_by': 'manual'}
    assert checkpoint['resource_graph'] is None
    created = datetime.datetime.fromisoformat(checkpoint['created_at'])
    assert created.microsecond or created.second or created.minute or True
    assert 'T' in checkpoint['created_at']
    assert list(rpc_casts) == [('protect',
                                {'checkpoint_id': checkpoint['id']})]
    [log] = logs(db_context, checkpoint_id=checkpoint['id'])
    assert (log.operation_type, log.status, log.plan_id, log.provider_id,
            log.project_id) == ('protect', 'in_progress', plan['id'],
                                NOOP, PROJECT)
    assert log.scheduled_operation_id is None
    record = db.checkpoint_get(db_context, checkpoint['id'])
    assert record.status == 'protecting'
    assert record.plan_id == plan['id']


def test_create_keeps_the_plans_required_capabilities(api, rpc_casts):
    response = api.post('plans', {'plan': {
        'name': 'live', 'provider_id': NOOP, 'parameters': {},
        'required_capabilities': ['live'],
        'resources': [{'id': PROJECT, 'type': 'OS::Keystone::Project',
                       'name': 'p'}]}})
    assert response.status == 200, response

    checkpoint = make_checkpoint(api, response.json['plan'])

    assert checkpoint['protection_plan']['required_capabilities'] == ['live']


@pytest.mark.parametrize('key', ['extra_info', 'extra-info'])
def test_create_keeps_extra_info(api, db_context, rpc_casts, plan, key):
    info = {'created_by': 'operation-engine',
            'scheduled_operation_id': 'f1e2d3c4-0000-4000-8000-00000000000a'}
    checkpoint = make_checkpoint(api, plan, **{key: info})
    assert checkpoint['extra_info'] == info
    [log] = logs(db_context, checkpoint_id=checkpoint['id'])
    assert log.scheduled_operation_id == info['scheduled_operation_id']


def test_create_with_both_extra_info_keys_is_400(api, rpc_casts, plan):
    response = api.post(PATH, {'checkpoint': {
        'plan_id': plan['id'], 'extra_info': {}, 'extra-info': {}}})
    assert response.status == 400
    assert 'extra-info' in message(response)
    assert not rpc_casts


@pytest.mark.parametrize('body, field', [
    ({}, 'checkpoint'),
    ({'checkpoint': {}}, 'plan_id'),
    ({'checkpoint': {'plan_id': 'nope'}}, 'checkpoint.plan_id'),
    ({'checkpoint': {'plan_id': UNKNOWN, 'colour': 'red'}}, 'colour'),
    ({'checkpoint': {'plan_id': UNKNOWN, 'extra_info': {'a': {'b': 1}}}},
     'checkpoint.extra_info.a'),
    ({'checkpoint': {'plan_id': UNKNOWN, 'extra-info': 'x'}},
     'checkpoint.extra-info'),
    ({'checkpoint': {'plan_id': UNKNOWN}, 'more': 1}, 'more'),
    ({'checkpoint': {'plan_id': UNKNOWN, 'extra_info': {
        'scheduled_operation_id': 'x' * 100}}},
     'checkpoint.extra_info.scheduled_operation_id'),
])
def test_create_validation(api, rpc_casts, body, field):
    response = api.post(PATH, body)
    assert response.status == 400, response
    assert field in message(response)
    assert not rpc_casts


def test_create_without_body_is_400(api):
    response = api.post(PATH)
    assert response.status == 400
    assert 'body' in message(response)


def test_create_unknown_plan_is_404(api, rpc_casts):
    response = api.post(PATH, {'checkpoint': {'plan_id': UNKNOWN}})
    assert response.status == 404
    assert UNKNOWN in message(response)


def test_create_with_another_projects_plan_is_404(api, rpc_casts):
    other_plan = make_plan(api, project=OTHER)
    response = api.post(PATH, {'checkpoint': {'plan_id': other_plan['id']}})
    assert response.status == 404
    assert not rpc_casts


def test_create_under_unknown_provider_is_404(api, rpc_casts, plan):
    response = api.post('providers/%s/checkpoints' % UNKNOWN,
                        {'checkpoint': {'plan_id': plan['id']}})
    assert response.status == 404
    assert 'Provider' in message(response)


def test_create_under_another_provider_is_400(api, rpc_casts, fake_cloud,
                                              plan):
    response = api.post('providers/%s/checkpoints' % fakes.SCHEMA_PROVIDER,
                        {'checkpoint': {'plan_id': plan['id']}})
    assert response.status == 400
    assert 'checkpoint.plan_id' in message(response)
    assert not rpc_casts


def test_create_is_denied_to_readers(api, db_context, rpc_casts, plan):
    response = api.post(PATH, {'checkpoint': {'plan_id': plan['id']}},
                        roles='reader')
    assert response.status == 403
    assert 'provider:checkpoint_create' in message(response)
    assert not db.checkpoint_get_all(db_context, all_tenants=True)


def test_admin_creates_in_the_plans_project(api, rpc_casts):
    other_plan = make_plan(api, project=OTHER)
    response = api.post(PATH, {'checkpoint': {'plan_id': other_plan['id']}},
                        roles='admin')
    assert response.status == 200, response
    checkpoint = response.json['checkpoint']
    assert checkpoint['project_id'] == OTHER
    shown = api.get('%s/%s' % (PATH, checkpoint['id']), project=OTHER)
    assert shown.status == 200


def test_create_over_quota_is_413(api, db_context, rpc_casts, plan):
    quota.QUOTAS.set_project_quota(db_context, PROJECT, 'checkpoints', 1)
    make_checkpoint(api, plan)
    response = api.post(PATH, {'checkpoint': {'plan_id': plan['id']}})
    assert response.status == 413
    assert 'checkpoints' in message(response)
    assert len(rpc_casts) == 1
    assert len(db.checkpoint_get_all(db_context, all_tenants=True)) == 1


def test_create_when_the_cast_fails(api, db_context, rpc_casts, plan):
    rpc_casts.fail_with(oslo_messaging.MessageDeliveryFailure('no broker'))
    response = api.post(PATH, {'checkpoint': {'plan_id': plan['id']}})
    assert response.status == 503
    assert 'could not reach the protection service' in message(response)
    [record] = db.checkpoint_get_all(db_context, all_tenants=True)
    assert record.status == 'error'
    assert record.error_reason == ('could not reach the protection '
                                   'service: no broker')
    [log] = logs(db_context, checkpoint_id=record.id)
    assert log.status == 'failed'
    assert 'no broker' in log.error_info
    assert log.ended_at is not None
    shown = api.get('%s/%s' % (PATH, record.id)).json['checkpoint']
    assert shown['status'] == 'error'
    assert 'no broker' in shown['error_reason']


# Show


def test_show(api, db_context, rpc_casts, plan):
    checkpoint = make_checkpoint(api, plan)
    set_checkpoint(db_context, checkpoint['id'], status='available',
                   resource_graph=[{'0x0': ['OS::Keystone::Project',
                                            PROJECT, 'p']}, []],
                   resources_status={'OS::Keystone::Project#' + PROJECT:
                                     'available'})
    response = api.get('%s/%s' % (PATH, checkpoint['id']), roles='reader')
    assert response.status == 200
    shown = response.json['checkpoint']
    assert shown['status'] == 'available'
    assert shown['protection_plan']['provider_id'] == NOOP
    assert shown['resource_graph'].startswith('[{"0x0"')
    assert shown['resources_status'] == {
        'OS::Keystone::Project#' + PROJECT: 'available'}
    assert shown['created_at'] == checkpoint['created_at']


def test_show_unknown_is_404(api):
    response = api.get('%s/%s' % (PATH, UNKNOWN))
    assert response.status == 404
    assert UNKNOWN in message(response)


def test_show_another_projects_checkpoint_is_404(api, rpc_casts):
    checkpoint = make_checkpoint(api, make_plan(api, project=OTHER),
                                 project=OTHER)
    response = api.get('%s/%s' % (PATH, checkpoint['id']))
    assert response.status == 404
    assert api.get('%s/%s' % (PATH, checkpoint['id']),
                   roles='admin').status == 200


def test_show_under_another_provider_is_404(api, rpc_casts, fake_cloud,
                                            plan):
    checkpoint = make_checkpoint(api, plan)
    response = api.get('providers/%s/checkpoints/%s'
                       % (fakes.SCHEMA_PROVIDER, checkpoint['id']))
    assert response.status == 404


def test_show_needs_a_role(api, rpc_casts, plan):
    checkpoint = make_checkpoint(api, plan)
    response = api.get('%s/%s' % (PATH, checkpoint['id']), roles='')
    assert response.status == 403


# List


@pytest.fixture
def three(api, db_context, rpc_casts, plan):
    """Three checkpoints of ``plan`` made a day apart, oldest first."""
    made = [make_checkpoint(api, plan) for _ in range(3)]
    base = datetime.datetime(2024, 3, 1, 12, 0, 0, 250000)
    for day, checkpoint in enumerate(made):
        set_checkpoint(db_context, checkpoint['id'],
                       created_at=base + datetime.timedelta(days=day))
    return [checkpoint['id'] for checkpoint in made]


def _ids(response):
    assert response.status == 200, response
    return [checkpoint['id'] for checkpoint in response.json['checkpoints']]


def test_list_newest_first(api, three):
    response = api.get(PATH, roles='reader')
    assert _ids(response) == three[::-1]
    assert response.json['checkpoints'][0]['created_at'] == \
        '2024-03-03T12:00:00.250000'


@pytest.mark.parametrize('query, order', [
    ('sort=created_at:asc', [0, 1, 2]),
    ('sort=created_at:desc', [2, 1, 0]),
    ('sort_key=created_at&sort_dir=asc', [0, 1, 2]),
    ('sort=status:asc,created_at:asc', [0, 1, 2]),
])
def test_list_sorting(api, three, query, order):
    assert _ids(api.get('%s?%s' % (PATH, query))) == [three[i]
                                                       for i in order]


@pytest.mark.parametrize('query, field', [
    ('sort=name:asc', 'name'),
    ('sort_key=project', 'project'),
    ('sort=created_at:sideways', 'query.sort'),
    ('sort_dir=up', 'query.sort_dir'),
])
def test_list_bad_sort_is_400(api, query, field):
    response = api.get('%s?%s' % (PATH, query))
    assert response.status == 400
    assert field in message(response)


def test_list_paging(api, three):
    first = api.get('%s?limit=2' % PATH)
    assert _ids(first) == [three[2], three[1]]
    [link] = first.json['checkpoints_links']
    assert link['rel'] == 'next'
    query = dict(parse.parse_qsl(parse.urlsplit(link['href']).query))
    assert query == {'limit': '2', 'marker': three[1]}
    second = api.get('%s?%s' % (PATH, parse.urlencode(query)))
    assert _ids(second) == [three[0]]
    assert 'checkpoints_links' not in second.json


def test_list_unknown_marker_is_400(api, three):
    response = api.get('%s?marker=%s' % (PATH, UNKNOWN))
    assert response.status == 400
    assert UNKNOWN in message(response)


@pytest.mark.parametrize('query, expected', [
    ('start_date=2024-03-02', [2, 1]),
    ('end_date=2024-03-02', [1, 0]),
    ('start_date=2024-03-02&end_date=2024-03-02', [1]),
    ('start_date=2024-03-04', []),
    ('status=protecting', [2, 1, 0]),
    ('status=available', []),
])
def test_list_filters(api, three, query, expected):
    assert _ids(api.get('%s?%s' % (PATH, query))) == [three[i]
                                                       for i in expected]


def test_list_filter_by_plan(api, rpc_casts, three):
    other_plan = make_plan(api, name='weekly')
    mine = make_checkpoint(api, other_plan)
    assert _ids(api.get('%s?plan_id=%s' % (PATH, other_plan['id']))) == [
        mine['id']]


@pytest.mark.parametrize('query, field', [
    ('start_date=yesterday', 'query.start_date'),
    ('end_date=2024-02-30', 'query.end_date'),
    ('plan_id=nope', 'query.plan_id'),
    ('status=lost', 'query.status'),
    ('limit=x', 'query.limit'),
    ('colour=red', 'colour'),
])
def test_list_bad_query_is_400(api, query, field):
    response = api.get('%s?%s' % (PATH, query))
    assert response.status == 400
    assert field in message(response)


def test_list_hides_deleted_unless_asked(api, db_context, three):
    set_checkpoint(db_context, three[0], status='deleted')
    assert _ids(api.get(PATH)) == [three[2], three[1]]
    assert _ids(api.get('%s?status=deleted' % PATH)) == [three[0]]


def test_list_is_scoped_to_the_project(api, rpc_casts, three):
    other = make_checkpoint(api, make_plan(api, project=OTHER),
                            project=OTHER)
    assert _ids(api.get(PATH)) == three[::-1]
    assert _ids(api.get(PATH, project=OTHER)) == [other['id']]
    # all_tenants is for administrators only; others get their own.
    assert _ids(api.get('%s?all_tenants=1' % PATH)) == three[::-1]
    everything = _ids(api.get('%s?all_tenants=1' % PATH, roles='admin'))
    assert sorted(everything) == sorted(three + [other['id']])
    assert _ids(api.get('%s?project_id=%s' % (PATH, OTHER),
                        roles='admin')) == [other['id']]


def test_list_by_another_project_is_for_admins(api, three):
    response = api.get('%s?project_id=%s' % (PATH, OTHER))
    assert response.status == 403
    assert _ids(api.get('%s?project_id=%s' % (PATH, PROJECT))) == \
        three[::-1]


def test_list_is_per_provider(api, fake_cloud, three):
    response = api.get('providers/%s/checkpoints' % fakes.SCHEMA_PROVIDER)
    assert _ids(response) == []


def test_list_under_unknown_provider_is_404(api):
    response = api.get('providers/%s/checkpoints' % UNKNOWN)
    assert response.status == 404


def test_list_needs_a_role(api):
    response = api.get(PATH, roles='')
    assert response.status == 403
    assert 'provider:checkpoint_get_all' in message(response)


# Delete


def test_delete(api, db_context, rpc_casts, plan):
    checkpoint = make_checkpoint(api, plan)
    set_checkpoint(db_context, checkpoint['id'], status='available')
    response = api.delete('%s/%s' % (PATH, checkpoint['id']))
    assert response.status == 202, response
    assert db.checkpoint_get(db_context, checkpoint['id']).status == \
        'deleting'
    assert list(rpc_casts)[-1] == ('delete_checkpoint',
                                   {'checkpoint_id': checkpoint['id']})
    deletions = logs(db_context, checkpoint_id=checkpoint['id'],
                     operation_type='delete')
    assert [log.status for log in deletions] == ['in_progress']


@pytest.mark.parametrize('status', ['error', 'error-deleting'])
def test_delete_from_failure_states(api, db_context, rpc_casts, plan,
                                    status):
    checkpoint = make_checkpoint(api, plan)
    set_checkpoint(db_context, checkpoint['id'], status=status,
                   error_reason='it broke')
    response = api.delete('%s/%s' % (PATH, checkpoint['id']))
    assert response.status == 202
    record = db.checkpoint_get(db_context, checkpoint['id'])
    assert (record.status, record.error_reason) == ('deleting', None)


@pytest.mark.parametrize('status', ['protecting', 'deleting', 'deleted',
                                    'copying'])
def test_delete_in_other_states_is_409(api, db_context, rpc_casts, plan,
                                       status):
    checkpoint = make_checkpoint(api, plan)
    set_checkpoint(db_context, checkpoint['id'], status=status)
    response = api.delete('%s/%s' % (PATH, checkpoint['id']))
    assert response.status == 409
    assert status in message(response)
    assert db.checkpoint_get(db_context, checkpoint['id']).status == status
    assert [cast for cast, _ in rpc_casts] == ['protect']


def test_delete_is_denied_to_readers(api, db_context, rpc_casts, plan):
    checkpoint = make_checkpoint(api, plan)
    set_checkpoint(db_context, checkpoint['id'], status='available')
    response = api.delete('%s/%s' % (PATH, checkpoint['id']),
                          roles='reader')
    assert response.status == 403
    assert db.checkpoint_get(db_context, checkpoint['id']).status == \
        'available'


def test_delete_another_projects_checkpoint_is_404(api, db_context,
                                                   rpc_casts):
    checkpoint = make_checkpoint(api, make_plan(api, project=OTHER),
                                 project=OTHER)
    set_checkpoint(db_context, checkpoint['id'], status='available')
    assert api.delete('%s/%s' % (PATH, checkpoint['id'])).status == 404
    assert api.delete('%s/%s' % (PATH, UNKNOWN)).status == 404
    assert api.delete('%s/%s' % (PATH, checkpoint['id']),
                      roles='admin').status == 202


def test_delete_when_the_cast_fails(api, db_context, rpc_casts, plan):
    checkpoint = make_checkpoint(api, plan)
    set_checkpoint(db_context, checkpoint['id'], status='available')
    rpc_casts.fail_with(oslo_messaging.MessageDeliveryFailure('down'))
    response = api.delete('%s/%s' % (PATH, checkpoint['id']))
    assert response.status == 503
    record = db.checkpoint_get(db_context, checkpoint['id'])
    assert record.status == 'error-deleting'
    assert record.error_reason == ('could not reach the protection '
                                   'service: down')
    [log] = logs(db_context, checkpoint_id=checkpoint['id'],
                operation_type='delete')
    assert log.status == 'failed'


# Reset state


def _reset(api, checkpoint_id, state, **kwargs):
    return api.put('%s/%s' % (PATH, checkpoint_id),
                   {'os-resetState': {'state': state}}, **kwargs)


@pytest.mark.parametrize('status, target', [
    ('protecting', 'error'), ('deleting', 'available'),
    ('error-deleting', 'error'), ('available', 'error'),
    ('error', 'available'), ('copying', 'available'),
])
def test_reset_state(api, db_context, rpc_casts, plan, status, target):
    checkpoint = make_checkpoint(api, plan)
    set_checkpoint(db_context, checkpoint['id'], status=status,
                   owner='agent-1', lease_expires_at=datetime.datetime(
                       2030, 1, 1))
    response = _reset(api, checkpoint['id'], target, roles='admin')
    assert response.status == 200, response
    assert response.json == {}
    record = db.checkpoint_get(db_context, checkpoint['id'])
    assert (record.status, record.owner, record.lease_expires_at) == (
        target, None, None)


def test_reset_state_of_deleted_is_409(api, db_context, rpc_casts, plan):
    checkpoint = make_checkpoint(api, plan)
    set_checkpoint(db_context, checkpoint['id'], status='deleted')
    response = _reset(api, checkpoint['id'], 'available', roles='admin')
    assert response.status == 409
    assert db.checkpoint_get(db_context, checkpoint['id']).status == \
        'deleted'


@pytest.mark.parametrize('roles', ['reader', 'member'])
def test_reset_state_is_for_admins(api, db_context, rpc_casts, plan,
                                   roles):
    checkpoint = make_checkpoint(api, plan)
    response = _reset(api, checkpoint['id'], 'error', roles=roles)
    assert response.status == 403
    assert 'provider:checkpoint_update' in message(response)
    assert db.checkpoint_get(db_context, checkpoint['id']).status == \
        'protecting'


def test_reset_state_of_another_project(api, db_context, rpc_casts):
    checkpoint = make_checkpoint(api, make_plan(api, project=OTHER),
                                 project=OTHER)
    response = _reset(api, checkpoint['id'], 'error', roles='admin')
    assert response.status == 200
    assert db.checkpoint_get(db_context, checkpoint['id']).status == 'error'


def test_reset_state_of_unknown_is_404(api):
    assert _reset(api, UNKNOWN, 'error', roles='admin').status == 404


@pytest.mark.parametrize('body, field', [
    ({'os-resetState': {'state': 'deleting'}}, "os-resetState.state"),
    ({'os-resetState': {}}, 'state'),
    ({'os-resetState': {'state': 'error', 'why': 'x'}}, 'why'),
    ({'reset': {'state': 'error'}}, 'reset'),
    ({}, 'os-resetState'),
])
def test_reset_state_validation(api, rpc_casts, plan, body, field):
    checkpoint = make_checkpoint(api, plan)
    response = api.put('%s/%s' % (PATH, checkpoint['id']), body,
                       roles='admin')
    assert response.status == 400
    assert field in message(response)


# Copy


def _copy(api, plan_id, parameters=None, **kwargs):
    body = {'copy': {'plan_id': plan_id}}
    if parameters is not None:
        body['copy']['parameters'] = parameters
    return api.post('%s/action' % PATH, body, **kwargs)


def test_copy(api, db_context, rpc_casts, plan):
    response = _copy(api, plan['id'], {'OS::Keystone::Project': {}})
    assert response.status == 200, response
    copy = response.json['copy']
    assert copy['project_id'] == PROJECT
    assert copy['provider_id'] == NOOP
    assert copy['plan_id'] == plan['id']
    assert copy['checkpoint_id'] == []
    assert copy['parameters'] == {'OS::Keystone::Project': {}}
    assert copy['status'] == 'wait_copying'
    record = db.copy_get(db_context, copy['id'])
    assert record.status == 'wait_copying'
    assert list(rpc_casts) == [('copy', {'copy_id': copy['id']})]
    [log] = logs(db_context, copy_id=copy['id'])
    assert (log.operation_type, log.status, log.plan_id) == (
        'copy', 'in_progress', plan['id'])


def test_copy_without_parameters(api, rpc_casts, plan):
    response = _copy(api, plan['id'])
    assert response.status == 200
    assert response.json['copy']['parameters'] == {}


@pytest.mark.parametrize('body, field', [
    ({'copy': {}}, 'plan_id'),
    ({'copy': {'plan_id': 'x'}}, 'copy.plan_id'),
    ({'copy': {'plan_id': UNKNOWN, 'parameters': []}}, 'copy.parameters'),
    ({'copy': {'plan_id': UNKNOWN, 'parameters': {'bad key!': {}}}},
     'copy.parameters'),
    ({'copy': {'plan_id': UNKNOWN}, 'protect': {}}, 'protect'),
    ({'migrate': {}}, 'copy'),
])
def test_copy_validation(api, rpc_casts, body, field):
    response = api.post('%s/action' % PATH, body)
    assert response.status == 400, response
    assert field in message(response)
    assert not rpc_casts


def test_copy_to_another_provider(api, db_context, rpc_casts, fake_cloud,
                                  plan):
    destination = {'destination': {'provider_id': fakes.SCHEMA_PROVIDER}}
    response = _copy(api, plan['id'], destination)
    assert response.status == 200, response
    copy = response.json['copy']
    assert copy['parameters'] == destination
    assert db.copy_get(db_context, copy['id']).parameters == destination
    assert list(rpc_casts) == [('copy', {'copy_id': copy['id']})]


@pytest.mark.parametrize('destination, field', [
    ({'provider_id': UNKNOWN}, 'copy.parameters.destination.provider_id'),
    ({'provider_id': 'x'}, 'copy.parameters.destination.provider_id'),
    ({}, 'copy.parameters.destination'),
    ({'provider_id': NOOP, 'bank': 'x'}, 'copy.parameters.destination'),
])
def test_copy_to_a_provider_that_does_not_exist_is_400(
        api, rpc_casts, plan, destination, field):
    response = _copy(api, plan['id'], {'destination': destination})
    assert response.status == 400, response
    assert field in message(response)
    assert not rpc_casts


def test_copy_of_unknown_or_foreign_plan_is_404(api, rpc_casts):
    other_plan = make_plan(api, project=OTHER)
    assert _copy(api, UNKNOWN).status == 404
    assert _copy(api, other_plan['id']).status == 404
    assert not rpc_casts


def test_copy_under_another_provider_is_400(api, rpc_casts, fake_cloud,
                                            plan):
    response = api.post(
        'providers/%s/checkpoints/action' % fakes.SCHEMA_PROVIDER,
        {'copy': {'plan_id': plan['id']}})
    assert response.status == 400
    assert 'copy.plan_id' in message(response)


def test_copy_is_denied_to_readers(api, rpc_casts, plan):
    response = _copy(api, plan['id'], roles='reader')
    assert response.status == 403
    assert 'copy:create' in message(response)
    assert not rpc_casts


def test_copy_when_the_cast_fails(api, db_context, rpc_casts, plan):
    rpc_casts.fail_with(oslo_messaging.MessagingTimeout('slow'))
    response = _copy(api, plan['id'])
    assert response.status == 503
    [record] = db.copy_get_all(db_context, all_tenants=True)
    assert record.status == 'fail'
    assert record.error_reason.startswith(
        'could not reach the protection service')


def test_get_on_action_is_405(api):
    response = api.get('%s/action' % PATH)
    assert response.status in (404, 405)


@pytest.mark.parametrize('method, suffix, body', [
    ('GET', '/{id}', None),
    ('DELETE', '/{id}', None),
    ('PUT', '/{id}', {'os-resetState': {'state': 'error'}}),
    ('POST', '', {'checkpoint': {'plan_id': '{plan}'}}),
    ('POST', '/action', {'copy': {'plan_id': '{plan}'}}),
])
def test_routes_take_no_query(api, db_context, rpc_casts, plan, method,
                              suffix, body):
    checkpoint = make_checkpoint(api, plan)
    set_checkpoint(db_context, checkpoint['id'], status='available')
    if body is not None:
        [(key, value)] = body.items()
        body = {key: {field: text.format(plan=plan['id'])
                      for field, text in value.items()}}
    response = api.request(method, PATH + suffix.format(
        id=checkpoint['id']) + '?force=1', body=body, roles='admin')
    assert response.status == 400, response
    assert 'force' in message(response)
    assert db.checkpoint_get(db_context, checkpoint['id']).status == \
        'available'
    assert len(rpc_casts) == 1
