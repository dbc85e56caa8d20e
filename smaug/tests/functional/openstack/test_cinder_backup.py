"""The Cinder backup plugin against the Cinder (and cinder-backup to Swift)
of the test cloud.

Operations run through real flows in an in-process agent
(:mod:`harness`); volumes hold known random bytes, and restored volumes
are read back through the cloud's API. Afterwards the tests list what the
operation left in the cloud, by its tags.
"""
from concurrent import futures
import os
import uuid

from cinderclient import exceptions as cinder_exceptions
import jsonschema
import pytest

from smaug.protection import activity
from smaug.protection import resource_types
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import filesystem
from smaug.protection.plugins.openstack import cinder_backup
from smaug.protection.plugins.openstack import tagging
from smaug.tests.fixtures import waiting
from smaug.tests.functional.cloud import test_block_storage
from smaug.tests.functional.cloud import test_compute
from smaug.tests.functional.openstack import volumes
from smaug.tests.unit.protection.bank import testbanks

MIB = 1024 * 1024
VOLUME = resource_types.VOLUME
PLUGIN = 'cinder-backup'
PLUGINS = [PLUGIN]


def _cleanup_backup(cleanup, cinder, backup_id):
    """Delete the backup at the test's end, if the test did not."""
    cleanup('backup', cinder_backup.release, cinder, backup_id)


def _boot_image(devcloud):
    return next(iter(devcloud.glance().images.list(
        filters={'name': 'devcloud-image'}))).id


def _blank_volume(cinder, name, cleanup):
    volume = cinder.volumes.create(1, name=name)
    cleanup('volume', cinder.volumes.delete, volume.id)
    return test_compute.wait_for_volume(cinder, volume.id, 'available')


def _activity_context(devcloud, volume, tmp_path, user='demo'):
    """The context of a protect activity, for driving one by hand."""
    bank = bank_module.Bank(filesystem.FileSystemBankPlugin(
        testbanks.file_system_conf(tmp_path / 'bank')))
    return activity.ActivityContext(
        context=devcloud.user_context(user), operation='protect',
        operation_id=str(uuid.uuid4()), resource=volumes.resource_of(volume),
        parameters={}, bank=bank.section('volume'),
        progress=lambda done, total=None: None)


def test_protect_delete_the_volume_restore_the_same_bytes(
        agent, devcloud, cinder, name, cleanup):
    data = os.urandom(2 * MIB)
    volume = volumes.with_bytes(devcloud, name, data, cleanup)
    cinder.volumes.set_metadata(volume.id, {'purpose': 'smaug-test'})

    checkpoint = agent.protect([volumes.resource_of(volume)],
                               {VOLUME: {'container': name}})

    assert checkpoint.status == 'available', checkpoint.error_reason
    saved = volumes.saved_info(agent, checkpoint.id, volume)
    _cleanup_backup(cleanup, cinder, saved['backup_id'])
    jsonschema.validate(saved, cinder_backup.CinderBackupPlugin
                        .get_saved_info_schema(VOLUME))
    backup = cinder.backups.get(saved['backup_id'])
    # An available volume is backed up directly, without a snapshot.
    assert (backup.status, backup.container, backup.snapshot_id,
            backup.is_incremental) == ('available', name, None, False)
    assert (backup.metadata[tagging.OPERATION_KEY],
            backup.metadata[tagging.RESOURCE_KEY]) == (
        checkpoint.id, volumes.resource_of(volume).key())
    assert (saved['volume_id'], saved['size'], saved['name'],
            saved['backup_mode'], saved['metadata']['purpose']) == (
        volume.id, 1, name, 'full', 'smaug-test')
    assert volumes.left_behind(cinder, checkpoint.id) == dict(
        volumes.NOTHING, backups=[backup.id])
    test_block_storage.delete_and_wait(cinder.volumes, volume.id)

    refused = agent.restore(checkpoint.id, {VOLUME: {
        'volume_type': 'no-such-type-%s' % name}})
    restore = agent.restore(checkpoint.id, {VOLUME: {
        'name': name + '-restored'}})

    assert refused.status == 'fail'
    assert 'no-such-type' in refused.error_reason, refused.error_reason
    assert volumes.left_behind(cinder, refused.id) == volumes.NOTHING
    assert restore.status == 'success', restore.error_reason
    new = volumes.restored(cinder, restore, cleanup)
    assert (new.status, new.size, new.name, new.volume_type) == (
        'available', 1, name + '-restored', volume.volume_type)
    assert new.metadata['purpose'] == 'smaug-test'
    assert new.metadata[tagging.RESOURCE_KEY] == volumes.resource_of(
        volume).key()
    volumes.assert_holds(devcloud, new, data, name, cleanup)

    verification = agent.verify(checkpoint.id, {VOLUME: {
        'test_restore': True}})
    assert verification.status == 'success', verification.error_reason
    assert volumes.left_behind(cinder, verification.id) == volumes.NOTHING

    deletion = agent.delete(checkpoint.id)
    assert deletion.status == 'deleted', deletion.error_reason
    assert volumes.left_behind(cinder, checkpoint.id) == volumes.NOTHING


