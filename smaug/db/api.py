"""Every read and write of Smaug's records, services and leases.

Each function takes the caller's RequestContext first. Records are scoped to
the context's project unless the context is an admin's; a record of another
project is reported as not found, so ids cannot be probed across projects.
Functions return ORM objects that stay readable after their transaction.
Deleting a record marks it deleted; ``purge_deleted_rows`` removes it later.
Quotas live in ``smaug.db.quotas``.
"""
import datetime
import uuid

import sqlalchemy as sa

from smaug import exception
from smaug.db import listing
from smaug.db import models
from smaug.db.session import live
from smaug.db.session import reader
from smaug.db.session import soft_delete
from smaug.db.session import writer

_NOT_FOUND = {
    models.Plan: exception.PlanNotFound,
    models.Checkpoint: exception.CheckpointNotFound,
    models.Restore: exception.RestoreNotFound,
    models.Verification: exception.VerificationNotFound,
    models.Copy: exception.CopyNotFound,
    models.OperationLog: exception.OperationLogNotFound,
    models.Trigger: exception.TriggerNotFound,
    models.ScheduledOperation: exception.ScheduledOperationNotFound,
    models.ScheduledOperationLog: exception.ScheduledOperationLogNotFound,
    models.Service: exception.ServiceNotFound,
}

_LEASED_MODELS = {
    'checkpoint': models.Checkpoint,
    'restore': models.Restore,
    'verification': models.Verification,
    'copy': models.Copy,
}


def _visible(session, context, model):
    """Live rows of ``model`` that ``context`` may see.

    Rows without a project (services, the operation engine's scheduling
    state and history) are the services' own: any context sees them.
    """
    query = live(session, model)
    if hasattr(model, 'project_id') and not context.is_admin:
        query = query.filter(model.project_id == context.project_id)
    return query


def _statuses(expected_status):
    if isinstance(expected_status, str):
        return (expected_status,)
    return tuple(expected_status)


def _reread(query, model, record_id):
    return (query.filter(model.id == record_id)
            .execution_options(populate_existing=True).first())


def _add(context, record):
    with writer(context) as session:
        session.add(record)
    return record


def _create(context, model, values):
    """A new record of the context's project, with a new uuid for id.

    Records that an agent or an engine works on later keep the creator's
    context, so that whoever runs them acts as that user.
    """
    values = dict(values)
    values.setdefault('id', str(uuid.uuid4()))
    values.setdefault('project_id', context.project_id)
    if hasattr(model, 'user_id'):
        values.setdefault('user_id', context.user_id)
    if hasattr(model, 'request_context'):
        values.setdefault('request_context', context.to_dict())
    return _add(context, model(**values))


def _get(context, model, record_id):
    with reader(context) as session:
        record = _reread(_visible(session, context, model), model, record_id)
    if record is None:
        raise _NOT_FOUND[model](id=record_id)
    return record


def _update_in(session, context, model, record_id, values, expected_status):
    """Update a visible record, if its status is expected; return it."""
    query = _visible(session, context, model).filter(model.id == record_id)
    allowed = None
    if expected_status is not None:
        allowed = _statuses(expected_status)
        query = query.filter(model.status.in_(allowed))
    if values:
        matched = query.update(values, synchronize_session=False)
    else:
        matched = query.count()
    record = _reread(_visible(session, context, model), model, record_id)
    if record is None:
        raise _NOT_FOUND[model](id=record_id)
    if not matched:
        raise exception.InvalidState(object=model.__name__, id=record_id,
                                     state=record.status,
                                     allowed=', '.join(allowed))
    return record


def _update(context, model, record_id, values, expected_status=None):
    with writer(context) as session:
        return _update_in(session, context, model, record_id, values,
                          expected_status)


def _destroy(context, model, record_id):
    with writer(context) as session:
        query = _visible(session, context, model).filter(
            model.id == record_id)
        if not soft_delete(query):
            raise _NOT_FOUND[model](id=record_id)


