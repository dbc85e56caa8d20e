"""Quota limits, defaults, classes, reservations and usage recounts."""
import datetime

from oslo_config import fixture as config_fixture
import pytest

from smaug import exception
from smaug import quota
from smaug.conf import CONF
from smaug.db import api as db
from smaug.db import models
from smaug.tests.unit.db import records

QUOTAS = quota.QUOTAS
PROJECT = records.PROJECT


@pytest.fixture
def conf(request):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)
    return fixture


def _usage(ctx, resource='plans'):
    found = QUOTAS.get_project_quotas(ctx, PROJECT)[resource]
    return found['in_use'], found['reserved']


def _backdate(database, table, **values):
    with database.engine.begin() as connection:
        connection.execute(table.update().values(**values))


def test_defaults_come_from_the_configuration(database, conf):
    conf.config(group='quota', plans=7, checkpoints=-1)

    assert QUOTAS.get_defaults(records.admin()) == {'plans': 7,
                                                    'checkpoints': -1}


def test_default_class_overrides_the_configuration(database, conf):
    conf.config(group='quota', plans=7)
    ctx = records.admin()

    QUOTAS.set_class_quota(ctx, 'default', 'plans', 3)
    QUOTAS.set_class_quota(ctx, 'default', 'plans', 4)

    assert QUOTAS.get_defaults(ctx)['plans'] == 4
    assert QUOTAS.get_project_quotas(ctx, PROJECT)['plans']['limit'] == 4


def test_other_classes_fall_back_to_the_default_class(database, conf):
    conf.config(group='quota', plans=7, checkpoints=8)
    ctx = records.admin()
    QUOTAS.set_class_quota(ctx, 'default', 'plans', 3)
    QUOTAS.set_class_quota(ctx, 'gold', 'checkpoints', 100)

    assert QUOTAS.get_class_quotas(ctx, 'gold') == {'plans': 3,
                                                    'checkpoints': 100}


def test_project_limits_override_the_defaults(database, conf):
    conf.config(group='quota', plans=7, checkpoints=8)
    ctx = records.admin()

    QUOTAS.set_project_quota(ctx, PROJECT, 'plans', 2)
    QUOTAS.set_project_quota(ctx, PROJECT, 'plans', 1)

    assert QUOTAS.get_project_quotas(ctx, PROJECT) == {
        'plans': {'limit': 1, 'in_use': 0, 'reserved': 0},
        'checkpoints': {'limit': 8, 'in_use': 0, 'reserved': 0}}
    assert QUOTAS.get_project_quotas(ctx, PROJECT, usages=False,
                                     defaults=False) == {
        'plans': {'limit': 1}}
    assert QUOTAS.get_project_quotas(
        ctx, records.OTHER_PROJECT)['plans']['limit'] == 7


def test_deleted_project_limits_give_way_to_the_defaults(database, conf):
    conf.config(group='quota', plans=7)
    ctx = records.admin()
    QUOTAS.set_project_quota(ctx, PROJECT, 'plans', 1)

    QUOTAS.delete_project_quotas(ctx, PROJECT)

    assert QUOTAS.get_project_quotas(ctx, PROJECT)['plans']['limit'] == 7


@pytest.mark.parametrize('resource,limit', [('volumes', 1), ('plans', -2),
                                            ('plans', 'many')])
def test_bad_limits_are_refused(database, resource, limit):
    ctx = records.admin()

    with pytest.raises(exception.InvalidInput):
        QUOTAS.set_project_quota(ctx, PROJECT, resource, limit)
    with pytest.raises(exception.InvalidInput):
        QUOTAS.set_class_quota(ctx, 'default', resource, limit)


def test_reservations_count_against_the_limit(database, conf):
    conf.config(group='quota', plans=2)
    ctx = records.member()

    QUOTAS.reserve(ctx, plans=1)
    QUOTAS.reserve(ctx, plans=1)
    with pytest.raises(exception.OverQuota) as caught:
        QUOTAS.reserve(ctx, plans=1)

    assert caught.value.code == 413
    assert caught.value.kwargs == {'resource': 'plans', 'requested': 1,
                                   'in_use': 0, 'reserved': 2, 'limit': 2}
    assert _usage(ctx) == (0, 2)


def test_one_reservation_exceeding_one_limit_reserves_nothing(database,
                                                               conf):
    conf.config(group='quota', plans=5, checkpoints=1)
    ctx = records.member()

    with pytest.raises(exception.OverQuota):
        QUOTAS.reserve(ctx, plans=1, checkpoints=2)

    assert _usage(ctx, 'plans') == (0, 0)


def test_minus_one_is_unlimited(database, conf):
    conf.config(group='quota', checkpoints=-1)
    ctx = records.member()

    QUOTAS.reserve(ctx, checkpoints=1000)

    assert _usage(ctx, 'checkpoints') == (0, 1000)


def test_zero_allows_nothing(database, conf):
    conf.config(group='quota', plans=0)

    with pytest.raises(exception.OverQuota):
        QUOTAS.reserve(records.member(), plans=1)


def test_commit_turns_reservations_into_usage(database, conf):
    conf.config(group='quota', plans=2)
    ctx = records.member()
    reservations = QUOTAS.reserve(ctx, plans=2)

    QUOTAS.commit(ctx, reservations)
    QUOTAS.commit(ctx, reservations)

    assert _usage(ctx) == (2, 0)
    with pytest.raises(exception.OverQuota) as caught:
        QUOTAS.reserve(ctx, plans=1)
    assert caught.value.kwargs['in_use'] == 2


