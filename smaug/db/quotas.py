"""Quota limits, usages and reservations in the database.

Reserving follows the reserve, commit or roll back model: a reservation
holds quota while a request creates its records, and turns into usage when
the request succeeds. ``smaug.quota`` decides the limits; this module keeps
the books, safe against concurrent requests on MariaDB and PostgreSQL by
locking a project's usage rows.
"""
import uuid

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
import sqlalchemy as sa

from smaug import exception
from smaug import states
from smaug.db import models
from smaug.db.session import live
from smaug.db.session import reader
from smaug.db.session import soft_delete
from smaug.db.session import writer


def _limits(context, model, **owner):
    with reader(context) as session:
        rows = live(session, model).filter_by(**owner)
        return {row.resource: row.hard_limit for row in rows}


def _set_limit(context, model, resource, hard_limit, **owner):
    with writer(context) as session:
        row = (live(session, model).filter_by(resource=resource, **owner)
               .with_for_update().first())
        if row is None:
            row = model(resource=resource, **owner)
            session.add(row)
        row.hard_limit = hard_limit
    return row


def get_project_limits(context, project_id):
    """The limits set for a project, by resource."""
    return _limits(context, models.Quota, project_id=project_id)


def set_project_limit(context, project_id, resource, hard_limit):
    """Set a project's limit of one resource."""
    return _set_limit(context, models.Quota, resource, hard_limit,
                      project_id=project_id)


def delete_project_limits(context, project_id):
    """Drop a project's limits; its class's limits apply again."""
    with writer(context) as session:
        soft_delete(live(session, models.Quota).filter_by(
            project_id=project_id))


def get_class_limits(context, class_name):
    """The limits of a quota class, by resource."""
    return _limits(context, models.QuotaClass, class_name=class_name)


def set_class_limit(context, class_name, resource, hard_limit):
    """Set a quota class's limit of one resource."""
    return _set_limit(context, models.QuotaClass, resource, hard_limit,
                      class_name=class_name)


def get_usages(context, project_id):
    """A project's usages: {resource: {'in_use': n, 'reserved': n}}."""
    with reader(context) as session:
        rows = live(session, models.QuotaUsage).filter_by(
            project_id=project_id)
        return {row.resource: {'in_use': row.in_use,
                               'reserved': row.reserved} for row in rows}


def _count_plans(session, project_id):
    return live(session, models.Plan).filter_by(
        project_id=project_id).count()


def _count_checkpoints(session, project_id):
    return live(session, models.Checkpoint).filter(
        models.Checkpoint.project_id == project_id,
        models.Checkpoint.status != states.CheckpointStatus.DELETED).count()


# How many records of a project use each resource, for recounting usage
# when it may have drifted (see reserve's until_refresh and max_age).
_USAGE_COUNTERS = {'plans': _count_plans, 'checkpoints': _count_checkpoints}


def _needs_refresh(usage, now, max_age):
    if usage.in_use < 0:
        return True
    if usage.until_refresh is not None and usage.until_refresh <= 0:
        return True
    last_change = usage.updated_at or usage.created_at
    return bool(max_age) and (now - last_change).total_seconds() >= max_age


def _lock_usages(session, project_id, resources):
    rows = (live(session, models.QuotaUsage)
            .filter(models.QuotaUsage.project_id == project_id,
                    models.QuotaUsage.resource.in_(sorted(resources)))
            .order_by(models.QuotaUsage.id).with_for_update().all())
    return {row.resource: row for row in rows}


def _is_duplicate(exc):
    return isinstance(exc, db_exc.DBDuplicateEntry)


# Reservations race on creating a project's first usage row (the loser gets
# a duplicate entry, or a deadlock on MariaDB's gap locks) and on the usage
# and reservation row locks. Both end in a retry of the whole transaction,
# so the functions below must not run inside a caller's transaction.
_retry_on_race = oslo_db_api.wrap_db_retry(
    max_retries=20, retry_interval=0.05, inc_retry_interval=True,
    max_retry_interval=0.5, retry_on_deadlock=True,
    exception_checker=_is_duplicate)


