"""Concurrent reservations never exceed a limit on MariaDB or PostgreSQL.

Each thread has a context of its own, hence a transaction and a pooled
connection of its own: the threads race in the database, not in Python.
"""
import threading

import pytest
import sqlalchemy as sa

from smaug import context
from smaug import exception
from smaug import quota
from smaug.db import models

pytestmark = pytest.mark.parametrize(
    'migrated_database', ['mysql', 'postgresql'], indirect=True,
    scope='session')

PROJECT = 'crowded-project'
THREADS = 20
LIMIT = 5


def _member():
    return context.RequestContext(user_id='user', project_id=PROJECT,
                                  is_admin=False)


def _reserve_all_at_once():
    barrier = threading.Barrier(THREADS)
    granted = []
    refused = []
    errors = []

    def reserve():
        ctx = _member()
        barrier.wait()
        try:
            granted.append(quota.QUOTAS.reserve(ctx, plans=1))
        except exception.OverQuota:
            refused.append(True)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reserve) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return granted, refused


def _usage_rows(database):
    with database.engine.connect() as connection:
        return connection.execute(sa.select(
            models.QuotaUsage.in_use, models.QuotaUsage.reserved).where(
            models.QuotaUsage.project_id == PROJECT)).all()


@pytest.mark.parametrize('usage_exists', [False, True],
                         ids=['first-usage', 'existing-usage'])
def test_only_the_limit_is_granted(database, usage_exists):
    admin = context.get_admin_context()
    quota.QUOTAS.set_project_quota(admin, PROJECT, 'plans', LIMIT)
    if usage_exists:
        quota.QUOTAS.rollback(_member(), quota.QUOTAS.reserve(_member(),
                                                              plans=1))

    granted, refused = _reserve_all_at_once()
    assert (len(granted), len(refused)) == (LIMIT, THREADS - LIMIT)
    for reservations in granted:
        quota.QUOTAS.commit(_member(), reservations)

    assert [tuple(row) for row in _usage_rows(database)] == [(LIMIT, 0)]
