"""Agents claiming operation records, renewing and releasing the claims."""
import datetime
import threading

import pytest

from smaug import exception
from smaug.db import api as db
from smaug.db import models
from smaug.tests.unit.db import records

LEASED = ('checkpoint', 'restore', 'verification', 'copy')


def _expire_lease(ctx, kind, record_id):
    past = models.utcnow() - datetime.timedelta(seconds=5)
    records.function(kind, 'update')(ctx, record_id,
                                     {'lease_expires_at': past})


@pytest.mark.parametrize('kind', LEASED)
def test_claim_of_an_unowned_record(database, kind):
    ctx = records.admin()
    record = records.create(kind, records.member())
    before = models.utcnow()

    claimed = db.operation_claim(ctx, kind, record.id, 'agent-1', 60)

    assert claimed.owner == 'agent-1'
    assert claimed.lease_expires_at > before + datetime.timedelta(seconds=59)
    stored = records.function(kind, 'get')(ctx, record.id)
    assert stored.owner == 'agent-1'


def test_owner_claims_again_to_extend(database):
    ctx = records.admin()
    record = records.create('checkpoint', records.member())
    first = db.operation_claim(ctx, 'checkpoint', record.id, 'agent-1', 10)

    again = db.operation_claim(ctx, 'checkpoint', record.id, 'agent-1', 600)

    assert again.lease_expires_at > first.lease_expires_at


def test_live_claim_of_another_owner_is_refused(database):
    ctx = records.admin()
    record = records.create('checkpoint', records.member())
    db.operation_claim(ctx, 'checkpoint', record.id, 'agent-1', 60)

    with pytest.raises(exception.OperationClaimed) as caught:
        db.operation_claim(ctx, 'checkpoint', record.id, 'agent-2', 60)

    assert caught.value.code == 409
    assert 'agent-1' in str(caught.value)
    assert db.checkpoint_get(ctx, record.id).owner == 'agent-1'


def test_expired_claim_is_taken_over(database):
    ctx = records.admin()
    record = records.create('restore', records.member())
    db.operation_claim(ctx, 'restore', record.id, 'agent-1', 60)
    _expire_lease(ctx, 'restore', record.id)

    claimed = db.operation_claim(ctx, 'restore', record.id, 'agent-2', 60)

    assert claimed.owner == 'agent-2'


def test_claim_checks_the_expected_status(database):
    ctx = records.admin()
    record = records.create('checkpoint', records.member())

    with pytest.raises(exception.InvalidState):
        db.operation_claim(ctx, 'checkpoint', record.id, 'agent-1', 60,
                           expected_status=['available', 'deleting'])
    claimed = db.operation_claim(ctx, 'checkpoint', record.id, 'agent-1',
                                 60, expected_status='protecting')

    assert claimed.owner == 'agent-1'


def test_claim_of_a_missing_record_is_not_found(database):
    with pytest.raises(exception.CopyNotFound):
        db.operation_claim(records.admin(), 'copy', 'nope', 'agent-1', 60)


def test_claim_is_scoped_to_the_project(database):
    record = records.create('checkpoint', records.member())

    with pytest.raises(exception.CheckpointNotFound):
        db.operation_claim(records.member(records.OTHER_PROJECT),
                           'checkpoint', record.id, 'agent-1', 60)


def test_records_without_lease_are_refused(database):
    with pytest.raises(exception.InvalidInput):
        db.operation_claim(records.admin(), 'plan', 'any', 'agent-1', 60)


def test_one_of_many_concurrent_claims_wins(database):
    record = records.create('verification', records.member())
    barrier = threading.Barrier(8)
    winners = []

    def claim(owner):
        barrier.wait()
        try:
            db.operation_claim(records.admin(), 'verification', record.id,
                               owner, 60)
            winners.append(owner)
        except exception.OperationClaimed:
            pass

    threads = [threading.Thread(target=claim, args=('agent-%d' % n,))
               for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(winners) == 1
    assert db.verification_get(records.admin(),
                               record.id).owner == winners[0]


def test_owner_renews_even_an_expired_lease(database):
    ctx = records.admin()
    record = records.create('copy', records.member())
    db.operation_claim(ctx, 'copy', record.id, 'agent-1', 60)
    _expire_lease(ctx, 'copy', record.id)

    renewed = db.operation_renew_lease(ctx, 'copy', record.id, 'agent-1',
                                       120)

    assert renewed.lease_expires_at > models.utcnow() + datetime.timedelta(
        seconds=100)


def test_renewal_after_a_takeover_is_refused(database):
    ctx = records.admin()
    record = records.create('checkpoint', records.member())
    db.operation_claim(ctx, 'checkpoint', record.id, 'agent-1', 60)
    _expire_lease(ctx, 'checkpoint', record.id)
    db.operation_claim(ctx, 'checkpoint', record.id, 'agent-2', 60)

    with pytest.raises(exception.OperationClaimed) as caught:
        db.operation_renew_lease(ctx, 'checkpoint', record.id, 'agent-1',
                                 60)

    assert 'agent-2' in str(caught.value)


def test_release_gives_up_the_claim_with_final_values(database):
    ctx = records.admin()
    record = records.create('checkpoint', records.member())
    db.operation_claim(ctx, 'checkpoint', record.id, 'agent-1', 60)

    released = db.operation_release(ctx, 'checkpoint', record.id, 'agent-1',
                                    {'status': 'available'})

    assert (released.owner, released.lease_expires_at,
            released.status) == (None, None, 'available')
    claimed = db.operation_claim(ctx, 'checkpoint', record.id, 'agent-2', 60)
    assert claimed.owner == 'agent-2'


def test_release_by_another_owner_is_refused(database):
    ctx = records.admin()
    record = records.create('checkpoint', records.member())
    db.operation_claim(ctx, 'checkpoint', record.id, 'agent-1', 60)

    with pytest.raises(exception.OperationClaimed):
        db.operation_release(ctx, 'checkpoint', record.id, 'agent-2',
                             {'status': 'error'})

    stored = db.checkpoint_get(ctx, record.id)
    assert (stored.owner, stored.status) == ('agent-1', 'protecting')


def test_expired_records_in_given_statuses(database):
    ctx = records.admin()
    owner = records.member()
    expired = records.create('checkpoint', owner)
    live = records.create('checkpoint', owner)
    unclaimed = records.create('checkpoint', owner)
    other_status = records.create('checkpoint', owner, status='deleting')
    foreign = records.create('checkpoint',
                             records.member(records.OTHER_PROJECT))
    for record in (expired, live, other_status, foreign):
        db.operation_claim(ctx, 'checkpoint', record.id, 'agent-1', 60)
    for record in (expired, other_status, foreign):
        _expire_lease(ctx, 'checkpoint', record.id)

    found = db.operation_get_expired(ctx, 'checkpoint', ['protecting'])

    assert sorted(record.id for record in found) == sorted(
        [expired.id, foreign.id])
    assert unclaimed.id not in {record.id for record in found}
