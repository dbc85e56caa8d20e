"""keystoneauth sessions that act as a user and survive token expiry.

A plugin works for the user who created the operation: the session sends
that user's token (kept in the operation's context) and looks endpoints up
in that user's service catalog. Every request also carries Smaug's own
service token (``[service_credentials]``): services then accept the user's
token after it expires, so a restore that outlives the token's lifetime
still finishes.
"""
import threading

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import plugin
from keystoneauth1 import service_token
from keystoneauth1.access import service_catalog
from keystoneauth1.identity import v3
from oslo_config import cfg

from smaug import exception
from smaug.conf import clients as clients_conf

CONF = cfg.CONF


class ContextAuth(plugin.BaseAuthPlugin):
    """The token and catalog of a RequestContext, as an auth plugin."""

    def __init__(self, context):
        super().__init__()
        if not context.auth_token:
            raise exception.OpenStackAccessUnavailable(
                who=context.user_id or 'an unknown user',
                reason='the request carries no Keystone token (OpenStack '
                       'plugins need [api] auth_strategy = keystone)')
        if not context.service_catalog:
            raise exception.OpenStackAccessUnavailable(
                who=context.user_id,
                reason='the request carries no service catalog (enable '
                       'include_service_catalog in [keystone_authtoken])')
        self._context = context
        self._catalog = _catalog(context.service_catalog)

    def get_token(self, session, **kwargs):
        return self._context.auth_token

    def get_endpoint(self, session, service_type=None, interface=None,
                     region_name=None, service_name=None, **kwargs):
        try:
            return self._catalog.url_for(
                service_type=service_type, service_name=service_name,
                interface=interface or CONF.clients.interface,
                region_name=region_name or CONF.clients.region_name)
        except ks_exceptions.EndpointNotFound as error:
            raise exception.OpenStackAccessUnavailable(
                who=self._context.user_id,
                reason='no %s endpoint in the catalog (%s)'
                       % (service_type, error))

    def get_user_id(self, session, **kwargs):
        return self._context.user_id

    def get_project_id(self, session, **kwargs):
        return self._context.project_id


def _catalog(entries):
    """The catalog in either layout: identity v2, as keystonemiddleware
    passes it on, or v3, as a token holds it."""
    endpoints = [endpoint for entry in entries
                 for endpoint in entry.get('endpoints', ())]
    if any('interface' in endpoint for endpoint in endpoints):
        return service_catalog.ServiceCatalogV3(entries)
    return service_catalog.ServiceCatalogV2(entries)


_SERVICE_AUTH_LOCK = threading.Lock()
_service_auth_plugin = {}


def _service_auth():
    """Smaug's own credentials, or None when none are configured.

    One plugin per process: it keeps Smaug's token and renews it when it
    nears expiry, so sessions do not each ask Keystone for a new one.
    """
    with _SERVICE_AUTH_LOCK:
        if 'plugin' not in _service_auth_plugin:
            _service_auth_plugin['plugin'] = (
                ks_loading.load_auth_from_conf_options(
                    CONF, clients_conf.SERVICE_CREDENTIALS))
        return _service_auth_plugin['plugin']


def reset_service_auth():
    """Forget the service plugin (after [service_credentials] changed)."""
    with _SERVICE_AUTH_LOCK:
        _service_auth_plugin.clear()


def _session(user_auth):
    service_auth = _service_auth()
    auth = (user_auth if service_auth is None else
            service_token.ServiceTokenAuthWrapper(user_auth, service_auth))
    return ks_loading.load_session_from_conf_options(
        CONF, clients_conf.SERVICE_CREDENTIALS, auth=auth)


def session_for(context):
    """A session acting as the user of ``context``.

    :raises OpenStackAccessUnavailable: when the context has no token or
        no catalog (a noauth deployment cannot reach OpenStack).
    """
    return _session(ContextAuth(context))


def session_for_credentials(auth_url, username, password, project_id=None,
                            project_name=None, user_domain_id='default',
                            project_domain_id='default'):
    """A session acting as another user, e.g. a restore's target
    project (``restore_target`` and ``restore_auth``)."""
    return _session(v3.Password(
        auth_url=auth_url, username=username, password=password,
        project_id=project_id, project_name=project_name,
        user_domain_id=user_domain_id,
        project_domain_id=project_domain_id if project_name else None))
