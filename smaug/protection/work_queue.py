"""The agent's bounded queue for heavy work, and the jobs waiting on it.

Parallel activities hand their heavy part (copies, waits on OpenStack) to
this queue and return; the flow joins the job before the resource's sync
activity. The queue runs at most ``[protection] work_concurrency`` jobs at
once, and at most the per-backend limit against any one backend, so a plan
of a thousand volumes does not open a thousand copies at once.
"""
import concurrent.futures
import threading

from oslo_config import cfg

CONF = cfg.CONF


class WorkQueue:
    """A thread pool with per-backend limits and a table of running jobs.

    Jobs are keyed by (operation id, resource key): the sync step of a
    resource joins the job its parallel step started, and a flow resumed in
    another process, where the job never ran, starts it again.
    """

    def __init__(self, concurrency, backend_limits=None):
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=concurrency, thread_name_prefix='work')
        self._limits = {name: threading.BoundedSemaphore(limit)
                        for name, limit in (backend_limits or {}).items()}
        self._jobs = {}
        self._lock = threading.Lock()

    def start(self, key, function, *args, backend=None):
        """Run ``function(*args)`` on the queue as job ``key``."""
        future = self._executor.submit(self._limited, backend, function,
                                       *args)
        with self._lock:
            self._jobs[key] = future
        return future

    def join(self, key, function, *args, backend=None):
        """The result of job ``key``, starting it if it is not known here.

        :raises: whatever the job raised.
        """
        with self._lock:
            future = self._jobs.pop(key, None)
        if future is None:
            future = self._executor.submit(self._limited, backend, function,
                                           *args)
        return future.result()

    def settle(self, key):
        """Wait for job ``key`` to end, if it is running here; errors are
        dropped (its work is being undone)."""
        with self._lock:
            future = self._jobs.pop(key, None)
        if future is not None:
            future.cancel()
            concurrent.futures.wait([future])

    def _limited(self, backend, function, *args):
        limit = self._limits.get(backend)
        if limit is None:
            return function(*args)
        with limit:
            return function(*args)

    def shutdown(self):
        self._executor.shutdown(wait=False, cancel_futures=True)
