"""Waiting on asynchronous OpenStack actions: bounded, with back-off.

A backup, an image upload or a boot is asked for in one call and finishes
later. :func:`wait_for` polls the resource with pauses that double from
``[clients] wait_interval`` up to ``max_wait_interval`` and gives up after
``wait_timeout`` with an error saying what was awaited and the status it
was last seen in.
"""
import time

from oslo_config import cfg
from oslo_log import log as logging

from smaug import exception

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def wait_for(what, fetch, status_of, goal, failed=(), timeout=None,
             reason_of=None, clock=time.monotonic, sleep=time.sleep):
    """Poll ``fetch()`` until ``status_of(resource)`` is in ``goal``.

    :param what: how errors name the resource ('volume 1f3c...').
    :param fetch: returns the resource's current representation; an
        exception it raises ends the wait with that exception.
    :param status_of: its status, e.g. ``lambda volume: volume.status``.
    :param goal: statuses that end the wait successfully.
    :param failed: statuses that end it with :class:`ResourceFailed`.
    :param timeout: seconds; ``[clients] wait_timeout`` by default.
    :param reason_of: the resource's own explanation of a failure
        (``fail_reason`` of a backup...), when it has one.
    :returns: the last representation fetched, in a goal status.
    :raises WaitTimeout: when the goal is not reached in time.
    :raises ResourceFailed: when a failed status is reached.
    """
    timeout = CONF.clients.wait_timeout if timeout is None else timeout
    goal, failed = _statuses(goal), _statuses(failed)
    deadline = clock() + timeout
    pause = CONF.clients.wait_interval
    while True:
        resource = fetch()
        status = status_of(resource)
        if status in goal:
            return resource
        if status in failed:
            reason = reason_of(resource) if reason_of else None
            raise exception.ResourceFailed(
                what=what, status=status,
                reason=reason or 'no reason given')
        remaining = deadline - clock()
        if remaining <= 0:
            raise exception.WaitTimeout(what=what, goal='/'.join(goal),
                                        timeout=timeout, status=status)
        LOG.debug('%s is %s, waiting for %s', what, status, goal)
        sleep(min(pause, remaining))
        pause = min(pause * 2, CONF.clients.max_wait_interval)


def wait_until_gone(what, fetch, status_of, not_found, failed=(),
                    timeout=None, **kwargs):
    """Poll until ``fetch()`` raises one of ``not_found`` (deleted).

    :raises WaitTimeout, ResourceFailed: as :func:`wait_for` does.
    """
    gone = object()

    def fetch_or_gone():
        try:
            return fetch()
        except not_found:
            return gone

    wait_for(what, fetch_or_gone,
             lambda resource: 'deleted' if resource is gone
             else status_of(resource),
             goal=('deleted',), failed=failed, timeout=timeout, **kwargs)


def _statuses(statuses):
    return (statuses,) if isinstance(statuses, str) else tuple(statuses)
