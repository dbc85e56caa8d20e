"""The client side of the smaug-operationengine RPC API."""
from smaug import rpc


class OperationEngineAPI(rpc.RPCAPI):
    """Tells the operation engines what the API changed.

    Scheduled-operation changes go to one engine: ``host`` names the engine
    that owns the operation, any engine takes a new one. Trigger changes
    are fanned out, since every engine may run operations of a trigger.

    API version history:

    * 1.0 - scheduled_operation_created, scheduled_operation_deleted,
      scheduled_operation_state_changed casts; trigger_changed and
      trigger_deleted fanout casts; get_engine_info call.
    """

    BINARY = 'smaug-operationengine'
    UPGRADE_LEVEL = 'operationengine'
    RPC_API_VERSION = '1.0'

    def scheduled_operation_created(self, ctx, operation_id, host=None):
        cctxt = self.client.prepare(server=host, version='1.0')
        cctxt.cast(ctx, 'scheduled_operation_created',
                   operation_id=operation_id)

    def scheduled_operation_deleted(self, ctx, operation_id, host=None):
        cctxt = self.client.prepare(server=host, version='1.0')
        cctxt.cast(ctx, 'scheduled_operation_deleted',
                   operation_id=operation_id)

    def scheduled_operation_state_changed(self, ctx, operation_id, enabled,
                                          host=None):
        cctxt = self.client.prepare(server=host, version='1.0')
        cctxt.cast(ctx, 'scheduled_operation_state_changed',
                   operation_id=operation_id, enabled=enabled)

    def trigger_changed(self, ctx, trigger_id):
        cctxt = self.client.prepare(fanout=True, version='1.0')
        cctxt.cast(ctx, 'trigger_changed', trigger_id=trigger_id)

    def trigger_deleted(self, ctx, trigger_id):
        cctxt = self.client.prepare(fanout=True, version='1.0')
        cctxt.cast(ctx, 'trigger_deleted', trigger_id=trigger_id)

    def get_engine_info(self, ctx, host=None):
        """Ask one engine about itself.

        :param host: the engine to ask; any engine when None.
        :returns: a dict with host, rpc_version and the scheduling limits
            min_interval, min_window_time and max_window_time.
        """
        cctxt = self.client.prepare(server=host, version='1.0')
        return cctxt.call(ctx, 'get_engine_info')
