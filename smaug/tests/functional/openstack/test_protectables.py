"""The OpenStack protectables against the test cloud, in-process and
through smaug-api behind Keystone.

In the demo project: an image, a server booted from it with a volume
attached, two more volumes, and three resources that cannot be protected
(a volume and a server in error, a deactivated image). In alt_demo: a
volume and an image that demo must never see. Pages are small (one or two
items), so every listing needs several.
"""
import contextlib
import io
import json
import os
import uuid

from oslo_config import fixture as config_fixture
import pytest

from smaug import exception
from smaug.clients import errors
from smaug.conf import CONF
from smaug.protection import graph as graph_module
from smaug.protection import protectable
from smaug.protection import resource as resource_module
from smaug.protection import resource_types
from smaug.protection.protectables import image as image_protectable
from smaug.protection.protectables import server as server_protectable
from smaug.protection.protectables import volume as volume_protectable
from smaug.tests.fixtures import openstack_deployment
from smaug.tests.fixtures.waiting import wait_for
from smaug.tests.functional.api import client
from smaug.tests.functional.cloud import test_compute

PROTECTABLES = ['project', 'server', 'volume', 'image']
NOT_THERE = str(uuid.UUID(int=0))


def _ignoring_not_found(function, *args):
    try:
        function(*args)
    except Exception as error:
        if not errors.not_found(error):
            raise


class Made:
    """What the module created, by role."""


def _volume(devcloud, name, cleanup, user='demo'):
    cinder = devcloud.cinder(user)
    volume = cinder.volumes.create(1, name=name)
    cleanup(cinder.volumes.delete, volume.id)
    return test_compute.wait_for_volume(cinder, volume.id, 'available')


def _detach(devcloud, server_id, volume_id):
    devcloud.nova().volumes.delete_server_volume(server_id, volume_id)
    test_compute.wait_for_volume(devcloud.cinder(), volume_id, 'available')


def _image(devcloud, name, cleanup, user='demo'):
    glance = devcloud.glance(user)
    image = glance.images.create(name=name, disk_format='raw',
                                 container_format='bare')
    cleanup(glance.images.delete, image.id)
    glance.images.upload(image.id, io.BytesIO(os.urandom(64 * 1024)))
    return test_compute.wait_for_image(glance, image.id)


def _make(devcloud, cleanup):
    name = 'smaug-protectables-%s' % uuid.uuid4().hex[:8]
    nova_admin, cinder_admin = devcloud.nova('admin'), devcloud.cinder(
        'admin')
    made = Made()
    made.image = _image(devcloud, name + '-image', cleanup)
    made.server = test_compute.boot(
        devcloud, name + '-server',
        lambda what, function, *args: cleanup(function, *args),
        image=made.image.id)
    made.attached = _volume(devcloud, name + '-attached', cleanup)
    devcloud.nova().volumes.create_server_volume(made.server.id,
                                                 made.attached.id)
    cleanup(_detach, devcloud, made.server.id, made.attached.id)
    made.attached = test_compute.wait_for_volume(
        devcloud.cinder(), made.attached.id, 'in-use')
    made.loose = _volume(devcloud, name + '-loose', cleanup)
    made.third = _volume(devcloud, name + '-third', cleanup)

    made.failed_volume = _volume(devcloud, name + '-failed', cleanup)
    cinder_admin.volumes.reset_state(made.failed_volume, 'error')
    made.failed_server = test_compute.boot(
        devcloud, name + '-failed',
        lambda what, function, *args: cleanup(function, *args),
        image=made.image.id)
    nova_admin.servers.reset_state(made.failed_server.id, 'error')
    made.deactivated = _image(devcloud, name + '-deactivated', cleanup)
    devcloud.glance('admin').images.deactivate(made.deactivated.id)

    made.alt_volume = _volume(devcloud, name + '-alt', cleanup, user='alt')
    made.alt_image = _image(devcloud, name + '-alt', cleanup, user='alt')
    made.project = devcloud.project_id('demo')
    return made


