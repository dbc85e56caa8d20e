"""retention_protect on real checkpoints, protected and deleted by agents.

A deployment (smaug-api and a smaug-protection agent as processes, over
RabbitMQ and MariaDB) does the protecting and deleting. The test process
joins it (the same database and message bus) and calls
``RetentionProtectOperation.run()`` itself, as an engine does for one fire
time. The plan's older checkpoints are real ones, made through the API,
whose ``created_at`` the test then moves into the past in the database.
"""
import datetime
import uuid

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_messaging import conffixture
import pytest
import sqlalchemy as sa

from smaug import context
from smaug import exception
from smaug import policy
from smaug import rpc
from smaug.conf import CONF
from smaug.conf import operationengine as operationengine_conf
from smaug.db import api as db
from smaug.db import session
from smaug.operationengine import clock
from smaug.operationengine.operations import base
from smaug.operationengine.operations import protect
from smaug.operationengine.operations import retention_protect
from smaug.tests.fixtures import engine_deployment
from smaug.tests.functional.api import client
from smaug.tests.functional.protection import operations as operations_module
from smaug.tests.plugins import synthetic

NOOP = client.NOOP_PROVIDER
PRUNED = retention_protect.PRUNED
GRAPH = (3, 2)
FAILING = engine_deployment.recording_provider(
    'failing-protect', fail_resource=synthetic.node(*GRAPH, 1).id,
    fail_operation='protect', fail_phase='sync')
# Each of a protect's three steps sleeps this long: a protect outlasts a
# one-second wait.
SLOW = engine_deployment.recording_provider('slow-protect', delay=1.5)
UTC = datetime.timezone.utc


class JoinedDeployment(fixtures.Fixture):
    """The test process as one more member of ``deployment``: its
    database behind smaug.db, its message bus behind smaug.rpc."""

    def __init__(self, deployment):
        super().__init__()
        self.deployment = deployment

    def _setUp(self):
        self.useFixture(config_fixture.Config(CONF))
        # Parsed with no file, so nothing of the machine's leaks in; the
        # policy enforcer needs a parsed CONF.
        CONF(args=[], project='smaug', default_config_files=[],
             default_config_dirs=[])
        self.addCleanup(policy.reset)
        messaging = self.useFixture(conffixture.ConfFixture(
            CONF, self.deployment.broker.url))
        messaging.conf.set_override('control_exchange',
                                    self.deployment.broker.exchange)
        manager = session.main_context_manager.make_new_manager()
        manager.configure(connection=self.deployment.database_url)
        self.addCleanup(manager.dispose_pool)
        self.addCleanup(session.main_context_manager.patch_factory(manager))
        self.engine = manager.writer.get_engine()
        rpc.init(CONF)
        self.addCleanup(rpc.cleanup)

    def move_created_at(self, times):
        """Set the creation times {checkpoint id: naive UTC datetime}."""
        table = sa.table('checkpoints', sa.column('id'),
                         sa.column('created_at'))
        with self.engine.begin() as connection:
            for checkpoint_id, created_at in times.items():
                connection.execute(table.update().where(
                    table.c.id == checkpoint_id).values(
                    created_at=created_at))


@pytest.fixture(scope='module')
def deployment():
    running = engine_deployment.EngineDeployment(
        'mysql', [FAILING, SLOW], agents=1)
    running.setUp()
    yield running
    running.cleanUp()


@pytest.fixture(scope='module')
def joined(deployment):
    member = JoinedDeployment(deployment)
    member.setUp()
    yield member
    member.cleanUp()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    running = getattr(item, 'funcargs', {}).get('deployment')
    if report.failed and running is not None:
        report.sections.append(('smaug process logs', running.log_tails()))


def operation_type(**options):
    """A RetentionProtectOperation with [operationengine] ``options``."""
    conf = cfg.ConfigOpts()
    operationengine_conf.register_opts(conf)
    conf([], default_config_files=[])
    options.setdefault('retention_poll_interval', 0.1)
    for name, value in options.items():
        conf.set_override(name, value, 'operationengine')
    return retention_protect.RetentionProtectOperation(conf)


