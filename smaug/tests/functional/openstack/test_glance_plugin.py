"""The Glance image plugin against the Glance of the test cloud.

Each test protects an image of known random bytes through a real flow in
an in-process agent (:mod:`harness`), and looks at the cloud and the bank
afterwards.
"""
import hashlib
import io
import os
import time
import uuid

from oslo_config import fixture as config_fixture
import pytest

from smaug.conf import CONF
from smaug.db import api as db
from smaug.protection import resource
from smaug.protection import resource_types
from smaug.protection.bank import checkpoint_layout
from smaug.protection.chunks import store as chunk_store
from smaug.protection.plugins.openstack import image_data
from smaug.protection.plugins.openstack import tagging
from smaug.tests.fixtures import cloud as cloud_fixture
from smaug.tests.functional.openstack import harness
from smaug.tests.unit.protection.bank import testbanks
from smaug.tests.unit.protection.chunks import conftest as chunk_conftest

MIB = 1024 * 1024
#: Two full chunks (one of them zeros) and a short one.
IMAGE_BYTES = (os.urandom(4 * MIB) + bytes(4 * MIB) + os.urandom(MIB + 4567))
PROPERTIES = {'smaug_test_property': 'kept', 'hw_disk_bus': 'virtio'}


def _hashes(data):
    return (hashlib.md5(data, usedforsecurity=False).hexdigest(),
            hashlib.sha512(data).hexdigest())


@pytest.fixture
def glance(smaug_clients):
    return smaug_clients.glance('demo')


@pytest.fixture
def image(glance, name, cleanup):
    """An active, protected image of IMAGE_BYTES with tags and custom
    properties, owned by the demo project."""
    created = glance.images.create(
        name=name, disk_format='raw', container_format='bare', min_disk=1,
        min_ram=64, tags=['smaug-test', name], **PROPERTIES)
    cleanup('image', image_data.delete_image, glance, created.id)
    glance.images.upload(created.id, io.BytesIO(IMAGE_BYTES))
    glance.images.update(created.id, protected=True)
    return glance.images.get(created.id)


def _resource(image):
    return resource.Resource(type=resource_types.IMAGE, id=image.id,
                             name=image.name)


def _agent(smaug_clients, **options):
    agent = harness.CloudAgent(smaug_clients, ['glance'], **options)
    agent.setUp()
    return agent


@pytest.fixture
def agent(smaug_clients):
    running = _agent(smaug_clients)
    yield running
    running.cleanUp()


def _failing_agent(smaug_clients, operation, **options):
    """An agent whose root resource fails its sync in ``operation``, once
    every image below it is done."""
    return _agent(smaug_clients, recording=(
        'fail_resource = %s\nfail_operation = %s\nfail_phase = sync\n'
        % (harness.ROOT.id, operation)), **options)


@pytest.fixture
def chunk_options():
    """Set ``[chunk_store]`` options; collections free unreferenced
    chunks at once."""
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    fixture.config(gc_min_age_seconds=0, gc_settle_seconds=0,
                   group='chunk_store')
    yield lambda **options: fixture.config(group='chunk_store', **options)
    fixture.cleanUp()


def _protect_and_copy(agent, image):
    """:returns: the checkpoint of ``image``, the request that copied it
    to the destination provider, and the copied checkpoint."""
    checkpoint = agent.protect([_resource(image)])
    copy = agent.copy(checkpoint.plan_id)
    [pair] = copy.checkpoint_pairs or [None]
    return checkpoint, copy, db.checkpoint_get(agent.context,
                                               pair['checkpoint_copy_id'])


def _chunks_after_a_collection(bank, timeout=60):
    """The chunks left in ``bank`` once a collection ran; the one a
    deletion asked for, in the background, may hold the bank first."""
    store = chunk_store.ChunkStore.for_bank(bank)
    deadline = time.monotonic() + timeout
    while store.collect_garbage().skipped:
        assert time.monotonic() < deadline, 'the bank stayed busy'
        time.sleep(0.5)
    return bank.list_objects('chunks/data/')


def _images_of(glance, operation_id):
    return list(glance.images.list(filters={
        tagging.OPERATION_KEY: operation_id}))


def _restored(glance, restore, cleanup):
    found = _images_of(glance, restore.id)
    for each in found:
        cleanup('restored image', image_data.delete_image, glance, each.id)
    assert len(found) == 1, found
    return glance.images.get(found[0].id)


def _image_key(image):
    return _resource(image).key()


