"""Keystone of the test cloud: tokens, catalog, users and projects."""
import hashlib
import io

SERVICE_TYPES = {'identity', 'image', 'object-store', 'block-storage',
                 'volumev3', 'compute', 'placement', 'network',
                 'data-protect'}


def test_demo_token_lists_every_service_in_the_catalog(devcloud):
    session = devcloud.session('demo')
    access = session.auth.get_access(session)

    assert access.project_name == 'demo'
    assert {'member', 'reader'} <= set(access.role_names)
    types = {s['type'] for s in access.service_catalog.catalog}
    assert SERVICE_TYPES <= types


def test_smaug_endpoint_carries_the_project_id(devcloud):
    session = devcloud.session('demo')
    url = session.get_endpoint(service_type='data-protect',
                               interface='public')

    assert url == 'http://127.0.0.1:8799/v1/%s' % devcloud.project_id('demo')


def test_smaug_service_user_is_admin_of_the_service_project(devcloud):
    session = devcloud.session('smaug')
    access = session.auth.get_access(session)

    assert access.project_name == 'service'
    assert 'admin' in access.role_names


def test_projects_are_distinct_and_isolated(devcloud, name, cleanup):
    assert len({devcloud.project_id(c) for c in ('demo', 'alt', 'admin')}) \
        == 3
    demo = devcloud.glance('demo')
    image = demo.images.create(name=name, disk_format='raw',
                               container_format='bare',
                               visibility='private')
    cleanup('image', demo.images.delete, image.id)
    demo.images.upload(image.id, io.BytesIO(b'private bytes'))

    alt_sees = {i.id for i in devcloud.glance('alt').images.list()}
    demo_sees = {i.id for i in demo.images.list()}

    assert image.id in demo_sees
    assert image.id not in alt_sees
    digest = hashlib.md5(b'private bytes', usedforsecurity=False)
    assert demo.images.get(image.id).checksum == digest.hexdigest()
