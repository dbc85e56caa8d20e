"""How Smaug reaches OpenStack services: its own credentials, endpoints,
client versions and how long it waits for asynchronous work."""
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

SERVICE_CREDENTIALS = 'service_credentials'

clients_group = cfg.OptGroup(
    'clients', title='OpenStack clients',
    help='Endpoints, API versions and waits of the clients plugins use.')

clients_opts = [
    cfg.StrOpt('interface', default='public',
               choices=['public', 'internal', 'admin'],
               help='Catalog interface of the endpoints plugins call.'),
    cfg.StrOpt('region_name',
               help='Region of the endpoints plugins call; any when unset.'),
    cfg.StrOpt('compute_api_version', default='2.60',
               help='Nova API microversion the Nova plugins ask for.'),
    cfg.StrOpt('block_storage_api_version', default='3.60',
               help='Cinder API microversion the Cinder plugins ask for.'),
    cfg.FloatOpt('wait_timeout', default=3600.0, min=1.0,
                 help='Longest wait, in seconds, for one asynchronous '
                      'OpenStack action (a backup, an upload, a boot) '
                      'before the activity fails with a timeout.'),
    cfg.FloatOpt('wait_interval', default=1.0, min=0.05,
                 help='First pause, in seconds, between two status polls '
                      'of an asynchronous action; it doubles up to '
                      'max_wait_interval.'),
    cfg.FloatOpt('max_wait_interval', default=15.0, min=0.05,
                 help='Longest pause, in seconds, between two status '
                      'polls.'),
    cfg.IntOpt('list_page_size', default=1000, min=1,
               help='Items asked for per request when Smaug lists a '
                    'project\'s servers, volumes or images; pages are '
                    'followed to the end whatever the size.'),
]


def register_opts(conf):
    conf.register_group(clients_group)
    conf.register_opts(clients_opts, group=clients_group)
    ks_loading.register_auth_conf_options(conf, SERVICE_CREDENTIALS)
    ks_loading.register_session_conf_options(conf, SERVICE_CREDENTIALS)


def list_opts():
    credentials = (ks_loading.get_session_conf_options() +
                   ks_loading.get_auth_common_conf_options() +
                   ks_loading.get_auth_plugin_conf_options('password'))
    return {clients_group: clients_opts,
            SERVICE_CREDENTIALS: credentials}
