"""Swift of the test cloud (the bank's production backend)."""
import hashlib
import os


def test_put_get_list_delete(devcloud, name, cleanup):
    swift = devcloud.swift('demo')
    data = os.urandom(3 * 1024 * 1024)
    swift.put_container(name)
    cleanup('container', swift.delete_container, name)

    etag = swift.put_object(name, 'checkpoints/one', data,
                            content_type='application/octet-stream')
    cleanup('object', swift.delete_object, name, 'checkpoints/one')
    headers, body = swift.get_object(name, 'checkpoints/one')
    _, listing = swift.get_container(name, prefix='checkpoints/')

    assert etag == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert headers['etag'] == etag
    assert body == data
    assert [o['name'] for o in listing] == ['checkpoints/one']
    assert listing[0]['bytes'] == len(data)


def test_one_project_cannot_read_another_projects_account(
        devcloud, name, cleanup):
    demo = devcloud.swift('demo')
    demo.put_container(name)
    cleanup('container', demo.delete_container, name)
    demo.put_object(name, 'secret', b'demo only')
    cleanup('object', demo.delete_object, name, 'secret')
    demo_url, _ = demo.get_auth()
    _, alt_token = devcloud.swift('alt').get_auth()
    # Imported here, like every client library of these tests, so that a
    # missing one fails its tests instead of the collection of all tests.
    from swiftclient import client as swift_client
    from swiftclient import exceptions as swift_exc

    try:
        swift_client.get_object(demo_url, alt_token, name, 'secret')
    except swift_exc.ClientException as error:
        assert error.http_status == 403
    else:
        raise AssertionError('alt_demo read an object of demo')