def test_restore_brings_back_the_bytes_and_the_description(
        agent, glance, image, cleanup):
    checkpoint = agent.protect([_resource(image)])
    assert checkpoint.status == 'available', checkpoint.error_reason
    image_data.delete_image(glance, image.id)

    restore = agent.restore(checkpoint.id)

    assert restore.status == 'success', restore.error_reason
    restored = _restored(glance, restore, cleanup)
    assert restored.id != image.id
    assert restored.status == 'active'
    assert restored.size == len(IMAGE_BYTES)
    assert (restored.checksum, restored.os_hash_value) == _hashes(
        IMAGE_BYTES) == (image.checksum, image.os_hash_value)
    assert b''.join(glance.images.data(restored.id)) == IMAGE_BYTES
    assert (restored.name, restored.disk_format, restored.container_format,
            restored.min_disk, restored.min_ram, restored.protected) == (
        image.name, 'raw', 'bare', 1, 64, True)
    assert sorted(restored.tags) == sorted(image.tags)
    assert {key: restored[key] for key in PROPERTIES} == PROPERTIES
    assert restored[tagging.RESOURCE_KEY] == _image_key(image)


def test_restore_takes_a_new_name(agent, glance, image, cleanup):
    checkpoint = agent.protect([_resource(image)])
    new_name = 'restored-%s' % uuid.uuid4().hex[:8]

    restore = agent.restore(checkpoint.id, {resource_types.IMAGE: {
        'name': new_name, 'visibility': 'private'}})

    assert restore.status == 'success', restore.error_reason
    restored = _restored(glance, restore, cleanup)
    assert (restored.name, restored.visibility) == (new_name, 'private')
    assert restored.checksum == image.checksum


def test_an_unchanged_image_protected_again_stores_only_a_manifest(
        agent, image):
    first = agent.protect([_resource(image)])
    before = testbanks.stored_sizes(agent.bank_path)

    second = agent.protect([_resource(image)])

    assert (first.status, second.status) == ('available', 'available')
    after = testbanks.stored_sizes(agent.bank_path)
    written = {key: size for key, size in after.items()
               if before.get(key) != size}
    chunks = [key for key in written if key.startswith('chunks/data/')]
    assert chunks == []
    assert any(key.startswith('checkpoints/%s/' % second.id) and
               key.endswith('/data,object') for key in written), written
    assert sum(written.values()) < len(IMAGE_BYTES) / 100, written


def test_verify_names_the_image_whose_chunk_is_damaged(
        agent, glance, image):
    checkpoint = agent.protect([_resource(image)])
    assert agent.verify(checkpoint.id).status == 'success'
    chunk_files = sorted(
        os.path.join(agent.bank_path, 'objects', key)
        for key in testbanks.stored_sizes(agent.bank_path)
        if key.startswith('chunks/data/'))
    assert len(chunk_files) == 2
    with open(chunk_files[0], 'r+b') as f:
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 0xff]))

    verification = agent.verify(checkpoint.id)
    restore = agent.restore(checkpoint.id)

    assert verification.status == 'fail'
    reason = verification.resources_reason[_image_key(image)]
    assert image.id in reason and 'damaged' in reason, reason
    # A restore reading the damaged chunk fails in the middle of the
    # upload and takes its half-made image with it.
    assert restore.status == 'fail'
    assert 'corrupt' in restore.resources_reason[_image_key(image)]
    assert _images_of(glance, restore.id) == []


def test_a_failed_protect_leaves_no_manifest(smaug_clients, image):
    agent = _failing_agent(smaug_clients, 'protect')
    try:
        checkpoint = agent.protect([_resource(image)])
        keys = agent.bank.list_objects()
    finally:
        agent.cleanUp()

    assert checkpoint.status == 'error'
    assert not [key for key in keys
                if key.startswith('chunks/refs/') or
                (_image_key(image) in key and key.endswith('/data'))], keys
    # The chunks it had stored stay until a garbage collection finds
    # nothing referring to them.
    assert [key for key in keys if key.startswith('chunks/data/')]


def test_a_failed_restore_leaves_no_image(smaug_clients, glance, image):
    agent = _failing_agent(smaug_clients, 'restore')
    try:
        checkpoint = agent.protect([_resource(image)])
        restore = agent.restore(checkpoint.id)
    finally:
        agent.cleanUp()

    assert checkpoint.status == 'available'
    assert restore.status == 'fail'
    # The image was restored, then removed by the revert: the journal
    # shows the root failing only after its child's sync had returned.
    assert restore.resources_status.get(_image_key(image)) == 'restored'
    assert _images_of(glance, restore.id) == []


def test_an_image_without_data_is_refused(agent, glance, name, cleanup):
    queued = glance.images.create(name=name, disk_format='raw',
                                  container_format='bare')
    cleanup('image', image_data.delete_image, glance, queued.id)

    checkpoint = agent.protect([_resource(queued)])

    assert checkpoint.status == 'error'
    reason = checkpoint.resources_reason[_image_key(queued)]
    assert 'queued' in reason and 'only active images' in reason, reason


