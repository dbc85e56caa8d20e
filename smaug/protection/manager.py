"""The RPC endpoint of smaug-protection: operations in, records moved."""
import oslo_messaging as messaging

from smaug import manager
from smaug.conf import CONF
from smaug.protection import agent
from smaug.protection import operations


class ProtectionManager(manager.Manager):
    """Receives protection operations and hands them to their engines.

    The API writes each record in its pending state before casting its id
    here; see :class:`smaug.protection.rpcapi.ProtectionAPI` for the
    version history.
    """

    RPC_API_VERSION = '1.1'

    def __init__(self, host, conf=CONF, operation_registry=None):
        super().__init__(host, conf)
        self.operations = (operation_registry or
                           operations.OperationRegistry.load())

    def init_host(self):
        # The agent adopts what earlier agents left unfinished as soon as
        # the service runs, not when the first message comes.
        if self.operations.installed():
            agent.Agent.get()

    def cleanup_host(self):
        agent.Agent.stop_instance()

    @messaging.expose
    def protect(self, ctx, checkpoint_id):
        self.operations.dispatch(ctx, 'protect', checkpoint_id)

    @messaging.expose
    def restore(self, ctx, restore_id):
        self.operations.dispatch(ctx, 'restore', restore_id)

    @messaging.expose
    def delete_checkpoint(self, ctx, checkpoint_id):
        self.operations.dispatch(ctx, 'delete_checkpoint', checkpoint_id)

    @messaging.expose
    def verify(self, ctx, verification_id):
        self.operations.dispatch(ctx, 'verify', verification_id)

    @messaging.expose
    def copy(self, ctx, copy_id):
        self.operations.dispatch(ctx, 'copy', copy_id)

    @messaging.expose
    def get_agent_info(self, ctx, detail=False):
        """What this agent is and how much it can take on.

        :param detail: (1.1) also list the operations it has engines for.
        """
        info = {'host': self.host,
                'rpc_version': self.RPC_API_VERSION,
                'capacity': self.conf.protection.max_concurrent_operations}
        if detail:
            info['operations'] = self.operations.installed()
        return info
