"""smaug-operationengine: the service that runs scheduled operations."""
import sys

from smaug import config
from smaug import rpc
from smaug import service
from smaug.conf import CONF
from smaug.operationengine import manager
from smaug.operationengine import rpcapi

BINARY = rpcapi.OperationEngineAPI.BINARY


def main():
    config.parse_args(sys.argv[1:])
    rpc.init(CONF)
    server = service.Service(CONF.host, BINARY, BINARY,
                             manager.OperationEngineManager(CONF.host))
    sys.exit(service.launch(CONF, server))


if __name__ == '__main__':
    main()
