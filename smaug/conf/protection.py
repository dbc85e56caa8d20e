"""Options of the smaug-protection agents and their providers."""
from oslo_config import cfg

protection_group = cfg.OptGroup('protection', title='Protection agents')

protection_opts = [
    cfg.StrOpt('provider_config_dir', default='providers.d',
               help='Directory of provider definition files (*.conf), '
                    'absolute or relative to the configuration file.'),
    cfg.IntOpt('max_concurrent_operations', default=4, min=1,
               help='Operations one agent runs at the same time; more wait '
                    'in its queue, or are taken by idle agents.'),
    cfg.IntOpt('flow_workers', default=8, min=1,
               help='Threads that run the tasks of one operation\'s flow.'),
    cfg.IntOpt('work_concurrency', default=8, min=1,
               help='Heavy jobs (copies, waits on OpenStack) one agent '
                    'runs at the same time, across its operations.'),
    cfg.DictOpt('backend_concurrency', default={},
                help='Per-backend limits within work_concurrency, e.g. '
                     'cinder:4,glance:2; a backend not named shares the '
                     'global limit.'),
    cfg.IntOpt('lease_seconds', default=60, min=2,
               help='How long an agent\'s claim on an operation lasts '
                    'without renewal; an agent that dies loses its '
                    'operations to others after this long.'),
    cfg.FloatOpt('progress_interval', default=2.0, min=0.1,
                 help='Seconds between writes of a running operation\'s '
                      'per-resource progress to its record (they renew '
                      'its lease too).'),
    cfg.IntOpt('orphan_scan_interval', default=10, min=1,
               help='Seconds between scans for operations nobody works '
                    'on: expired claims, and casts no agent received.'),
    cfg.IntOpt('unclaimed_grace_seconds', default=30, min=1,
               help='How old an operation that no agent has claimed must '
                    'be before any agent may take it from the scan.'),
]


def register_opts(conf):
    conf.register_group(protection_group)
    conf.register_opts(protection_opts, group=protection_group)


def list_opts():
    return {protection_group: protection_opts}
