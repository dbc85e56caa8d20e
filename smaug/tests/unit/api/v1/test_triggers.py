"""/v1/{project_id}/triggers."""
import datetime

import pytest

from smaug.db import api as db
from smaug.operationengine.triggers import time_trigger
from smaug.tests.unit.api import conftest
from smaug.tests.unit.api.v1 import engine_casts

PROJECT = conftest.PROJECT
OTHER = conftest.OTHER_PROJECT
NOW = datetime.datetime(2030, 1, 1, 10, 0, tzinfo=datetime.timezone.utc)
UNKNOWN = '9d1c6a4e-0000-4000-8000-000000000000'
HOURLY = 'BEGIN:VEVENT\nRRULE:FREQ=HOURLY;INTERVAL=1;\nEND:VEVENT'


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(time_trigger, 'utcnow', lambda: NOW)


@pytest.fixture
def casts(monkeypatch):
    return engine_casts.EngineCasts.install(monkeypatch)


def body(name='nightly', type='time', **properties):
    values = {'format': 'crontab', 'pattern': '0 2 * * *'}
    values.update(properties)
    return {'trigger_info': {'name': name, 'type': type,
                             'properties': values}}


def create(api, name='nightly', project=PROJECT, **properties):
    response = api.post('triggers', body(name, **properties),
                        project=project)
    assert response.status == 200, response
    return response.json['trigger_info']


def bad_request(response, field):
    assert response.status == 400, response
    message = response.json['badRequest']['message']
    assert field in message, message
    return message


def add_operation(db_context, trigger_id, project=PROJECT):
    return db.scheduled_operation_create(db_context, {
        'name': 'uses it', 'operation_type': 'protect',
        'trigger_id': trigger_id, 'project_id': project,
        'operation_definition': {'plan_id': UNKNOWN,
                                 'provider_id': conftest.NOOP_PROVIDER}})


# Create


def test_create(api, db_context):
    trigger = create(api, window=900)
    assert trigger['name'] == 'nightly'
    assert trigger['type'] == 'time'
    assert trigger['project_id'] == PROJECT
    # As given, with the start defaulted to now.
    assert trigger['properties'] == {
        'format': 'crontab', 'pattern': '0 2 * * *', 'window': 900,
        'start_time': '2030-01-01 10:00:00'}
    assert trigger['next_fire_times'] == [
        '2030-01-02T02:00:00', '2030-01-03T02:00:00', '2030-01-04T02:00:00',
        '2030-01-05T02:00:00', '2030-01-06T02:00:00']
    stored = db.trigger_get(db_context, trigger['id'])
    assert stored.project_id == PROJECT
    assert stored.properties == trigger['properties']


def test_create_karbor_api_reference_sample(api, smaug_conf):
    # Karbor's sample, with dates moved to the future: its window, a
    # string of 3600 seconds, fits once the operator allows it.
    smaug_conf.config(group='operationengine', max_window_time=3600)
    sample = {'trigger_info': {
        'name': 'My backup trigger', 'type': 'time',
        'properties': {
            'format': 'calendar',
            'pattern': 'BEGIN:VEVENT\\nRRULE:FREQ=HOURLY;INTERVAL=1;\\n'
                       'END:VEVENT',
            'start_time': '2030-12-17T08:30:00',
            'end_time': '2031-03-17T08:30:00',
            'window': '3600'}}}
    response = api.post('triggers', sample)
    assert response.status == 200, response
    properties = response.json['trigger_info']['properties']
    assert properties['window'] == '3600'
    assert properties['start_time'] == '2030-12-17T08:30:00'
    assert response.json['trigger_info']['next_fire_times'][:2] == [
        '2030-12-17T08:30:00', '2030-12-17T09:30:00']


@pytest.mark.parametrize('format, pattern, first', [
    ('crontab', '30 4 * * *', '2030-01-02T04:30:00'),
    ('calendar', HOURLY, '2030-01-01T11:00:00'),
    ('calendar', 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=3;BYMINUTE=0;BYSECOND=0',
     '2030-01-06T03:00:00'),
    ('interval', 86400, '2030-01-02T10:00:00'),
    ('interval', '7200', '2030-01-01T12:00:00'),
])
def test_each_trigger_has_its_own_format(api, format, pattern, first):
    trigger = create(api, format=format, pattern=pattern)
    assert trigger['next_fire_times'][0] == first


