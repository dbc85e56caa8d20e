"""The python-*client objects plugins use, built on a keystoneauth session.

The client libraries are imported when first asked for, so that services
which never talk to one do not pay for loading it.
"""
from oslo_config import cfg

CONF = cfg.CONF


def _endpoint_options():
    return {'interface': CONF.clients.interface,
            'region_name': CONF.clients.region_name}


def nova(session):
    from novaclient import client
    return client.Client(CONF.clients.compute_api_version, session=session,
                         endpoint_type=CONF.clients.interface,
                         region_name=CONF.clients.region_name)


def cinder(session):
    from cinderclient import client
    return client.Client(CONF.clients.block_storage_api_version,
                         session=session,
                         endpoint_type=CONF.clients.interface,
                         region_name=CONF.clients.region_name)


def glance(session):
    from glanceclient import client
    return client.Client('2', session=session, **_endpoint_options())


def swift(session):
    from swiftclient import client

    class SessionConnection(client.Connection):
        """swiftclient takes the user's token from a session, but sends a
        service token only when it logs the service user in itself: this
        one sends the session's own, so that a request survives the
        user's token expiry like those of the other clients."""

        def get_service_auth(self):
            service_auth = self.session.auth.service_auth
            return (self.url or self.get_auth()[0],
                    service_auth.get_token(self.session))

    connection = SessionConnection(session=session, os_options={
        'endpoint_type': CONF.clients.interface,
        'region_name': CONF.clients.region_name})
    connection.service_auth = hasattr(session.auth, 'service_auth')
    return connection