@pytest.fixture(scope='module')
def made(devcloud):
    with contextlib.ExitStack() as undo:
        yield _make(devcloud, lambda function, *args: undo.callback(
            _ignoring_not_found, function, *args))


@pytest.fixture
def conf(smaug_clients):
    """Pages of one or two items, and the OpenStack protectables."""
    with config_fixture.Config(CONF) as config:
        config.config(group='clients', list_page_size=2)
        config.config(group='protection', protectables=PROTECTABLES)
        yield config


@pytest.fixture
def demo(conf, devcloud):
    return devcloud.user_context('demo')


def _ids(resources):
    return [resource.id for resource in resources]


def _resource(resource_type, item_id):
    return resource_module.Resource(type=resource_type, id=item_id)


# Listing


def test_volumes_are_listed_across_pages(made, demo, devcloud):
    # Cinder honours the page size, so three volumes take two pages.
    assert len(devcloud.cinder().volumes.list(limit=2)) == 2
    listed = volume_protectable.VolumeProtectable(demo).list_resources()
    ids = _ids(listed)
    by_id = {resource.id: resource for resource in listed}

    assert {made.attached.id, made.loose.id, made.third.id} <= set(ids)
    assert made.failed_volume.id not in ids
    assert made.alt_volume.id not in ids
    assert len(ids) == len(set(ids))
    attached = by_id[made.attached.id]
    assert (attached.type, attached.name) == (resource_types.VOLUME,
                                              made.attached.name)
    assert attached.extra_info == {
        'availability_zone': made.attached.availability_zone}


def test_servers_are_listed_across_pages(made, demo, conf):
    conf.config(group='clients', list_page_size=1)
    listed = server_protectable.ServerProtectable(demo).list_resources()
    by_id = {resource.id: resource for resource in listed}

    assert made.server.id in by_id
    assert made.failed_server.id not in by_id
    assert by_id[made.server.id].name == made.server.name
    assert by_id[made.server.id].extra_info == {
        'availability_zone': getattr(made.server,
                                     'OS-EXT-AZ:availability_zone')}
    assert by_id[made.server.id].extra_info['availability_zone']


def test_only_the_projects_own_images_are_listed(made, demo, conf,
                                                 devcloud):
    conf.config(group='clients', list_page_size=1)
    public = [image['id'] for image in devcloud.glance().images.list()
              if image['owner'] != made.project]
    listed = image_protectable.ImageProtectable(demo).list_resources()
    by_id = {resource.id: resource for resource in listed}

    assert made.image.id in by_id
    assert by_id[made.image.id].extra_info == {
        'disk_format': 'raw', 'container_format': 'bare'}
    assert made.deactivated.id not in by_id
    assert made.alt_image.id not in by_id
    # The cloud's public image is offered to demo, but is not demo's.
    assert public and not set(public) & set(by_id)


# Showing


@pytest.mark.parametrize('plugin, role', [
    (volume_protectable.VolumeProtectable, 'attached'),
    (server_protectable.ServerProtectable, 'server'),
    (image_protectable.ImageProtectable, 'image'),
])
def test_show(made, demo, plugin, role):
    item = getattr(made, role)
    shown = plugin(demo).show_resource(item.id)
    assert (shown.type, shown.id, shown.name) == (plugin.resource_type,
                                                  item.id, item.name)


@pytest.mark.parametrize('plugin, role', [
    (volume_protectable.VolumeProtectable, None),
    (volume_protectable.VolumeProtectable, 'failed_volume'),
    (volume_protectable.VolumeProtectable, 'alt_volume'),
    (server_protectable.ServerProtectable, None),
    (server_protectable.ServerProtectable, 'failed_server'),
    (image_protectable.ImageProtectable, None),
    (image_protectable.ImageProtectable, 'deactivated'),
    (image_protectable.ImageProtectable, 'alt_image'),
])
def test_show_what_cannot_be_protected_is_not_found(made, demo, plugin,
                                                     role):
    item_id = getattr(made, role).id if role else NOT_THERE
    with pytest.raises(exception.ProtectableInstanceNotFound) as caught:
        plugin(demo).show_resource(item_id)
    assert caught.value.code == 404
    assert item_id in str(caught.value)


