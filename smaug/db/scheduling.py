"""The operation engines' reads and writes: what is scheduled, and who runs
each fire time.

A fire time of a scheduled operation is one row of
``scheduled_operation_logs``, unique on (operation_id, expect_start_time).
An engine claims it by inserting that row, which at most one engine can do
(:func:`start_run`); the row then records the run from start to end.

The engine working on a row names itself in ``extend_info['engine']``
(``<host>:<random>``), and each write of the row sets ``updated_at`` to a
new value that the next write of the same engine must find again: it is
the row's *fence*. An engine that takes over a dead engine's row moves the
fence, so the dead one's late writes, should it come back, change nothing.

Times are naive UTC here, as the database stores them; callers may pass
aware datetimes.
"""
from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exception
from oslo_utils import timeutils
import sqlalchemy as sa

from smaug import states
from smaug.db import api as db
from smaug.db import models
from smaug.db.session import live
from smaug.db.session import reader
from smaug.db.session import writer

Run = models.ScheduledOperationLog
RunState = states.ScheduledRunState
ENGINE = 'engine'


def _is_busy_sqlite(error):
    # SQLite refuses at once a transaction that read and now wants to
    # write while another one writes; trying again is all there is to do.
    return (isinstance(error, db_exception.DBError)
            and 'database is locked' in str(error))


# Engines racing on one operation's row, or on MariaDB's gap locks of the
# run rows, end in a retry of the whole transaction.
_retry_on_deadlock = oslo_db_api.wrap_db_retry(
    max_retries=10, retry_interval=0.05, inc_retry_interval=True,
    max_retry_interval=0.5, retry_on_deadlock=True,
    exception_checker=_is_busy_sqlite)


def _naive(moment):
    return None if moment is None else timeutils.normalize_time(moment)


def schedule(context):
    """The live, enabled scheduled operations, with what fires them.

    :returns: a list of dicts: ``id``, ``trigger_id``,
        ``trigger_properties``, and ``scheduled_since``, the latest of the
        operation's creation, its last resumption and its trigger's last
        change (fire times before it were never due).
    """
    operation = models.ScheduledOperation
    trigger = models.Trigger
    state = models.ScheduledOperationState
    query = (sa.select(operation.id, operation.trigger_id,
                       operation.created_at, trigger.properties,
                       trigger.created_at, trigger.updated_at,
                       state.created_at, state.updated_at)
             .join(trigger, trigger.id == operation.trigger_id)
             .outerjoin(state, sa.and_(state.operation_id == operation.id,
                                       state.deleted == sa.false()))
             .where(operation.deleted == sa.false(),
                    operation.enabled == sa.true(),
                    trigger.deleted == sa.false())
             .order_by(operation.id))
    with reader(context) as session:
        rows = session.execute(query).all()
    return [{'id': row[0], 'trigger_id': row[1],
             'trigger_properties': row[3],
             'scheduled_since': max(moment for moment in row[2:3] + row[4:]
                                    if moment is not None)}
            for row in rows]


def schedule_version(context):
    """A value that changes whenever :func:`schedule` may have changed.

    Much cheaper than reading the schedule: engines poll it, and read the
    schedule again only when it moved.
    """
    parts = []
    with reader(context) as session:
        for model in (models.ScheduledOperation, models.Trigger,
                      models.ScheduledOperationState):
            parts.append(tuple(session.execute(sa.select(
                sa.func.count(), sa.func.max(model.created_at),
                sa.func.max(model.updated_at),
                sa.func.max(model.deleted_at))).one()))
    return tuple(parts)


def last_fire_times(context, operation_ids=None):
    """{operation id: its latest fire time with a run row}.

    :param operation_ids: the operations to look at; every one when None.
    """
    query = (sa.select(Run.operation_id, sa.func.max(Run.expect_start_time))
             .group_by(Run.operation_id))
    if operation_ids is not None:
        if not operation_ids:
            return {}
        query = query.where(Run.operation_id.in_(list(operation_ids)))
    with reader(context) as session:
        return dict(session.execute(query).all())


def _fenced(session, run_id, fence, state):
    return (session.query(Run)
            .filter(Run.id == run_id, Run.deleted == sa.false(),
                    Run.updated_at == fence, Run.state == state))