def test_restores_of_one_backup_at_the_same_time_both_succeed(
        agent, devcloud, cinder, name, cleanup):
    # Cinder refuses a volume of a backup while it restores another: the
    # second restore starts once the first has the backup restoring, and
    # waits for its turn.
    data = os.urandom(2 * MIB)
    volume = volumes.with_bytes(devcloud, name, data, cleanup)
    checkpoint = agent.protect([volumes.resource_of(volume)])
    assert checkpoint.status == 'available', checkpoint.error_reason
    backup_id = volumes.saved_info(agent, checkpoint.id,
                                   volume)['backup_id']
    _cleanup_backup(cleanup, cinder, backup_id)

    with futures.ThreadPoolExecutor(1) as pool:
        first = pool.submit(agent.restore, checkpoint.id)
        waiting.wait_for('backup %s restoring' % backup_id, lambda: (
            first.done() or
            cinder.backups.get(backup_id).status == 'restoring'),
            interval=0.2)
        assert not first.done(), 'the first restore never used the backup'
        second = agent.restore(checkpoint.id)
        first = first.result()

    for restore in (first, second):
        assert restore.status == 'success', restore.error_reason
    new_volumes = [volumes.restored(cinder, restore, cleanup)
                   for restore in (first, second)]
    for new in new_volumes:
        volumes.assert_holds(devcloud, new, data, name, cleanup)
    assert cinder.backups.get(backup_id).status == 'available'


def test_in_use_volume_then_incremental_after_a_change(
        agent, devcloud, cinder, name, cleanup):
    first_bytes, second_bytes = os.urandom(2 * MIB), os.urandom(3 * MIB)
    volume = volumes.with_bytes(devcloud, name, first_bytes, cleanup)
    server = test_compute.boot(devcloud, name, cleanup,
                               image=_boot_image(devcloud))
    attached = volumes.attach(devcloud, server, volume)
    parameters = {VOLUME: {'backup_mode': 'incremental'}}

    # No backup of Smaug's to build on yet: a full one.
    first = agent.protect([volumes.resource_of(volume)], parameters)

    assert first.status == 'available', first.error_reason
    first_saved = volumes.saved_info(agent, first.id, volume)
    _cleanup_backup(cleanup, cinder, first_saved['backup_id'])
    assert first_saved['backup_mode'] == 'full'
    # In use: backed up from a snapshot, deleted since.
    assert cinder.backups.get(first_saved['backup_id']).snapshot_id
    assert first_saved['attachments'] == [{
        'server_id': server.id,
        'device': attached.attachments[0]['device']}]
    assert volumes.left_behind(cinder, first.id)['snapshots'] == []
    assert cinder.volumes.get(volume.id).status == 'in-use'

    volumes.detach(devcloud, server, volume)
    volumes.rewrite(devcloud, volume, second_bytes, name, cleanup)
    volumes.attach(devcloud, server, volume)
    parameters[VOLUME]['force'] = True
    second = agent.protect([volumes.resource_of(volume)], parameters)

    assert second.status == 'available', second.error_reason
    second_saved = volumes.saved_info(agent, second.id, volume)
    _cleanup_backup(cleanup, cinder, second_saved['backup_id'])
    second_backup = cinder.backups.get(second_saved['backup_id'])
    assert second_saved['backup_mode'] == 'incremental'
    assert (second_backup.is_incremental, second_backup.snapshot_id) == (
        True, None)

    # The full backup is what the incremental one builds on: deleting its
    # checkpoint releases it, and it stays until the incremental goes.
    assert agent.delete(first.id).status == 'deleted'
    first_backup = cinder.backups.get(first_saved['backup_id'])
    assert first_backup.metadata[cinder_backup.RELEASED_KEY] == 'true'
    # Cinder counts the incremental backup among the full one's
    # dependents a moment after it is available: not asserted here.
    assert first_backup.status == 'available'

    restore = agent.restore(second.id)

    assert restore.status == 'success', restore.error_reason
    volumes.assert_holds(devcloud, volumes.restored(cinder, restore,
                                                    cleanup),
                         second_bytes, name, cleanup)
    assert agent.delete(second.id).status == 'deleted'
    remaining = {b.id for b in cinder.backups.list(
        search_opts={'volume_id': volume.id})}
    assert remaining.isdisjoint({first_saved['backup_id'],
                                 second_saved['backup_id']}), remaining


