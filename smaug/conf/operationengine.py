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
    cfg.IntOpt('workers', default=8, min=1,
               help='Scheduled runs one engine executes at the same time. '
                    'An engine claims a fire time only when one of these '
                    'threads is free, so busy engines leave work to idle '
                    'ones; a fire time no engine could start within its '
                    'trigger\'s window is recorded as dropped.'),
    cfg.FloatOpt('poll_interval', default=10.0, min=0.1,
                 help='Seconds between two reads of the enabled scheduled '
                      'operations and their triggers from the database. '
                      'The API wakes an engine at once over RPC; the poll '
                      'makes changes reach every engine even without it, '
                      'and bounds how long a dead engine\'s unfinished '
                      'runs wait, together with service_down_time.'),
    cfg.StrOpt('clock', default='system',
               help='The clock fire times are compared with: "system", or '
                    '"offset-file:<path>" for the system clock shifted by '
                    'the number of seconds (a decimal number) written in '
                    'that file, re-read when the file changes. The second '
                    'is for rehearsing schedules that fire hours or days '
                    'apart, and for tests; every engine of a deployment '
                    'must use the same clock.'),
    cfg.IntOpt('retention_wait_timeout', default=3600, min=1,
               help='How long in seconds a retention_protect run waits for '
                    'its checkpoint to become available before it gives up '
                    'and prunes nothing.'),
    cfg.FloatOpt('retention_poll_interval', default=5.0, min=0.05,
                 help='Seconds between two reads of the checkpoint a '
                      'retention_protect run waits for.'),
]


def register_opts(conf):
    conf.register_group(operationengine_group)
    conf.register_opts(operationengine_opts, group=operationengine_group)


def list_opts():
    return {operationengine_group: operationengine_opts}