def test_pattern_of_another_format_is_rejected(api):
    response = api.post('triggers', body(format='crontab', pattern=HOURLY))
    bad_request(response, "'trigger_info.properties.pattern'")


def test_iso_times_with_offsets(api):
    trigger = create(api, start_time='2030-02-01T03:00:00+01:00',
                     end_time='2030-02-03T02:00:00Z')
    assert trigger['next_fire_times'] == [
        '2030-02-01T02:00:00', '2030-02-02T02:00:00', '2030-02-03T02:00:00']


@pytest.mark.parametrize('change, field', [
    ({'name': ''}, "'body.trigger_info.name'"),
    ({'type': 'event'}, "'body.trigger_info.type'"),
    ({'properties': None}, "'body.trigger_info.properties'"),
    ({'properties': {'pattern': '0 2 * * *'}}, "'format' is a required"),
    ({'properties': {'format': 'crontab'}}, "'pattern' is a required"),
    ({'properties': {'format': 'crontab', 'pattern': '0 2 * * *',
                     'timezone': 'UTC'}}, "'timezone' was unexpected"),
    ({'properties': {'format': 'crontab', 'pattern': '0 2 * * *',
                     'window': 'an hour'}},
     "'body.trigger_info.properties.window'"),
])
def test_create_schema_errors(api, change, field):
    request = body()
    request['trigger_info'].update(change)
    bad_request(api.post('triggers', request), field)


def test_create_needs_name_and_type(api):
    request = body()
    del request['trigger_info']['name']
    bad_request(api.post('triggers', request), "'name' is a required")
    request = body()
    del request['trigger_info']['type']
    bad_request(api.post('triggers', request), "'type' is a required")


@pytest.mark.parametrize('properties, field, reason', [
    ({'format': 'cron'}, 'format', 'known formats: calendar, crontab'),
    ({'pattern': '0 25 * * *'}, 'pattern', 'crontab'),
    ({'format': 'calendar', 'pattern': 'FREQ=FORTNIGHTLY'}, 'pattern',
     'FREQ'),
    ({'format': 'interval', 'pattern': 'hourly'}, 'pattern', 'seconds'),
    ({'start_time': 'tomorrow'}, 'start_time', 'YYYY-MM-DD HH:MM:SS'),
    ({'end_time': '2030-13-01 00:00:00'}, 'end_time', 'ISO 8601'),
    ({'start_time': '2030-02-01 00:00:00',
      'end_time': '2030-01-01 00:00:00'}, 'end_time', 'after the start'),
    ({'window': 899}, 'window', '900 to 1800'),
    ({'window': '1801'}, 'window', '900 to 1800'),
    ({'pattern': '*/10 * * * *'}, 'pattern', 'at most every 3600'),
    ({'format': 'interval', 'pattern': 60}, 'pattern', 'at most every 3600'),
    ({'end_time': '2029-01-01 00:00:00', 'start_time': '2028-01-01 00:00:00'},
     'pattern', 'never fires'),
])
def test_create_meaning_errors_name_the_property(api, properties, field,
                                                 reason):
    message = bad_request(api.post('triggers', body(**properties)),
                          "'trigger_info.properties.%s'" % field)
    assert reason in message


def test_min_interval_is_the_operators(api, smaug_conf):
    smaug_conf.config(group='operationengine', min_interval=600)
    create(api, pattern='*/10 * * * *')


def test_reader_cannot_create(api):
    response = api.post('triggers', body(), roles='reader')
    assert response.status == 403
    assert 'trigger:create' in response.json['forbidden']['message']


def test_create_needs_a_body(api):
    bad_request(api.post('triggers'), 'body is required')


# Show


@pytest.mark.parametrize('roles', ['reader', 'member', 'admin'])
def test_show(api, roles):
    trigger = create(api)
    response = api.get('triggers/%s' % trigger['id'], roles=roles)
    assert response.status == 200
    assert response.json['trigger_info'] == trigger


def test_show_unknown_is_404(api):
    response = api.get('triggers/%s' % UNKNOWN)
    assert response.status == 404
    assert UNKNOWN in response.json['itemNotFound']['message']


