"""Turn an authenticated request into a Smaug RequestContext.

Two ways in: ``keystonecontext`` after keystonemiddleware's auth_token in
production, and ``noauth`` for single-node demos and tests, where the caller
states who it is in headers.
"""
from oslo_config import cfg
from oslo_middleware import base
import webob.dec

from smaug import context
from smaug.api import faults
from smaug.api import wsgi

CONF = cfg.CONF

# Keystone's default implied roles; noauth callers get the same expansion
# so that policies behave as they will behind Keystone.
_IMPLIED_ROLES = {'admin': ('member', 'reader'), 'member': ('reader',)}
_NOAUTH_DEFAULT_ROLES = 'admin'


def expand_implied_roles(roles):
    expanded = []
    for role in roles:
        for name in (role,) + _IMPLIED_ROLES.get(role, ()):
            if name not in expanded:
                expanded.append(name)
    return expanded


class KeystoneContext(base.ConfigurableMiddleware):
    """Build the context from the headers auth_token has verified."""

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, request):
        if request.headers.get('X-Identity-Status') != 'Confirmed':
            return faults.error_response(401, 'Authentication required.')
        request.environ[wsgi.CONTEXT_KEY] = (
            context.RequestContext.from_environ(request.environ))
        return self.application


class NoAuth(base.ConfigurableMiddleware):
    """Trust the caller's identity headers; never for production.

    ``X-Auth-Token: <user>:<project>`` or ``X-User-Id``/``X-Project-Id``,
    with roles from ``X-Roles`` (default: admin).
    """

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, request):
        user_id, project_id = self._identity(request)
        if not project_id:
            return faults.error_response(
                401, 'noauth needs X-Auth-Token <user>:<project> or an '
                     'X-Project-Id header.')
        roles = [role.strip().lower() for role in request.headers.get(
            'X-Roles', _NOAUTH_DEFAULT_ROLES).split(',') if role.strip()]
        request.environ[wsgi.CONTEXT_KEY] = context.RequestContext(
            user_id=user_id, project_id=project_id,
            roles=expand_implied_roles(roles),
            request_id=request.environ.get('openstack.request_id'),
            auth_token=request.headers.get('X-Auth-Token'))
        return self.application

    @staticmethod
    def _identity(request):
        token = request.headers.get('X-Auth-Token', '')
        if ':' in token:
            user_id, _, project_id = token.partition(':')
        else:
            user_id = request.headers.get('X-User-Id', 'admin')
            project_id = request.headers.get('X-Project-Id')
        return user_id, project_id
