"""The states of every stateful object, and the moves allowed between them.

One table per object; ``check_transition`` is the single place that
decides whether a move is legal.
"""
from smaug import exception


class PlanStatus:
    SUSPENDED = 'suspended'
    STARTED = 'started'
    ALL = (SUSPENDED, STARTED)


class CheckpointStatus:
    PROTECTING = 'protecting'
    AVAILABLE = 'available'
    ERROR = 'error'
    DELETING = 'deleting'
    DELETED = 'deleted'
    ERROR_DELETING = 'error-deleting'
    WAIT_COPYING = 'wait_copying'
    COPYING = 'copying'
    ALL = (PROTECTING, AVAILABLE, ERROR, DELETING, DELETED, ERROR_DELETING,
           WAIT_COPYING, COPYING)
    # States an administrator may force with os-resetState.
    RESETTABLE_TO = (AVAILABLE, ERROR)


class RestoreStatus:
    IN_PROGRESS = 'in_progress'
    SUCCESS = 'success'
    FAIL = 'fail'
    ALL = (IN_PROGRESS, SUCCESS, FAIL)


VerificationStatus = RestoreStatus


class CopyStatus:
    WAIT_COPYING = 'wait_copying'
    COPYING = 'copying'
    SUCCESS = 'success'
    FAIL = 'fail'


class OperationLogStatus:
    IN_PROGRESS = 'in_progress'
    SUCCESS = 'success'
    FAILED = 'failed'


class ScheduleState:
    """Whether a scheduled operation fires: its scheduling state row.

    The row's ``updated_at`` is when it last started firing (its creation
    or its resumption): fire times before that were never due.
    """

    SCHEDULED = 'scheduled'
    SUSPENDED = 'suspended'


class ScheduledRunState:
    """One fire time of a scheduled operation: its run log's state.

    The row is written when an engine claims the fire time, already in
    the state the run starts in: ``running``, or ``skipped`` or
    ``dropped`` when it cannot run. Every state but ``running`` is final.
    """

    RUNNING = 'running'
    SUCCESS = 'success'
    FAILED = 'failed'
    DROPPED = 'dropped'
    SKIPPED = 'skipped'
    ALL = (RUNNING, SUCCESS, FAILED, DROPPED, SKIPPED)


_CHECKPOINT = CheckpointStatus
CHECKPOINT_TRANSITIONS = {
    _CHECKPOINT.PROTECTING: {_CHECKPOINT.AVAILABLE, _CHECKPOINT.ERROR},
    _CHECKPOINT.AVAILABLE: {_CHECKPOINT.DELETING, _CHECKPOINT.ERROR,
                            _CHECKPOINT.COPYING},
    _CHECKPOINT.ERROR: {_CHECKPOINT.DELETING, _CHECKPOINT.AVAILABLE},
    _CHECKPOINT.DELETING: {_CHECKPOINT.DELETED, _CHECKPOINT.ERROR_DELETING},
    _CHECKPOINT.ERROR_DELETING: {_CHECKPOINT.DELETING},
    _CHECKPOINT.WAIT_COPYING: {_CHECKPOINT.COPYING, _CHECKPOINT.ERROR},
    _CHECKPOINT.COPYING: {_CHECKPOINT.AVAILABLE, _CHECKPOINT.ERROR},
    _CHECKPOINT.DELETED: set(),
}

_RUN = ScheduledRunState
SCHEDULED_RUN_TRANSITIONS = {
    _RUN.RUNNING: {_RUN.SUCCESS, _RUN.FAILED},
    _RUN.SUCCESS: set(),
    _RUN.FAILED: set(),
    _RUN.DROPPED: set(),
    _RUN.SKIPPED: set(),
}


def sources_of(transitions, target):
    """The states from which ``target`` may be reached."""
    return sorted(state for state, targets in transitions.items()
                  if target in targets)


def check_transition(transitions, obj_name, obj_id, current, target):
    """:raises InvalidState: when ``current`` may not move to ``target``."""
    if target not in transitions.get(current, ()):
        raise exception.InvalidState(
            object=obj_name, id=obj_id, state=current,
            allowed=', '.join(sources_of(transitions, target)))
