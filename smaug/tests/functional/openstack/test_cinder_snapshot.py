"""The Cinder snapshot plugin against the Cinder of the test cloud.

Operations run through real flows in an in-process agent (:mod:`harness`)
on volumes of known random bytes; restored volumes are read back through
the cloud's API, and what each operation left in the cloud is listed by
its tags.

A volume cannot be deleted while it has snapshots, so the original stays
while its checkpoint exists.
"""
import os

import jsonschema

from smaug.protection import resource_types
from smaug.protection.plugins.openstack import cinder_snapshot
from smaug.protection.plugins.openstack import tagging
from smaug.tests.functional.cloud import test_compute
from smaug.tests.functional.openstack import volumes

MIB = 1024 * 1024
VOLUME = resource_types.VOLUME
PLUGIN = 'cinder-snapshot'
PLUGINS = [PLUGIN]


def _protect(agent, cinder, volume, cleanup):
    """Protect ``volume``; its snapshot is deleted at the test's end (before
    the volume), if the test did not."""
    checkpoint = agent.protect([volumes.resource_of(volume)])
    assert checkpoint.status == 'available', checkpoint.error_reason
    saved = volumes.saved_info(agent, checkpoint.id, volume)
    cleanup('snapshot', test_compute.delete_snapshot, cinder,
            saved['snapshot_id'])
    return checkpoint, saved


def test_protect_in_use_volume_restore_the_same_bytes(
        agent, devcloud, cinder, name, cleanup):
    data = os.urandom(2 * MIB)
    volume = volumes.with_bytes(devcloud, name, data, cleanup)
    server = test_compute.boot(devcloud, name, cleanup, image=next(iter(
        devcloud.glance().images.list(filters={'name': 'devcloud-image'}))
    ).id)
    attached = volumes.attach(devcloud, server, volume)

    checkpoint, saved = _protect(agent, cinder, volume, cleanup)

    jsonschema.validate(saved, cinder_snapshot.CinderSnapshotPlugin
                        .get_saved_info_schema(VOLUME))
    snapshot = cinder.volume_snapshots.get(saved['snapshot_id'])
    assert (snapshot.status, snapshot.volume_id, snapshot.size) == (
        'available', volume.id, 1)
    assert (snapshot.metadata[tagging.OPERATION_KEY],
            snapshot.metadata[tagging.RESOURCE_KEY]) == (
        checkpoint.id, volumes.resource_of(volume).key())
    assert saved['attachments'] == [{
        'server_id': server.id,
        'device': attached.attachments[0]['device']}]
    volumes.detach(devcloud, server, volume)

    restore = agent.restore(checkpoint.id, {VOLUME: {
        'name': name + '-restored', 'description': 'restored'}})

    assert restore.status == 'success', restore.error_reason
    new = volumes.restored(cinder, restore, cleanup)
    assert (new.size, new.name, new.description, new.snapshot_id) == (
        1, name + '-restored', 'restored', snapshot.id)
    volumes.assert_holds(devcloud, new, data, name, cleanup)

    assert agent.verify(checkpoint.id).status == 'success'
    deletion = agent.delete(checkpoint.id)
    assert deletion.status == 'deleted', deletion.error_reason
    assert volumes.left_behind(cinder, checkpoint.id) == volumes.NOTHING


def test_a_snapshot_deleted_behind_smaugs_back_fails_verify_and_restore(
        agent, devcloud, cinder, name, cleanup):
    volume = volumes.with_bytes(devcloud, name, os.urandom(MIB), cleanup)
    checkpoint, saved = _protect(agent, cinder, volume, cleanup)
    test_compute.delete_snapshot(cinder, saved['snapshot_id'])

    verification = agent.verify(checkpoint.id)
    restore = agent.restore(checkpoint.id)

    key = volumes.resource_of(volume).key()
    assert verification.status == 'fail'
    assert saved['snapshot_id'] in verification.resources_reason[key]
    assert restore.status == 'fail'
    assert saved['snapshot_id'] in restore.resources_reason[key]
    assert volumes.left_behind(cinder, restore.id) == volumes.NOTHING
    assert agent.delete(checkpoint.id).status == 'deleted'


def test_a_failed_protect_leaves_no_snapshot(smaug_clients, devcloud,
                                             cinder, name, cleanup):
    volume = volumes.with_bytes(devcloud, name, os.urandom(MIB), cleanup)
    agent = volumes.failing_agent(smaug_clients, PLUGIN, 'protect')
    try:
        checkpoint = agent.protect([volumes.resource_of(volume)])
    finally:
        agent.cleanUp()

    assert checkpoint.status == 'error'
    assert 'injected failure' in checkpoint.error_reason
    # The volume was protected before the root failed, then reverted.
    assert checkpoint.resources_status[
        volumes.resource_of(volume).key()] == 'available'
    assert volumes.left_behind(cinder, checkpoint.id) == volumes.NOTHING


def test_a_failed_restore_deletes_the_new_volume(smaug_clients, devcloud,
                                                 cinder, name, cleanup):
    volume = volumes.with_bytes(devcloud, name, os.urandom(MIB), cleanup)
    agent = volumes.failing_agent(smaug_clients, PLUGIN, 'restore')
    try:
        checkpoint, _ = _protect(agent, cinder, volume, cleanup)
        restore = agent.restore(checkpoint.id)
    finally:
        agent.cleanUp()

    assert restore.status == 'fail'
    assert restore.resources_status[
        volumes.resource_of(volume).key()] == 'restored'
    assert volumes.left_behind(cinder, restore.id) == volumes.NOTHING