def _list(context, model, filters=None, marker=None, limit=None,
          sort_keys=None, sort_dirs=None, all_tenants=False):
    """A page of live records: what every ``<record>_get_all`` returns.

    An admin sees every project with ``all_tenants`` or by filtering on
    ``project_id``; anyone else sees their own project only.

    :param filters: as ``listing.filtered`` takes them.
    :param marker: id of the last record of the previous page.
    :param limit: the most records to return; None for all.
    :param sort_keys: columns to sort on; created_at when empty.
    :param sort_dirs: 'asc' or 'desc' per key; 'desc' where missing.
    :raises: InvalidSortKey; InvalidMarker; InvalidInput for a bad filter.
    """
    filters = dict(filters or {})
    keys, dirs = listing.sort_order(model, sort_keys, sort_dirs)
    with reader(context) as session:
        query = live(session, model)
        widened = context.is_admin and (all_tenants or 'project_id' in filters)
        if hasattr(model, 'project_id') and not widened:
            query = query.filter(model.project_id == context.project_id)
        marker_record = None
        if marker is not None:
            marker_record = query.filter(model.id == marker).first()
            if marker_record is None:
                raise exception.InvalidMarker(marker=marker)
        query = listing.filtered(query, model, filters)
        return listing.page(query, model, marker_record, limit, keys, dirs)


# Plans


def plan_create(context, values):
    """Create a plan; ``values['resources']`` lists its resource dicts."""
    values = dict(values)
    values['resources'] = [models.PlanResource(**resource)
                           for resource in values.get('resources', ())]
    return _create(context, models.Plan, values)


def plan_get(context, plan_id):
    return _get(context, models.Plan, plan_id)


def plan_get_all(context, filters=None, marker=None, limit=None,
                 sort_keys=None, sort_dirs=None, all_tenants=False):
    return _list(context, models.Plan, filters, marker, limit, sort_keys,
                 sort_dirs, all_tenants)


def plan_update(context, plan_id, values, expected_status=None):
    """Update a plan; ``values['resources']`` replaces all its resources."""
    values = dict(values)
    resources = values.pop('resources', None)
    if resources is not None:
        values.setdefault('updated_at', models.utcnow())
    with writer(context) as session:
        plan = _update_in(session, context, models.Plan, plan_id, values,
                          expected_status)
        if resources is not None:
            plan.resources = [models.PlanResource(**resource)
                              for resource in resources]
            session.flush()
    return plan


def plan_destroy(context, plan_id):
    with writer(context) as session:
        _destroy(context, models.Plan, plan_id)
        soft_delete(live(session, models.PlanResource).filter(
            models.PlanResource.plan_id == plan_id))


# Checkpoints, restores, verifications, copies and operation logs


def checkpoint_create(context, values):
    return _create(context, models.Checkpoint, values)


def checkpoint_get(context, checkpoint_id):
    return _get(context, models.Checkpoint, checkpoint_id)


def checkpoint_get_all(context, filters=None, marker=None, limit=None,
                       sort_keys=None, sort_dirs=None, all_tenants=False):
    return _list(context, models.Checkpoint, filters, marker, limit, sort_keys,
                 sort_dirs, all_tenants)


def checkpoint_update(context, checkpoint_id, values, expected_status=None):
    return _update(context, models.Checkpoint, checkpoint_id, values,
                   expected_status)


def checkpoint_destroy(context, checkpoint_id):
    _destroy(context, models.Checkpoint, checkpoint_id)


def restore_create(context, values):
    return _create(context, models.Restore, values)


def restore_get(context, restore_id):
    return _get(context, models.Restore, restore_id)


def restore_get_all(context, filters=None, marker=None, limit=None,
                    sort_keys=None, sort_dirs=None, all_tenants=False):
    return _list(context, models.Restore, filters, marker, limit, sort_keys,
                 sort_dirs, all_tenants)


def restore_update(context, restore_id, values, expected_status=None):
    return _update(context, models.Restore, restore_id, values,
                   expected_status)


