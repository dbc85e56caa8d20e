"""End to end: Smaug's own processes protect servers, volumes and images
of the test cloud, and restore them, into their project and another one.

In the demo project: two images of known random bytes (A boots server S1;
B fills S2's boot volume), three 1 GiB volumes of known bytes (V1, S2's
boot volume, holds B's bytes; V2 is attached to S1 and V3 to S2) and the
two servers. smaug-api (behind Keystone), RabbitMQ, MariaDB and a
smaug-protection agent protect a plan of all seven with the Cinder backup,
Glance and Nova plugins into a Swift bank; the originals are deleted; the
checkpoint is restored into demo, then into alt_demo. Every restored
volume and image is read back through the cloud's API and compared byte
for byte, and every restored server must be ACTIVE, boot from the restored
image or volume, and have the restored volumes on the original devices.

The failures are real ones, in the middle of each plugin: a backup that
Cinder fails after Smaug took its temporary snapshot, image data damaged
in the bank so that its upload breaks off, a server that Nova cannot
place once it is created (with volumes and images already restored around
it), and a flavor mapping that does not exist. After each, nothing tagged
with the operation is left in the projects it touched, and the API names
the failed resource and why.
"""
import contextlib
import hashlib
import io
import os
import uuid

import pytest

from smaug.protection import providers
from smaug.protection import resource_types
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import checkpoint_layout
from smaug.protection.chunks import layout as chunk_layout
from smaug.protection.chunks import store as chunk_store
from smaug.protection.plugins.openstack import image_data
from smaug.protection.plugins.openstack import tagging
from smaug.tests.fixtures import openstack_deployment
from smaug.tests.functional.api import client
from smaug.tests.functional.cloud import conftest as cloud_conftest
from smaug.tests.functional.cloud import test_block_storage
from smaug.tests.functional.cloud import test_compute
from smaug.tests.functional.openstack import harness
from smaug.tests.functional.openstack import volumes as volume_checks

PLUGINS = ['cinder-backup', 'glance', 'nova']
MiB = 1024 ** 2
#: Seconds an operation of this module may take (backups of 1 GiB
#: volumes take 15-25 s each on the test cloud).
OPERATION_TIMEOUT = 600
SERVER, VOLUME, IMAGE = (resource_types.SERVER, resource_types.VOLUME,
                         resource_types.IMAGE)


def key(resource_type, resource_id):
    return '%s#%s' % (resource_type, resource_id)


@pytest.fixture(scope='module')
def smaug(devcloud):
    deployment = openstack_deployment.OpenStackDeployment(
        devcloud, PLUGINS, bank=openstack_deployment.SWIFT_BANK)
    with openstack_deployment.running(deployment) as running:
        yield running


@pytest.fixture(scope='module')
def module_cleanup():
    """Like the ``cleanup`` fixture, for what a whole module shares."""
    with contextlib.ExitStack() as stack:
        def register(what, function, *args):
            stack.callback(_ignoring_not_found, what, function, *args)
        yield register


def _ignoring_not_found(what, function, *args):
    try:
        function(*args)
    except Exception as error:
        if not cloud_conftest.is_gone(error):
            raise AssertionError('cleanup of %s failed: %r' % (what, error))


class Project:
    """One project of the test cloud, through its user's clients."""

    def __init__(self, devcloud, cloud):
        self.devcloud = devcloud
        self.cloud = cloud
        self.nova = devcloud.nova(cloud)
        self.cinder = devcloud.cinder(cloud)
        self.glance = devcloud.glance(cloud)
        self.swift = devcloud.swift(cloud)

    def images_of(self, operation_id):
        return [image for image in self.glance.images.list(
            filters={tagging.OPERATION_KEY: operation_id})
            if image.get(tagging.OPERATION_KEY) == operation_id]

    def servers_of(self, operation_id):
        return [server for server in self.nova.servers.list(limit=-1)
                if server.metadata.get(tagging.OPERATION_KEY) ==
                operation_id]

    def volumes_of(self, operation_id):
        return [self.cinder.volumes.get(volume_id) for volume_id in
                volume_checks.left_behind(self.cinder,
                                          operation_id)['volumes']]

    def left_behind(self, operation_id):
        """{kind: ids} of everything tagged with the operation."""
        found = volume_checks.left_behind(self.cinder, operation_id)
        found['images'] = sorted(image.id for image in
                                 self.images_of(operation_id))
        found['servers'] = sorted(server.id for server in
                                  self.servers_of(operation_id))
        return found

    def restored(self, operation_id):
        """{original resource key: what the restore made of it}."""
        return {tagged_with(item): item for item in
                self.volumes_of(operation_id) +
                self.images_of(operation_id) +
                self.servers_of(operation_id)}

    def remove(self, operation_id):
        """Delete what the operation made here: servers first, so that
        their volumes are released."""
        for server in self.servers_of(operation_id):
            test_compute.delete_server(self.nova, server.id)
        for volume in self.volumes_of(operation_id):
            test_block_storage.delete_and_wait(self.cinder.volumes,
                                               volume.id)
        for image in self.images_of(operation_id):
            self.glance.images.delete(image.id)


