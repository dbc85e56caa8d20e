"""/v1/{project_id}/verifications."""
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
available_checkpoint = helpers.available_checkpoint
message = helpers.message


def body(checkpoint, provider=NOOP, **extra):
    return {'verification': dict({'provider_id': provider,
                                  'checkpoint_id': checkpoint['id']},
                                 **extra)}


@pytest.fixture
def checkpoint(api, db_context, rpc_casts):
    return available_checkpoint(api, db_context)


@pytest.fixture
def schema_checkpoint(api, db_context, rpc_casts, fake_cloud):
    return available_checkpoint(api, db_context, provider=SCHEMA)


def _verify(api, checkpoint, **kwargs):
    response = api.post('verifications', body(checkpoint), **kwargs)
    assert response.status == 200, response
    return response.json['verification']


def test_create(api, db_context, rpc_casts, checkpoint):
    verification = _verify(api, checkpoint)
    assert verification['status'] == 'in_progress'
    assert verification['project_id'] == PROJECT
    assert verification['provider_id'] == NOOP
    assert verification['checkpoint_id'] == checkpoint['id']
    assert verification['parameters'] == {}
    assert verification['resources_status'] == {}
    assert db.verification_get(db_context, verification['id']).status == \
        'in_progress'
    assert list(rpc_casts)[-1] == ('verify', {
        'verification_id': verification['id']})
    [log] = helpers.logs(db_context, verification_id=verification['id'])
    assert (log.operation_type, log.status, log.checkpoint_id,
            log.provider_id) == ('verify', 'in_progress', checkpoint['id'],
                                 NOOP)


def test_create_with_checked_parameters(api, rpc_casts, schema_checkpoint):
    # Karbor never published verify schemas, so this always failed there.
    response = api.post('verifications', body(
        schema_checkpoint, provider=SCHEMA,
        parameters={SERVER: {'deep': True}}))
    assert response.status == 200, response
    assert response.json['verification']['parameters'] == {
        SERVER: {'deep': True}}


@pytest.mark.parametrize('parameters, field', [
    ({SERVER: {'deep': 'yes'}}, 'verification.parameters.OS::Nova::Server'
                                '.deep'),
    ({SERVER: {'restore_name': 'x'}}, 'verification.parameters'),
    ({'OS::Keystone::Project': {}}, 'verification.parameters'),
])
def test_create_checks_parameters_against_the_provider(
        api, rpc_casts, schema_checkpoint, parameters, field):
    response = api.post('verifications', body(
        schema_checkpoint, provider=SCHEMA, parameters=parameters))
    assert response.status == 400, response
    assert field in message(response)


@pytest.mark.parametrize('request_body, field', [
    ({'verification': {'checkpoint_id': UNKNOWN}}, 'provider_id'),
    ({'verification': {'provider_id': NOOP}}, 'checkpoint_id'),
    ({'verification': {'provider_id': 'x', 'checkpoint_id': UNKNOWN}},
     'verification.provider_id'),
    ({'verification': {'provider_id': NOOP, 'checkpoint_id': UNKNOWN,
                       'parameters': [1]}}, 'verification.parameters'),
    ({'verification': {'provider_id': NOOP, 'checkpoint_id': UNKNOWN,
                       'restore_target': 'x'}}, 'restore_target'),
    ({'verify': {}}, 'verification'),
])
def test_create_validation(api, rpc_casts, request_body, field):
    response = api.post('verifications', request_body)
    assert response.status == 400, response
    assert field in message(response)
    assert not rpc_casts


def test_create_from_unknown_or_foreign_checkpoint_is_404(api, db_context,
                                                          rpc_casts):
    theirs = available_checkpoint(api, db_context, project=OTHER)
    assert api.post('verifications', body({'id': UNKNOWN})).status == 404
    assert api.post('verifications', body(theirs)).status == 404
    assert api.post('verifications', body(theirs),
                    roles='admin').status == 200