def restore_destroy(context, restore_id):
    _destroy(context, models.Restore, restore_id)


def verification_create(context, values):
    return _create(context, models.Verification, values)


def verification_get(context, verification_id):
    return _get(context, models.Verification, verification_id)


def verification_get_all(context, filters=None, marker=None, limit=None,
                         sort_keys=None, sort_dirs=None, all_tenants=False):
    return _list(context, models.Verification, filters, marker, limit,
                 sort_keys, sort_dirs, all_tenants)


def verification_update(context, verification_id, values,
                        expected_status=None):
    return _update(context, models.Verification, verification_id, values,
                   expected_status)


def verification_destroy(context, verification_id):
    _destroy(context, models.Verification, verification_id)


def copy_create(context, values):
    return _create(context, models.Copy, values)


def copy_get(context, copy_id):
    return _get(context, models.Copy, copy_id)


def copy_get_all(context, filters=None, marker=None, limit=None,
                 sort_keys=None, sort_dirs=None, all_tenants=False):
    return _list(context, models.Copy, filters, marker, limit, sort_keys,
                 sort_dirs, all_tenants)


def copy_update(context, copy_id, values, expected_status=None):
    return _update(context, models.Copy, copy_id, values, expected_status)


def copy_destroy(context, copy_id):
    _destroy(context, models.Copy, copy_id)


# Locks for the caller's transaction: the copy engine reads and changes
# several records together, and a row another transaction holds must be
# read as that one commits it.


def _locked(query, model):
    """``query``, its rows locked until the transaction ends and read as
    committed.

    A no-op UPDATE takes the lock before anything is read: SQLite ignores
    FOR UPDATE, and fails a transaction that reads and then writes while
    another one writes.
    """
    query.update({model.updated_at: model.updated_at},
                 synchronize_session=False)
    return query.with_for_update().execution_options(populate_existing=True)


def copy_lock(context, copy_id):
    """The copy record, locked until the caller's transaction ends.

    :raises: CopyNotFound.
    """
    with writer(context) as session:
        record = _locked(_visible(session, context, models.Copy).filter(
            models.Copy.id == copy_id), models.Copy).first()
    if record is None:
        raise exception.CopyNotFound(id=copy_id)
    return record


def checkpoint_lock_all(context, filters):
    """The live checkpoints matching ``filters`` (as ``listing.filtered``
    takes them), locked until the caller's transaction ends, by id."""
    with writer(context) as session:
        query = listing.filtered(_visible(session, context,
                                          models.Checkpoint),
                                 models.Checkpoint, filters)
        return _locked(query, models.Checkpoint).order_by(
            models.Checkpoint.id).all()


def operation_log_create(context, values):
    return _create(context, models.OperationLog, values)


def operation_log_get(context, operation_log_id):
    return _get(context, models.OperationLog, operation_log_id)


def operation_log_get_all(context, filters=None, marker=None, limit=None,
                          sort_keys=None, sort_dirs=None, all_tenants=False):
    return _list(context, models.OperationLog, filters, marker, limit,
                 sort_keys, sort_dirs, all_tenants)


def operation_log_update(context, operation_log_id, values,
                         expected_status=None):
    return _update(context, models.OperationLog, operation_log_id, values,
                   expected_status)


def operation_log_finish(context, filters, status, error_info=None):
    """End the in-progress operation logs matching ``filters``."""
    with writer(context) as session:
        query = _visible(session, context, models.OperationLog).filter_by(
            status='in_progress', **filters)
        return query.update({'status': status, 'error_info': error_info,
                             'ended_at': models.utcnow()},
                            synchronize_session=False)


def operation_log_destroy(context, operation_log_id):
    _destroy(context, models.OperationLog, operation_log_id)


# Triggers and scheduled operations


def trigger_create(context, values):
    return _create(context, models.Trigger, values)


def trigger_get(context, trigger_id):
    return _get(context, models.Trigger, trigger_id)