def tagged_with(item):
    """The key of the resource a restored item was made for (an image's
    tags are among its properties; volumes and servers have metadata)."""
    metadata = item if isinstance(item, dict) else item.metadata
    return metadata.get(tagging.RESOURCE_KEY)


NOTHING = dict(volume_checks.NOTHING, images=[], servers=[])


@pytest.fixture(scope='module')
def demo(devcloud):
    return Project(devcloud, 'demo')


@pytest.fixture(scope='module')
def alt(devcloud):
    return Project(devcloud, 'alt')


@pytest.fixture(scope='module')
def prefix():
    return 'smaug-e2e-%s' % uuid.uuid4().hex[:8]


# Operations through the API


class Operations:
    """Plans, checkpoints and restores of one user, through smaug-api."""

    def __init__(self, smaug, cloud='demo'):
        self.smaug = smaug
        self.api = smaug.client(cloud)
        self.checkpoints = 'providers/%s/checkpoints' % smaug.provider_id()

    def _ok(self, response, status=200):
        assert response.status_code == status, '%s\n%s' % (
            client.describe(response), self.smaug.log_tails())
        return response.json() if response.content else None

    def plan(self, name, resources, parameters=None):
        return self._ok(self.api.post('plans', {'plan': {
            'name': name, 'provider_id': self.smaug.provider_id(),
            'parameters': parameters or {},
            'resources': [{'type': resource_type, 'id': item.id,
                           'name': _name_of(item)}
                          for resource_type, item in resources]}}))['plan']

    def protect(self, plan):
        checkpoint = self._ok(self.api.post(self.checkpoints, {
            'checkpoint': {'plan_id': plan['id']}}))['checkpoint']
        return self._settled('%s/%s' % (self.checkpoints, checkpoint['id']),
                             'checkpoint', 'protecting')

    def start_restore(self, checkpoint, parameters=None, target=None):
        """:param target: (Keystone URL, restore_auth), or None for the
        checkpoint's own project.
        :returns: the restore's id."""
        body = {'provider_id': self.smaug.provider_id(),
                'checkpoint_id': checkpoint['id'],
                'parameters': parameters or {}}
        if target is not None:
            body['restore_target'], body['restore_auth'] = target
        return self._ok(self.api.post('restores', {
            'restore': body}))['restore']['id']

    def restored(self, restore_id):
        """The restore, once it has ended."""
        return self._settled('restores/%s' % restore_id, 'restore',
                             'in_progress')

    def restore(self, checkpoint, parameters=None, target=None):
        return self.restored(self.start_restore(checkpoint, parameters,
                                                target))

    def delete_checkpoint(self, checkpoint):
        path = '%s/%s' % (self.checkpoints, checkpoint['id'])
        self._ok(self.api.delete(path), 202)
        deleted = self._settled(path, 'checkpoint', 'deleting')
        assert deleted['status'] == 'deleted', deleted

    def _settled(self, path, name, pending):
        def read():
            response = self.api.get(path)
            # Other tests on this machine restart the database server
            # now and then: the API answers 500 meanwhile.
            if response.status_code >= 500:
                return None
            return self._ok(response)[name]

        return client.wait_for(
            read, lambda record: record and record['status'] != pending,
            '%s %s to settle' % (name, path), timeout=OPERATION_TIMEOUT)


