"""Options shared by every Smaug service process."""
import socket

from oslo_config import cfg

service_opts = [
    cfg.StrOpt('host', default=socket.gethostname(), sample_default='<host>',
               help='Name of this node, used in the services table and as '
                    'the owner of claimed operations.'),
    cfg.IntOpt('report_interval', default=10, min=1,
               help='Seconds between heartbeats written to the services '
                    'table.'),
    cfg.IntOpt('service_down_time', default=60, min=1,
               help='Seconds without a heartbeat after which a service is '
                    'reported down.'),
    cfg.IntOpt('periodic_interval', default=60, min=1,
               help='Seconds between runs of a service\'s periodic tasks.'),
    cfg.StrOpt('state_path', default='/var/lib/smaug',
               help='Directory where Smaug keeps local state.'),
]


def register_opts(conf):
    conf.register_opts(service_opts)


def list_opts():
    return {'DEFAULT': service_opts}
