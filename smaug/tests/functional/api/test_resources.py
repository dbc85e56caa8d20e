"""Every route of the synchronous resources on its success path, over
HTTP: plans, providers, protectables, triggers, scheduled operations,
services, quotas and quota classes.

Each response is checked for the keys Karbor's API had, so Karbor's
clients keep working; Smaug may add keys, never drop one.
"""
from smaug.tests.fixtures import deployment as deployment_fixture
from smaug.tests.functional.api import client

expect = client.expect
NOOP = client.NOOP_PROVIDER
PROJECT_TYPE = client.PROJECT_TYPE
KARBOR_PLAN = {'id', 'name', 'description', 'resources', 'provider_id',
               'status', 'parameters'}
KARBOR_PROVIDER = {'id', 'name', 'description', 'extended_info_schema'}
KARBOR_TRIGGER = {'id', 'name', 'type', 'properties'}
KARBOR_OPERATION = {'id', 'name', 'description', 'operation_type',
                    'trigger_id', 'operation_definition', 'enabled'}
KARBOR_SERVICE = {'id', 'binary', 'host', 'status', 'state', 'updated_at',
                  'disabled_reason'}
RESOURCE = {'id', 'type', 'name', 'extra_info'}


def _keys(record, karbor_keys):
    missing = karbor_keys - set(record)
    assert not missing, 'missing %s in %s' % (sorted(missing), record)


# Plans


def test_plan_create_show_list_update_delete(api, project):
    plan = client.make_plan(api)
    _keys(plan, KARBOR_PLAN)
    assert (plan['name'], plan['description'], plan['provider_id'],
            plan['status'], plan['parameters'], plan['project_id']) == (
        'nightly', 'the whole project', NOOP, 'suspended', {}, project)
    assert plan['resources'] == [{'id': project, 'type': PROJECT_TYPE,
                                  'name': 'the project', 'extra_info': {}}]

    shown = expect(api.get('plans/%s' % plan['id'], roles='reader'), 200)
    assert shown == {'plan': plan}
    listed = expect(api.get('plans', roles='reader'), 200)
    assert listed['plans'] == [plan]

    renamed = expect(api.put('plans/%s' % plan['id'], {'plan': {
        'name': 'weekly', 'description': 'on Sundays'}}), 200)['plan']
    assert (renamed['name'], renamed['description']) == ('weekly',
                                                         'on Sundays')
    started = expect(api.put('plans/%s' % plan['id'],
                             {'plan': {'status': 'started'}}), 200)['plan']
    assert started['status'] == 'started'

    assert expect(api.delete('plans/%s' % plan['id']), 202) is None
    client.fault(api.get('plans/%s' % plan['id']), 404, 'itemNotFound')


# Providers


def test_providers_list_and_show(api):
    providers = expect(api.get('providers', roles='reader'),
                       200)['providers']
    [noop] = [provider for provider in providers if provider['id'] == NOOP]
    _keys(noop, KARBOR_PROVIDER)
    assert noop['name'] == 'No-Op Provider'

    shown = expect(api.get('providers/%s' % NOOP, roles='reader'),
                   200)['provider']
    _keys(shown, KARBOR_PROVIDER)
    assert set(shown['extended_info_schema']) >= {
        'options_schema', 'restore_schema', 'saved_info_schema'}


# Protectables


def test_protectables_types_and_instances(api, project):
    types = expect(api.get('protectables', roles='reader'),
                   200)['protectable_type']
    assert PROJECT_TYPE in types

    shown = expect(api.get('protectables/%s' % PROJECT_TYPE,
                           roles='reader'), 200)['protectable_type']
    assert shown['name'] == PROJECT_TYPE
    assert isinstance(shown['dependent_types'], list)

    instances = expect(api.get('protectables/%s/instances' % PROJECT_TYPE,
                               roles='reader'), 200)['instances']
    assert [instance['id'] for instance in instances] == [project]
    _keys(instances[0], RESOURCE | {'dependent_resources'})
    assert instances[0]['type'] == PROJECT_TYPE

    instance = expect(api.get('protectables/%s/instances/%s'
                              % (PROJECT_TYPE, project), roles='reader'),
                      200)['instance']
    _keys(instance, RESOURCE | {'dependent_resources'})
    assert (instance['id'], instance['type']) == (project, PROJECT_TYPE)


# Triggers


def test_trigger_create_show_list_update_delete(api, project):
    trigger = client.make_trigger(api)
    _keys(trigger, KARBOR_TRIGGER)
    assert (trigger['name'], trigger['type'], trigger['project_id']) == (
        'nightly', 'time', project)
    assert trigger['properties']['pattern'] == '0 2 * * *'
    assert len(trigger['next_fire_times']) == 5

    shown = expect(api.get('triggers/%s' % trigger['id'], roles='reader'),
                   200)['trigger_info']
    assert shown['id'] == trigger['id']
    _keys(shown, KARBOR_TRIGGER)
    listed = expect(api.get('triggers', roles='reader'), 200)['triggers']
    assert [item['id'] for item in listed] == [trigger['id']]

    updated = expect(api.put('triggers/%s' % trigger['id'], {
        'trigger_info': {'name': 'hourly', 'properties': {
            'format': 'crontab', 'pattern': '0 * * * *'}}}),
        200)['trigger_info']
    assert (updated['name'], updated['properties']['pattern']) == (
        'hourly', '0 * * * *')

    assert expect(api.delete('triggers/%s' % trigger['id']), 202) is None
    client.fault(api.get('triggers/%s' % trigger['id']), 404,
                 'itemNotFound')


