"""retention_protect as the API and an engine see it before it protects.

What it keeps and deletes on real checkpoints is tested in
``smaug/tests/functional/operationengine/test_retention_protect.py``.
"""
import datetime
import uuid

from oslo_config import cfg
import pytest

from smaug import context
from smaug import exception
from smaug.api import validation
from smaug.conf import operationengine as operationengine_conf
from smaug.db import api as db
from smaug.operationengine import operations
from smaug.operationengine.operations import base
from smaug.operationengine.operations import protect
from smaug.operationengine.operations import retention_protect
from smaug.tests.fixtures import database as database_fixture
from smaug.tests.fixtures import entry_points

SCHEMA = retention_protect.RetentionProtectOperation.definition_schema
PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'
PLAN = '3f6b8c4e-1a2d-4e7f-9b0c-5d8e2a1f7c63'


def definition(**policy):
    return dict(policy, provider_id=PROVIDER, plan_id=PLAN)


def test_setup_cfg_registers_the_type():
    fixture = entry_points.SmaugEntryPoints()
    fixture.setUp()
    try:
        assert operations.type_class('retention_protect') is \
            retention_protect.RetentionProtectOperation
    finally:
        fixture.cleanUp()


@pytest.mark.parametrize('accepted', [
    definition(),
    definition(max_backups='7', retention_duration='-1'),
    definition(max_backups=7, retention_duration=30, keep_hourly=24,
               keep_daily='7', keep_weekly=4, keep_monthly='12',
               keep_yearly=3),
])
def test_definition_schema_accepts(accepted):
    validation.validate(SCHEMA, accepted)


@pytest.mark.parametrize('rejected, field', [
    (definition(max_backups='seven'), 'max_backups'),
    (definition(keep_weekly=-2), 'keep_weekly'),
    (definition(keep_daily=1.5), 'keep_daily'),
    ({'provider_id': PROVIDER, 'max_backups': 3}, 'plan_id'),
    (definition(keep_fortnightly=2), 'keep_fortnightly'),
])
def test_definition_schema_rejects_naming_the_field(rejected, field):
    with pytest.raises(exception.ValidationError) as raised:
        validation.validate(SCHEMA, rejected)
    assert raised.value.code == 400
    assert field in str(raised.value)


def test_protect_keeps_its_own_schema():
    assert 'max_backups' not in \
        protect.ProtectOperation.definition_schema['properties']
    assert set(SCHEMA['properties']) == {
        'provider_id', 'plan_id', 'max_backups', 'retention_duration',
        'keep_hourly', 'keep_daily', 'keep_weekly', 'keep_monthly',
        'keep_yearly'}


@pytest.fixture
def database():
    migrated = database_fixture.Database()
    migrated.setUp()
    yield migrated
    migrated.cleanUp()


def test_an_unreadable_policy_fails_before_protecting(database):
    ctx = context.RequestContext(user_id='user-1', project_id='project-1',
                                 roles=['member'])
    # Written before the API checked retention values.
    stored = definition(keep_daily='every day')
    conf = cfg.ConfigOpts()
    operationengine_conf.register_opts(conf)
    now = datetime.datetime.now(datetime.timezone.utc)
    run = base.ScheduledRun(
        ctx, {'id': str(uuid.uuid4()), 'trigger_id': str(uuid.uuid4()),
              'operation_definition': stored}, stored, now, 1, lambda: now)

    with pytest.raises(exception.ValidationError) as raised:
        retention_protect.RetentionProtectOperation(conf).run(run)

    assert 'keep_daily' in str(raised.value)
    assert db.checkpoint_get_all(ctx) == []
