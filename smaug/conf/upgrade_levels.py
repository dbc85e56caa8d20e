"""Caps on the RPC API versions sent to each service, for rolling upgrades."""
from oslo_config import cfg

upgrade_levels_group = cfg.OptGroup(
    'upgrade_levels', title='RPC version caps',
    help='During a rolling upgrade, new code must not send messages that '
         'services still running the old code cannot read. By default a '
         'client caps itself at the lowest RPC version recorded by the live '
         'services of its target in the services table; these options pin '
         'the cap instead.')

_VERSION = r'^\d+\.\d+$'

upgrade_levels_opts = [
    cfg.StrOpt('protection', regex=_VERSION,
               help='Newest RPC API version (such as 1.0) sent to '
                    'smaug-protection agents. Unset: negotiate from the '
                    'services table.'),
    cfg.StrOpt('operationengine', regex=_VERSION,
               help='Newest RPC API version (such as 1.0) sent to '
                    'smaug-operationengine services. Unset: negotiate from '
                    'the services table.'),
]


def register_opts(conf):
    conf.register_group(upgrade_levels_group)
    conf.register_opts(upgrade_levels_opts, group=upgrade_levels_group)


def list_opts():
    return {upgrade_levels_group: upgrade_levels_opts}