def trigger_get_all(context, filters=None, marker=None, limit=None,
                    sort_keys=None, sort_dirs=None, all_tenants=False):
    return _list(context, models.Trigger, filters, marker, limit, sort_keys,
                 sort_dirs, all_tenants)


def trigger_update(context, trigger_id, values):
    return _update(context, models.Trigger, trigger_id, values)


def _operations_of(session, trigger_id):
    return live(session, models.ScheduledOperation).filter(
        models.ScheduledOperation.trigger_id == trigger_id)


def trigger_in_use(context, trigger_id):
    """Whether any live scheduled operation, of any project, uses it."""
    with reader(context) as session:
        return session.query(_operations_of(session, trigger_id)
                             .exists()).scalar()


def trigger_destroy(context, trigger_id):
    """Delete a trigger no scheduled operation uses.

    :raises: TriggerNotFound; DependencyInUse while operations use it.
    """
    with writer(context) as session:
        query = _visible(session, context, models.Trigger).filter(
            models.Trigger.id == trigger_id)
        if query.with_for_update().first() is None:
            raise exception.TriggerNotFound(id=trigger_id)
        users = [operation.id for operation in
                 _operations_of(session, trigger_id).with_for_update()]
        if users:
            raise exception.DependencyInUse(
                object='Trigger', id=trigger_id,
                users='scheduled operations ' + ', '.join(users))
        soft_delete(query)


def scheduled_operation_create(context, values):
    return _create(context, models.ScheduledOperation, values)


def scheduled_operation_get(context, operation_id):
    return _get(context, models.ScheduledOperation, operation_id)


def scheduled_operation_get_all(context, filters=None, marker=None,
                                limit=None, sort_keys=None, sort_dirs=None,
                                all_tenants=False):
    """Scheduled operations; filters include ``trigger_id``."""
    return _list(context, models.ScheduledOperation, filters, marker, limit,
                 sort_keys, sort_dirs, all_tenants)


def scheduled_operation_update(context, operation_id, values):
    return _update(context, models.ScheduledOperation, operation_id, values)


def scheduled_operation_destroy(context, operation_id):
    """Delete an operation with its scheduling state and run history."""
    with writer(context) as session:
        _destroy(context, models.ScheduledOperation, operation_id)
        for model in (models.ScheduledOperationState,
                      models.ScheduledOperationLog):
            soft_delete(live(session, model).filter(
                model.operation_id == operation_id))


# Scheduling state and run history of scheduled operations. They belong to
# the operation engine, which acts for every project: no project scoping.


def _operation_state(session, operation_id):
    return live(session, models.ScheduledOperationState).filter(
        models.ScheduledOperationState.operation_id == operation_id)


def scheduled_operation_state_create(context, values):
    return _add(context, models.ScheduledOperationState(**values))


def scheduled_operation_state_get(context, operation_id):
    with reader(context) as session:
        record = _operation_state(session, operation_id).first()
    if record is None:
        raise exception.ScheduledOperationStateNotFound(id=operation_id)
    return record


def scheduled_operation_state_get_all(context, filters=None):
    """States ordered by id; filters on service_id, state and the like."""
    with reader(context) as session:
        query = listing.filtered(
            live(session, models.ScheduledOperationState),
            models.ScheduledOperationState, filters or {})
        return query.order_by(models.ScheduledOperationState.id).all()


def scheduled_operation_state_update(context, operation_id, values):
    with writer(context) as session:
        query = _operation_state(session, operation_id)
        if not query.update(values, synchronize_session=False):
            raise exception.ScheduledOperationStateNotFound(id=operation_id)
        return query.execution_options(populate_existing=True).one()


def scheduled_operation_state_delete(context, operation_id):
    with writer(context) as session:
        if not soft_delete(_operation_state(session, operation_id)):
            raise exception.ScheduledOperationStateNotFound(id=operation_id)


def scheduled_operation_log_create(context, values):
    return _add(context, models.ScheduledOperationLog(**values))