@pytest.mark.parametrize('plugin, role', [
    (volume_protectable.VolumeProtectable, 'attached'),
    (server_protectable.ServerProtectable, 'server'),
    (image_protectable.ImageProtectable, 'image'),
])
def test_an_admin_does_not_get_another_projects_resources(
        made, conf, devcloud, plugin, role):
    # Nova, Cinder and Glance show an admin every project's resources.
    admin = devcloud.user_context('admin')
    item_id = getattr(made, role).id
    with pytest.raises(exception.ProtectableInstanceNotFound):
        plugin(admin).show_resource(item_id)
    assert item_id not in _ids(plugin(admin).list_resources())


# Dependents and the graph


def test_a_server_depends_on_its_volume_and_image(made, demo):
    registry = protectable.ProtectableRegistry()
    server = registry.plugin(demo, resource_types.SERVER).show_resource(
        made.server.id)
    children = registry.dependents_of(demo, server)

    assert sorted((child.type, child.id) for child in children) == sorted([
        (resource_types.VOLUME, made.attached.id),
        (resource_types.IMAGE, made.image.id)])


def test_the_project_graph_holds_a_shared_volume_once(made, demo):
    registry = protectable.ProtectableRegistry()
    project = registry.plugin(demo, resource_types.PROJECT).show_resource(
        made.project)
    graph = graph_module.build(demo, registry, [project])
    server = _resource(resource_types.SERVER, made.server.id)
    attached = _resource(resource_types.VOLUME, made.attached.id)
    keys = [resource.key() for resource in graph]
    nodes = {resource.key(): resource for resource in graph}

    assert keys.count(attached.key()) == 1
    assert {parent.key() for parent in graph.parents_of(
        nodes[attached.key()])} == {project.key(), server.key()}
    assert {child.key() for child in graph.children_of(
        nodes[server.key()])} == {
        attached.key(), _resource(resource_types.IMAGE,
                                  made.image.id).key()}
    assert {_resource(resource_types.VOLUME, made.loose.id).key(),
            _resource(resource_types.VOLUME, made.third.id).key(),
            _resource(resource_types.IMAGE, made.image.id).key()} <= {
        child.key() for child in graph.children_of(project)}
    assert not {_resource(resource_types.VOLUME, made.alt_volume.id).key(),
                _resource(resource_types.SERVER,
                          made.failed_server.id).key()} & set(keys)


# Through smaug-api and an agent


@pytest.fixture(scope='module')
def smaug(devcloud):
    deployment = openstack_deployment.OpenStackDeployment(
        devcloud, ['noop'], clients={'list_page_size': 2})
    with openstack_deployment.running(deployment) as running:
        yield running


def _ok(response, smaug, status=200):
    assert response.status_code == status, '%s\n%s' % (
        client.describe(response), smaug.log_tails())
    return response.json()


def _instance_path(resource_type, item_id=None):
    path = 'protectables/%s/instances' % resource_type
    return path if item_id is None else '%s/%s' % (path, item_id)


def _dependents(instance):
    return {(item['type'], item['id'])
            for item in instance['dependent_resources']}


