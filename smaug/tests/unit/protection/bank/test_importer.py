"""Importing a bank's checkpoints into an empty or partial database."""
import datetime
import types

import pytest

from smaug import context
from smaug import exception
from smaug import states
from smaug.db import api as db
from smaug.protection.bank import checkpoint_layout as layout
from smaug.protection.bank import importer

PROVIDER = types.SimpleNamespace(id='b766f37c-d011-4026-8228-28730d734a3f')
OTHER_PROVIDER = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
T0 = datetime.datetime(2024, 5, 1, 10, 0, 0, 123456)
CHECKPOINT_IDS = ['3c0f7f0e-0000-4000-8000-00000000000%d' % i
                  for i in range(10)]


def admin():
    return context.get_admin_context()


def write(bank, index, project='project-1', status='available',
          provider=PROVIDER.id):
    return layout.write_checkpoint(bank, {
        'id': CHECKPOINT_IDS[index], 'status': status, 'owner_id': 'user-1',
        'provider_id': provider, 'project_id': project,
        'protection_plan': {'id': 'plan-%s' % project, 'name': 'nightly',
                            'provider_id': provider, 'resources': []},
        'extra_info': {'created_by': 'operation-engine'},
        'created_at': T0 + datetime.timedelta(minutes=index),
        'resource_graph': [{}, []]})


def checkpoints_in_database():
    return sorted((record.id, record.project_id, record.status)
                  for record in db.checkpoint_get_all(admin(),
                                                      all_tenants=True))


def counts(**nonzero):
    values = dict.fromkeys(('imported', 'present', 'in_progress', 'deleted',
                            'other_provider', 'conflicts', 'corrupt'), 0)
    values.update(nonzero)
    return values


def test_import_records_every_checkpoint_of_the_bank(database, fs_bank):
    write(fs_bank, 0, project='project-1')
    write(fs_bank, 1, project='project-2', status='error')

    result = importer.import_checkpoints(admin(), PROVIDER, fs_bank)

    assert result == counts(imported=2)
    assert checkpoints_in_database() == [
        (CHECKPOINT_IDS[0], 'project-1', 'available'),
        (CHECKPOINT_IDS[1], 'project-2', 'error')]
    record = db.checkpoint_get(admin(), CHECKPOINT_IDS[1])
    assert (record.user_id, record.provider_id, record.plan_id) == (
        'user-1', PROVIDER.id, 'plan-project-2')
    assert record.created_at == T0 + datetime.timedelta(minutes=1)
    assert record.protection_plan['name'] == 'nightly'
    assert record.extra_info == {'created_by': 'operation-engine'}
    assert record.resource_graph == [{}, []]
    mine = context.RequestContext(user_id='user-1', project_id='project-2')
    assert [c.id for c in db.checkpoint_get_all(mine)] == [
        CHECKPOINT_IDS[1]]


def test_import_twice_changes_nothing(database, fs_bank):
    for index in range(3):
        write(fs_bank, index)
    importer.import_checkpoints(admin(), PROVIDER, fs_bank)
    before = checkpoints_in_database()

    result = importer.import_checkpoints(admin(), PROVIDER, fs_bank)

    assert result == counts(present=3)
    assert checkpoints_in_database() == before


def test_import_adds_only_what_the_database_lacks(database, fs_bank):
    write(fs_bank, 0)
    importer.import_checkpoints(admin(), PROVIDER, fs_bank)
    db.checkpoint_update(admin(), CHECKPOINT_IDS[0], {'status': 'error'})
    write(fs_bank, 1)

    result = importer.import_checkpoints(admin(), PROVIDER, fs_bank)

    assert result == counts(imported=1, present=1)
    assert checkpoints_in_database() == [
        (CHECKPOINT_IDS[0], 'project-1', 'error'),
        (CHECKPOINT_IDS[1], 'project-1', 'available')]


def test_checkpoint_being_written_waits_for_its_writer(database, fs_bank,
                                                       clock):
    write(fs_bank, 0, status=states.CheckpointStatus.PROTECTING)
    fs_bank.acquire_lease(layout.lease_name(CHECKPOINT_IDS[0]),
                          'agent-elsewhere', 60)

    assert importer.import_checkpoints(admin(), PROVIDER, fs_bank) == (
        counts(in_progress=1))
    assert checkpoints_in_database() == []

    clock.advance(61)
    assert importer.import_checkpoints(admin(), PROVIDER, fs_bank) == (
        counts(imported=1))
    record = db.checkpoint_get(admin(), CHECKPOINT_IDS[0])
    assert record.status == states.CheckpointStatus.ERROR
    assert 'left protecting with no agent' in record.error_reason


def test_checkpoints_of_other_providers_are_left(database, fs_bank):
    write(fs_bank, 0, provider=OTHER_PROVIDER)

    assert importer.import_checkpoints(admin(), PROVIDER, fs_bank) == (
        counts(other_provider=1))
    assert checkpoints_in_database() == []


def test_deleted_checkpoints_are_not_imported(database, fs_bank):
    write(fs_bank, 0)
    write(fs_bank, 1)
    layout.delete_checkpoint(fs_bank, CHECKPOINT_IDS[0])

    assert importer.import_checkpoints(admin(), PROVIDER, fs_bank) == (
        counts(imported=1))
    with pytest.raises(exception.CheckpointNotFound):
        db.checkpoint_get(admin(), CHECKPOINT_IDS[0])


def test_checkpoint_deleted_in_the_database_is_a_conflict(database,
                                                          fs_bank):
    write(fs_bank, 0)
    importer.import_checkpoints(admin(), PROVIDER, fs_bank)
    db.checkpoint_destroy(admin(), CHECKPOINT_IDS[0])

    assert importer.import_checkpoints(admin(), PROVIDER, fs_bank) == (
        counts(conflicts=1))
    assert checkpoints_in_database() == []


def test_corrupt_checkpoint_does_not_stop_the_import(database, fs_bank,
                                                     bank_path):
    write(fs_bank, 0)
    write(fs_bank, 1)
    path = (bank_path / 'objects' / 'checkpoints' / CHECKPOINT_IDS[0] /
            'index.json,object')
    path.write_bytes(path.read_bytes().replace(b'available', b'availabel'))

    assert importer.import_checkpoints(admin(), PROVIDER, fs_bank) == (
        counts(imported=1, corrupt=1))
    assert [row[0] for row in checkpoints_in_database()] == [
        CHECKPOINT_IDS[1]]


def test_import_reads_the_database_in_batches(database, fs_bank,
                                              monkeypatch):
    monkeypatch.setattr(importer, 'BATCH', 3)
    for index in range(7):
        write(fs_bank, index)
    calls = []
    real = db.checkpoint_get_all
    monkeypatch.setattr(db, 'checkpoint_get_all', lambda *args, **kwargs: (
        calls.append(kwargs['filters']['id']) or real(*args, **kwargs)))

    assert importer.import_checkpoints(admin(), PROVIDER, fs_bank) == (
        counts(imported=7))
    assert [len(ids) for ids in calls] == [3, 3, 1]


def test_import_needs_an_admin_context(database, fs_bank):
    write(fs_bank, 0)
    member = context.RequestContext(user_id='user-1', project_id='project-1')

    with pytest.raises(exception.NotAuthorized):
        importer.import_checkpoints(member, PROVIDER, fs_bank)
    assert checkpoints_in_database() == []