# Scheduled operations


def test_scheduled_operation_lifecycle(api, project):
    plan = client.make_plan(api)
    trigger = client.make_trigger(api)
    created = expect(api.post('scheduled_operations', {
        'scheduled_operation': {
            'name': 'daily', 'description': 'every night',
            'operation_type': 'protect', 'trigger_id': trigger['id'],
            'operation_definition': {'provider_id': NOOP,
                                     'plan_id': plan['id']}}}),
        200)['scheduled_operation']
    _keys(created, KARBOR_OPERATION)
    assert (created['name'], created['operation_type'],
            created['trigger_id'], created['enabled'],
            created['project_id']) == ('daily', 'protect', trigger['id'],
                                       True, project)
    assert created['operation_definition'] == {'provider_id': NOOP,
                                               'plan_id': plan['id']}
    path = 'scheduled_operations/%s' % created['id']

    shown = expect(api.get(path, roles='reader'), 200)['scheduled_operation']
    assert shown['id'] == created['id']
    listed = expect(api.get('scheduled_operations', roles='reader'),
                    200)['operations']
    assert [item['id'] for item in listed] == [created['id']]

    suspended = expect(api.put(path, {'scheduled_operation': {
        'enabled': False}}), 200)['scheduled_operation']
    assert suspended['enabled'] is False
    renamed = expect(api.put(path, {'scheduled_operation': {
        'name': 'nightly', 'enabled': True}}), 200)['scheduled_operation']
    assert (renamed['name'], renamed['enabled']) == ('nightly', True)

    logs = expect(api.get(path + '/logs', roles='reader'), 200)
    assert logs['scheduled_operation_logs'] == []

    assert expect(api.delete(path), 202) is None
    client.fault(api.get(path), 404, 'itemNotFound')
    assert expect(api.delete('triggers/%s' % trigger['id']), 202) is None


# Services


def _service(api, deployment, binary):
    services = expect(api.get('os-services', roles='admin'), 200)['services']
    [found] = [service for service in services
               if (service['host'], service['binary']) == (deployment.host,
                                                           binary)]
    return found


def test_services_list_and_disable_enable(api, deployment):
    for binary in (deployment_fixture.PROTECTION,
                   deployment_fixture.OPERATIONENGINE):
        service = _service(api, deployment, binary)
        _keys(service, KARBOR_SERVICE)
        assert (service['status'], service['state']) == ('enabled', 'up')

    engine = _service(api, deployment, deployment_fixture.OPERATIONENGINE)
    path = 'os-services/%s' % engine['id']
    try:
        disabled = expect(api.put(path, {
            'status': 'disabled', 'disabled_reason': 'maintenance'},
            roles='admin'), 200)['service']
        assert (disabled['status'], disabled['disabled_reason']) == (
            'disabled', 'maintenance')
    finally:
        enabled = expect(api.put(path, {'status': 'enabled'},
                                 roles='admin'), 200)['service']
    assert (enabled['status'], enabled['disabled_reason']) == ('enabled',
                                                               None)


# Quotas and quota classes


def test_quotas_show_detail_defaults_update_delete(api, project):
    defaults = expect(api.get('quotas/%s/defaults' % project,
                              roles='reader'), 200)['quota']
    assert set(defaults) == {'id', 'plans', 'checkpoints'}
    assert defaults['id'] == project
    shown = expect(api.get('quotas/%s' % project, roles='reader'), 200)
    assert shown == {'quota': defaults}

    client.make_plan(api)
    detail = expect(api.get('quotas/%s/detail' % project, roles='reader'),
                    200)['quota']
    assert detail['plans'] == {'limit': defaults['plans'], 'in_use': 1,
                               'reserved': 0}
    assert set(detail['checkpoints']) == {'limit', 'in_use', 'reserved'}

    updated = expect(api.put('quotas/%s' % project,
                             {'quota': {'plans': 10, 'checkpoints': 20}},
                             roles='admin'), 200)['quota']
    assert updated == {'id': project, 'plans': 10, 'checkpoints': 20}
    assert expect(api.get('quotas/%s' % project), 200)['quota'] == updated

    response = api.delete('quotas/%s' % project, roles='admin')
    assert expect(response, 200) is None
    assert expect(api.get('quotas/%s' % project), 200)['quota'] == defaults


def test_quota_classes_show_and_update(api):
    default = expect(api.get('quota_classes/default', roles='reader'),
                     200)['quota_class']
    assert set(default) == {'id', 'plans', 'checkpoints'}
    assert default['id'] == 'default'

    gold = 'gold-%s' % api.project[:8]
    updated = expect(api.put('quota_classes/%s' % gold, {'quota_class': {
        'plans': 100, 'checkpoints': 500}}, roles='admin'), 200)
    assert updated == {'quota_class': {'id': gold, 'plans': 100,
                                       'checkpoints': 500}}
    assert expect(api.get('quota_classes/%s' % gold), 200) == updated