def test_create_under_another_provider_is_404(api, rpc_casts, checkpoint,
                                              fake_cloud):
    response = api.post('verifications', body(checkpoint, provider=SCHEMA))
    assert response.status == 404
    response = api.post('verifications', body(checkpoint, provider=UNKNOWN))
    assert response.status == 404


@pytest.mark.parametrize('status', ['protecting', 'error', 'deleting'])
def test_create_from_unavailable_checkpoint_is_409(api, db_context,
                                                   rpc_casts, checkpoint,
                                                   status):
    helpers.set_checkpoint(db_context, checkpoint['id'], status=status)
    response = api.post('verifications', body(checkpoint))
    assert response.status == 409
    assert status in message(response)


def test_create_is_denied_to_readers(api, db_context, rpc_casts,
                                     checkpoint):
    response = api.post('verifications', body(checkpoint), roles='reader')
    assert response.status == 403
    assert 'verification:create' in message(response)
    assert not db.verification_get_all(db_context, all_tenants=True)


def test_create_when_the_cast_fails(api, db_context, rpc_casts,
                                    checkpoint):
    rpc_casts.fail_with(oslo_messaging.MessagingTimeout('late'))
    response = api.post('verifications', body(checkpoint))
    assert response.status == 503
    [record] = db.verification_get_all(db_context, all_tenants=True)
    assert (record.status, record.error_reason) == (
        'fail', 'could not reach the protection service: late')
    [log] = helpers.logs(db_context, verification_id=record.id)
    assert log.status == 'failed'


def test_show(api, rpc_casts, checkpoint):
    verification = _verify(api, checkpoint)
    response = api.get('verifications/%s' % verification['id'],
                       roles='reader')
    assert response.status == 200
    assert response.json['verification'] == verification
    assert api.get('verifications/%s' % verification['id'],
                   roles='').status == 403


def test_show_unknown_or_foreign_is_404(api, rpc_casts, checkpoint):
    verification = _verify(api, checkpoint)
    assert api.get('verifications/%s' % UNKNOWN).status == 404
    assert api.get('verifications/%s' % verification['id'],
                   project=OTHER).status == 404


def _ids(response):
    assert response.status == 200, response
    return [item['id'] for item in response.json['verifications']]


def test_list_sort_filter_and_page(api, db_context, rpc_casts, checkpoint):
    made = [_verify(api, checkpoint)['id'] for _ in range(3)]
    assert _ids(api.get('verifications', roles='reader')) == made[::-1]
    assert _ids(api.get('verifications?sort=created_at:asc')) == made
    db.verification_update(db_context, made[1], {'status': 'success'})
    assert _ids(api.get('verifications?status=success')) == [made[1]]
    first = api.get('verifications?limit=2&sort=created_at:asc')
    assert _ids(first) == made[:2]
    [link] = first.json['verifications_links']
    query = dict(parse.parse_qsl(parse.urlsplit(link['href']).query))
    assert _ids(api.get('verifications?' + parse.urlencode(query))) == [
        made[2]]


@pytest.mark.parametrize('query, field', [
    ('sort=parameters', 'parameters'),
    ('status=done', 'query.status'),
    ('marker=%s' % UNKNOWN, UNKNOWN),
    ('colour=red', 'colour'),
])
def test_list_bad_query_is_400(api, query, field):
    response = api.get('verifications?' + query)
    assert response.status == 400
    assert field in message(response)


def test_list_is_scoped_to_the_project(api, db_context, rpc_casts,
                                       checkpoint):
    mine = _verify(api, checkpoint)['id']
    theirs = available_checkpoint(api, db_context, project=OTHER)
    other = _verify(api, theirs, project=OTHER)['id']
    assert _ids(api.get('verifications')) == [mine]
    assert _ids(api.get('verifications', project=OTHER)) == [other]
    assert sorted(_ids(api.get('verifications?all_tenants=1',
                               roles='admin'))) == sorted([mine, other])


def test_list_needs_a_role(api):
    response = api.get('verifications', roles='')
    assert response.status == 403
    assert 'verification:get_all' in message(response)
