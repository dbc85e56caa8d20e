"""/v1/{project_id}/scheduled_operations."""
import datetime

import pytest

from smaug import context
from smaug import exception
from smaug.db import api as db
from smaug.db import models
from smaug.tests.unit.api import conftest
from smaug.tests.unit.api import fakes
from smaug.tests.unit.api.v1 import engine_casts

PROJECT = conftest.PROJECT
OTHER = conftest.OTHER_PROJECT
NOOP = conftest.NOOP_PROVIDER
UNKNOWN = '9d1c6a4e-0000-4000-8000-000000000000'


@pytest.fixture
def casts(monkeypatch):
    return engine_casts.EngineCasts.install(monkeypatch)


def make_plan(db_context, project=PROJECT, provider=NOOP):
    return db.plan_create(db_context, {
        'name': 'plan', 'provider_id': provider, 'project_id': project,
        'status': 'suspended', 'parameters': {}, 'resources': []}).id


def make_trigger(db_context, project=PROJECT):
    return db.trigger_create(db_context, {
        'name': 'nightly', 'type': 'time', 'project_id': project,
        'properties': {'format': 'crontab', 'pattern': '0 2 * * *',
                       'start_time': '2030-01-01 00:00:00'}}).id


@pytest.fixture
def plan_id(db_context):
    return make_plan(db_context)


@pytest.fixture
def trigger_id(db_context):
    return make_trigger(db_context)


def body(trigger_id, plan_id, name='daily', operation_type='protect',
         **definition):
    values = {'provider_id': NOOP, 'plan_id': plan_id}
    values.update(definition)
    return {'scheduled_operation': {
        'name': name, 'description': 'every night',
        'operation_type': operation_type, 'trigger_id': trigger_id,
        'operation_definition': values}}


def create(api, trigger_id, plan_id, **kwargs):
    response = api.post('scheduled_operations',
                        body(trigger_id, plan_id, **kwargs))
    assert response.status == 200, response
    return response.json['scheduled_operation']


def bad_request(response, field):
    assert response.status == 400, response
    message = response.json['badRequest']['message']
    assert field in message, message
    return message


# Create


