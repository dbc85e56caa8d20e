"""Options of the smaug-operationengine scheduler."""
from oslo_config import cfg

operationengine_group = cfg.OptGroup('operationengine',
                                     title='Operation engine')

operationengine_opts = [
    cfg.IntOpt('min_interval', default=3600, min=1,
               help='Shortest time in seconds allowed between two fire '
                    'times of a trigger.'),
    cfg.IntOpt('min_window_time', default=900, min=1,
               help='Shortest execution window of a time trigger, in '
                    'seconds.'),
    cfg.IntOpt('max_window_time', default=1800, min=1,
               help='Longest execution window of a time trigger, in '
                    'seconds.'),
]


def register_opts(conf):
    conf.register_group(operationengine_group)
    conf.register_opts(operationengine_opts, group=operationengine_group)


def list_opts():
    return {operationengine_group: operationengine_opts}
