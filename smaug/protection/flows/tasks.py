"""The taskflow tasks that carry a resource's activities.

Each resource with work gets a ``parallel`` task (if its plugin has a
parallel activity) and a ``sync`` task (always: it joins the parallel work).
Tasks hold live objects (plugins, the work queue); what they return is
plain JSON and persisted, so a flow rebuilt after a crash finds the results
of the tasks that had finished.
"""
from oslo_log import log as logging
from taskflow import task

from smaug.clients import errors

LOG = logging.getLogger(__name__)


def parallel_name(resource):
    return 'parallel:' + resource.key()


SYNC_PREFIX = 'sync:'


def sync_name(resource):
    return SYNC_PREFIX + resource.key()


def _compensate(run, atom_name, resource, result, revert, *args):
    """Run an activity's revert; an abandoned run leaves it to whoever
    resumes the flow (see :meth:`OperationRun.stand_down`).

    A revert that OpenStack refuses (the caller's token is no longer
    accepted, a role was taken away) can never succeed: what it should have
    removed is recorded as left behind, and the rest of the flow goes on
    compensating, so the operation still ends. Any other error breaks the
    flow off, and whoever resumes it tries the revert again, until it has
    failed ``max_revert_attempts`` times: then it is left behind too.

    :param result: what the task's execute returned; saved for the next
        attempt, as taskflow drops it when a revert fails.
    """
    if run.abandoned:
        run.stand_down(atom_name, result)
        return
    try:
        revert(*args)
    except Exception as error:
        if errors.refused(error):
            LOG.warning('Could not undo the work on %s of %s %s: %s',
                        resource.key(), run.kind.record, run.operation_id,
                        error)
        elif not run.revert_failed(atom_name, resource, result, error):
            raise
        run.left_behind(atom_name, resource, error)


class ParallelTask(task.Task):
    """Starts a resource's parallel activity and queues its heavy part."""

    def __init__(self, run, resource, activity):
        name = parallel_name(resource)
        super().__init__(name=name, provides=name)
        self._run = run
        self._resource = resource
        self._activity = activity

    def _job(self):
        return (self._run.operation_id, self._resource.key())

    def execute(self):
        ctx = self._run.activity_context(self._resource)
        started = self._activity.start(ctx)
        self._run.work_queue.start(self._job(), self._activity.run, ctx,
                                   started, backend=self._run.backend_of(
                                       self._resource))
        return {'started': started}

    def revert(self, result=None, **kwargs):
        if result is None:
            # Never ran.
            return
        self._run.work_queue.settle(self._job())
        started = result.get('started') if isinstance(result, dict) else None
        _compensate(self._run, self.name, self._resource, result,
                    self._activity.revert,
                    self._run.activity_context(self._resource), started)


class SyncTask(task.Task):
    """Joins a resource's parallel work, then runs its sync activity.

    :param dependencies: the resources whose sync tasks must finish first:
        the nearest descendants that have work.
    """

    def __init__(self, run, resource, work, dependencies):
        name = sync_name(resource)
        requires = [sync_name(dep) for dep in dependencies]
        if work.parallel is not None:
            requires.append(parallel_name(resource))
        super().__init__(name=name, provides=name, requires=requires)
        # Its revert needs its own result only. Taskflow would fetch the
        # results it requires too, which are gone once their tasks are
        # reverted: a revert resumed after theirs could not start.
        self.revert_rebind = {}
        self._run = run
        self._resource = resource
        self._work = work
        self._dependencies = dependencies

    def execute(self, **inputs):
        children = {dep.key(): inputs[sync_name(dep)]['outcome']
                    for dep in self._dependencies}
        ctx = self._run.activity_context(self._resource, children=children)
        parallel = self._work.parallel
        if parallel is not None:
            started = inputs[parallel_name(self._resource)]['started']
            ctx.parallel_result = self._run.work_queue.join(
                (self._run.operation_id, self._resource.key()),
                parallel.run, ctx, started,
                backend=self._run.backend_of(self._resource))
        outcome = None
        if self._work.sync is not None:
            outcome = self._work.sync.execute(ctx)
        self._run.resource_completed(self._resource)
        return {'outcome': outcome}

    def revert(self, result=None, **kwargs):
        if self._work.sync is None or result is None:
            return
        outcome = result.get('outcome') if isinstance(result, dict) else None
        _compensate(self._run, self.name, self._resource, result,
                    self._work.sync.revert,
                    self._run.activity_context(self._resource), outcome)
