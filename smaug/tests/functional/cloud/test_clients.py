"""Smaug's OpenStack clients, acting as a user of the test cloud."""
import pytest

from smaug import exception
from smaug.clients import auth
from smaug.clients import factory
from smaug.protection import waits


def test_clients_act_as_the_user_of_the_context(smaug_clients, name,
                                                cleanup):
    ctx = smaug_clients.user_context('demo')
    session = auth.session_for(ctx)
    cinder = factory.cinder(session)
    volume = cinder.volumes.create(1, name=name)
    cleanup('volume', cinder.volumes.delete, volume.id)

    ready = waits.wait_for('volume %s' % volume.id,
                           lambda: cinder.volumes.get(volume.id),
                           lambda v: v.status, goal='available',
                           failed=('error',))

    assert ready.id == volume.id
    # The user's own project owns it: the admin sees it there.
    admin_view = smaug_clients.cinder('admin').volumes.get(volume.id)
    assert getattr(admin_view, 'os-vol-tenant-attr:tenant_id') == (
        ctx.project_id)
    # Every client finds its endpoint in the user's catalog.
    assert all(image.id for image in factory.glance(session).images.list())
    assert factory.nova(session).flavors.list()
    assert 'x-account-object-count' in factory.swift(session).get_account()[0]


def test_every_request_carries_the_service_token(smaug_clients):
    session = auth.session_for(smaug_clients.user_context('demo'))
    headers = session.get_auth_headers()

    assert headers['X-Auth-Token']
    assert headers['X-Service-Token']
    assert headers['X-Service-Token'] != headers['X-Auth-Token']


def test_a_context_without_token_is_refused_clearly(smaug_clients):
    ctx = smaug_clients.user_context('demo')
    ctx.auth_token = None

    with pytest.raises(exception.OpenStackAccessUnavailable,
                       match='no Keystone token'):
        auth.session_for(ctx)


def test_a_wait_names_what_failed(smaug_clients, name, cleanup):
    cinder = factory.cinder(auth.session_for(
        smaug_clients.user_context('demo')))
    volume = cinder.volumes.create(1, name=name)
    cleanup('volume', cinder.volumes.delete, volume.id)

    with pytest.raises(exception.WaitTimeout, match=volume.id):
        waits.wait_for('volume %s' % volume.id,
                       lambda: cinder.volumes.get(volume.id),
                       lambda v: v.status, goal='in-use', timeout=1)
