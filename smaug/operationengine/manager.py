"""The RPC endpoint of smaug-operationengine."""
from oslo_log import log as logging
import oslo_messaging as messaging

from smaug import manager
from smaug.conf import CONF
from smaug.operationengine import scheduler as scheduler_module

LOG = logging.getLogger(__name__)

# How long a stopping engine waits for its runs in hand; one still going
# then is adopted by another engine, or by this host's next life.
STOP_WAIT = 10


class OperationEngineManager(manager.Manager):
    """Runs the engine's scheduler and wakes it when the API changes what
    it fires.

    A wake-up makes a change apply at once; the scheduler also polls the
    database, so a lost message only delays it. See
    :class:`smaug.operationengine.rpcapi.OperationEngineAPI` for the
    version history.
    """

    RPC_API_VERSION = '1.0'

    def __init__(self, host, conf=CONF, scheduler=None):
        """:param scheduler: the scheduler to run; one of this host's by
        default, built when the service starts."""
        super().__init__(host, conf)
        self.scheduler = scheduler

    def init_host(self):
        if self.scheduler is None:
            self.scheduler = scheduler_module.Scheduler(self.host, self.conf)
        self.scheduler.start()

    def cleanup_host(self):
        if self.scheduler is not None:
            self.scheduler.stop(STOP_WAIT)

    def _wake(self, what, ident, change):
        LOG.debug('%s %s %s: reading the schedule again.', what, ident,
                  change)
        if self.scheduler is not None:
            self.scheduler.wake()

    @messaging.expose
    def scheduled_operation_created(self, ctx, operation_id):
        self._wake('Scheduled operation', operation_id, 'created')

    @messaging.expose
    def scheduled_operation_deleted(self, ctx, operation_id):
        self._wake('Scheduled operation', operation_id, 'deleted')

    @messaging.expose
    def scheduled_operation_state_changed(self, ctx, operation_id, enabled):
        self._wake('Scheduled operation', operation_id,
                   'enabled' if enabled else 'disabled')

    @messaging.expose
    def trigger_changed(self, ctx, trigger_id):
        self._wake('Trigger', trigger_id, 'changed')

    @messaging.expose
    def trigger_deleted(self, ctx, trigger_id):
        self._wake('Trigger', trigger_id, 'deleted')

    @messaging.expose
    def get_engine_info(self, ctx):
        """What this engine is and the scheduling limits it enforces."""
        limits = self.conf.operationengine
        return {'host': self.host,
                'rpc_version': self.RPC_API_VERSION,
                'min_interval': limits.min_interval,
                'min_window_time': limits.min_window_time,
                'max_window_time': limits.max_window_time}