def scheduled_operation_log_get(context, log_id):
    return _get(context, models.ScheduledOperationLog, log_id)


def scheduled_operation_log_get_all(context, filters=None, marker=None,
                                    limit=None, sort_keys=None,
                                    sort_dirs=None):
    """Run history, paged as ``_list`` pages; filter on ``operation_id``."""
    return _list(context, models.ScheduledOperationLog, filters, marker,
                 limit, sort_keys, sort_dirs)


def scheduled_operation_log_update(context, log_id, values):
    return _update(context, models.ScheduledOperationLog, log_id, values)


def scheduled_operation_log_delete(context, log_id):
    _destroy(context, models.ScheduledOperationLog, log_id)


# Services


def service_create(context, values):
    return _add(context, models.Service(**values))


def service_get(context, service_id):
    return _get(context, models.Service, service_id)


def service_get_by_host_and_binary(context, host, binary):
    with reader(context) as session:
        record = live(session, models.Service).filter_by(
            host=host, binary=binary).first()
    if record is None:
        raise exception.ServiceNotFound(id='%s on %s' % (binary, host))
    return record


def service_get_all(context, filters=None):
    """Services ordered by id; filters on host, binary, topic, disabled."""
    with reader(context) as session:
        query = listing.filtered(live(session, models.Service),
                                 models.Service, filters or {})
        return query.order_by(models.Service.id).all()


def service_update(context, service_id, values):
    return _update(context, models.Service, service_id, values)


def service_destroy(context, service_id):
    """Remove a service row for good, unassigning its scheduled operations.

    A service row is a heartbeat, not history; and a kept row would stop the
    same host and binary from being removed again, as (host, binary,
    deleted) is unique.
    """
    with writer(context) as session:
        session.query(models.ScheduledOperationState).filter(
            models.ScheduledOperationState.service_id == service_id).update(
            {'service_id': None}, synchronize_session=False)
        deleted = session.query(models.Service).filter(
            models.Service.id == service_id).delete(
            synchronize_session=False)
    if not deleted:
        raise exception.ServiceNotFound(id=service_id)


# Housekeeping


def purge_deleted_rows(context, age_in_days):
    """Remove rows deleted more than ``age_in_days`` days ago, for good.

    Tables are purged children first; a row still referenced by a row that
    stays is kept until a later purge.

    :returns: the number of rows removed, by table name.
    :raises: InvalidInput if ``age_in_days`` is negative.
    """
    if age_in_days < 0:
        raise exception.InvalidInput(reason='age_in_days must not be '
                                            'negative')
    cutoff = models.utcnow() - datetime.timedelta(days=age_in_days)
    tables = models.Base.metadata.sorted_tables
    removed = {}
    with writer(context) as session:
        for table in reversed(tables):
            condition = sa.and_(table.c.deleted == sa.true(),
                                table.c.deleted_at < cutoff)
            for child in tables:
                for key in child.foreign_keys:
                    if key.column.table is table:
                        condition &= ~sa.exists().where(
                            key.parent == key.column)
            removed[table.name] = session.execute(
                table.delete().where(condition)).rowcount
    return removed


# Leases of protection operations: an agent claims an operation record for a
# while and renews the claim while it works, so that a dead agent's work can
# be found and taken over once its lease has expired.


def _leased_model(model_name):
    try:
        return _LEASED_MODELS[model_name]
    except KeyError:
        raise exception.InvalidInput(
            reason='%s records have no lease' % model_name) from None


def _lease_conflict(record, model, record_id, owner, expected_status=None):
    if record is None:
        raise _NOT_FOUND[model](id=record_id)
    if (expected_status is not None
            and record.status not in _statuses(expected_status)):
        raise exception.InvalidState(
            object=model.__name__, id=record_id, state=record.status,
            allowed=', '.join(_statuses(expected_status)))
    raise exception.OperationClaimed(
        object=model.__name__, id=record_id, holder=record.owner or 'nobody',
        owner=owner, until=record.lease_expires_at)