def test_create(api, casts, db_context, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    assert operation['name'] == 'daily'
    assert operation['description'] == 'every night'
    assert operation['operation_type'] == 'protect'
    assert operation['trigger_id'] == trigger_id
    assert operation['operation_definition'] == {'provider_id': NOOP,
                                                 'plan_id': plan_id}
    assert operation['enabled'] is True
    assert operation['project_id'] == PROJECT
    assert list(casts) == [('scheduled_operation_created',
                            {'operation_id': operation['id'],
                             'host': None})]
    stored = db.scheduled_operation_get(db_context, operation['id'])
    assert stored.user_id == 'user-1'
    assert stored.project_id == PROJECT


def test_create_karbor_api_reference_sample(api, casts, trigger_id,
                                            plan_id):
    sample = {'scheduled_operation': {
        'name': 'My scheduled operation',
        'description': 'It will run everyday',
        'operation_type': 'protect',
        'trigger_id': trigger_id,
        'operation_definition': {'provider_id': NOOP, 'plan_id': plan_id}}}
    assert api.post('scheduled_operations', sample).status == 200


def test_create_retention_with_counts_as_karbors_client_sends_them(
        api, casts, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id,
                       operation_type='retention_protect',
                       max_backups='3', retention_duration='-1',
                       keep_daily=7, keep_weekly='4', keep_monthly=12,
                       keep_hourly=0, keep_yearly='1')
    # Shown as sent.
    assert operation['operation_definition'] == {
        'provider_id': NOOP, 'plan_id': plan_id, 'max_backups': '3',
        'retention_duration': '-1', 'keep_daily': 7, 'keep_weekly': '4',
        'keep_monthly': 12, 'keep_hourly': 0, 'keep_yearly': '1'}


def test_create_without_description(api, casts, trigger_id, plan_id):
    request = body(trigger_id, plan_id)
    del request['scheduled_operation']['description']
    response = api.post('scheduled_operations', request)
    assert response.status == 200
    assert response.json['scheduled_operation']['description'] is None


def test_protect_keeps_no_generations(api, casts, trigger_id, plan_id):
    message = bad_request(
        api.post('scheduled_operations',
                 body(trigger_id, plan_id, keep_daily=7)),
        'body.scheduled_operation.operation_definition')
    assert "'keep_daily' was unexpected" in message
    assert list(casts) == []


def test_unknown_operation_type_names_the_known_ones(api, casts, trigger_id,
                                                     plan_id):
    message = bad_request(
        api.post('scheduled_operations',
                 body(trigger_id, plan_id, operation_type='copy')),
        "'body.scheduled_operation.operation_type'")
    assert "'copy' is not an operation type" in message
    assert 'protect' in message
    assert list(casts) == []


def test_create_schedules_it_from_now_in_its_scheduling_state(
        api, casts, db_context, trigger_id, plan_id):
    before = models.utcnow()
    operation = create(api, trigger_id, plan_id)
    state = db.scheduled_operation_state_get(db_context, operation['id'])
    assert state.state == 'scheduled'
    assert state.created_at >= before
    # Without Keystone the operation acts with its creator's context.
    assert state.trust_id is None
    stored = context.RequestContext.from_dict(db.scheduled_operation_get(
        db_context, operation['id']).request_context)
    assert (stored.user_id, stored.project_id) == ('user-1', PROJECT)
    assert stored.roles == ['member', 'reader']


@pytest.mark.parametrize('change, field', [
    ({'name': ''}, "'body.scheduled_operation.name'"),
    ({'operation_type': 'copy'},
     "'body.scheduled_operation.operation_type'"),
    ({'trigger_id': 'nightly'}, "'body.scheduled_operation.trigger_id'"),
    ({'operation_definition': {'provider_id': NOOP}},
     "'plan_id' is a required"),
    ({'operation_definition': {'plan_id': UNKNOWN}},
     "'provider_id' is a required"),
    ({'enabled': False}, "'enabled' was unexpected"),
])
def test_create_schema_errors(api, casts, trigger_id, plan_id, change,
                              field):
    request = body(trigger_id, plan_id)
    request['scheduled_operation'].update(change)
    bad_request(api.post('scheduled_operations', request), field)
    assert list(casts) == []


@pytest.mark.parametrize('definition, field', [
    ({'max_backups': -2}, 'max_backups'),
    ({'max_backups': 'three'}, 'max_backups'),
    ({'retention_duration': '1.5'}, 'retention_duration'),
    ({'schedule': 'daily'}, "'schedule' was unexpected"),
])
def test_create_definition_errors(api, trigger_id, plan_id, definition,
                                  field):
    bad_request(api.post('scheduled_operations',
                         body(trigger_id, plan_id, **definition)), field)


@pytest.mark.parametrize('required', ['name', 'operation_type',
                                      'trigger_id', 'operation_definition'])
def test_create_required_fields(api, trigger_id, plan_id, required):
    request = body(trigger_id, plan_id)
    del request['scheduled_operation'][required]
    bad_request(api.post('scheduled_operations', request),
                "'%s' is a required" % required)


def test_trigger_of_another_project_is_404(api, casts, db_context,
                                           plan_id):
    theirs = make_trigger(db_context, project=OTHER)
    for trigger_id in (theirs, UNKNOWN):
        response = api.post('scheduled_operations',
                            body(trigger_id, plan_id))
        assert response.status == 404, response
        assert trigger_id in response.json['itemNotFound']['message']
    # An administrator sees every trigger, yet schedules only on those
    # of the project they act in.
    response = api.post('scheduled_operations', body(theirs, plan_id),
                        roles='admin')
    assert response.status == 404
    assert list(casts) == []


def test_plan_of_another_project_is_400(api, casts, db_context,
                                        trigger_id):
    theirs = make_plan(db_context, project=OTHER)
    for plan_id in (theirs, UNKNOWN):
        message = bad_request(
            api.post('scheduled_operations', body(trigger_id, plan_id)),
            "'scheduled_operation.operation_definition.plan_id'")
        assert plan_id in message
    bad_request(api.post('scheduled_operations', body(trigger_id, theirs),
                         roles='admin'), 'plan_id')
    assert list(casts) == []


def test_plan_of_another_provider_is_400(api, casts, db_context,
                                         trigger_id):
    plan_id = make_plan(db_context, provider=fakes.SCHEMA_PROVIDER)
    message = bad_request(
        api.post('scheduled_operations', body(trigger_id, plan_id)),
        "'scheduled_operation.operation_definition.provider_id'")
    assert fakes.SCHEMA_PROVIDER in message


def test_unreachable_engines_read_a_new_operation_at_their_poll(
        api, casts, db_context, trigger_id, plan_id):
    casts.fail_with(RuntimeError('no broker'))
    response = api.post('scheduled_operations', body(trigger_id, plan_id))
    assert response.status == 200, response
    created = response.json['scheduled_operation']
    assert db.scheduled_operation_get(db_context, created['id']).enabled
    assert db.trigger_in_use(db_context, trigger_id)


def test_reader_cannot_create(api, casts, trigger_id, plan_id):
    response = api.post('scheduled_operations', body(trigger_id, plan_id),
                        roles='reader')
    assert response.status == 403
    assert 'scheduled_operation:create' in \
        response.json['forbidden']['message']


# Show and list


@pytest.mark.parametrize('roles', ['reader', 'member', 'admin'])
def test_show(api, casts, trigger_id, plan_id, roles):
    operation = create(api, trigger_id, plan_id)
    response = api.get('scheduled_operations/%s' % operation['id'],
                       roles=roles)
    assert response.status == 200
    assert response.json['scheduled_operation'] == operation


def test_show_of_another_project_or_unknown_is_404(api, db_context):
    theirs = db.scheduled_operation_create(db_context, {
        'name': 'theirs', 'operation_type': 'protect',
        'trigger_id': make_trigger(db_context, project=OTHER),
        'project_id': OTHER, 'operation_definition': {}})
    for operation_id in (theirs.id, UNKNOWN):
        assert api.get('scheduled_operations/%s' % operation_id).status \
            == 404
    assert api.get('scheduled_operations/%s' % theirs.id,
                   roles='admin').status == 200


def test_show_and_list_need_a_role(api, casts, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    assert api.get('scheduled_operations/%s' % operation['id'],
                   roles='').status == 403
    assert api.get('scheduled_operations', roles='').status == 403


def _names(response):
    assert response.status == 200, response
    return [operation['name'] for operation in response.json['operations']]


def test_list_key_is_karbors(api, casts, trigger_id, plan_id):
    for name in ('a', 'b', 'c'):
        create(api, trigger_id, plan_id, name=name)
    response = api.get('scheduled_operations', roles='reader')
    assert _names(response) == ['c', 'b', 'a']


def test_list_pages(api, casts, trigger_id, plan_id):
    for name in ('a', 'b', 'c'):
        create(api, trigger_id, plan_id, name=name)
    first = api.get('scheduled_operations?limit=2&sort=name:asc')
    assert _names(first) == ['a', 'b']
    marker = first.json['operations'][-1]['id']
    assert 'marker=%s' % marker in first.json['operations_links'][0]['href']
    second = api.get('scheduled_operations?limit=2&sort=name:asc&marker=%s'
                     % marker)
    assert _names(second) == ['c']


def test_list_filters(api, casts, db_context, trigger_id, plan_id):
    create(api, trigger_id, plan_id, name='first')
    other_trigger = make_trigger(db_context)
    second = create(api, other_trigger, plan_id, name='second',
                    operation_type='retention_protect')
    api.put('scheduled_operations/%s' % second['id'],
            {'scheduled_operation': {'enabled': False}})
    assert _names(api.get('scheduled_operations?trigger_id=%s'
                          % trigger_id)) == ['first']
    assert _names(api.get('scheduled_operations?enabled=false')) == \
        ['second']
    assert _names(api.get('scheduled_operations?enabled=true')) == ['first']
    assert _names(api.get('scheduled_operations?operation_type='
                          'retention_protect')) == ['second']
    assert _names(api.get('scheduled_operations?name=first')) == ['first']
    bad_request(api.get('scheduled_operations?enabled=maybe'), 'enabled')
    bad_request(api.get('scheduled_operations?sort=description'),
                'description')


def test_list_is_of_the_project(api, casts, db_context, trigger_id,
                                plan_id):
    create(api, trigger_id, plan_id, name='mine')
    db.scheduled_operation_create(db_context, {
        'name': 'theirs', 'operation_type': 'protect',
        'trigger_id': make_trigger(db_context, project=OTHER),
        'project_id': OTHER, 'operation_definition': {}})
    assert _names(api.get('scheduled_operations')) == ['mine']
    assert sorted(_names(api.get('scheduled_operations?all_tenants=true',
                                 roles='admin'))) == ['mine', 'theirs']


# Suspend and resume


def _set_enabled(api, operation_id, enabled, **kwargs):
    return api.put('scheduled_operations/%s' % operation_id,
                   {'scheduled_operation': {'enabled': enabled}}, **kwargs)


def test_suspend_and_resume(api, casts, db_context, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    response = _set_enabled(api, operation['id'], False)
    assert response.status == 200, response
    assert response.json['scheduled_operation']['enabled'] is False
    state = db.scheduled_operation_state_get(db_context, operation['id'])
    assert state.state == 'suspended'
    resumed_after = models.utcnow()
    response = _set_enabled(api, operation['id'], True)
    assert response.json['scheduled_operation']['enabled'] is True
    state = db.scheduled_operation_state_get(db_context, operation['id'])
    # Fire times from its resumption on are due, none from before.
    assert state.state == 'scheduled'
    assert state.updated_at >= resumed_after
    assert casts.casts[1:] == [
        ('scheduled_operation_state_changed',
         {'operation_id': operation['id'], 'enabled': False,
          'host': None}),
        ('scheduled_operation_state_changed',
         {'operation_id': operation['id'], 'enabled': True,
          'host': None})]


def test_unchanged_state_and_renames_tell_no_engine(api, casts, trigger_id,
                                                    plan_id):
    operation = create(api, trigger_id, plan_id)
    assert _set_enabled(api, operation['id'], True).status == 200
    response = api.put('scheduled_operations/%s' % operation['id'],
                       {'scheduled_operation': {'name': 'renamed',
                                                'description': None}})
    assert response.status == 200
    assert response.json['scheduled_operation']['name'] == 'renamed'
    assert response.json['scheduled_operation']['description'] is None
    assert len(casts) == 1


def test_state_change_with_unreachable_engines_still_applies(
        api, casts, db_context, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    casts.fail_with(RuntimeError('no broker'))
    response = api.put('scheduled_operations/%s' % operation['id'],
                       {'scheduled_operation': {'enabled': False,
                                                'name': 'renamed'}})
    assert response.status == 200, response
    stored = db.scheduled_operation_get(db_context, operation['id'])
    assert stored.enabled is False
    assert stored.name == 'renamed'


@pytest.mark.parametrize('request_body, field', [
    ({'scheduled_operation': {}}, "'body.scheduled_operation'"),
    ({'scheduled_operation': {'enabled': 'no'}},
     "'body.scheduled_operation.enabled'"),
    ({'scheduled_operation': {'trigger_id': UNKNOWN}},
     "'trigger_id' was unexpected"),
    ({'enabled': False}, "'scheduled_operation' is a required"),
])
def test_update_schema_errors(api, casts, trigger_id, plan_id, request_body,
                              field):
    operation = create(api, trigger_id, plan_id)
    bad_request(api.put('scheduled_operations/%s' % operation['id'],
                        request_body), field)


def test_update_by_reader_is_403(api, casts, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    assert _set_enabled(api, operation['id'], False,
                        roles='reader').status == 403


def test_update_unknown_is_404(api, casts):
    assert _set_enabled(api, UNKNOWN, False).status == 404


# Delete


def test_delete(api, casts, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    response = api.delete('scheduled_operations/%s' % operation['id'])
    assert response.status == 202
    assert casts.casts[-1] == ('scheduled_operation_deleted',
                               {'operation_id': operation['id'],
                                'host': None})
    assert api.get('scheduled_operations/%s' % operation['id']).status \
        == 404
    # The trigger is free again.
    assert api.delete('triggers/%s' % trigger_id).status == 202


def test_delete_takes_the_run_history_along(api, casts, db_context,
                                            trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    _add_log(db_context, operation['id'], 0)
    api.delete('scheduled_operations/%s' % operation['id'])
    with pytest.raises(exception.ScheduledOperationStateNotFound):
        db.scheduled_operation_state_get(db_context, operation['id'])
    assert db.scheduled_operation_log_get_all(
        db_context, filters={'operation_id': operation['id']}) == []


def test_delete_with_unreachable_engines_still_deletes(api, casts,
                                                       trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    casts.fail_with(RuntimeError('no broker'))
    assert api.delete('scheduled_operations/%s'
                      % operation['id']).status == 202
    assert api.get('scheduled_operations/%s' % operation['id']).status \
        == 404


def test_delete_by_reader_is_403(api, casts, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    assert api.delete('scheduled_operations/%s' % operation['id'],
                      roles='reader').status == 403


def test_delete_unknown_is_404(api, casts):
    assert api.delete('scheduled_operations/%s' % UNKNOWN).status == 404


# Run history


def _add_log(db_context, operation_id, minutes, state='success', **values):
    expected = datetime.datetime(2030, 1, 1, 2, 0) + datetime.timedelta(
        minutes=minutes)
    return db.scheduled_operation_log_create(db_context, dict(
        {'operation_id': operation_id, 'expect_start_time': expected,
         'triggered_time': expected,
         'actual_start_time': expected + datetime.timedelta(seconds=5),
         'end_time': expected + datetime.timedelta(minutes=3),
         'state': state}, **values))


def test_logs_newest_first(api, casts, db_context, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    for minutes in (0, 1440):
        _add_log(db_context, operation['id'], minutes,
                 checkpoint_id=UNKNOWN)
    _add_log(db_context, operation['id'], 2880, state='failed',
             error='plan has no resources')
    response = api.get('scheduled_operations/%s/logs' % operation['id'],
                       roles='reader')
    assert response.status == 200, response
    logs = response.json['scheduled_operation_logs']
    assert [log['expect_start_time'] for log in logs] == [
        '2030-01-03T02:00:00', '2030-01-02T02:00:00', '2030-01-01T02:00:00']
    assert logs[0]['state'] == 'failed'
    assert logs[0]['error'] == 'plan has no resources'
    assert logs[0]['checkpoint_id'] is None
    assert logs[1] == {
        'id': logs[1]['id'], 'operation_id': operation['id'],
        'expect_start_time': '2030-01-02T02:00:00',
        'triggered_time': '2030-01-02T02:00:00',
        'actual_start_time': '2030-01-02T02:00:05',
        'end_time': '2030-01-02T02:03:00', 'state': 'success',
        'checkpoint_id': UNKNOWN, 'error': None, 'extend_info': None}


def _days(response):
    assert response.status == 200, response
    return [log['expect_start_time'][:10]
            for log in response.json['scheduled_operation_logs']]


def test_logs_page_and_filter(api, casts, db_context, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    other = create(api, trigger_id, plan_id, name='other')
    for minutes in (0, 1440, 2880):
        _add_log(db_context, operation['id'], minutes)
    _add_log(db_context, other['id'], 0)
    path = 'scheduled_operations/%s/logs' % operation['id']
    first = api.get(path + '?limit=2&sort=expect_start_time:asc')
    assert _days(first) == ['2030-01-01', '2030-01-02']
    link = first.json['scheduled_operation_logs_links'][0]['href']
    marker = first.json['scheduled_operation_logs'][-1]['id']
    assert 'marker=%d' % marker in link
    second = api.get(path + '?limit=2&sort=expect_start_time:asc&marker=%d'
                     % marker)
    assert _days(second) == ['2030-01-03']
    assert _days(api.get(path + '?state=failed')) == []
    bad_request(api.get(path + '?marker=abc'), 'marker')
    bad_request(api.get(path + '?sort=error'), 'error')


def test_logs_of_another_project_or_unknown_is_404(api, db_context):
    theirs = db.scheduled_operation_create(db_context, {
        'name': 'theirs', 'operation_type': 'protect',
        'trigger_id': make_trigger(db_context, project=OTHER),
        'project_id': OTHER, 'operation_definition': {}})
    for operation_id in (theirs.id, UNKNOWN):
        assert api.get('scheduled_operations/%s/logs'
                       % operation_id).status == 404
    assert api.get('scheduled_operations/%s/logs' % theirs.id,
                   roles='').status == 404


def test_logs_need_a_role(api, casts, trigger_id, plan_id):
    operation = create(api, trigger_id, plan_id)
    assert api.get('scheduled_operations/%s/logs' % operation['id'],
                   roles='').status == 403


@pytest.mark.parametrize('method, request_body', [
    ('GET', None), ('PUT', {'scheduled_operation': {'enabled': False}}),
    ('DELETE', None)])
def test_routes_of_one_operation_take_no_query(api, casts, trigger_id,
                                               plan_id, method,
                                               request_body):
    operation = create(api, trigger_id, plan_id)
    response = api.request(method, 'scheduled_operations/%s?force=1'
                           % operation['id'], body=request_body)
    bad_request(response, 'force')
    assert len(casts) == 1
    bad_request(api.post('scheduled_operations?force=1',
                         body(trigger_id, plan_id)), 'force')
