"""Listing records: scoping, filters, sorting and paging."""
import datetime
import uuid

import pytest

from smaug import exception
from smaug.db import api as db
from smaug.tests.unit.db import records

T0 = datetime.datetime(2026, 1, 1, 12, 0, 0, 123456)


def _plans(ctx, names, created_at=None):
    """Plans named ``names``, the first created first, a second apart."""
    return [records.create('plan', ctx, name=name,
                           created_at=(created_at or T0) +
                           datetime.timedelta(seconds=index))
            for index, name in enumerate(names)]


def _ids(found):
    return [record.id for record in found]


def test_newest_first_by_default(database):
    ctx = records.member()
    plans = _plans(ctx, ['a', 'b', 'c'])

    assert _ids(db.plan_get_all(ctx)) == _ids(reversed(plans))


def test_sort_ascending_and_descending(database):
    ctx = records.member()
    _plans(ctx, ['b', 'c', 'a'])

    ascending = db.plan_get_all(ctx, sort_keys=['name'], sort_dirs=['asc'])
    descending = db.plan_get_all(ctx, sort_keys=['name'],
                                 sort_dirs=['desc'])

    assert [plan.name for plan in ascending] == ['a', 'b', 'c']
    assert [plan.name for plan in descending] == ['c', 'b', 'a']


def test_sort_on_several_keys(database):
    ctx = records.member()
    plans = _plans(ctx, ['x', 'y', 'x', 'y'])
    db.plan_update(ctx, plans[0].id, {'status': 'started'})
    db.plan_update(ctx, plans[3].id, {'status': 'started'})

    found = db.plan_get_all(ctx, sort_keys=['status', 'name', 'created_at'],
                            sort_dirs=['asc', 'desc', 'asc'])

    assert _ids(found) == [plans[3].id, plans[0].id, plans[1].id,
                           plans[2].id]


def test_a_missing_direction_is_descending(database):
    ctx = records.member()
    _plans(ctx, ['a', 'c', 'b'])

    found = db.plan_get_all(ctx, sort_keys=['name'])

    assert [plan.name for plan in found] == ['c', 'b', 'a']


@pytest.mark.parametrize('key', ['no_such_column', 'parameters', 'deleted'])
def test_unknown_sort_key_is_refused(database, key):
    with pytest.raises(exception.InvalidSortKey) as caught:
        db.plan_get_all(records.member(), sort_keys=[key])

    assert caught.value.code == 400
    assert key in str(caught.value)


@pytest.mark.parametrize('keys,dirs', [(['name'], ['up']),
                                       (['name'], ['asc', 'desc'])])
def test_bad_sort_directions_are_refused(database, keys, dirs):
    with pytest.raises(exception.InvalidInput):
        db.plan_get_all(records.member(), sort_keys=keys, sort_dirs=dirs)


def test_pages_follow_the_marker(database):
    ctx = records.member()
    plans = _plans(ctx, ['p%d' % n for n in range(5)])

    first = db.plan_get_all(ctx, limit=2, sort_keys=['created_at'],
                            sort_dirs=['asc'])
    second = db.plan_get_all(ctx, limit=2, marker=first[-1].id,
                             sort_keys=['created_at'], sort_dirs=['asc'])
    last = db.plan_get_all(ctx, limit=2, marker=second[-1].id,
                           sort_keys=['created_at'], sort_dirs=['asc'])

    assert _ids(first + second + last) == _ids(plans)
    assert len(last) == 1


@pytest.mark.parametrize('direction', ['asc', 'desc'])
def test_pages_of_equal_keys_are_stable(database, direction):
    ctx = records.member()
    plans = [records.create('plan', ctx, name='same', created_at=T0)
             for _ in range(7)]
    seen = []
    marker = None
    while True:
        page = db.plan_get_all(ctx, limit=3, marker=marker,
                               sort_keys=['name', 'created_at'],
                               sort_dirs=[direction, direction])
        if not page:
            break
        seen.extend(_ids(page))
        marker = page[-1].id

    assert sorted(seen) == sorted(_ids(plans))
    assert seen == sorted(seen, reverse=direction == 'desc')