def test_api_shows_the_project_with_its_resources(made, smaug):
    api = smaug.client('demo')
    types = _ok(api.get('protectables'), smaug)['protectable_type']
    instance = _ok(api.get(_instance_path(resource_types.PROJECT,
                                          api.project)), smaug)['instance']

    assert set(types) >= {resource_types.PROJECT, resource_types.SERVER,
                          resource_types.VOLUME, resource_types.IMAGE}
    assert instance['id'] == made.project
    assert {(resource_types.SERVER, made.server.id),
            (resource_types.VOLUME, made.attached.id),
            (resource_types.VOLUME, made.loose.id),
            (resource_types.VOLUME, made.third.id),
            (resource_types.IMAGE, made.image.id)} <= _dependents(instance)
    assert not {(resource_types.VOLUME, made.failed_volume.id),
                (resource_types.SERVER, made.failed_server.id),
                (resource_types.IMAGE, made.deactivated.id),
                (resource_types.VOLUME, made.alt_volume.id),
                (resource_types.IMAGE, made.alt_image.id)} & _dependents(
        instance)


def test_api_shows_the_server_with_its_volume_and_image(made, smaug):
    api = smaug.client('demo')
    instance = _ok(api.get(_instance_path(resource_types.SERVER,
                                          made.server.id)), smaug)['instance']

    assert instance['name'] == made.server.name
    assert instance['extra_info']['availability_zone']
    assert _dependents(instance) == {
        (resource_types.VOLUME, made.attached.id),
        (resource_types.IMAGE, made.image.id)}


def test_api_lists_volumes_across_pages(made, smaug):
    api = smaug.client('demo')
    instances = _ok(api.get(_instance_path(resource_types.VOLUME)),
                    smaug)['instances']
    by_id = {item['id']: item for item in instances}

    assert {made.attached.id, made.loose.id, made.third.id} <= set(by_id)
    assert made.failed_volume.id not in by_id
    assert by_id[made.attached.id]['extra_info'] == {
        'availability_zone': made.attached.availability_zone}
    assert by_id[made.loose.id]['dependent_resources'] == []


def test_api_hides_other_projects_resources(made, smaug):
    alt = smaug.client('alt')
    for resource_type, item_id in (
            (resource_types.VOLUME, made.attached.id),
            (resource_types.SERVER, made.server.id),
            (resource_types.IMAGE, made.image.id),
            (resource_types.PROJECT, made.project)):
        _ok(alt.get(_instance_path(resource_type, item_id)), smaug, 404)
    project = _ok(alt.get(_instance_path(resource_types.PROJECT,
                                         alt.project)), smaug)['instance']
    assert (resource_types.VOLUME, made.alt_volume.id) in _dependents(
        project)
    assert not {item_id for _, item_id in _dependents(project)} & {
        made.attached.id, made.loose.id, made.server.id, made.image.id}


def test_agent_builds_the_project_graph_as_the_user(made, smaug):
    api = smaug.client('demo')
    plan = _ok(api.post('plans', {'plan': {
        'name': 'protectables', 'provider_id': smaug.provider_id(),
        'parameters': {}, 'resources': [{
            'id': api.project, 'type': resource_types.PROJECT,
            'name': 'demo'}]}}), smaug)['plan']
    checkpoints = 'providers/%s/checkpoints' % smaug.provider_id()
    checkpoint = _ok(api.post(checkpoints, {'checkpoint': {
        'plan_id': plan['id']}}), smaug)['checkpoint']
    checkpoint = wait_for('checkpoint %s protected' % checkpoint['id'],
                          lambda: _settled(api, smaug, checkpoints,
                                           checkpoint['id']), timeout=60,
                          interval=0.5)

    assert checkpoint['status'] == 'available', checkpoint
    graph = graph_module.ResourceGraph.from_primitive(
        json.loads(checkpoint['resource_graph']))
    keys = [resource.key() for resource in graph]
    attached = _resource(resource_types.VOLUME, made.attached.id).key()
    assert keys.count(attached) == 1
    assert {_resource(resource_types.SERVER, made.server.id).key(),
            _resource(resource_types.IMAGE, made.image.id).key()} <= set(keys)


def _settled(api, smaug, checkpoints, checkpoint_id):
    checkpoint = _ok(api.get('%s/%s' % (checkpoints, checkpoint_id)),
                     smaug)['checkpoint']
    return checkpoint if checkpoint['status'] != 'protecting' else None
