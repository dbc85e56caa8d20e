"""Creating, reading, updating and deleting records, scoped to projects."""
import threading
import uuid

from oslo_db import exception as db_exc
import pytest
import sqlalchemy as sa

from smaug import exception
from smaug.db import api as db
from smaug.db import models
from smaug.tests.unit.db import records

KINDS = sorted(records.VALUES)
NOT_FOUND = {
    'plan': exception.PlanNotFound,
    'checkpoint': exception.CheckpointNotFound,
    'restore': exception.RestoreNotFound,
    'verification': exception.VerificationNotFound,
    'copy': exception.CopyNotFound,
    'operation_log': exception.OperationLogNotFound,
    'trigger': exception.TriggerNotFound,
    'scheduled_operation': exception.ScheduledOperationNotFound,
}
# A column of each kind that an update may change.
CHANGE = {
    'plan': {'name': 'renamed', 'parameters': {'changed': [1, 2]}},
    'checkpoint': {'extra_info': {'changed': True}},
    'restore': {'restore_target': 'http://elsewhere/v3'},
    'verification': {'parameters': {'changed': 'yes'}},
    'copy': {'checkpoint_pairs': [['a', 'b']]},
    'operation_log': {'error_info': 'it broke'},
    'trigger': {'name': 'weekly', 'properties': {'pattern': 'weekly'}},
    'scheduled_operation': {'enabled': False},
}


def _row(database, model, record_id):
    with database.engine.connect() as connection:
        return connection.execute(sa.select(model.__table__).where(
            model.__table__.c.id == record_id)).one()


@pytest.mark.parametrize('kind', KINDS)
def test_record_lifecycle(database, kind):
    ctx = records.member()
    values = records.VALUES[kind](ctx)
    get = records.function(kind, 'get')

    created = records.function(kind, 'create')(ctx, values)
    fetched = get(ctx, created.id)
    updated = records.function(kind, 'update')(ctx, created.id, CHANGE[kind])
    refetched = get(ctx, created.id)
    records.function(kind, 'destroy')(ctx, created.id)

    assert uuid.UUID(created.id)
    assert (fetched.id, fetched.project_id) == (created.id, records.PROJECT)
    assert fetched.created_at is not None and fetched.deleted is False
    for key, value in values.items():
        if key != 'resources':
            assert getattr(fetched, key) == value
    for key, value in CHANGE[kind].items():
        assert getattr(updated, key) == getattr(refetched, key) == value
    assert updated.updated_at is not None
    with pytest.raises(NOT_FOUND[kind]):
        get(ctx, created.id)
    with pytest.raises(NOT_FOUND[kind]):
        records.function(kind, 'destroy')(ctx, created.id)
    assert records.function(kind, 'get_all')(ctx) == []
    row = _row(database, type(created), created.id)
    assert row.deleted and row.deleted_at is not None


@pytest.mark.parametrize('kind', KINDS)
def test_record_is_found_in_its_project_only(database, kind):
    created = records.create(kind, records.member())
    stranger = records.member(records.OTHER_PROJECT)
    missing = str(uuid.uuid4())

    with pytest.raises(NOT_FOUND[kind]) as caught:
        records.function(kind, 'get')(stranger, created.id)
    with pytest.raises(NOT_FOUND[kind]):
        records.function(kind, 'update')(stranger, created.id, CHANGE[kind])
    with pytest.raises(NOT_FOUND[kind]):
        records.function(kind, 'destroy')(stranger, created.id)
    with pytest.raises(NOT_FOUND[kind]):
        records.function(kind, 'get')(records.member(), missing)

    assert caught.value.code == 404
    assert created.id in str(caught.value)
    assert records.function(kind, 'get_all')(stranger) == []
    assert records.function(kind, 'get')(records.member(), created.id)
    assert records.function(kind, 'get')(records.admin(),
                                         created.id).project_id == (
        records.PROJECT)


def test_create_keeps_a_given_id_and_records_the_user(database):
    ctx = records.member()
    record_id = str(uuid.uuid4())

    created = records.create('plan', ctx, id=record_id)

    assert (created.id, created.user_id) == (record_id, ctx.user_id)
    assert db.plan_get(ctx, record_id).id == record_id


@pytest.mark.parametrize('kind', records.WITH_STATUS)
def test_update_swaps_the_status_only_from_an_expected_one(database, kind):
    ctx = records.member()
    created = records.create(kind, ctx)
    update = records.function(kind, 'update')

    with pytest.raises(exception.InvalidState) as caught:
        update(ctx, created.id, {'status': 'next'},
               expected_status=('elsewhere', 'nowhere'))
    unchanged = records.function(kind, 'get')(ctx, created.id)
    updated = update(ctx, created.id, {'status': 'next'},
                     expected_status=created.status)
    again = update(ctx, created.id, {'status': 'last'},
                   expected_status=['other', 'next'])

    assert caught.value.code == 409
    assert created.status in str(caught.value)
    assert 'elsewhere, nowhere' in str(caught.value)
    assert unchanged.status == created.status
    assert (updated.status, again.status) == ('next', 'last')


