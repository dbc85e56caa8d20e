"""Waiting on asynchronous OpenStack actions: bounded, with back-off.

A backup, an image upload or a boot is asked for in one call and finishes
later. :func:`wait_for` polls the resource with pauses that double from
``[clients] wait_interval`` up to ``max_wait_interval`` and gives up after
``wait_timeout`` with an error saying what was awaited and the status it
was last seen in. :func:`act_when` makes a request once a shared resource
is ready, and waits again when another user took it first.
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
    return act_when(what, fetch, status_of, goal, _itself, failed=failed,
                    timeout=timeout, reason_of=reason_of, clock=clock,
                    sleep=sleep)


def act_when(what, fetch, status_of, ready, act, busy=None, failed=(),
             timeout=None, reason_of=None, clock=time.monotonic,
             sleep=time.sleep):
    """Poll ``fetch()`` until the resource is in a ``ready`` status, then
    return ``act(resource)``.

    A resource others use too can be taken between the poll and the act
    (two restores of one Cinder backup): when ``act`` is refused for that
    reason, polling resumes, with the same back-off and deadline, and
    ``act`` is tried again once the resource is ready again.

    :param ready: statuses in which ``act`` is tried.
    :param act: ``act(resource)``, the request that needs it ready.
    :param busy: ``busy(error)``: whether an exception ``act`` raised
        says the resource was not ready after all; any other exception
        propagates. None: every exception propagates.
    :param failed, timeout, reason_of: as :func:`wait_for` has them.
    :returns: what ``act`` returned.
    :raises WaitTimeout: when ``act`` was not done in time; its status
        tells whether the resource was last seen busy or refused.
    :raises ResourceFailed: when a failed status is reached.
    """
    timeout = CONF.clients.wait_timeout if timeout is None else timeout
    ready, failed = _statuses(ready), _statuses(failed)
    deadline = clock() + timeout
    pause = CONF.clients.wait_interval
    while True:
        resource = fetch()
        status = status_of(resource)
        if status in ready:
            try:
                return act(resource)
            except Exception as error:
                if busy is None or not busy(error):
                    raise
                status = '%s, yet refused as busy: %s' % (status, error)
        elif status in failed:
            reason = reason_of(resource) if reason_of else None
            raise exception.ResourceFailed(
                what=what, status=status,
                reason=reason or 'no reason given')
        remaining = deadline - clock()
        if remaining <= 0:
            raise exception.WaitTimeout(what=what, goal='/'.join(ready),
                                        timeout=timeout, status=status)
        LOG.debug('%s is %s, waiting for %s', what, status, ready)
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


def _itself(resource):
    return resource


def _statuses(statuses):
    return (statuses,) if isinstance(statuses, str) else tuple(statuses)
