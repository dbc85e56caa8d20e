"""Volumes made from a backup that other restores use too.

Cinder's own answers are in the functional tests; here a stand-in plays
the backup being taken by another restore at chosen moments.
"""
import types

from cinderclient import exceptions as cinder_exceptions
from oslo_config import fixture as config_fixture
import pytest

from smaug import exception
from smaug.conf import CONF
from smaug.protection.plugins.openstack import cinder_objects

#: What Cinder answers for a volume of a backup that is restoring.
BUSY = cinder_exceptions.BadRequest(
    400, message="Invalid backup: Originating backup status must be one of "
                 "'available' values")


@pytest.fixture(autouse=True)
def short_waits():
    config = config_fixture.Config(CONF)
    config.setUp()
    config.config(group='clients', wait_interval=0.05,
                  max_wait_interval=0.05, wait_timeout=5)
    yield config
    config.cleanUp()


class Cinder:
    """Backups whose status is the next of ``statuses`` at every look,
    volume requests answered by the next of ``answers`` (the last ones
    for ever)."""

    def __init__(self, statuses, *answers):
        self.statuses = list(statuses)
        self.answers = list(answers)
        self.requests = []
        self.backups = types.SimpleNamespace(get=self._backup)
        self.volumes = types.SimpleNamespace(create=self._create)

    def _backup(self, backup_id):
        status = (self.statuses.pop(0) if len(self.statuses) > 1
                  else self.statuses[0])
        return types.SimpleNamespace(id=backup_id, status=status,
                                     fail_reason='the store is gone')

    def _create(self, **arguments):
        self.requests.append(arguments)
        answer = (self.answers.pop(0) if len(self.answers) > 1
                  else self.answers[0])
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.mark.parametrize('error, busy', [
    (BUSY, True),
    (cinder_exceptions.BadRequest(400, message='Backup status must be '
                                                'available'), True),
    (cinder_exceptions.BadRequest(400, message='Invalid input received: '
                                                'size 2 < backup size 3'),
     False),
    (cinder_exceptions.OverLimit(413, message='Backup status must be '
                                               'available'), False),
    (ValueError('backup status'), False),
])
def test_only_a_bad_request_about_the_backup_status_is_busy(error, busy):
    assert cinder_objects.refused_as_busy_backup(error) is busy


def test_a_restoring_backup_is_waited_for_then_restored():
    cinder = Cinder(['restoring', 'restoring', 'available'], 'volume')

    volume = cinder_objects.create_volume_from(
        cinder, {'backup_id': 'b1'}, size=1, name='again')

    assert volume == 'volume'
    assert cinder.requests == [{'backup_id': 'b1', 'size': 1,
                                'name': 'again'}]


def test_a_backup_taken_meanwhile_is_asked_for_again():
    cinder = Cinder(['available', 'restoring', 'available'], BUSY,
                    'volume')

    assert cinder_objects.create_volume_from(
        cinder, {'backup_id': 'b1'}, size=1) == 'volume'
    assert len(cinder.requests) == 2


def test_a_backup_busy_for_too_long_times_out_naming_it(short_waits):
    short_waits.config(group='clients', wait_timeout=1)
    cinder = Cinder(['available'], BUSY)

    with pytest.raises(exception.WaitTimeout) as timed_out:
        cinder_objects.create_volume_from(cinder, {'backup_id': 'b1'},
                                          size=1)

    assert str(timed_out.value).startswith(
        'backup b1 did not become available within 1.0 s')
    assert len(cinder.requests) > 2


@pytest.mark.parametrize('status', ['error', 'deleting', 'error_deleting'])
def test_a_lost_backup_fails_at_once(status):
    cinder = Cinder([status, 'available'], 'volume')

    with pytest.raises(exception.ResourceFailed) as failed:
        cinder_objects.create_volume_from(cinder, {'backup_id': 'b1'},
                                          size=1)

    assert str(failed.value) == (
        'backup b1 went to status %s: the store is gone' % status)
    assert cinder.requests == []


def test_a_snapshot_is_restored_without_looking_at_backups():
    cinder = Cinder([], 'volume')

    assert cinder_objects.create_volume_from(
        cinder, {'snapshot_id': 's1'}, size=1) == 'volume'
    assert cinder.requests == [{'snapshot_id': 's1', 'size': 1}]


@pytest.mark.parametrize('status, restorable', [
    ('available', True), ('restoring', True), ('error', False),
    ('deleting', False), ('creating', False)])
def test_a_busy_backup_is_restorable_a_lost_one_is_not(status, restorable):
    cinder = types.SimpleNamespace(backups=types.SimpleNamespace(
        get=lambda backup_id: types.SimpleNamespace(
            id=backup_id, status=status, size=1, fail_reason=None)))
    saved = {'volume_id': 'v1', 'size': 1}

    if restorable:
        assert cinder_objects.check_restorable(
            cinder, cinder_objects.BACKUP, 'b1', saved).id == 'b1'
    else:
        with pytest.raises(cinder_objects.ProtectedDataUnusable,
                           match='it is %s' % status):
            cinder_objects.check_restorable(cinder, cinder_objects.BACKUP,
                                            'b1', saved)
