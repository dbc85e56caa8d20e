"""A protection plugin that records what it does, for engine tests.

Every activity appends a line to a journal file (JSON lines; appends are
atomic, so several agent processes may share one journal): when it started
and ended, for which operation and resource. ``run`` of a protect
"creates an artifact" (a journal entry tagged with the operation id) and
revert or delete "removes" it, so a test can tell whether anything was
left behind. A protect saves ``metadata`` in the resource's bank section; a
restore reads it back, and fails without it; a copy reads it in the copy's
section (the engine copied it there) and adds ``copy`` next to it.
Failures and delays are injected from the provider file:

    [recording_plugin]
    journal = /path/to/journal
    fail_resource = <resource id>      # raise in ...
    fail_operation = protect           # ... this operation's (a kind name:
                                       # protect, restore, verify,
                                       # delete_checkpoint, copy_checkpoint)
    fail_phase = run                   # ... start, run or sync step
    refuse_revert_resource = <id>      # its protect revert is refused as
                                       # OpenStack refuses a stale token
    fail_revert_resource = <id>        # its protect revert raises a plain
    fail_revert_times = 0              # error this many times per
                                       # operation (0: every time)
    delay = 0.0                        # seconds each activity sleeps
    revert_delay = 0.0                 # seconds each protect or copy
                                       # revert sleeps before it removes

``RecordingPlugin`` declares the ``copy`` capability;
``PlainRecordingPlugin`` is the same without it.
"""
import json
import os
import threading
import time

from oslo_config import cfg

from smaug.protection import activity
from smaug.protection import plugin
from smaug.tests.plugins import synthetic

OPTIONS = [
    cfg.StrOpt('journal', help='File the activities append to.'),
    cfg.StrOpt('fail_resource', help='Resource id whose step fails.'),
    cfg.StrOpt('fail_operation', default='protect',
               help='Operation in which it fails.'),
    cfg.StrOpt('fail_phase', default='run',
               help='start, run or sync.'),
    cfg.StrOpt('refuse_revert_resource',
               help='Resource id whose protect revert gets a 401.'),
    cfg.StrOpt('fail_revert_resource',
               help='Resource id whose protect revert raises an error.'),
    cfg.IntOpt('fail_revert_times', default=0, min=0,
               help='Times it raises per operation, counted in the '
                    'journal (so across agents); 0: every time.'),
    cfg.FloatOpt('delay', default=0.0, help='Seconds each step sleeps.'),
    cfg.FloatOpt('revert_delay', default=0.0,
                 help='Seconds each revert that removes sleeps first.'),
]

_WRITE_LOCK = threading.Lock()


class InjectedFailure(Exception):
    pass


class RevertFailure(Exception):
    """As a service that answers 500."""


class Refused(Exception):
    """As a client library reports a 401."""

    http_status = 401


class Journal:
    def __init__(self, path):
        self.path = path

    def write(self, **entry):
        entry['time'] = time.time()
        entry['pid'] = os.getpid()
        line = (json.dumps(entry, sort_keys=True) + '\n').encode()
        with _WRITE_LOCK:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def read(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path) as f:
            return [json.loads(line) for line in f if line.strip()]


class _Step:
    def __init__(self, options, journal):
        self.options = options
        self.journal = journal

    def _record(self, ctx, phase, event, **extra):
        self.journal.write(operation=ctx.operation,
                           operation_id=ctx.operation_id,
                           resource=ctx.resource.id, phase=phase,
                           event=event, **extra)

    def _step(self, ctx, phase):
        self._record(ctx, phase, 'begin')
        if self.options.delay:
            time.sleep(self.options.delay)
        if (self.options.fail_resource == ctx.resource.id and
                self.options.fail_operation == ctx.operation and
                self.options.fail_phase == phase):
            self._record(ctx, phase, 'fail')
            raise InjectedFailure('injected failure in %s of %s'
                                  % (phase, ctx.resource.id))


class RecordingParallel(_Step, activity.ParallelActivity):
    def start(self, ctx):
        self._step(ctx, 'start')
        self._record(ctx, 'start', 'end')
        return {'resource': ctx.resource.id}

    def run(self, ctx, started):
        self._step(ctx, 'run')
        ctx.progress(1, 1)
        if ctx.operation == 'protect':
            self._record(ctx, 'run', 'created')
            ctx.bank.put_json('metadata', {'resource': ctx.resource.id})
        elif ctx.operation == 'copy_checkpoint':
            saved = ctx.bank.get_json('metadata')
            self._record(ctx, 'run', 'created', saved=saved)
            ctx.bank.put_json('copy', {'resource': ctx.resource.id,
                                       'copy': ctx.operation_id})
        elif ctx.operation == 'restore':
            self._record(ctx, 'run', 'read',
                         saved=ctx.bank.get_json('metadata'))
        elif ctx.operation == 'delete_checkpoint':
            self._record(ctx, 'run', 'deleted')
        self._record(ctx, 'run', 'end')
        return {'resource': ctx.resource.id}

    def revert(self, ctx, started):
        if ctx.operation not in ('protect', 'copy_checkpoint'):
            return
        time.sleep(self.options.revert_delay)
        if (ctx.operation == 'protect' and
                self.options.refuse_revert_resource == ctx.resource.id):
            self._record(ctx, 'revert', 'refused')
            raise Refused('the token is not accepted')
        if ctx.operation == 'protect' and self._revert_fails(ctx):
            self._record(ctx, 'revert', 'fail')
            raise RevertFailure('the service answered 500')
        self._record(ctx, 'revert', 'deleted')

    def _revert_fails(self, ctx):
        if self.options.fail_revert_resource != ctx.resource.id:
            return False
        times = self.options.fail_revert_times
        if not times:
            return True
        failed = [entry for entry in self.journal.read()
                  if entry['operation_id'] == ctx.operation_id and
                  entry['resource'] == ctx.resource.id and
                  entry['phase'] == 'revert' and entry['event'] == 'fail']
        return len(failed) < times


class RecordingSync(_Step, activity.SyncActivity):
    def execute(self, ctx):
        self._step(ctx, 'sync')
        self._record(ctx, 'sync', 'end', children=sorted(ctx.children),
                     parallel=ctx.parallel_result)
        return {'new_id': 'new-' + ctx.resource.id}

    def revert(self, ctx, result):
        self._record(ctx, 'sync-revert', 'end')


class RecordingPlugin(plugin.ProtectionPlugin):
    supported_resource_types = (synthetic.NODE,)
    capabilities = frozenset({plugin.Capability.COPY})

    def __init__(self, config=None):
        super().__init__(config)
        config.register_opts(OPTIONS, group='recording_plugin')
        self.options = config.recording_plugin
        self.journal = Journal(self.options.journal)

    def _work(self):
        return activity.ResourceWork(
            parallel=RecordingParallel(self.options, self.journal),
            sync=RecordingSync(self.options, self.journal))

    def get_protect_work(self, resource):
        return self._work()

    def get_restore_work(self, resource):
        return self._work()

    def get_delete_work(self, resource):
        return self._work()

    def get_verify_work(self, resource):
        return self._work()

    def get_copy_work(self, resource):
        return self._work()


class PlainRecordingPlugin(RecordingPlugin):
    """Records like RecordingPlugin, but cannot copy."""

    capabilities = frozenset()