def test_show_of_another_project_is_404(api):
    trigger = create(api, project=OTHER)
    assert api.get('triggers/%s' % trigger['id']).status == 404
    admin = api.get('triggers/%s' % trigger['id'], roles='admin')
    assert admin.status == 200


def test_show_needs_a_role(api):
    trigger = create(api)
    assert api.get('triggers/%s' % trigger['id'], roles='').status == 403


def test_saved_trigger_that_cannot_be_read_shows_no_fire_times(
        api, db_context):
    trigger = create(api)
    db.trigger_update(db_context, trigger['id'], {
        'properties': {'format': 'retired', 'pattern': 'x'}})
    response = api.get('triggers/%s' % trigger['id'])
    assert response.status == 200
    shown = response.json['trigger_info']
    assert shown['properties'] == {'format': 'retired', 'pattern': 'x'}
    assert shown['next_fire_times'] == []


# List


def _names(response):
    assert response.status == 200, response
    return [trigger['name'] for trigger in response.json['triggers']]


def test_list_is_newest_first_and_of_the_project(api):
    for name in ('a', 'b', 'c'):
        create(api, name)
    create(api, 'theirs', project=OTHER)
    assert _names(api.get('triggers', roles='reader')) == ['c', 'b', 'a']


@pytest.mark.parametrize('query, expected', [
    ('sort=name:asc', ['a', 'b', 'c']),
    ('sort_key=name&sort_dir=desc', ['c', 'b', 'a']),
    ('name=b', ['b']),
    ('type=time&sort=name', ['c', 'b', 'a']),
])
def test_list_sort_and_filter(api, query, expected):
    for name in ('b', 'a', 'c'):
        create(api, name)
    assert _names(api.get('triggers?' + query)) == expected


def test_list_pages(api):
    for name in ('a', 'b', 'c'):
        create(api, name)
    first = api.get('triggers?limit=2&sort=name:asc')
    assert _names(first) == ['a', 'b']
    [link] = first.json['triggers_links']
    assert link['rel'] == 'next'
    marker = first.json['triggers'][-1]['id']
    assert 'marker=%s' % marker in link['href']
    second = api.get('triggers?limit=2&sort=name:asc&marker=%s' % marker)
    assert _names(second) == ['c']
    assert 'triggers_links' not in second.json


def test_list_bad_marker_and_sort_key(api):
    bad_request(api.get('triggers?marker=%s' % UNKNOWN), UNKNOWN)
    bad_request(api.get('triggers?sort=pattern:asc'), 'pattern')
    bad_request(api.get('triggers?colour=red'), 'colour')


def test_list_all_tenants_is_for_admins(api):
    create(api, 'mine')
    create(api, 'theirs', project=OTHER)
    assert sorted(_names(api.get('triggers?all_tenants=1',
                                 roles='admin'))) == ['mine', 'theirs']
    assert _names(api.get('triggers?all_tenants=1')) == ['mine']


def test_list_needs_a_role(api):
    assert api.get('triggers', roles='').status == 403


# Update


def test_update_name_only_tells_no_engine(api, casts):
    trigger = create(api)
    response = api.put('triggers/%s' % trigger['id'],
                       {'trigger_info': {'name': 'renamed'}})
    assert response.status == 200, response
    assert response.json['trigger_info']['name'] == 'renamed'
    assert response.json['trigger_info']['properties'] == \
        trigger['properties']
    assert list(casts) == []


def test_update_properties_tells_every_engine(api, casts, db_context):
    trigger = create(api)
    response = api.put('triggers/%s' % trigger['id'], {'trigger_info': {
        'type': 'time',
        'properties': {'format': 'interval', 'pattern': 7200,
                       'start_time': '2030-01-01 11:00:00'}}})
    assert response.status == 200, response
    assert response.json['trigger_info']['next_fire_times'][:2] == [
        '2030-01-01T11:00:00', '2030-01-01T13:00:00']
    assert list(casts) == [('trigger_changed',
                            {'trigger_id': trigger['id']})]
    assert db.trigger_get(db_context, trigger['id']).properties == {
        'format': 'interval', 'pattern': 7200,
        'start_time': '2030-01-01 11:00:00'}