def test_expected_status_alone_checks_without_writing(database):
    ctx = records.member()
    created = records.create('checkpoint', ctx)

    same = db.checkpoint_update(ctx, created.id, {},
                                expected_status='protecting')

    assert same.status == 'protecting'
    with pytest.raises(exception.InvalidState):
        db.checkpoint_update(ctx, created.id, {}, expected_status='deleted')


def test_expected_status_lets_one_of_many_writers_win(database):
    ctx = records.member()
    created = records.create('checkpoint', ctx)
    barrier = threading.Barrier(8)
    winners = []

    def finish(status):
        worker = records.member()
        barrier.wait()
        try:
            db.checkpoint_update(worker, created.id, {'status': status},
                                 expected_status='protecting')
            winners.append(status)
        except exception.InvalidState:
            pass

    threads = [threading.Thread(target=finish, args=('done-%d' % n,))
               for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(winners) == 1
    assert db.checkpoint_get(ctx, created.id).status == winners[0]


def test_plan_keeps_its_resources(database):
    ctx = records.member()

    plan = records.create('plan', ctx)

    resources = db.plan_get(ctx, plan.id).resources
    assert [(r.resource_id, r.resource_type, r.resource_name,
             r.resource_extra_info) for r in resources] == [
        ('server-1', 'OS::Nova::Server', 'web', {'az': 'nova'})]


def test_plan_update_replaces_the_resources(database):
    ctx = records.member()
    plan = records.create('plan', ctx)
    new = [{'resource_id': 'volume-%d' % n,
            'resource_type': 'OS::Cinder::Volume',
            'resource_name': None, 'resource_extra_info': None}
           for n in range(2)]

    updated = db.plan_update(ctx, plan.id, {'resources': new})

    assert [r.resource_id for r in updated.resources] == ['volume-0',
                                                          'volume-1']
    assert [r.resource_id for r in db.plan_get(ctx, plan.id).resources] == [
        'volume-0', 'volume-1']
    assert updated.updated_at is not None
    with database.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(
            models.PlanResource)).scalar() == 2


def test_plan_update_of_resources_respects_expected_status(database):
    ctx = records.member()
    plan = records.create('plan', ctx)

    with pytest.raises(exception.InvalidState):
        db.plan_update(ctx, plan.id, {'resources': []},
                       expected_status='started')

    assert len(db.plan_get(ctx, plan.id).resources) == 1


def test_plan_destroy_deletes_its_resources(database):
    ctx = records.member()
    plan = records.create('plan', ctx)

    db.plan_destroy(ctx, plan.id)

    with database.engine.connect() as connection:
        flags = connection.execute(sa.select(
            models.PlanResource.deleted)).scalars().all()
    assert flags == [True]


def test_references_to_missing_rows_are_refused(database):
    ctx = records.member()
    values = records.VALUES['scheduled_operation'](ctx)

    with pytest.raises(db_exc.DBReferenceError):
        db.scheduled_operation_create(ctx, dict(values,
                                                trigger_id='no-trigger'))


def test_trigger_in_use_by_any_project(database):
    ctx = records.member()
    operation = records.create('scheduled_operation', ctx)
    unused = records.create('trigger', ctx)

    assert db.trigger_in_use(records.member(records.OTHER_PROJECT),
                             operation.trigger_id)
    assert not db.trigger_in_use(ctx, unused.id)


def test_trigger_in_use_cannot_be_destroyed(database):
    ctx = records.member()
    operation = records.create('scheduled_operation', ctx)

    with pytest.raises(exception.DependencyInUse) as caught:
        db.trigger_destroy(ctx, operation.trigger_id)

    assert caught.value.code == 424
    assert operation.id in str(caught.value)
    db.scheduled_operation_destroy(ctx, operation.id)
    assert not db.trigger_in_use(ctx, operation.trigger_id)
    db.trigger_destroy(ctx, operation.trigger_id)
    with pytest.raises(exception.TriggerNotFound):
        db.trigger_get(ctx, operation.trigger_id)


def test_scheduled_operations_filter_on_trigger(database):
    ctx = records.member()
    first = records.create('scheduled_operation', ctx)
    records.create('scheduled_operation', ctx)

    found = db.scheduled_operation_get_all(
        ctx, filters={'trigger_id': first.trigger_id})

    assert [operation.id for operation in found] == [first.id]
