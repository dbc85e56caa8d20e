"""The client side of the smaug-protection RPC API."""
from smaug import rpc


class ProtectionAPI(rpc.RPCAPI):
    """Talks to the smaug-protection agents.

    Operations are casts carrying only an id: the caller has already
    written the record in its pending state, and the agent moves it on.

    API version history:

    * 1.0 - protect, restore, delete_checkpoint, verify and copy casts;
      get_agent_info call.
    * 1.1 - get_agent_info takes ``detail``, adding the operations the
      agent has engines for.
    """

    BINARY = 'smaug-protection'
    UPGRADE_LEVEL = 'protection'
    RPC_API_VERSION = '1.1'

    def _cast(self, ctx, method, **kwargs):
        self.client.prepare(version='1.0').cast(ctx, method, **kwargs)

    def protect(self, ctx, checkpoint_id):
        self._cast(ctx, 'protect', checkpoint_id=checkpoint_id)

    def restore(self, ctx, restore_id):
        self._cast(ctx, 'restore', restore_id=restore_id)

    def delete_checkpoint(self, ctx, checkpoint_id):
        self._cast(ctx, 'delete_checkpoint', checkpoint_id=checkpoint_id)

    def verify(self, ctx, verification_id):
        self._cast(ctx, 'verify', verification_id=verification_id)

    def copy(self, ctx, copy_id):
        self._cast(ctx, 'copy', copy_id=copy_id)

    def get_agent_info(self, ctx, host=None, detail=False):
        """Ask one agent about itself.

        :param host: the agent to ask; any agent when None.
        :param detail: include the operations it has engines for; agents
            older than 1.1 cannot tell, and their answer lacks the key.
        :returns: a dict with host, rpc_version, capacity and, with
            ``detail``, operations.
        """
        kwargs = {}
        version = '1.0'
        if detail and self.client.can_send_version('1.1'):
            version = '1.1'
            kwargs['detail'] = True
        cctxt = self.client.prepare(server=host, version=version)
        return cctxt.call(ctx, 'get_agent_info', **kwargs)