def test_a_failed_protect_leaves_no_snapshot_or_backup(
        smaug_clients, devcloud, cinder, name, cleanup):
    volume = volumes.with_bytes(devcloud, name, os.urandom(MIB), cleanup)
    agent = volumes.failing_agent(smaug_clients, PLUGIN, 'protect')
    try:
        checkpoint = agent.protect([volumes.resource_of(volume)])
        journal = agent.journal.read()
    finally:
        agent.cleanUp()

    assert checkpoint.status == 'error'
    assert 'injected failure' in checkpoint.error_reason
    # The volume was protected before the root failed, then reverted.
    assert checkpoint.resources_status[
        volumes.resource_of(volume).key()] == 'available'
    assert any(entry['event'] == 'fail' for entry in journal)
    assert volumes.left_behind(cinder, checkpoint.id) == volumes.NOTHING


def test_a_failed_restore_deletes_the_new_volume(
        smaug_clients, devcloud, cinder, name, cleanup):
    volume = volumes.with_bytes(devcloud, name, os.urandom(MIB), cleanup)
    agent = volumes.failing_agent(smaug_clients, PLUGIN, 'restore')
    try:
        checkpoint = agent.protect([volumes.resource_of(volume)])
        saved = volumes.saved_info(agent, checkpoint.id, volume)
        _cleanup_backup(cleanup, cinder, saved['backup_id'])
        restore = agent.restore(checkpoint.id)
    finally:
        agent.cleanUp()

    assert checkpoint.status == 'available', checkpoint.error_reason
    assert restore.status == 'fail'
    assert restore.resources_status[
        volumes.resource_of(volume).key()] == 'restored'
    assert volumes.left_behind(cinder, restore.id) == volumes.NOTHING


def test_a_refused_backup_leaves_no_temporary_snapshot(
        smaug_clients, devcloud, name, cleanup, tmp_path):
    # A real failure in the middle of the protect: the snapshot exists
    # when Cinder refuses the backup (the project may have no backup).
    cinder, admin = devcloud.cinder('alt'), devcloud.cinder('admin')
    project = devcloud.project_id('alt')
    volume = _blank_volume(cinder, name, cleanup)
    ctx = _activity_context(devcloud, volume, tmp_path, user='alt')
    work = cinder_backup.BackUpVolume(snapshot_available=True)
    limit = admin.quotas.get(project).backups
    admin.quotas.update(project, backups=0)
    try:
        with pytest.raises(cinder_exceptions.ClientException) as refused:
            work.run(ctx, None)
    finally:
        admin.quotas.update(project, backups=limit)
    after_run = volumes.left_behind(cinder, ctx.operation_id)
    work.revert(ctx, None)

    assert 'backup' in str(refused.value).lower(), refused.value
    assert after_run == volumes.NOTHING
    assert volumes.left_behind(cinder, ctx.operation_id) == volumes.NOTHING


def _dead_run_snapshot(cinder, volume, ctx, cleanup):
    """What a run that died after its first call leaves: a tagged
    snapshot, and nothing in the flow's records to say so."""
    snapshot = cinder.volume_snapshots.create(
        volume.id, force=True, name=tagging.name(ctx, 'snapshot'),
        metadata=tagging.metadata(ctx))
    cleanup('snapshot', test_compute.delete_snapshot, cinder, snapshot.id)
    return snapshot


def test_a_revert_finds_the_snapshot_a_dead_run_took(
        smaug_clients, devcloud, cinder, name, cleanup, tmp_path):
    volume = _blank_volume(cinder, name, cleanup)
    ctx = _activity_context(devcloud, volume, tmp_path)
    _dead_run_snapshot(cinder, volume, ctx, cleanup)

    cinder_backup.BackUpVolume().revert(ctx, None)

    assert volumes.left_behind(cinder, ctx.operation_id) == volumes.NOTHING


def test_a_resumed_run_backs_up_the_snapshot_a_dead_run_took(
        smaug_clients, devcloud, cinder, name, cleanup, tmp_path):
    volume = _blank_volume(cinder, name, cleanup)
    ctx = _activity_context(devcloud, volume, tmp_path)
    snapshot = _dead_run_snapshot(cinder, volume, ctx, cleanup)

    result = cinder_backup.BackUpVolume(snapshot_available=True).run(
        ctx, None)

    _cleanup_backup(cleanup, cinder, result['backup_id'])
    assert cinder.backups.get(result['backup_id']).snapshot_id == (
        snapshot.id)
    assert volumes.left_behind(cinder, ctx.operation_id) == dict(
        volumes.NOTHING, backups=[result['backup_id']])
    assert ctx.bank.get_json('metadata')['backup_id'] == result['backup_id']
