"""smaug-protection: the agent that carries out protection operations."""
import sys

from smaug import config
from smaug import rpc
from smaug import service
from smaug.conf import CONF
from smaug.protection import manager
from smaug.protection import rpcapi

BINARY = rpcapi.ProtectionAPI.BINARY


def main():
    config.parse_args(sys.argv[1:])
    rpc.init(CONF)
    server = service.Service(CONF.host, BINARY, BINARY,
                             manager.ProtectionManager(CONF.host))
    sys.exit(service.launch(CONF, server))


if __name__ == '__main__':
    main()
