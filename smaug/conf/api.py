"""Options of the REST API process."""
from oslo_config import cfg

api_group = cfg.OptGroup('api', title='REST API options')

api_opts = [
    cfg.HostAddressOpt('bind_host', default='0.0.0.0',
                       help='Address the standalone smaug-api server listens '
                            'on.'),
    cfg.PortOpt('bind_port', default=8799,
                help='Port the standalone smaug-api server listens on.'),
    cfg.IntOpt('threads', default=16, min=1,
               help='Worker threads of the standalone smaug-api server; '
                    'each serves one request at a time.'),
    cfg.StrOpt('api_paste_config', default='api-paste.ini',
               help='The paste deployment file of the API pipeline, '
                    'absolute or relative to the configuration file.'),
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', 'keystonemiddleware auth_token'),
                        ('noauth', 'identity taken from X-* headers; for '
                                   'single-node demos and tests only')],
               help='How API requests are authenticated; selects the '
                    'paste pipeline.'),
    cfg.IntOpt('backlog', default=128, min=1,
               help='Connections the standalone server queues while every '
                    'thread is busy; beyond it clients are refused.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='The most items a list request returns in one page.'),
    cfg.StrOpt('public_endpoint',
               help='Base URL advertised in version discovery and links; '
                    'the request host URL when unset.'),
]


def register_opts(conf):
    conf.register_group(api_group)
    conf.register_opts(api_opts, group=api_group)


def list_opts():
    return {api_group: api_opts}
