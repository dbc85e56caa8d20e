"""Reverts that fail, kept in the saved flow so that they outlive agents.

A revert that fails (other than by OpenStack refusing the caller) breaks
the flow off, and whoever resumes it tries the revert again, up to
``[protection] max_revert_attempts`` times in all; then what it should
have removed is left behind and named in the operation's error reason.
The count of failed attempts, the result the revert undoes and what was
left behind are kept in the atom's saved metadata. A revert that an agent
stopping leaves is kept the same way, for whoever resumes the flow, with
no failed attempt counted.

Taskflow leaves an atom whose revert raised in ``REVERT_FAILURE``, which
it never leaves, and drops the atom's result. Resumed as saved, such a
flow ends without undoing anything more and without reverting ``begin``
(its record stays pending), and the next resumption resets the flow and
does the whole operation again. :func:`reopen` puts the atom back where
its revert starts, with its result, so that the revert runs again.
"""
import logging

from taskflow import exceptions as tf_exceptions
from taskflow import states as tf_states

#: Taskflow's engine logs every failure of a run there, at ERROR.
ENGINE_LOGGER = 'taskflow.engines.action_engine.engine'
FAILED_ATTEMPTS = 'revert_failed_attempts'
RESULT = 'revert_result_to_undo'
LEFT_BEHIND = 'left_behind'


class RevertLeft(Exception):
    """A revert left to whoever resumes the flow, as its agent stops.

    Raised so that taskflow records the revert as failed, not done:
    :func:`reopen` runs it when the flow resumes.
    """


class HideStandDowns(logging.Filter):
    """Keeps taskflow from logging an agent's stand-down as an error.

    Taskflow logs an ERROR with a traceback ("Engine execution has
    failed") whenever a revert raises, :class:`RevertLeft` included; a
    stand-down is a graceful stop, and the run logs it itself.
    """

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, tf_exceptions.WrappedFailure):
            return not all(failure.check(RevertLeft) for failure in error)
        return not isinstance(error, RevertLeft)


logging.getLogger(ENGINE_LOGGER).addFilter(HideStandDowns())


def reopen(detail):
    """Make a saved flow retry the reverts that failed when it resumes.

    :param detail: the flow's taskflow FlowDetail, before an engine runs
        it.
    :returns: the names of the atoms whose revert is tried again.
    """
    reopened = []
    for atom in detail:
        if atom.state != tf_states.REVERT_FAILURE:
            continue
        atom.state = tf_states.REVERTING
        atom.revert_failure = None
        if atom.failure is None:
            atom.results = atom.meta.get(RESULT)
        reopened.append(atom.name)
    if reopened:
        # A reverted flow would be reset and run again from the start.
        detail.state = tf_states.SUSPENDED
    return reopened


def failed_attempts(detail):
    """{atom name: failed attempts at its revert so far}."""
    return {atom.name: atom.meta[FAILED_ATTEMPTS] for atom in detail
            if FAILED_ATTEMPTS in atom.meta}


def left_behind(detail):
    """{atom name: why what its revert should have removed is left}."""
    return {atom.name: atom.meta[LEFT_BEHIND] for atom in detail
            if LEFT_BEHIND in atom.meta}


def result_to_undo(result):
    """The metadata to save for a revert that runs again on resumption.

    :param result: what the atom's execute returned, which that revert
        undoes (a failed execute's failure is kept by taskflow).
    """
    return {RESULT: result} if isinstance(result, dict) else {}


def failed_attempt(attempts, result):
    """The metadata to save for a revert's ``attempts``-th failure."""
    return dict(result_to_undo(result), **{FAILED_ATTEMPTS: attempts})
