"""Acting, in scheduled runs, as the user who created the operation.

Behind Keystone (``[api] auth_strategy = keystone``) a run cannot use the
creator's token: it expired long ago. So the API delegates the creator's
roles in the project to Smaug's service user (``[service_credentials]``)
with a Keystone trust, with impersonation, when it creates the user's
first operation in that project; the trust id is kept in the operation's
scheduling state, shared by the user's later operations there, and
deleted with the last of them. An engine authenticates as the service user
scoped to the trust and gets tokens that name the creator, with the
creator's roles, project and service catalog.

Without Keystone the creator's context, stored with the operation, is
used as it is.
"""
import threading

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging

from smaug import context as context_module
from smaug import exception
from smaug.conf import clients as clients_conf

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

KEYSTONE = 'keystone'
TRUSTS_PATH = '/OS-TRUST/trusts'
# Scope options of [service_credentials]: a trust-scoped token takes its
# project from the trust, and Keystone refuses a second scope.
_UNSCOPED = {name: None for name in (
    'project_id', 'project_name', 'project_domain_id', 'project_domain_name',
    'domain_id', 'domain_name', 'system_scope')}


def uses_trusts(conf=CONF):
    """Whether operations act through trusts: only behind Keystone."""
    return conf.api.auth_strategy == KEYSTONE


def _unavailable(reason):
    return exception.OpenStackAccessUnavailable(
        who='scheduled operations', reason=reason)


def _service_session(**auth_overrides):
    """A session of Smaug's service user, from [service_credentials]."""
    group = clients_conf.SERVICE_CREDENTIALS
    auth = ks_loading.load_auth_from_conf_options(CONF, group,
                                                  **auth_overrides)
    if auth is None:
        raise _unavailable('[%s] is not configured: Smaug needs its service '
                           'user to act for users in scheduled runs' % group)
    return ks_loading.load_session_from_conf_options(CONF, group, auth=auth)


def _trusts_url(session):
    endpoint = session.get_endpoint(
        service_type='identity', interface=CONF.clients.interface,
        region_name=CONF.clients.region_name, min_version='3',
        max_version='3.latest')
    return endpoint.rstrip('/') + TRUSTS_PATH


def create_trust(context):
    """Delegate the caller's roles in its project to Smaug's service user.

    :param context: the caller's context, with its Keystone token.
    :returns: the trust's id.
    :raises OpenStackAccessUnavailable: when Keystone refuses or cannot
        be reached.
    """
    service = _service_session()
    body = {'trust': {
        'trustor_user_id': context.user_id,
        'trustee_user_id': service.get_user_id(),
        'project_id': context.project_id,
        'impersonation': True,
        'roles': [{'name': role} for role in context.roles],
    }}
    try:
        response = service.post(_trusts_url(service), json=body,
                                authenticated=False,
                                headers={'X-Auth-Token': context.auth_token})
    except ks_exceptions.ClientException as error:
        raise _unavailable('Keystone did not make a trust for user %s in '
                           'project %s: %s' % (context.user_id,
                                               context.project_id, error))
    return response.json()['trust']['id']


def delete_trust(context, trust_id, trustor_user_id):
    """Delete a trust nothing uses any more; a trust already gone is fine.

    The caller's own token deletes it when the caller made it; otherwise
    (an administrator deleting a user's operation) Smaug's service user
    does.

    :raises OpenStackAccessUnavailable: when Keystone refuses.
    """
    service = _service_session()
    headers = {}
    if context.user_id == trustor_user_id and context.auth_token:
        headers = {'X-Auth-Token': context.auth_token}
    try:
        service.delete('%s/%s' % (_trusts_url(service), trust_id),
                       authenticated=not headers, headers=headers)
    except ks_exceptions.NotFound:
        LOG.info('Trust %s was already deleted.', trust_id)
    except ks_exceptions.ClientException as error:
        raise _unavailable('Keystone did not delete trust %s: %s'
                           % (trust_id, error))


class RunContexts:
    """The contexts scheduled runs act with, one engine's cache of them.

    A trust's session is kept and reused: keystoneauth renews its token
    when it is about to expire, so runs do not authenticate each time.
    """

    def __init__(self):
        self._trust_sessions = {}
        self._lock = threading.Lock()

    def _trust_session(self, trust_id):
        with self._lock:
            session = self._trust_sessions.get(trust_id)
            if session is None:
                session = _service_session(trust_id=trust_id, **_UNSCOPED)
                self._trust_sessions[trust_id] = session
            return session

    def forget(self, trust_id):
        """Drop a trust's session, e.g. after Keystone refused it."""
        with self._lock:
            self._trust_sessions.pop(trust_id, None)

    def context_for(self, operation, state):
        """The context a run of ``operation`` acts with.

        :param operation: the scheduled operation's record.
        :param state: its scheduling state record, or None.
        :raises OpenStackAccessUnavailable: when the trust no longer
            works (deleted, or its user lost the roles).
        """
        trust_id = state.trust_id if state is not None else None
        if trust_id:
            return self._trust_context(trust_id)
        return context_module.of_record(operation)

    def _trust_context(self, trust_id):
        session = self._trust_session(trust_id)
        try:
            access = session.auth.get_access(session)
        except ks_exceptions.ClientException as error:
            self.forget(trust_id)
            raise _unavailable('trust %s cannot be used: %s'
                               % (trust_id, error))
        return context_module.RequestContext(
            auth_token=access.auth_token, user_id=access.user_id,
            project_id=access.project_id, project_name=access.project_name,
            roles=list(access.role_names),
            service_catalog=access.service_catalog.catalog,
            overwrite=False)
