"""Service heartbeats and the operation engine's scheduling records."""
import datetime

import pytest

from smaug import exception
from smaug.db import api as db
from smaug.tests.unit.db import records

T0 = datetime.datetime(2026, 3, 1, 8, 0, 0)


def _service(ctx, host='node-1', binary='smaug-protection', **values):
    return db.service_create(ctx, dict({'host': host, 'binary': binary,
                                        'topic': binary}, **values))


def test_service_reads_back(database):
    ctx = records.admin()
    created = _service(ctx)

    by_id = db.service_get(ctx, created.id)
    by_name = db.service_get_by_host_and_binary(ctx, 'node-1',
                                                'smaug-protection')

    assert by_id.id == by_name.id == created.id
    assert (by_id.report_count, by_id.disabled) == (0, False)


def test_missing_services_are_not_found(database):
    ctx = records.admin()

    with pytest.raises(exception.ServiceNotFound):
        db.service_get(ctx, 12345)
    with pytest.raises(exception.ServiceNotFound) as caught:
        db.service_get_by_host_and_binary(ctx, 'node-9', 'smaug-api')
    assert 'node-9' in str(caught.value)


def test_services_filter(database):
    ctx = records.admin()
    first = _service(ctx, 'node-1')
    second = _service(ctx, 'node-2', disabled=True)
    engine = _service(ctx, 'node-1', 'smaug-operationengine')

    assert [s.id for s in db.service_get_all(ctx)] == [first.id, second.id,
                                                       engine.id]
    assert [s.id for s in db.service_get_all(ctx, {'host': 'node-1'})] == [
        first.id, engine.id]
    assert [s.id for s in db.service_get_all(
        ctx, {'binary': 'smaug-protection', 'disabled': False})] == [first.id]
    assert [s.id for s in db.service_get_all(
        ctx, {'topic': 'smaug-operationengine'})] == [engine.id]


def test_service_update(database):
    ctx = records.admin()
    created = _service(ctx)

    updated = db.service_update(ctx, created.id, {'report_count': 3,
                                                  'disabled': True})

    assert (updated.report_count, updated.disabled) == (3, True)
    assert updated.updated_at is not None
    with pytest.raises(exception.ServiceNotFound):
        db.service_update(ctx, 12345, {'report_count': 1})


def test_service_destroy_twice_for_the_same_host(database):
    ctx = records.admin()

    for _ in range(2):
        created = _service(ctx)
        db.service_destroy(ctx, created.id)

    assert db.service_get_all(ctx) == []
    with pytest.raises(exception.ServiceNotFound):
        db.service_destroy(ctx, created.id)


def _operation(ctx):
    return records.create('scheduled_operation', ctx)


def test_operation_state_lifecycle(database):
    ctx = records.admin()
    operation = _operation(records.member())
    service = _service(ctx, binary='smaug-operationengine')

    created = db.scheduled_operation_state_create(
        ctx, {'operation_id': operation.id, 'service_id': service.id,
              'state': 'init'})
    updated = db.scheduled_operation_state_update(
        ctx, operation.id, {'state': 'registered', 'end_time_for_run': T0})
    fetched = db.scheduled_operation_state_get(ctx, operation.id)

    assert created.id == fetched.id
    assert (updated.state, fetched.state) == ('registered', 'registered')
    assert fetched.end_time_for_run == T0
    db.scheduled_operation_state_delete(ctx, operation.id)
    with pytest.raises(exception.ScheduledOperationStateNotFound):
        db.scheduled_operation_state_get(ctx, operation.id)
    with pytest.raises(exception.ScheduledOperationStateNotFound):
        db.scheduled_operation_state_update(ctx, operation.id,
                                            {'state': 'init'})


def test_operation_states_filter(database):
    ctx = records.admin()
    service = _service(ctx, binary='smaug-operationengine')
    operations = [_operation(records.member()) for _ in range(3)]
    for operation, state in zip(operations, ['init', 'registered',
                                             'registered'], strict=True):
        db.scheduled_operation_state_create(
            ctx, {'operation_id': operation.id, 'state': state,
                  'service_id': service.id if state == 'init' else None})

    registered = db.scheduled_operation_state_get_all(
        ctx, {'state': 'registered'})
    assigned = db.scheduled_operation_state_get_all(
        ctx, {'service_id': service.id})

    assert [s.operation_id for s in registered] == [operations[1].id,
                                                     operations[2].id]
    assert [s.operation_id for s in assigned] == [operations[0].id]


def test_service_destroy_unassigns_its_operations(database):
    ctx = records.admin()
    service = _service(ctx, binary='smaug-operationengine')
    operation = _operation(records.member())
    db.scheduled_operation_state_create(
        ctx, {'operation_id': operation.id, 'service_id': service.id,
              'state': 'registered'})

    db.service_destroy(ctx, service.id)

    assert db.scheduled_operation_state_get(ctx,
                                            operation.id).service_id is None


def test_operation_log_lifecycle(database):
    ctx = records.admin()
    operation = _operation(records.member())

    created = db.scheduled_operation_log_create(
        ctx, {'operation_id': operation.id, 'state': 'in_progress',
              'triggered_time': T0, 'extend_info': {'try': 1}})
    updated = db.scheduled_operation_log_update(
        ctx, created.id, {'state': 'success', 'end_time': T0})
    fetched = db.scheduled_operation_log_get(ctx, created.id)

    assert (updated.state, fetched.state) == ('success', 'success')
    assert fetched.extend_info == {'try': 1}
    db.scheduled_operation_log_delete(ctx, created.id)
    with pytest.raises(exception.ScheduledOperationLogNotFound):
        db.scheduled_operation_log_get(ctx, created.id)
    with pytest.raises(exception.ScheduledOperationLogNotFound):
        db.scheduled_operation_log_update(ctx, created.id, {'state': 'x'})


def test_operation_logs_of_one_operation_in_pages(database):
    ctx = records.admin()
    operation, other = _operation(ctx), _operation(ctx)
    logs = [db.scheduled_operation_log_create(
        ctx, {'operation_id': operation.id, 'state': 'success',
              'created_at': T0 + datetime.timedelta(minutes=n)})
        for n in range(3)]
    db.scheduled_operation_log_create(
        ctx, {'operation_id': other.id, 'state': 'success'})

    first = db.scheduled_operation_log_get_all(
        ctx, filters={'operation_id': operation.id}, limit=2)
    rest = db.scheduled_operation_log_get_all(
        ctx, filters={'operation_id': operation.id}, limit=2,
        marker=first[-1].id)

    assert [log.id for log in first + rest] == [log.id for log in
                                                reversed(logs)]


def test_operation_destroy_takes_its_state_and_logs(database):
    ctx = records.member()
    admin = records.admin()
    operation = _operation(ctx)
    db.scheduled_operation_state_create(
        admin, {'operation_id': operation.id, 'state': 'registered'})
    log = db.scheduled_operation_log_create(
        admin, {'operation_id': operation.id, 'state': 'success'})

    db.scheduled_operation_destroy(ctx, operation.id)

    with pytest.raises(exception.ScheduledOperationStateNotFound):
        db.scheduled_operation_state_get(admin, operation.id)
    with pytest.raises(exception.ScheduledOperationLogNotFound):
        db.scheduled_operation_log_get(admin, log.id)
