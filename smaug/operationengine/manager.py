"""The RPC endpoint of smaug-operationengine."""
from oslo_log import log as logging
import oslo_messaging as messaging

from smaug import manager

LOG = logging.getLogger(__name__)


class OperationEngineManager(manager.Manager):
    """Hears about scheduled operations and triggers as the API changes them.

    The scheduler that fires triggers and runs the operations is not part
    of this service yet: until it is, each change is acknowledged in the
    log so an operator can see that nothing will fire. See
    :class:`smaug.operationengine.rpcapi.OperationEngineAPI` for the
    version history.
    """

    RPC_API_VERSION = '1.0'

    def _not_scheduled(self, what, ident, change):
        LOG.warning('%s %s %s, but no scheduler runs on %s: nothing will '
                    'fire.', what, ident, change, self.host)

    @messaging.expose
    def scheduled_operation_created(self, ctx, operation_id):
        self._not_scheduled('Scheduled operation', operation_id, 'created')

    @messaging.expose
    def scheduled_operation_deleted(self, ctx, operation_id):
        self._not_scheduled('Scheduled operation', operation_id, 'deleted')

    @messaging.expose
    def scheduled_operation_state_changed(self, ctx, operation_id, enabled):
        self._not_scheduled('Scheduled operation', operation_id,
                            'enabled' if enabled else 'disabled')

    @messaging.expose
    def trigger_changed(self, ctx, trigger_id):
        self._not_scheduled('Trigger', trigger_id, 'changed')

    @messaging.expose
    def trigger_deleted(self, ctx, trigger_id):
        self._not_scheduled('Trigger', trigger_id, 'deleted')

    @messaging.expose
    def get_engine_info(self, ctx):
        """What this engine is and the scheduling limits it enforces."""
        limits = self.conf.operationengine
        return {'host': self.host,
                'rpc_version': self.RPC_API_VERSION,
                'min_interval': limits.min_interval,
                'min_window_time': limits.min_window_time,
                'max_window_time': limits.max_window_time}
