"""Entry points for oslo-config-generator."""
from oslo_db import options as db_options
from oslo_log import log as logging
import oslo_messaging as messaging

from smaug.conf import api
from smaug.conf import clients
from smaug.conf import operationengine
from smaug.conf import protection
from smaug.conf import quota
from smaug.conf import service
from smaug.conf import upgrade_levels

_MODULES = (service, api, clients, protection, operationengine, quota,
            upgrade_levels)


def list_opts():
    """Every option of Smaug, grouped, for the sample configuration."""
    grouped = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            grouped.setdefault(group, []).extend(opts)
    return list(grouped.items())


def set_defaults(conf=None):
    """Defaults that differ from the libraries' own."""
    from oslo_config import cfg
    conf = conf or cfg.CONF
    db_options.set_defaults(conf, connection='sqlite:///smaug.sqlite')
    # oslo.messaging owns [DEFAULT] control_exchange; Smaug only names it.
    messaging.set_transport_defaults(control_exchange='smaug')
    logging.set_defaults(default_log_levels=logging.get_default_log_levels() +
                         ['taskflow=WARN', 'stevedore=WARN'])