def _name_of(item):
    return item.get('name') if isinstance(item, dict) else item.name


@pytest.fixture(scope='module')
def demo_operations(smaug):
    return Operations(smaug, 'demo')


def assert_succeeded(record, smaug, succeeded):
    assert record['status'] == succeeded, '%s\n%s' % (record,
                                                      smaug.log_tails())


def assert_failed_on(record, resource_keys, reason):
    """The record failed, and names the failed resource(s) (some of
    ``resource_keys``, and nothing else) with ``reason``."""
    reasons = record['resources_reason']
    assert record['status'] in ('fail', 'error'), record
    assert reasons and set(reasons) <= set(resource_keys), record
    for resource_key, why in reasons.items():
        assert record['resources_status'][resource_key] == 'error', record
        assert reason in why, record


# The project to protect


def _image(project, name, data, cleanup):
    image = project.glance.images.create(name=name, disk_format='raw',
                                         container_format='bare')
    cleanup('image', project.glance.images.delete, image.id)
    project.glance.images.upload(image.id, io.BytesIO(data))
    return test_compute.wait_for_image(project.glance, image.id)


def _volume(project, name, image, cleanup):
    volume = project.cinder.volumes.create(1, name=name, imageRef=image.id)
    cleanup('volume', test_block_storage.delete_and_wait,
            project.cinder.volumes, volume.id)
    return test_compute.wait_for_volume(project.cinder, volume.id,
                                        'available')


def _server(project, name, cleanup, **kwargs):
    flavor = project.nova.flavors.find(name='devcloud.tiny')
    server = project.nova.servers.create(name, flavor=flavor, nics='none',
                                         **kwargs)
    cleanup('server', test_compute.delete_server, project.nova, server.id)
    return test_compute.wait_for_server(project.nova, server, 'ACTIVE')


def _attach(project, server, volume):
    project.nova.volumes.create_server_volume(server.id, volume.id)
    test_compute.wait_for_volume(project.cinder, volume.id, 'in-use')


def _devices(project, server_id):
    return sorted((attachment.volumeId, attachment.device) for attachment
                  in project.nova.volumes.get_server_volumes(server_id))


class Originals:
    """The resources of the demo project the checkpoint protects, and
    what a restore must bring back of them."""

    def __init__(self, demo, prefix, cleanup):
        self.data = {}
        images = {}
        for label in ('A', 'B'):
            self.data[label] = os.urandom(MiB + 4096 * (label == 'B'))
            images[label] = _image(demo, '%s-%s' % (prefix, label),
                                   self.data[label], cleanup)
        volumes = {'V1': _volume(demo, prefix + '-V1', images['B'],
                                 cleanup)}
        self.data['V1'] = self.data['B']
        for label in ('V2', 'V3'):
            # Bytes get into a volume through an image of them, which
            # is not part of the project to protect.
            self.data[label] = os.urandom(2 * MiB)
            source = _image(demo, '%s-%s-source' % (prefix, label),
                            self.data[label], cleanup)
            volumes[label] = _volume(demo, '%s-%s' % (prefix, label),
                                     source, cleanup)
            demo.glance.images.delete(source.id)
        servers = {
            'S1': _server(demo, prefix + '-S1', cleanup,
                          image=images['A'].id),
            'S2': _server(demo, prefix + '-S2', cleanup, image=None,
                          block_device_mapping_v2=[{
                              'boot_index': 0, 'uuid': volumes['V1'].id,
                              'source_type': 'volume',
                              'destination_type': 'volume',
                              'delete_on_termination': False}])}
        _attach(demo, servers['S1'], volumes['V2'])
        _attach(demo, servers['S2'], volumes['V3'])
        self.items = dict(images, **volumes, **servers)
        self.types = dict({label: IMAGE for label in images},
                          **{label: VOLUME for label in volumes},
                          **{label: SERVER for label in servers})
        #: label -> sorted [(volume label, device)]
        self.devices = {}
        ids = {item.id: label for label, item in self.items.items()}
        for label in servers:
            self.devices[label] = sorted(
                (ids[volume_id], device) for volume_id, device in
                _devices(demo, self.items[label].id))

    def key(self, label):
        return key(self.types[label], self.items[label].id)

    def resources(self):
        return [(self.types[label], item)
                for label, item in sorted(self.items.items())]

    def delete(self, demo):
        for label in ('S1', 'S2'):
            test_compute.delete_server(demo.nova, self.items[label].id)
        for label in ('V1', 'V2', 'V3'):
            test_block_storage.delete_and_wait(demo.cinder.volumes,
                                               self.items[label].id)
        for label in ('A', 'B'):
            demo.glance.images.delete(self.items[label].id)


