"""Smaug's configuration: one ConfigOpts, every option registered on import."""
from oslo_config import cfg

from smaug.conf import api
from smaug.conf import clients
from smaug.conf import operationengine
from smaug.conf import protection
from smaug.conf import quota
from smaug.conf import service
from smaug.conf import upgrade_levels

CONF = cfg.CONF

for _module in (api, service, clients, protection, operationengine, quota,
                upgrade_levels):
    _module.register_opts(CONF)