@_retry_on_race
def reserve(context, limits, deltas, expires_at, until_refresh, max_age,
            project_id):
    """Reserve ``deltas`` of resources for a project, within ``limits``.

    :param limits: {resource: limit}; -1 is unlimited.
    :param deltas: {resource: change}; negative changes are not checked.
    :param expires_at: when the reservations lapse if not committed.
    :param until_refresh: reservations between recounts; 0 never recounts.
    :param max_age: seconds after which usage is recounted; 0 never.
    :returns: the reservations' uuids.
    :raises: OverQuota if a positive change would exceed its limit.
    """
    now = models.utcnow()
    with writer(context) as session:
        usages = _lock_usages(session, project_id, deltas)
        for resource in sorted(deltas):
            usage = usages.get(resource)
            if usage is None:
                usage = models.QuotaUsage(
                    project_id=project_id, resource=resource, reserved=0,
                    in_use=_USAGE_COUNTERS[resource](session, project_id),
                    until_refresh=until_refresh or None)
                session.add(usage)
                session.flush()
                usages[resource] = usage
            elif _needs_refresh(usage, now, max_age):
                usage.in_use = _USAGE_COUNTERS[resource](session, project_id)
                usage.until_refresh = until_refresh or None
            elif usage.until_refresh is not None:
                usage.until_refresh -= 1
        for resource, delta in sorted(deltas.items()):
            usage = usages[resource]
            limit = limits[resource]
            if (delta > 0 and limit >= 0
                    and usage.in_use + usage.reserved + delta > limit):
                raise exception.OverQuota(
                    resource=resource, requested=delta, in_use=usage.in_use,
                    reserved=usage.reserved, limit=limit)
        reservations = []
        for resource, delta in sorted(deltas.items()):
            usage = usages[resource]
            reservation = models.Reservation(
                uuid=str(uuid.uuid4()), usage_id=usage.id,
                project_id=project_id, resource=resource, delta=delta,
                expire=expires_at)
            session.add(reservation)
            reservations.append(reservation.uuid)
            if delta > 0:
                usage.reserved += delta
    return reservations


def _settle(session, condition, commit):
    """Commit or roll back the live reservations matching ``condition``.

    Usage rows are locked before reservations, in the order reserving
    locks them, and reservations are then re-read under lock so that a
    reservation settled meanwhile is not settled twice.
    """
    pending = live(session, models.Reservation).filter(condition)
    usage_ids = {row.usage_id for row in
                 pending.with_entities(models.Reservation.usage_id)}
    if not usage_ids:
        return 0
    usages = {row.id: row for row in
              session.query(models.QuotaUsage)
              .filter(models.QuotaUsage.id.in_(sorted(usage_ids)))
              .order_by(models.QuotaUsage.id).with_for_update()}
    reservations = pending.with_for_update().all()
    now = models.utcnow()
    for reservation in reservations:
        usage = usages[reservation.usage_id]
        if reservation.delta > 0:
            usage.reserved -= reservation.delta
        if commit:
            usage.in_use += reservation.delta
        reservation.deleted = True
        reservation.deleted_at = now
    return len(reservations)


def _own_reservations(reservations, project_id):
    return sa.and_(models.Reservation.uuid.in_(list(reservations)),
                   models.Reservation.project_id == project_id)


@_retry_on_race
def commit(context, reservations, project_id):
    """Turn reservations into usage; unknown or settled ones are skipped."""
    with writer(context) as session:
        _settle(session, _own_reservations(reservations, project_id), True)


@_retry_on_race
def rollback(context, reservations, project_id):
    """Release reservations; unknown or settled ones are skipped."""
    with writer(context) as session:
        _settle(session, _own_reservations(reservations, project_id), False)


@_retry_on_race
def expire(context):
    """Roll back every reservation past its expiry.

    :returns: how many reservations expired.
    """
    with writer(context) as session:
        return _settle(session,
                       models.Reservation.expire < models.utcnow(), False)