class Project:
    """One project of the deployment: its API client, its operations on
    one provider, and a scheduled run made on its behalf."""

    def __init__(self, deployment, provider_id):
        self.id = uuid.uuid4().hex
        self.api = client.ApiClient(deployment.url, self.id)
        self.operations = operations_module.Operations(self.api, provider_id)
        self.provider_id = provider_id
        self.context = context.RequestContext(
            user_id=self.api.user, project_id=self.id, roles=['member'])
        self.operation_id = str(uuid.uuid4())

    def run(self, plan, **policy):
        definition = dict(policy, provider_id=self.provider_id,
                          plan_id=plan['id'])
        operation = {'id': self.operation_id, 'trigger_id': str(uuid.uuid4()),
                     'project_id': self.id, 'user_id': self.api.user,
                     'operation_type': 'retention_protect',
                     'operation_definition': definition}
        return base.ScheduledRun(
            self.context, operation, definition, clock.system_clock(),
            uuid.uuid4().int % 2 ** 31, clock.system_clock)

    def checkpoints(self, plan):
        """{id: status} of the plan's checkpoints, as the API lists them."""
        listed = client.expect(self.api.get(
            'providers/%s/checkpoints?plan_id=%s' % (self.provider_id,
                                                     plan['id']),
            roles='reader'), 200)['checkpoints']
        return {checkpoint['id']: checkpoint['status']
                for checkpoint in listed}

    def protected(self, plan, count):
        """The ids of ``count`` checkpoints of ``plan``, once available."""
        started = [self.operations.start_protect(plan)
                   for _ in range(count)]
        for checkpoint_id in started:
            checkpoint = self.operations.wait('checkpoint', checkpoint_id)
            assert checkpoint['status'] == 'available', checkpoint
        return started

    def deletion_logs(self, plan):
        return client.expect(self.api.get(
            'operation_logs?plan_id=%s&operation_type=delete' % plan['id'],
            roles='reader'), 200)['operation_logs']


def noop_project(deployment):
    project = Project(deployment, NOOP)
    return project, client.make_plan(project.api)


def seeded(joined, project, plan, created_at):
    """Real available checkpoints of ``plan``, created at ``created_at``
    ({name: naive UTC datetime}); :returns: {name: checkpoint id}."""
    ids = dict(zip(created_at, project.protected(plan, len(created_at)),
                   strict=True))
    joined.move_created_at({ids[name]: moment
                            for name, moment in created_at.items()})
    return ids


def check_pruned(project, plan, extend_info, expected, kept):
    """``expected`` (ids, oldest first) were pruned and are deleted by the
    agent; exactly ``kept`` ({id: status}) remain."""
    assert extend_info[PRUNED] == expected
    for checkpoint_id in expected:
        assert project.operations.wait('deletion', checkpoint_id)[
            'status'] == 'deleted'
    assert project.checkpoints(plan) == kept
    logs = project.deletion_logs(plan)
    assert sorted(log['checkpoint_id'] for log in logs) == sorted(expected)
    assert {log['scheduled_operation_id'] for log in logs} <= {
        project.operation_id}


def utcnow():
    return datetime.datetime.now(UTC).replace(tzinfo=None)


def test_max_backups_keeps_the_newest_available(deployment, joined):
    project, plan = noop_project(deployment)
    now = utcnow()
    ids = seeded(joined, project, plan, {
        'hours-%d' % hours: now - datetime.timedelta(hours=hours)
        for hours in range(1, 6)})
    # An older checkpoint in error is neither counted nor deleted.
    client.expect(project.api.put(
        'providers/%s/checkpoints/%s' % (NOOP, ids['hours-2']),
        {'os-resetState': {'state': 'error'}}, roles='admin'), 200)

    extend_info = operation_type().run(project.run(plan, max_backups='3'))

    new = extend_info['checkpoint_id']
    check_pruned(project, plan, extend_info,
                 [ids['hours-5'], ids['hours-4']],
                 {new: 'available', ids['hours-1']: 'available',
                  ids['hours-3']: 'available', ids['hours-2']: 'error'})