def _change_lease(context, model_name, record_id, condition, values,
                  owner, expected_status=None):
    model = _leased_model(model_name)
    with writer(context) as session:
        query = _visible(session, context, model).filter(
            model.id == record_id)
        matched = query.filter(condition(model)).update(
            values, synchronize_session=False)
        record = _reread(query, model, record_id)
    if not matched:
        _lease_conflict(record, model, record_id, owner, expected_status)
    return record


def operation_claim(context, model_name, record_id, owner, lease_seconds,
                    expected_status=None, take_over=None):
    """Claim an operation for ``owner`` for ``lease_seconds``.

    Succeeds if nobody holds the record, ``owner`` already does, the
    holder's lease has expired, or the holder is ``take_over`` (an owner
    known to be gone, such as this agent before a restart).

    :param model_name: checkpoint, restore, verification or copy.
    :param expected_status: a status or statuses the record must be in.
    :returns: the claimed record.
    :raises: the record's NotFound; InvalidState if its status is not
        expected; OperationClaimed if another owner holds a live lease.
    """
    now = models.utcnow()

    def claimable(model):
        condition = sa.or_(model.owner.is_(None), model.owner == owner,
                           model.lease_expires_at < now)
        if take_over is not None:
            condition = sa.or_(condition, model.owner == take_over)
        if expected_status is not None:
            condition &= model.status.in_(_statuses(expected_status))
        return condition

    expires = now + datetime.timedelta(seconds=lease_seconds)
    return _change_lease(context, model_name, record_id, claimable,
                         {'owner': owner, 'lease_expires_at': expires},
                         owner, expected_status)


def operation_renew_lease(context, model_name, record_id, owner,
                          lease_seconds, values=None):
    """Extend ``owner``'s lease; even an expired one nobody took over.

    :param values: written in the same statement, only while ``owner``
        holds the record (progress, so it never overwrites a final state).
    :raises: the record's NotFound; OperationClaimed if ``owner`` no longer
        holds the record.
    """
    expires = models.utcnow() + datetime.timedelta(seconds=lease_seconds)
    return _change_lease(context, model_name, record_id,
                         lambda model: model.owner == owner,
                         dict(values or {}, lease_expires_at=expires), owner)


def operation_release(context, model_name, record_id, owner, values=None):
    """Give up ``owner``'s claim, writing ``values`` (e.g. a final status).

    :raises: the record's NotFound; OperationClaimed if ``owner`` no longer
        holds the record.
    """
    values = dict(values or {}, owner=None, lease_expires_at=None)
    return _change_lease(context, model_name, record_id,
                         lambda model: model.owner == owner, values, owner)


def operation_get_expired(context, model_name, statuses):
    """Records in one of ``statuses`` whose lease has expired."""
    model = _leased_model(model_name)
    with reader(context) as session:
        return (_visible(session, context, model)
                .filter(model.status.in_(_statuses(statuses)),
                        model.lease_expires_at < models.utcnow())
                .order_by(model.lease_expires_at, model.id).all())


def operation_get_orphans(context, model_name, statuses, unclaimed_before,
                          previous_owners_like=None, current_owner=None):
    """Records in one of ``statuses`` that nobody is working on.

    That is: never claimed although created before ``unclaimed_before``
    (their cast was lost), or claimed under a lease that has expired, or
    held by an earlier life of this agent (an owner matching the SQL LIKE
    pattern ``previous_owners_like`` other than ``current_owner``).
    """
    model = _leased_model(model_name)
    now = models.utcnow()
    orphaned = sa.or_(
        sa.and_(model.owner.is_(None), model.created_at < unclaimed_before),
        model.lease_expires_at < now)
    if previous_owners_like is not None:
        orphaned = sa.or_(orphaned, sa.and_(
            model.owner.like(previous_owners_like),
            model.owner != current_owner))
    with reader(context) as session:
        return (_visible(session, context, model)
                .filter(model.status.in_(_statuses(statuses)), orphaned)
                .order_by(model.created_at, model.id).all())