def test_update_revalidates(api, casts, db_context):
    trigger = create(api)
    response = api.put('triggers/%s' % trigger['id'], {'trigger_info': {
        'properties': {'format': 'crontab', 'pattern': '* * * * *'}}})
    message = bad_request(response, "'trigger_info.properties.pattern'")
    assert 'at most every 3600' in message
    assert list(casts) == []
    stored = db.trigger_get(db_context, trigger['id'])
    assert stored.properties['pattern'] == '0 2 * * *'


def test_update_unreachable_engines_is_503_and_changes_nothing(
        api, casts, db_context):
    trigger = create(api)
    casts.fail_with(RuntimeError('no broker'))
    response = api.put('triggers/%s' % trigger['id'], {'trigger_info': {
        'name': 'renamed',
        'properties': {'format': 'crontab', 'pattern': '0 3 * * *'}}})
    assert response.status == 503, response
    assert 'no broker' in response.json['serviceUnavailable']['message']
    stored = db.trigger_get(db_context, trigger['id'])
    assert stored.name == 'nightly'
    assert stored.properties['pattern'] == '0 2 * * *'


@pytest.mark.parametrize('request_body, field', [
    ({'trigger_info': {}}, "'body.trigger_info'"),
    ({'trigger_info': {'type': 'event'}}, "'body.trigger_info.type'"),
    ({'trigger_info': {'id': UNKNOWN}}, "'id' was unexpected"),
    ({'name': 'x'}, "'trigger_info' is a required"),
])
def test_update_schema_errors(api, request_body, field):
    trigger = create(api)
    bad_request(api.put('triggers/%s' % trigger['id'], request_body), field)


def test_update_by_reader_is_403(api):
    trigger = create(api)
    response = api.put('triggers/%s' % trigger['id'],
                       {'trigger_info': {'name': 'x'}}, roles='reader')
    assert response.status == 403


def test_update_of_another_project_or_unknown_is_404(api):
    trigger = create(api, project=OTHER)
    for trigger_id in (trigger['id'], UNKNOWN):
        response = api.put('triggers/%s' % trigger_id,
                           {'trigger_info': {'name': 'x'}})
        assert response.status == 404


# Delete


def test_delete(api, casts):
    trigger = create(api)
    response = api.delete('triggers/%s' % trigger['id'])
    assert response.status == 202
    assert list(casts) == [('trigger_deleted',
                            {'trigger_id': trigger['id']})]
    assert api.get('triggers/%s' % trigger['id']).status == 404


def test_delete_in_use_is_424(api, casts, db_context):
    trigger = create(api)
    operation = add_operation(db_context, trigger['id'])
    response = api.delete('triggers/%s' % trigger['id'])
    assert response.status == 424, response
    message = response.json['failedDependency']['message']
    assert operation.id in message
    assert list(casts) == []
    assert api.get('triggers/%s' % trigger['id']).status == 200
    db.scheduled_operation_destroy(db_context, operation.id)
    assert api.delete('triggers/%s' % trigger['id']).status == 202


def test_delete_survives_unreachable_engines(api, casts):
    trigger = create(api)
    casts.fail_with(RuntimeError('no broker'))
    assert api.delete('triggers/%s' % trigger['id']).status == 202
    assert api.get('triggers/%s' % trigger['id']).status == 404


def test_delete_by_reader_is_403(api):
    trigger = create(api)
    assert api.delete('triggers/%s' % trigger['id'],
                      roles='reader').status == 403


def test_delete_of_another_project_or_unknown_is_404(api):
    trigger = create(api, project=OTHER)
    assert api.delete('triggers/%s' % trigger['id']).status == 404
    assert api.delete('triggers/%s' % UNKNOWN).status == 404


def test_admin_deletes_any_trigger(api, casts):
    trigger = create(api, project=OTHER)
    assert api.delete('triggers/%s' % trigger['id'],
                      roles='admin').status == 202


@pytest.mark.parametrize('method, body_', [
    ('GET', None), ('PUT', {'trigger_info': {'name': 'x'}}),
    ('DELETE', None)])
def test_routes_of_one_trigger_take_no_query(api, casts, method, body_):
    trigger = create(api)
    response = api.request(method, 'triggers/%s?force=1' % trigger['id'],
                           body=body_)
    bad_request(response, 'force')
    assert api.get('triggers/%s' % trigger['id']).json['trigger_info'][
        'name'] == 'nightly'
    bad_request(api.post('triggers?force=1', body()), 'force')
