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
    return client.Connection(session=session, os_options={
        'endpoint_type': CONF.clients.interface,
        'region_name': CONF.clients.region_name})
