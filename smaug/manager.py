"""Base of the managers: the objects a service's RPC server dispatches to."""
import oslo_messaging as messaging
from oslo_service import periodic_task

from smaug.conf import CONF


class Manager(periodic_task.PeriodicTasks):
    """The RPC endpoint and periodic tasks of one service.

    A subclass sets ``RPC_API_VERSION``, the newest version it answers, and
    marks its RPC methods with ``oslo_messaging.expose``: the server only
    dispatches to exposed methods, so everything else here stays off the
    bus. Methods decorated with ``oslo_service.periodic_task.periodic_task``
    run from the owning service every ``periodic_interval`` seconds.
    """

    RPC_API_VERSION = None

    def __init__(self, host, conf=CONF):
        super().__init__(conf)
        self.host = host
        self.target = messaging.Target(version=self.RPC_API_VERSION)

    def init_host(self):
        """Start what the manager runs besides its endpoints (in the
        worker process, before the RPC server takes messages)."""

    def cleanup_host(self):
        """Stop what :meth:`init_host` started."""
