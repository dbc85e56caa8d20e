"""smaug-all-in-one: the API, an agent and an operation engine in one process.

For one node, a demonstration or a developer's desk, it needs nothing else
running. Unless the configuration says otherwise, messages travel on
oslo.messaging's in-process ``fake://`` transport, the database is SQLite
under the state directory (``./state``), migrated to the newest schema at
every start, and the API takes identities from X-* headers (``noauth``)
and listens on 127.0.0.1 only.
"""
import os
import sys

from oslo_log import log as logging
import oslo_messaging as messaging

from smaug import config
from smaug import rpc
from smaug import service
from smaug.conf import CONF
from smaug.db import migration
from smaug.operationengine import manager as operationengine_manager
from smaug.operationengine import rpcapi as operationengine_rpcapi
from smaug.protection import manager as protection_manager
from smaug.protection import rpcapi as protection_rpcapi

LOG = logging.getLogger(__name__)

IN_PROCESS_TRANSPORT = 'fake://'


class AllInOne(service.CombinedService):
    """The three services, announcing the API's address once it listens."""

    def __init__(self, host, conf):
        self.api = service.WSGIService(conf)
        protection = protection_rpcapi.ProtectionAPI.BINARY
        operationengine = operationengine_rpcapi.OperationEngineAPI.BINARY
        super().__init__([
            service.Service(
                host, protection, protection,
                protection_manager.ProtectionManager(host, conf), conf),
            service.Service(
                host, operationengine, operationengine,
                operationengine_manager.OperationEngineManager(host, conf),
                conf),
            self.api,
        ])

    def start(self):
        super().start()
        print('Smaug API: %s' % self.api.url, flush=True)


def _set_single_node_defaults(conf):
    """Defaults that make one process a whole deployment; files still win."""
    conf.set_default('state_path', os.path.abspath('state'))
    conf.set_default('bind_host', '127.0.0.1', group='api')
    conf.set_default('auth_strategy', 'noauth', group='api')


def _set_state_defaults(conf):
    """Defaults that depend on the parsed state directory."""
    database = os.path.join(conf.state_path, 'smaug.sqlite')
    conf.set_default('connection', 'sqlite:///' + database, group='database')
    # oslo.messaging registers its options when it first reads a URL.
    messaging.TransportURL.parse(conf)
    conf.set_default('transport_url', IN_PROCESS_TRANSPORT)


def main():
    _set_single_node_defaults(CONF)
    config.parse_args(sys.argv[1:])
    _set_state_defaults(CONF)
    os.makedirs(CONF.state_path, exist_ok=True)
    migration.upgrade('head')
    if CONF.transport_url == IN_PROCESS_TRANSPORT:
        LOG.info('Messages stay inside this process (%s).',
                 IN_PROCESS_TRANSPORT)
    if CONF.api.auth_strategy == 'noauth':
        LOG.warning('The API trusts the identity in X-* headers '
                    '([api] auth_strategy = noauth).')
        # Requests carry no Keystone token or catalog, so nothing in
        # OpenStack can be discovered: only the caller's project.
        CONF.set_default('protectables', ['project'], group='protection')
    rpc.init(CONF)
    sys.exit(service.launch(CONF, AllInOne(CONF.host, CONF)))


if __name__ == '__main__':
    main()
