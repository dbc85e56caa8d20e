"""Default per-project quotas and the reservation engine's settings."""
from oslo_config import cfg

quota_group = cfg.OptGroup('quota', title='Quotas')

quota_opts = [
    cfg.IntOpt('plans', default=50, min=-1,
               help='Default number of plans a project may own; -1 means '
                    'unlimited.'),
    cfg.IntOpt('checkpoints', default=-1, min=-1,
               help='Default number of checkpoints a project may own; -1 '
                    'means unlimited.'),
    cfg.IntOpt('reservation_expire', default=86400, min=1,
               help='Seconds until an uncommitted reservation expires.'),
    cfg.IntOpt('until_refresh', default=0, min=0,
               help='Reservations after which usage is recounted from the '
                    'records; 0 disables.'),
    cfg.IntOpt('max_age', default=0, min=0,
               help='Seconds after which usage is recounted from the '
                    'records; 0 disables.'),
]


def register_opts(conf):
    conf.register_group(quota_group)
    conf.register_opts(quota_opts, group=quota_group)


def list_opts():
    return {quota_group: quota_opts}