def _damage_in_glance(image):
    """Flip a byte of the image in the test cloud's file store: Glance
    serves the bytes as they are, and they no longer have its digests."""
    path = cloud_fixture.STATE_DIR / 'glance' / 'images' / image.id
    with open(path, 'r+b') as f:
        f.seek(len(IMAGE_BYTES) // 2)
        byte = f.read(1)
        f.seek(len(IMAGE_BYTES) // 2)
        f.write(bytes([byte[0] ^ 0x01]))


def test_a_download_that_differs_from_the_image_fails_the_protect(
        agent, image):
    _damage_in_glance(image)

    checkpoint = agent.protect([_resource(image)])

    assert checkpoint.status == 'error'
    reason = checkpoint.resources_reason[_image_key(image)]
    assert 'Corrupt download of image %s' % image.id in reason, reason
    assert image.os_hash_value in reason, reason
    keys = agent.bank.list_objects()
    assert not [key for key in keys
                if key.startswith('chunks/refs/') or
                (_image_key(image) in key and key.endswith('/data'))], keys


def test_delete_removes_the_manifest(agent, image):
    checkpoint = agent.protect([_resource(image)])

    deleted = agent.delete(checkpoint.id)

    assert deleted.status == 'deleted'
    keys = agent.bank.list_objects()
    assert not [key for key in keys
                if key.startswith('chunks/refs/') or
                key.startswith('checkpoints/%s/resources/' % checkpoint.id)
                ], keys


def test_the_swift_bank_keeps_the_bytes(smaug_clients, glance, image,
                                        cleanup):
    container = 'smaug-test-%s' % uuid.uuid4().hex[:12]
    agent = _agent(smaug_clients, bank=harness.swift_bank(smaug_clients,
                                                          container))
    try:
        checkpoint = agent.protect([_resource(image)])
        restore = agent.restore(checkpoint.id)
        chunks = [key for key in agent.bank.list_objects('chunks/data/')]
    finally:
        agent.cleanUp()
        harness.remove_swift_bank(smaug_clients, container)

    assert (checkpoint.status, restore.status) == ('available', 'success')
    assert len(chunks) == 2
    restored = _restored(glance, restore, cleanup)
    assert restored.os_hash_value == image.os_hash_value


@pytest.mark.parametrize('encryption_key', [None, chunk_conftest.KEY])
def test_a_copy_restores_from_its_own_bank_alone(
        smaug_clients, glance, image, cleanup, chunk_options,
        encryption_key):
    chunk_options(encryption_key=encryption_key)
    agent = _agent(smaug_clients, destination=True)
    try:
        checkpoint, copy, copied = _protect_and_copy(agent, image)
        destination = agent.bank_of(harness.DESTINATION_ID)
        copied_chunks = destination.list_objects('chunks/data/')
        manifest = chunk_store.ChunkStore.for_bank(destination).manifest(
            checkpoint_layout.resource_section(destination, copied.id,
                                               _image_key(image)),
            image_data.DATA)
        # The source goes, chunks and all, and so does the image.
        deleted = agent.delete(checkpoint.id)
        source_chunks = _chunks_after_a_collection(agent.bank)
        image_data.delete_image(glance, image.id)
        verification = agent.verify(copied.id)
        restore = agent.restore(copied.id)
    finally:
        agent.cleanUp()

    assert checkpoint.status == 'available', checkpoint.error_reason
    assert copy.status == 'success', copy.error_reason
    assert copied.status == 'available'
    assert copied.provider_id == harness.DESTINATION_ID
    assert len(copied_chunks) == 2
    assert manifest.encrypted == bool(encryption_key)
    assert (deleted.status, source_chunks) == ('deleted', [])
    assert verification.status == 'success', verification.error_reason
    assert restore.status == 'success', restore.error_reason
    restored = _restored(glance, restore, cleanup)
    assert (restored.checksum, restored.os_hash_value) == (
        image.checksum, image.os_hash_value)
    assert b''.join(glance.images.data(restored.id)) == IMAGE_BYTES


def test_a_failed_copy_leaves_its_chunks_to_the_collection(
        smaug_clients, image, chunk_options):
    agent = _failing_agent(smaug_clients, 'copy_checkpoint',
                           destination=True)
    try:
        checkpoint, copy, copied = _protect_and_copy(agent, image)
        source = db.checkpoint_get(agent.context, checkpoint.id)
        destination = agent.bank_of(harness.DESTINATION_ID)
        left = destination.list_objects()
        chunks_collected = _chunks_after_a_collection(destination)
    finally:
        agent.cleanUp()

    assert (checkpoint.status, copy.status, copied.status) == (
        'available', 'fail', 'error')
    # The image's data was copied, then its manifest removed with the
    # copy: nothing references the chunks it uploaded, which the next
    # collection frees.
    assert not [key for key in left
                if key.startswith('chunks/refs/') or
                key.startswith('checkpoints/%s/resources/' % copied.id)
                ], left
    assert len([key for key in left
                if key.startswith('chunks/data/')]) == 2, left
    assert chunks_collected == []
    assert not (source.extra_info.get('copies') or {})
