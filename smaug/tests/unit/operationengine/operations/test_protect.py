"""protect: a scheduled run starts a checkpoint as the API would, once."""
import datetime
import threading
import uuid

from oslo_config import fixture as config_fixture
import oslo_messaging as messaging
import pytest

from smaug import context
from smaug import exception
from smaug import policy
from smaug import quota
from smaug.conf import CONF
from smaug.db import api as db
from smaug.operationengine.operations import base
from smaug.operationengine.operations import protect
from smaug.tests.fixtures import database as database_fixture
from smaug.tests.fixtures import rpc as rpc_fixture

NOOP = 'b766f37c-d011-4026-8228-28730d734a3f'
OTHER_PROVIDER = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
FIRE_TIME = datetime.datetime(2030, 1, 1, 2, 0,
                              tzinfo=datetime.timezone.utc)


class ProtectionAgent:
    """The far end of the protect casts: records what it is sent."""

    target = messaging.Target(version='1.1')

    def __init__(self):
        self.protected = []
        self.received = threading.Event()

    @messaging.expose
    def protect(self, ctx, checkpoint_id):
        self.protected.append((ctx.user_id, checkpoint_id))
        self.received.set()


def _use(request, fixture):
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)
    return fixture


@pytest.fixture
def agent(request):
    _use(request, database_fixture.Database())
    _use(request, config_fixture.Config(CONF))
    CONF(args=[], project='smaug', default_config_files=[],
         default_config_dirs=[])
    request.addfinalizer(CONF.clear)
    policy.reset()
    request.addfinalizer(policy.reset)
    _use(request, rpc_fixture.InProcessMessaging())
    recorder = ProtectionAgent()
    _use(request, rpc_fixture.RPCServer('smaug-protection', 'agent-1',
                                        [recorder]))
    return recorder


@pytest.fixture
def creator():
    return context.RequestContext(user_id='user-1', project_id='project-1',
                                  roles=['member', 'reader'])


def make_plan(creator, provider=NOOP):
    return db.plan_create(creator, {
        'name': 'nightly', 'provider_id': provider, 'status': 'suspended',
        'parameters': {}, 'resources': [{
            'resource_id': 'project-1',
            'resource_type': 'OS::Keystone::Project',
            'resource_name': 'project'}]})


OPERATION_ID = str(uuid.uuid4())
TRIGGER_ID = str(uuid.uuid4())


def make_run(creator, plan, log_id=7, provider=NOOP):
    definition = {'provider_id': provider, 'plan_id': plan.id}
    operation = {'id': OPERATION_ID, 'trigger_id': TRIGGER_ID,
                 'project_id': creator.project_id,
                 'operation_definition': definition}
    return base.ScheduledRun(creator, operation, definition, FIRE_TIME,
                             log_id, lambda: FIRE_TIME)


def test_a_run_starts_a_checkpoint_of_the_plan(agent, creator):
    plan = make_plan(creator)
    run = make_run(creator, plan)

    result = protect.ProtectOperation(CONF).run(run)

    checkpoint = db.checkpoint_get(creator, result['checkpoint_id'])
    assert result == {'checkpoint_id': protect.run_checkpoint_id(run)}
    assert checkpoint.status == 'protecting'
    assert (checkpoint.plan_id, checkpoint.provider_id,
            checkpoint.project_id, checkpoint.user_id) == (
        plan.id, NOOP, 'project-1', 'user-1')
    assert checkpoint.protection_plan['resources'] == [{
        'id': 'project-1', 'type': 'OS::Keystone::Project',
        'name': 'project', 'extra_info': {}}]
    assert checkpoint.extra_info == {
        'created_by': 'operation-engine',
        'scheduled_operation_id': run.operation['id'],
        'trigger_id': run.operation['trigger_id'],
        'fire_time': '2030-01-01T02:00:00+00:00'}
    [log] = db.operation_log_get_all(creator)
    assert (log.operation_type, log.checkpoint_id,
            log.scheduled_operation_id, log.status) == (
        'protect', checkpoint.id, run.operation['id'], 'in_progress')
    assert agent.received.wait(10)
    assert agent.protected == [('user-1', checkpoint.id)]


def test_a_resumed_run_finds_its_checkpoint_instead_of_making_another(
        agent, creator):
    plan = make_plan(creator)
    operation = protect.ProtectOperation(CONF)
    first = operation.run(make_run(creator, plan, log_id=7))
    assert agent.received.wait(10)

    again = operation.run(make_run(creator, plan, log_id=7))
    other_run = operation.run(make_run(creator, plan, log_id=8))

    assert again == first
    assert other_run != first
    assert len(db.checkpoint_get_all(creator)) == 2
    assert len(db.operation_log_get_all(creator)) == 2


def test_a_plan_moved_to_another_provider_fails_the_run(agent, creator):
    plan = make_plan(creator, provider=OTHER_PROVIDER)

    with pytest.raises(exception.Invalid, match=OTHER_PROVIDER):
        protect.ProtectOperation(CONF).run(make_run(creator, plan))

    assert db.checkpoint_get_all(creator) == []


def test_a_project_out_of_checkpoints_fails_the_run(agent, creator):
    plan = make_plan(creator)
    quota.QUOTAS.set_project_quota(context.get_admin_context(), 'project-1',
                                   'checkpoints', 0)

    with pytest.raises(exception.OverQuota):
        protect.ProtectOperation(CONF).run(make_run(creator, plan))

    assert db.checkpoint_get_all(creator) == []


def test_a_reader_cannot_protect(agent, creator):
    plan = make_plan(creator)
    reader = context.RequestContext(user_id='user-1',
                                    project_id='project-1',
                                    roles=['reader'])

    with pytest.raises(exception.PolicyNotAuthorized):
        protect.ProtectOperation(CONF).run(make_run(reader, plan))


def test_after_protect_adds_to_the_runs_record(agent, creator):
    class Tagging(protect.ProtectOperation):
        def after_protect(self, run, checkpoint_id):
            return {'tagged': checkpoint_id}

    result = Tagging(CONF).run(make_run(creator, make_plan(creator)))

    assert result['tagged'] == result['checkpoint_id']
