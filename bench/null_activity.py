"""A protection plugin whose activities do nothing, for the benchmarks.

Every synthetic resource gets both a parallel and a sync activity, and
neither does any work: a flow of this plugin costs only what the
orchestration costs (tasks, the work queue, persistence, the records).
It is published to the benchmark's processes as the entry point
``smaug.protections: null-activity``.
"""
from smaug.protection import activity
from smaug.protection import plugin
from smaug.tests.plugins import synthetic


class NullParallel(activity.ParallelActivity):
    def run(self, ctx, started):
        return None


class NullSync(activity.SyncActivity):
    def execute(self, ctx):
        return None


def null_work():
    return activity.ResourceWork(parallel=NullParallel(), sync=NullSync())


class NullActivityPlugin(plugin.ProtectionPlugin):
    supported_resource_types = (synthetic.NODE,)

    def get_protect_work(self, resource):
        return null_work()

    def get_restore_work(self, resource):
        return null_work()

    def get_delete_work(self, resource):
        return null_work()

    def get_verify_work(self, resource):
        return null_work()