def test_unknown_marker_is_refused(database):
    with pytest.raises(exception.InvalidMarker) as caught:
        db.plan_get_all(records.member(), marker=str(uuid.uuid4()))

    assert caught.value.code == 400


def test_marker_of_another_project_is_refused(database):
    foreign = records.create('plan', records.member(records.OTHER_PROJECT))

    with pytest.raises(exception.InvalidMarker):
        db.plan_get_all(records.member(), marker=foreign.id)


def test_deleted_marker_is_refused(database):
    ctx = records.member()
    plan = records.create('plan', ctx)
    db.plan_destroy(ctx, plan.id)

    with pytest.raises(exception.InvalidMarker):
        db.plan_get_all(ctx, marker=plan.id)


def test_filters_match_exactly_or_any_of_a_list(database):
    ctx = records.member()
    plans = _plans(ctx, ['a', 'b', 'c'])

    by_name = db.plan_get_all(ctx, filters={'name': 'b'})
    by_names = db.plan_get_all(ctx, filters={'name': ['a', 'c']},
                               sort_dirs=['asc'])
    by_status = db.plan_get_all(ctx, filters={'status': 'started'})

    assert _ids(by_name) == [plans[1].id]
    assert _ids(by_names) == [plans[0].id, plans[2].id]
    assert by_status == []


def test_filters_on_creation_time_ranges(database):
    ctx = records.member()
    plans = _plans(ctx, ['a', 'b', 'c', 'd'])
    start = T0 + datetime.timedelta(seconds=1)
    end = T0 + datetime.timedelta(seconds=3)

    found = db.plan_get_all(ctx, filters={'created_at_gte': start,
                                          'created_at_lt': end},
                            sort_dirs=['asc'])
    from_text = db.plan_get_all(
        ctx, filters={'created_at_gte': start.isoformat() + 'Z'},
        sort_dirs=['asc'])

    assert _ids(found) == [plans[1].id, plans[2].id]
    assert _ids(from_text) == _ids(plans[1:])


@pytest.mark.parametrize('key', ['nonsense', 'parameters'])
def test_unknown_filter_is_refused(database, key):
    with pytest.raises(exception.InvalidInput):
        db.plan_get_all(records.member(), filters={key: 'x'})


def test_lists_leave_out_deleted_records(database):
    ctx = records.member()
    kept, gone = _plans(ctx, ['kept', 'gone'])
    db.plan_destroy(ctx, gone.id)

    assert _ids(db.plan_get_all(ctx)) == [kept.id]
    assert _ids(db.plan_get_all(records.admin(), all_tenants=True)) == [
        kept.id]


def _two_projects():
    mine = records.create('checkpoint', records.member())
    theirs = records.create('checkpoint',
                            records.member(records.OTHER_PROJECT))
    return mine, theirs


def test_all_tenants_is_for_admins_only(database):
    mine, _ = _two_projects()

    found = db.checkpoint_get_all(records.member(), all_tenants=True)

    assert _ids(found) == [mine.id]


def test_admin_lists_every_project_with_all_tenants(database):
    mine, theirs = _two_projects()

    found = db.checkpoint_get_all(records.admin(), all_tenants=True)

    assert sorted(_ids(found)) == sorted([mine.id, theirs.id])


def test_admin_lists_own_project_without_all_tenants(database):
    _two_projects()
    own = records.create('checkpoint', records.admin())

    assert _ids(db.checkpoint_get_all(records.admin())) == [own.id]


def test_admin_filters_on_a_project(database):
    _, theirs = _two_projects()

    found = db.checkpoint_get_all(
        records.admin(), filters={'project_id': records.OTHER_PROJECT})

    assert _ids(found) == [theirs.id]


def test_member_filter_on_another_project_finds_nothing(database):
    _two_projects()

    found = db.checkpoint_get_all(
        records.member(), filters={'project_id': records.OTHER_PROJECT})

    assert found == []