@pytest.fixture(scope='module')
def protected(smaug, demo, demo_operations, prefix, module_cleanup):
    """The originals, protected, then deleted: (Originals, checkpoint)."""
    originals = Originals(demo, prefix, module_cleanup)
    assert originals.devices['S1'][0][0] == 'V2'
    assert [label for label, _ in originals.devices['S2']] == ['V1', 'V3']
    plan = demo_operations.plan(prefix, originals.resources())
    checkpoint = demo_operations.protect(plan)
    module_cleanup('checkpoint', demo_operations.delete_checkpoint,
                   checkpoint)
    assert_succeeded(checkpoint, smaug, 'available')
    originals.delete(demo)
    return originals, checkpoint


def test_the_checkpoint_holds_every_resource(protected):
    originals, checkpoint = protected

    assert checkpoint['resources_status'] == {
        originals.key(label): 'available' for label in originals.items}


def check_restored(project, originals, restore, prefix, cleanup):
    """Everything came back into ``project``, as it was."""
    restored = project.restored(restore['id'])
    assert set(restored) == {originals.key(label)
                             for label in originals.items}, restored
    new = {label: restored[originals.key(label)]
           for label in originals.items}
    for label in ('A', 'B'):
        data = b''.join(project.glance.images.data(new[label].id))
        assert hashlib.sha256(data).hexdigest() == hashlib.sha256(
            originals.data[label]).hexdigest(), label
    labels = {new[label].id: label for label in originals.items}
    servers = {label: project.nova.servers.get(new[label].id)
               for label in ('S1', 'S2')}
    for label, server in servers.items():
        assert server.status == 'ACTIVE', (label, server.status)
        assert sorted((labels.get(volume_id, volume_id), device)
                      for volume_id, device in
                      _devices(project, server.id)) == \
            originals.devices[label], label
    assert servers['S1'].image['id'] == new['A'].id
    assert not servers['S2'].image
    # Released from their servers, the volumes can be read back.
    for label in ('S1', 'S2'):
        test_compute.delete_server(project.nova, servers[label].id)
    for label in ('V1', 'V2', 'V3'):
        volume = test_compute.wait_for_volume(project.cinder, new[label].id,
                                              'available')
        volume_checks.assert_holds(
            project.devcloud, volume, originals.data[label],
            '%s-%s' % (prefix, label), cleanup, user=project.cloud)


@pytest.fixture(scope='module')
def unplaceable_flavor(devcloud, prefix):
    """A flavor no compute node has room for."""
    nova = devcloud.nova('admin')
    flavor = nova.flavors.create(prefix + '-huge', ram=64 * 1024 * 1024,
                                 vcpus=1, disk=1)
    yield flavor
    nova.flavors.delete(flavor.id)


def test_a_restore_brings_everything_back(smaug, demo, demo_operations,
                                          protected, prefix, cleanup,
                                          module_cleanup):
    originals, checkpoint = protected
    restore = demo_operations.restore(checkpoint)
    module_cleanup('restored resources', demo.remove, restore['id'])

    assert_succeeded(restore, smaug, 'success')
    assert restore['resources_status'] == {
        originals.key(label): 'restored' for label in originals.items}
    check_restored(demo, originals, restore, prefix, cleanup)


def test_a_restore_into_another_project_lands_there(
        smaug, devcloud, demo, alt, demo_operations, protected, prefix,
        cleanup, module_cleanup):
    originals, checkpoint = protected
    target = harness.restore_target(devcloud, 'alt')
    restore = demo_operations.restore(checkpoint, target=target)
    module_cleanup('restored resources', alt.remove, restore['id'])
    shown = demo_operations.api.get('restores/%s' % restore['id'])

    assert_succeeded(restore, smaug, 'success')
    assert restore['restore_target'] == devcloud.auth_url
    assert 'restore_auth' not in shown.json()['restore']
    assert target[1]['password'] not in shown.text
    assert demo.left_behind(restore['id']) == NOTHING
    check_restored(alt, originals, restore, prefix, cleanup)


