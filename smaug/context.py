"""The request context every layer passes along: who asks, for whom."""
import json

from oslo_context import context


def _catalog_from_environ(environ):
    """The service catalog keystonemiddleware put in the request, or None.

    It comes in the identity v2 layout (``endpoints`` with ``publicURL``
    and the like), which is how plugins later look endpoints up.
    """
    raw = environ.get('HTTP_X_SERVICE_CATALOG')
    if not raw:
        return None
    try:
        catalog = json.loads(raw)
    except ValueError:
        return None
    return catalog if isinstance(catalog, list) else None


class RequestContext(context.RequestContext):
    """An oslo.context with Smaug's admin rule, the caller's service
    catalog, and serialisation for RPC and for operation records.

    The catalog travels with the token so that an agent can reach the
    caller's endpoints without asking Keystone again, even once the token
    has expired (Smaug's service token then vouches for it).
    """

    FROM_DICT_EXTRA_KEYS = ['service_catalog']

    def __init__(self, is_admin=None, service_catalog=None, **kwargs):
        super().__init__(**kwargs)
        if is_admin is None:
            is_admin = 'admin' in (role.lower() for role in self.roles)
        self.is_admin = is_admin
        self.service_catalog = service_catalog

    def to_dict(self):
        values = super().to_dict()
        values['is_admin'] = self.is_admin
        values['service_catalog'] = self.service_catalog
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault('is_admin', values.get('is_admin'))
        return super().from_dict(values, **kwargs)

    @classmethod
    def from_environ(cls, environ, **kwargs):
        kwargs.setdefault('service_catalog', _catalog_from_environ(environ))
        return super().from_environ(environ, **kwargs)

    def get_logging_values(self):
        values = super().get_logging_values()
        values.pop('service_catalog', None)
        return values

    def elevated(self):
        """A copy with admin rights, for internal bookkeeping."""
        ctx = self.__class__.from_dict(self.to_dict())
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            ctx.roles.append('admin')
        return ctx


def of_record(record):
    """The context of the user a record (an operation, a scheduled
    operation) was written for.

    The creator's stored context when the record has one (its token and
    catalog let plugins reach OpenStack); else, for records written
    without one (an administrator's script), a bare member context.
    """
    if record.request_context:
        return RequestContext.from_dict(record.request_context,
                                        overwrite=False)
    return RequestContext(user_id=record.user_id,
                          project_id=record.project_id,
                          roles=['member', 'reader'], is_admin=False,
                          overwrite=False)


def get_admin_context():
    """A context for services acting on their own behalf."""
    return RequestContext(user_id=None, project_id=None, is_admin=True,
                          roles=['admin'], overwrite=False)
