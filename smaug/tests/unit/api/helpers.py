"""Requests and database shortcuts shared by the API tests."""
from smaug.db import api as db
from smaug.tests.unit.api import conftest

PROJECT = conftest.PROJECT
NOOP = conftest.NOOP_PROVIDER
UNKNOWN = '9d1c6a4e-0000-4000-8000-000000000000'


def message(response):
    """The message of an error response."""
    [fault] = response.json.values()
    return fault['message']


def make_plan(api, project=PROJECT, provider=NOOP, name='nightly'):
    response = api.post('plans', {'plan': {
        'name': name, 'provider_id': provider, 'parameters': {},
        'resources': [{'id': project, 'type': 'OS::Keystone::Project',
                       'name': 'the project'}]}}, project=project)
    assert response.status == 200, response
    return response.json['plan']


def make_checkpoint(api, plan, project=PROJECT, **extra):
    """A checkpoint of ``plan``, as the API made it (protecting)."""
    response = api.post('providers/%s/checkpoints' % plan['provider_id'],
                        {'checkpoint': dict(plan_id=plan['id'], **extra)},
                        project=project)
    assert response.status == 200, response
    return response.json['checkpoint']


def set_checkpoint(db_context, checkpoint_id, **values):
    return db.checkpoint_update(db_context, checkpoint_id, values)


def available_checkpoint(api, db_context, provider=NOOP, project=PROJECT):
    """A checkpoint of a new plan, moved to available as an agent would."""
    plan = make_plan(api, project=project, provider=provider)
    checkpoint = make_checkpoint(api, plan, project=project)
    set_checkpoint(db_context, checkpoint['id'], status='available')
    return checkpoint


def logs(db_context, **filters):
    """The operation logs of every project matching ``filters``."""
    return db.operation_log_get_all(db_context, filters=filters,
                                    all_tenants=True)
