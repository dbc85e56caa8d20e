"""Options of the smaug-protection agents and their providers."""
from oslo_config import cfg

protection_group = cfg.OptGroup('protection', title='Protection agents')

protection_opts = [
    cfg.StrOpt('provider_config_dir', default='providers.d',
               help='Directory of provider definition files (*.conf), '
                    'absolute or relative to the configuration file.'),
    cfg.IntOpt('max_concurrent_operations', default=4, min=1,
               help='Operations one agent runs at the same time.'),
]


def register_opts(conf):
    conf.register_group(protection_group)
    conf.register_opts(protection_opts, group=protection_group)


def list_opts():
    return {protection_group: protection_opts}