def test_rollback_releases_reservations(database, conf):
    conf.config(group='quota', plans=1)
    ctx = records.member()
    reservations = QUOTAS.reserve(ctx, plans=1)

    QUOTAS.rollback(ctx, reservations)

    assert _usage(ctx) == (0, 0)
    QUOTAS.reserve(ctx, plans=1)


def test_negative_changes_apply_on_commit(database, conf):
    ctx = records.member()
    QUOTAS.commit(ctx, QUOTAS.reserve(ctx, plans=3))

    reservations = QUOTAS.reserve(ctx, plans=-1)
    assert _usage(ctx) == (3, 0)
    QUOTAS.commit(ctx, reservations)

    assert _usage(ctx) == (2, 0)


def test_commit_of_another_projects_reservations_is_ignored(database):
    ctx = records.member()
    reservations = QUOTAS.reserve(ctx, plans=1)

    QUOTAS.commit(records.member(records.OTHER_PROJECT), reservations)

    assert _usage(ctx) == (0, 1)


def test_admin_reserves_for_a_named_project(database):
    admin = records.admin()

    reservations = QUOTAS.reserve(admin, project_id=PROJECT, plans=1)
    QUOTAS.commit(admin, reservations, project_id=PROJECT)

    assert _usage(admin) == (1, 0)


def test_reserving_needs_a_project(database):
    with pytest.raises(exception.InvalidInput):
        QUOTAS.reserve(records.admin(project=None), plans=1)


def test_unknown_resources_cannot_be_reserved(database):
    with pytest.raises(exception.InvalidInput):
        QUOTAS.reserve(records.member(), volumes=1)


def test_expired_reservations_are_rolled_back(database, conf):
    conf.config(group='quota', plans=2)
    ctx = records.member()
    old = QUOTAS.reserve(ctx, plans=1)
    _backdate(database, models.Reservation.__table__,
              expire=models.utcnow() - datetime.timedelta(seconds=1))
    QUOTAS.reserve(ctx, plans=1)

    assert QUOTAS.expire(records.admin()) == 1

    assert _usage(ctx) == (0, 1)
    QUOTAS.commit(ctx, old)
    assert _usage(ctx) == (0, 1)


def test_reserved_commits_when_the_body_succeeds(database):
    ctx = records.member()

    with quota.reserved(ctx, plans=1) as reservations:
        assert len(reservations) == 1
        assert _usage(ctx) == (0, 1)

    assert _usage(ctx) == (1, 0)


def test_reserved_rolls_back_when_the_body_raises(database):
    ctx = records.member()

    with pytest.raises(RuntimeError):
        with quota.reserved(ctx, plans=1):
            raise RuntimeError('creating the plan failed')

    assert _usage(ctx) == (0, 0)


def test_reserved_refuses_before_the_body_runs(database, conf):
    conf.config(group='quota', plans=0)
    ran = []

    with pytest.raises(exception.OverQuota):
        with quota.reserved(records.member(), plans=1):
            ran.append(True)

    assert ran == []


def test_first_usage_is_counted_from_the_records(database):
    ctx = records.member()
    records.create('plan', ctx)
    records.create('plan', ctx)
    gone = records.create('plan', ctx)
    db.plan_destroy(ctx, gone.id)

    QUOTAS.reserve(ctx, plans=1)

    assert _usage(ctx) == (2, 1)


def test_usage_is_recounted_after_until_refresh_reservations(database,
                                                              conf):
    conf.config(group='quota', until_refresh=2)
    ctx = records.member()
    QUOTAS.commit(ctx, QUOTAS.reserve(ctx, plans=5))
    assert _usage(ctx) == (5, 0)

    QUOTAS.rollback(ctx, QUOTAS.reserve(ctx, plans=1))
    QUOTAS.rollback(ctx, QUOTAS.reserve(ctx, plans=1))
    assert _usage(ctx) == (5, 0)
    QUOTAS.rollback(ctx, QUOTAS.reserve(ctx, plans=1))

    assert _usage(ctx) == (0, 0)


def test_usage_is_recounted_when_older_than_max_age(database, conf):
    conf.config(group='quota', max_age=60)
    ctx = records.member()
    QUOTAS.commit(ctx, QUOTAS.reserve(ctx, plans=5))
    QUOTAS.rollback(ctx, QUOTAS.reserve(ctx, plans=1))
    assert _usage(ctx) == (5, 0)

    _backdate(database, models.QuotaUsage.__table__,
              updated_at=models.utcnow() - datetime.timedelta(seconds=61))
    QUOTAS.rollback(ctx, QUOTAS.reserve(ctx, plans=1))

    assert _usage(ctx) == (0, 0)


def test_checkpoint_usage_leaves_out_deleted_checkpoints(database):
    ctx = records.member()
    for status in ('available', 'protecting', 'deleted', 'error'):
        records.create('checkpoint', ctx, status=status)
    removed = records.create('checkpoint', ctx, status='available')
    db.checkpoint_destroy(ctx, removed.id)

    QUOTAS.reserve(ctx, checkpoints=1)

    assert _usage(ctx, 'checkpoints') == (3, 1)
