"""Purging rows that were deleted long enough ago."""
import datetime

import pytest
import sqlalchemy as sa

from smaug import exception
from smaug.db import api as db
from smaug.db import models
from smaug.tests.unit.db import records


def _age(database, model, days, **where):
    """Pretend the matching deleted rows were deleted ``days`` ago."""
    when = models.utcnow() - datetime.timedelta(days=days)
    table = model.__table__
    with database.engine.begin() as connection:
        connection.execute(table.update().where(
            *[table.c[key] == value for key, value in where.items()]).values(
            deleted_at=when))


def _count(database, model):
    with database.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(
            model.__table__)).scalar()


def test_purge_removes_only_rows_deleted_long_ago(database):
    ctx = records.member()
    old, recent, live = (records.create('plan', ctx) for _ in range(3))
    db.plan_destroy(ctx, old.id)
    db.plan_destroy(ctx, recent.id)
    _age(database, models.Plan, 40, id=old.id)
    _age(database, models.PlanResource, 40, plan_id=old.id)
    _age(database, models.Plan, 10, id=recent.id)
    _age(database, models.PlanResource, 10, plan_id=recent.id)

    purged = db.purge_deleted_rows(records.admin(), 30)

    assert purged['plans'] == 1
    assert purged['plan_resources'] == 1
    assert purged['checkpoints'] == 0
    assert set(purged) == {table.name for table in
                           models.Base.metadata.sorted_tables}
    assert _count(database, models.Plan) == 2
    assert db.plan_get(ctx, live.id).resources


def test_purge_of_age_zero_takes_every_deleted_row(database):
    ctx = records.member()
    for kind in records.VALUES:
        record = records.create(kind, ctx)
        records.function(kind, 'destroy')(ctx, record.id)

    purged = db.purge_deleted_rows(records.admin(), 0)

    assert purged['plans'] == purged['checkpoints'] == 1
    assert purged['scheduled_operations'] == 1
    assert _count(database, models.Checkpoint) == 0
    assert _count(database, models.ScheduledOperation) == 0


def test_purge_keeps_a_row_that_live_rows_refer_to(database):
    ctx = records.member()
    operation = records.create('scheduled_operation', ctx)
    with database.engine.begin() as connection:
        connection.execute(models.Trigger.__table__.update().values(
            deleted=True, deleted_at=models.utcnow() -
            datetime.timedelta(days=90)))

    purged = db.purge_deleted_rows(records.admin(), 30)

    assert purged['triggers'] == 0
    assert _count(database, models.Trigger) == 1
    assert db.scheduled_operation_get(ctx, operation.id)


def test_purge_of_a_negative_age_is_refused(database):
    with pytest.raises(exception.InvalidInput):
        db.purge_deleted_rows(records.admin(), -1)
