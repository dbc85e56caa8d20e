"""/v1/{project_id}/operation_logs."""
import datetime

import pytest

from smaug.db import api as db
from smaug.tests.unit.api import conftest

PROJECT = conftest.PROJECT
OTHER = conftest.OTHER_PROJECT
PLAN = '5b3c1e52-7a8d-4f3a-9c3e-1d2f3a4b5c01'
CHECKPOINT = '5b3c1e52-7a8d-4f3a-9c3e-1d2f3a4b5c02'
RESTORE = '5b3c1e52-7a8d-4f3a-9c3e-1d2f3a4b5c03'
OPERATION = '5b3c1e52-7a8d-4f3a-9c3e-1d2f3a4b5c04'
UNKNOWN = '9d1c6a4e-0000-4000-8000-000000000000'
KARBOR_KEYS = {'id', 'operation_type', 'checkpoint_id', 'plan_id',
               'provider_id', 'restore_id', 'scheduled_operation_id',
               'status', 'started_at', 'ended_at', 'error_info',
               'extra_info'}


def add_log(db_context, project=PROJECT, **values):
    record = dict(project_id=project, operation_type='protect',
                  plan_id=PLAN, checkpoint_id=CHECKPOINT,
                  provider_id=conftest.NOOP_PROVIDER, status='success',
                  started_at=datetime.datetime(2030, 1, 1, 2, 0),
                  ended_at=datetime.datetime(2030, 1, 1, 2, 5))
    record.update(values)
    return db.operation_log_create(db_context, record)


@pytest.fixture
def logs(db_context):
    """A protect, a restore, and a failed scheduled protect."""
    return [
        add_log(db_context),
        add_log(db_context, operation_type='restore', restore_id=RESTORE,
                status='in_progress', ended_at=None),
        add_log(db_context, scheduled_operation_id=OPERATION,
                status='failed', error_info='bank unreachable',
                extra_info={'created_by': 'operation-engine'}),
    ]


@pytest.mark.parametrize('roles', ['reader', 'member', 'admin'])
def test_show(api, logs, roles):
    response = api.get('operation_logs/%s' % logs[0].id, roles=roles)
    assert response.status == 200, response
    log = response.json['operation_log']
    assert KARBOR_KEYS <= set(log)
    assert log['id'] == logs[0].id
    assert log['operation_type'] == 'protect'
    assert log['plan_id'] == PLAN
    assert log['checkpoint_id'] == CHECKPOINT
    assert log['provider_id'] == conftest.NOOP_PROVIDER
    assert log['restore_id'] is None
    assert log['status'] == 'success'
    assert log['started_at'] == '2030-01-01T02:00:00'
    assert log['ended_at'] == '2030-01-01T02:05:00'
    assert log['error_info'] is None


def test_show_failed_log(api, logs):
    log = api.get('operation_logs/%s' % logs[2].id).json['operation_log']
    assert log['error_info'] == 'bank unreachable'
    assert log['extra_info'] == {'created_by': 'operation-engine'}
    assert log['scheduled_operation_id'] == OPERATION


def test_show_of_another_project_or_unknown_is_404(api, db_context):
    theirs = add_log(db_context, project=OTHER)
    for log_id in (theirs.id, UNKNOWN):
        response = api.get('operation_logs/%s' % log_id)
        assert response.status == 404
    assert api.get('operation_logs/%s' % theirs.id,
                   roles='admin').status == 200


def test_show_and_list_need_a_role(api, logs):
    assert api.get('operation_logs/%s' % logs[0].id, roles='').status == 403
    assert api.get('operation_logs', roles='').status == 403


def _ids(response):
    assert response.status == 200, response
    return [log['id'] for log in response.json['operation_logs']]


def test_list_newest_first(api, logs, db_context):
    add_log(db_context, project=OTHER)
    assert _ids(api.get('operation_logs', roles='reader')) == [
        log.id for log in reversed(logs)]


@pytest.mark.parametrize('query, expected', [
    ('checkpoint_id=%s' % CHECKPOINT, [2, 1, 0]),
    ('plan_id=%s' % PLAN, [2, 1, 0]),
    ('restore_id=%s' % RESTORE, [1]),
    ('status=failed', [2]),
    ('operation_type=restore', [1]),
    ('scheduled_operation_id=%s' % OPERATION, [2]),
    ('status=success&operation_type=protect', [0]),
    ('plan_id=%s' % UNKNOWN, []),
])
def test_list_filters(api, logs, query, expected):
    assert _ids(api.get('operation_logs?' + query)) == [
        logs[index].id for index in expected]


def test_list_bad_filters_are_400(api, logs):
    response = api.get('operation_logs?plan_id=not-a-uuid')
    assert response.status == 400
    assert 'query.plan_id' in response.json['badRequest']['message']
    assert api.get('operation_logs?colour=red').status == 400


def test_list_sort_and_pages(api, logs):
    first = api.get('operation_logs?sort=operation_type:desc,created_at:asc'
                    '&limit=2')
    assert _ids(first) == [logs[1].id, logs[0].id]
    marker = logs[0].id
    assert 'marker=%s' % marker in \
        first.json['operation_logs_links'][0]['href']
    second = api.get('operation_logs?sort=operation_type:desc,'
                     'created_at:asc&limit=2&marker=%s' % marker)
    assert _ids(second) == [logs[2].id]
    assert api.get('operation_logs?sort=error_info').status == 400


def test_list_all_tenants_is_for_admins(api, logs, db_context):
    theirs = add_log(db_context, project=OTHER)
    assert theirs.id in _ids(api.get('operation_logs?all_tenants=1',
                                     roles='admin'))
    assert theirs.id not in _ids(api.get('operation_logs?all_tenants=1'))


def test_show_takes_no_query(api, logs):
    response = api.get('operation_logs/%s?verbose=1' % logs[0].id)
    assert response.status == 400
    assert 'verbose' in response.json['badRequest']['message']
