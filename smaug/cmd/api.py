"""smaug-api: the REST API on its own threaded HTTP server."""
import sys

from smaug import config
from smaug import rpc
from smaug import service
from smaug.conf import CONF


def main():
    config.parse_args(sys.argv[1:])
    rpc.init(CONF)
    sys.exit(service.launch(CONF, service.WSGIService(CONF)))


if __name__ == '__main__':
    main()