def test_retention_duration_keeps_the_younger(deployment, joined):
    project, plan = noop_project(deployment)
    now = utcnow()
    ids = seeded(joined, project, plan, {
        'three days': now - datetime.timedelta(days=3),
        'two days and an hour': now - datetime.timedelta(days=2, hours=1),
        'a day': now - datetime.timedelta(days=1),
        'an hour': now - datetime.timedelta(hours=1)})

    extend_info = operation_type().run(project.run(plan,
                                                   retention_duration=2))

    check_pruned(project, plan, extend_info,
                 [ids['three days'], ids['two days and an hour']],
                 {extend_info['checkpoint_id']: 'available',
                  ids['a day']: 'available', ids['an hour']: 'available'})


def test_grandfather_father_son(deployment, joined):
    project, plan = noop_project(deployment)
    ids = seeded(joined, project, plan, {
        'march 10 morning': datetime.datetime(2024, 3, 10, 8),
        'march 10 evening': datetime.datetime(2024, 3, 10, 20),
        'march 9': datetime.datetime(2024, 3, 9, 12),
        'february': datetime.datetime(2024, 2, 15, 12),
        '2023': datetime.datetime(2023, 7, 1),
        '2022': datetime.datetime(2022, 1, 1),
        'eve of 2022': datetime.datetime(2021, 12, 31, 23, 59, 59,
                                           999999)})

    # The new checkpoint (made now, in a later year) is a day, a month and
    # a year of its own; then the newest of the two days, two months and
    # three years before it stay.
    extend_info = operation_type().run(project.run(
        plan, keep_daily=3, keep_monthly='3', keep_yearly=4))

    kept = ('march 10 evening', 'march 9', 'february', '2023', '2022')
    check_pruned(project, plan, extend_info,
                 [ids['eve of 2022'], ids['march 10 morning']],
                 dict({ids[name]: 'available' for name in kept},
                      **{extend_info['checkpoint_id']: 'available'}))


def _db_seeded(project, plan, count):
    """Available checkpoint records of ``plan`` (no data: the test only
    needs them kept), a day apart in 2020."""
    return [db.checkpoint_create(project.context, {
        'provider_id': project.provider_id, 'plan_id': plan['id'],
        'status': 'available', 'protection_plan': {'id': plan['id']},
        'created_at': datetime.datetime(2020, 1, 1 + day)}).id
        for day in range(count)]


def test_a_failed_protect_prunes_nothing(deployment, joined):
    project = Project(deployment, deployment.provider_id(FAILING.name))
    plan = project.operations.plan(*GRAPH)
    older = _db_seeded(project, plan, 3)

    with pytest.raises(exception.ResourceFailed) as raised:
        operation_type().run(project.run(plan, max_backups=1))

    assert 'nothing was pruned' in str(raised.value)
    statuses = project.checkpoints(plan)
    assert {checkpoint_id: statuses[checkpoint_id]
            for checkpoint_id in older} == dict.fromkeys(older, 'available')
    assert sorted(statuses.values()) == ['available'] * 3 + ['error']
    assert project.deletion_logs(plan) == []


def test_a_protect_still_running_after_the_wait_prunes_nothing(deployment,
                                                               joined):
    project = Project(deployment, deployment.provider_id(SLOW.name))
    plan = project.operations.plan(1, 1)
    older = _db_seeded(project, plan, 2)
    scheduled = project.run(plan, max_backups=1)

    with pytest.raises(exception.WaitTimeout):
        operation_type(retention_wait_timeout=1).run(scheduled)

    checkpoint_id = protect.run_checkpoint_id(scheduled)
    assert project.operations.wait('checkpoint', checkpoint_id)[
        'status'] == 'available'
    assert project.checkpoints(plan) == dict(
        dict.fromkeys(older, 'available'), **{checkpoint_id: 'available'})
    assert project.deletion_logs(plan) == []
