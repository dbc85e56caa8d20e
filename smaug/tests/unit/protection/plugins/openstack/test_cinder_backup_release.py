"""Releasing backups of a chain while newer ones are still being made.

Cinder refuses to delete a backup as soon as an incremental one on it is
asked for, but shows it in ``has_dependent_backups`` only once that one
is available. A stand-in plays that gap here, which the local cloud
shows only by chance.
"""
import types

from cinderclient import exceptions as cinder_exceptions
import pytest

from smaug.protection.plugins.openstack import cinder_backup


class Cinder:
    """Backups of one volume, each with a parent and a flag telling
    whether Cinder counts it among its parent's dependents yet."""

    def __init__(self):
        self.stored = {}
        self.backups = types.SimpleNamespace(
            get=self._get, list=self._list, update=self._update,
            delete=self._delete)

    def add(self, backup_id, parent_id=None, counted=True):
        self.stored[backup_id] = dict(parent_id=parent_id, counted=counted,
                                      metadata={})

    def _view(self, backup_id):
        stored = self.stored[backup_id]
        return types.SimpleNamespace(
            id=backup_id, volume_id='v1', status='available',
            metadata=dict(stored['metadata']),
            has_dependent_backups=any(
                other['parent_id'] == backup_id and other['counted']
                for other in self.stored.values()))

    def _get(self, backup_id):
        if backup_id not in self.stored:
            raise cinder_exceptions.NotFound(404)
        return self._view(backup_id)

    def _list(self, search_opts):
        return [self._view(backup_id) for backup_id in self.stored]

    def _update(self, backup_id, metadata):
        self.stored[backup_id]['metadata'] = metadata

    def _delete(self, backup_id):
        if any(other['parent_id'] == backup_id
               for other in self.stored.values()):
            raise cinder_exceptions.BadRequest(
                400, message='Invalid backup: Incremental backups exist '
                             'for this backup.')
        del self.stored[backup_id]


def test_a_backup_without_dependents_is_deleted():
    cinder = Cinder()
    cinder.add('full')

    cinder_backup.release(cinder, 'full')

    assert cinder.stored == {}


@pytest.mark.parametrize('counted', [True, False])
def test_a_needed_backup_stays_released_until_its_dependent_goes(counted):
    cinder = Cinder()
    cinder.add('full')
    # Counted: available and shown; not counted: still being made, or
    # available a moment before Cinder counts it.
    cinder.add('incremental', parent_id='full', counted=counted)

    cinder_backup.release(cinder, 'full')

    assert set(cinder.stored) == {'full', 'incremental'}
    assert cinder.stored['full']['metadata'] == {
        cinder_backup.RELEASED_KEY: 'true'}

    cinder.stored['incremental']['counted'] = True
    cinder_backup.release(cinder, 'incremental')

    assert cinder.stored == {}


def test_another_refusal_of_a_deletion_is_raised():
    cinder = Cinder()
    cinder.add('full')

    def refuse(backup_id):
        raise cinder_exceptions.BadRequest(
            400, message='Invalid backup: Backup status must be available '
                         'or error')
    cinder.backups.delete = refuse

    with pytest.raises(cinder_exceptions.BadRequest):
        cinder_backup.release(cinder, 'full')