# Failures


def test_a_flavor_mapping_that_does_not_exist_fails_first(
        demo, demo_operations, protected, module_cleanup):
    originals, checkpoint = protected
    restore = demo_operations.restore(checkpoint, {
        SERVER: {'flavor': 'smaug-e2e-no-such-flavor'}})
    module_cleanup('restored resources', demo.remove, restore['id'])

    assert_failed_on(restore, [originals.key('S1'), originals.key('S2')],
                     'flavor smaug-e2e-no-such-flavor does not exist')
    assert demo.left_behind(restore['id']) == NOTHING


def test_a_server_that_cannot_be_placed_is_undone_with_its_disks(
        devcloud, demo, alt, demo_operations, protected, unplaceable_flavor,
        module_cleanup):
    originals, checkpoint = protected
    # Into alt_demo: the volumes it restores there were handed over from
    # demo, and must be gone from both.
    restore = demo_operations.restore(
        checkpoint, {SERVER: {'flavor': unplaceable_flavor.name}},
        target=harness.restore_target(devcloud, 'alt'))
    module_cleanup('restored resources', alt.remove, restore['id'])

    assert_failed_on(restore, [originals.key('S1'), originals.key('S2')],
                     'went to status ERROR')
    assert alt.left_behind(restore['id']) == NOTHING
    assert demo.left_behind(restore['id']) == NOTHING


def test_a_backup_that_fails_leaves_no_snapshot_or_backup(
        smaug, demo, demo_operations, prefix, cleanup):
    volume = demo.cinder.volumes.create(1, name=prefix + '-failing')
    cleanup('volume', test_block_storage.delete_and_wait,
            demo.cinder.volumes, volume.id)
    test_compute.wait_for_volume(demo.cinder, volume.id, 'available')
    # Swift refuses a container with a '/' in its name: the backup fails
    # after Smaug has taken the volume's temporary snapshot.
    plan = demo_operations.plan(prefix + '-failing', [(VOLUME, volume)], {
        VOLUME: {'container': prefix + '/no-such-container'}})
    checkpoint = demo_operations.protect(plan)
    cleanup('checkpoint', demo_operations.delete_checkpoint, checkpoint)

    assert_failed_on(checkpoint, [key(VOLUME, volume.id)],
                     'went to status error')
    assert 'Container PUT failed' in checkpoint['resources_reason'][
        key(VOLUME, volume.id)]
    assert demo.left_behind(checkpoint['id']) == NOTHING


def _damage_image_data(smaug, checkpoint, image):
    """Overwrite every chunk of the image's saved bytes in the bank."""
    provider = providers.ProviderRegistry(smaug.provider_dir).get(
        smaug.provider_id())
    bank = bank_module.Bank.from_provider(provider)
    section = checkpoint_layout.resource_section(
        bank, checkpoint['id'], key(IMAGE, image.id), writable=False)
    manifest = chunk_store.ChunkStore(bank).manifest(section,
                                                     image_data.DATA)
    assert manifest.addresses()
    for address in manifest.addresses():
        bank.put_object(chunk_layout.chunk_key(address), b'damaged')


def test_an_image_whose_data_is_damaged_is_not_left_half_restored(
        smaug, demo, demo_operations, prefix, cleanup):
    image = _image(demo, prefix + '-damaged', os.urandom(MiB), cleanup)
    plan = demo_operations.plan(prefix + '-damaged', [(IMAGE, image)])
    checkpoint = demo_operations.protect(plan)
    cleanup('checkpoint', demo_operations.delete_checkpoint, checkpoint)
    assert checkpoint['status'] == 'available', checkpoint
    _damage_image_data(smaug, checkpoint, image)

    restore = demo_operations.restore(checkpoint)
    cleanup('restored resources', demo.remove, restore['id'])

    assert_failed_on(restore, [key(IMAGE, image.id)], 'corrupt')
    assert demo.left_behind(restore['id']) == NOTHING