@_retry_on_deadlock
def start_run(context, operation_id, fire_time, owner, decide):
    """Claim a fire time of an operation and record how its run starts.

    The operation's row is locked meanwhile, so the engines reaching for
    fire times of one operation take turns: each sees whether another
    already has this fire time, and which runs of the operation are
    going. A suspended or deleted operation starts nothing, whichever
    engine still has it in its schedule.

    :param owner: the claiming engine, written to ``extend_info``.
    :param decide: called as ``decide(operation, running)`` with the
        operation's record and its runs that are ``running``; returns
        (state, {column: value}) of the new run row: ``running`` with its
        start time, or ``skipped`` or ``dropped`` with the reason.
    :returns: (run id, state, fence), or None when the fire time has a run
        already or the operation no longer fires.
    """
    fire_time = _naive(fire_time)
    try:
        with writer(context) as session:
            operation = (live(session, models.ScheduledOperation)
                         .filter(models.ScheduledOperation.id ==
                                 operation_id,
                                 models.ScheduledOperation.enabled ==
                                 sa.true())
                         .with_for_update().first())
            if operation is None:
                return None
            runs = (live(session, Run)
                    .filter(Run.operation_id == operation_id,
                            sa.or_(Run.expect_start_time == fire_time,
                                   Run.state == RunState.RUNNING)).all())
            if any(run.expect_start_time == fire_time for run in runs):
                return None
            state, values = decide(operation, runs)
            fence = models.utcnow()
            run = Run(operation_id=operation_id, expect_start_time=fire_time,
                      state=state, extend_info={ENGINE: owner},
                      created_at=fence, updated_at=fence, **values)
            session.add(run)
            session.flush()
    except db_exception.DBDuplicateEntry:
        # SQLite takes no row lock: the unique fire time decides.
        return None
    return run.id, state, fence


@_retry_on_deadlock
def finish_run(context, run_id, fence, state, values):
    """Record the end of a running run.

    :returns: whether it was recorded: False when another engine took the
        run over meanwhile.
    :raises InvalidState: when ``state`` is not an end of a run.
    """
    states.check_transition(states.SCHEDULED_RUN_TRANSITIONS,
                            'ScheduledOperationLog', run_id,
                            RunState.RUNNING, state)
    with writer(context) as session:
        return bool(_fenced(session, run_id, fence,
                            RunState.RUNNING).update(
            dict(values, state=state, updated_at=models.utcnow()),
            synchronize_session=False))


def runs_in_flight(context):
    """The runs going on, on any engine, oldest first."""
    with reader(context) as session:
        return (live(session, Run)
                .filter(Run.state == RunState.RUNNING)
                .order_by(Run.expect_start_time, Run.id).all())


@_retry_on_deadlock
def adopt_run(context, run, owner):
    """Take over ``run`` (a row :func:`runs_in_flight` returned) for
    ``owner``, unless it changed since it was read.

    :returns: the new fence, or None when another engine moved it first.
    """
    extend_info = dict(run.extend_info or {})
    extend_info['adopted_from'] = extend_info.get(ENGINE)
    extend_info[ENGINE] = owner
    new_fence = models.utcnow()
    with writer(context) as session:
        moved = _fenced(session, run.id, run.updated_at,
                        RunState.RUNNING).update(
            {'extend_info': extend_info, 'updated_at': new_fence},
            synchronize_session=False)
    return new_fence if moved else None


def operation_with_state(context, operation_id):
    """The operation's record and its scheduling state record (or None)."""
    with reader(context) as session:
        operation = (live(session, models.ScheduledOperation)
                     .filter(models.ScheduledOperation.id == operation_id)
                     .first())
        state = (live(session, models.ScheduledOperationState)
                 .filter(models.ScheduledOperationState.operation_id ==
                         operation_id).first())
    return operation, state


def operation_set_enabled(context, operation_id, enabled):
    """Suspend or resume an operation: its record and its scheduling state
    change together, the state's ``updated_at`` saying since when it fires.

    :raises: ScheduledOperationNotFound when ``context`` cannot see it.
    :returns: the operation's record.
    """
    state = (states.ScheduleState.SCHEDULED if enabled
             else states.ScheduleState.SUSPENDED)
    with writer(context) as session:
        operation = db.scheduled_operation_update(context, operation_id,
                                                  {'enabled': enabled})
        changed = (live(session, models.ScheduledOperationState)
                   .filter(models.ScheduledOperationState.operation_id ==
                           operation_id)
                   .update({'state': state, 'updated_at': models.utcnow()},
                           synchronize_session=False))
        if not changed:
            session.add(models.ScheduledOperationState(
                operation_id=operation_id, state=state))
    return operation


def trust_of(context, user_id, project_id):
    """A trust that a live operation of the user in the project holds, or
    None: one trust serves all of a user's operations in a project."""
    operation = models.ScheduledOperation
    state = models.ScheduledOperationState
    with reader(context) as session:
        return session.execute(
            sa.select(state.trust_id)
            .join(operation, operation.id == state.operation_id)
            .where(operation.deleted == sa.false(),
                   state.deleted == sa.false(),
                   operation.user_id == user_id,
                   operation.project_id == project_id,
                   state.trust_id.is_not(None))
            .limit(1)).scalar()


def trust_in_use(context, trust_id):
    """Whether a live operation still acts through the trust."""
    with reader(context) as session:
        return session.query(
            live(session, models.ScheduledOperationState)
            .filter(models.ScheduledOperationState.trust_id == trust_id)
            .exists()).scalar()


def operation_create(context, values, trust_id=None):
    """A new scheduled operation, firing from now on, with its scheduling
    state (and the trust it acts through, behind Keystone).

    :returns: the operation's record.
    """
    with writer(context):
        operation = db.scheduled_operation_create(context, values)
        db.scheduled_operation_state_create(context, {
            'operation_id': operation.id, 'trust_id': trust_id,
            'state': (states.ScheduleState.SCHEDULED if operation.enabled
                      else states.ScheduleState.SUSPENDED)})
    return operation
