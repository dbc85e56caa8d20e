"""smaug-protection and smaug-operationengine as real processes.

Both run from a configuration file, on RabbitMQ (a vhost of their own) and
a fresh MariaDB database; the test process talks to them as smaug-api
would, through the RPC clients and the database.
"""
import os
import time
import uuid

import fixtures
from oslo_config import fixture as config_fixture
import oslo_messaging as messaging
from oslo_messaging import conffixture
import pytest

from smaug import context
from smaug import liveness
from smaug import rpc
from smaug.conf import CONF
from smaug.db import api as db
from smaug.operationengine import rpcapi as operationengine_rpcapi
from smaug.protection import rpcapi as protection_rpcapi
from smaug.tests.fixtures import broker
from smaug.tests.fixtures import database
from smaug.tests.fixtures import process

PROTECTION = protection_rpcapi.ProtectionAPI.BINARY
OPERATIONENGINE = operationengine_rpcapi.OperationEngineAPI.BINARY
TIMEOUT = 60

CONFIG = """\
[DEFAULT]
host = {host}
transport_url = {transport_url}
control_exchange = {exchange}
report_interval = 1
periodic_interval = 1
graceful_shutdown_timeout = 20

[database]
connection = {database}
"""


def wait_for(predicate, what, processes=()):
    """Poll ``predicate`` until it is true; fail if a process died."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        for smaug_process in processes:
            smaug_process.check_running()
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError('%s within %ss' % (what, TIMEOUT))
        time.sleep(0.2)


class Deployment(fixtures.Fixture):
    """Both services running, and the test process able to reach them."""

    def _setUp(self):
        self.broker = self.useFixture(broker.RabbitVhost())
        self.database = self.useFixture(database.Database('mysql'))
        self.directory = self.useFixture(fixtures.TempDir()).path
        self.host = 'functional-' + uuid.uuid4().hex[:8]
        self.ctx = context.get_admin_context()

        self.useFixture(conffixture.ConfFixture(CONF, self.broker.url))
        self.useFixture(config_fixture.Config(CONF)).config(
            control_exchange=self.broker.exchange)
        rpc.init(CONF)
        self.addCleanup(rpc.cleanup)

        self.protection = self.launch(PROTECTION, 'smaug.cmd.protection')
        self.operationengine = self.launch(OPERATIONENGINE,
                                           'smaug.cmd.operationengine')
        self.wait_registered(PROTECTION, self.host, self.protection)
        self.wait_registered(OPERATIONENGINE, self.host, self.operationengine)

    def launch(self, binary, module, host=None):
        """Start ``module`` as the service ``binary`` of ``host``."""
        host = host or self.host
        config = os.path.join(self.directory, '%s-%s.conf' % (binary, host))
        with open(config, 'w') as f:
            f.write(CONFIG.format(host=host, transport_url=self.broker.url,
                                  exchange=self.broker.exchange,
                                  database=self.database.url))
        return self.useFixture(process.SmaugProcess(
            module, config,
            os.path.join(self.directory, '%s-%s.log' % (binary, host))))

    def wait_registered(self, binary, host, smaug_process):
        wait_for(lambda: self.services(binary, host),
                 '%s of %s registered' % (binary, host), [smaug_process])

    def services(self, binary, host=None):
        return [row for row in db.service_get_all(self.ctx,
                                                  {'binary': binary})
                if host is None or row.host == host]

    @property
    def processes(self):
        return [self.protection, self.operationengine]


@pytest.fixture(scope='module')
def deployment():
    fixture = Deployment()
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


@pytest.fixture
def conf(deployment):
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    yield fixture
    fixture.cleanUp()


def test_both_services_register_with_their_versions(deployment):
    registered = {binary: deployment.services(binary, deployment.host)
                  for binary in (PROTECTION, OPERATIONENGINE)}

    assert {binary: [(row.topic, row.rpc_current_version)
                     for row in rows]
            for binary, rows in registered.items()} == {
        PROTECTION: [(PROTECTION, '1.1')],
        OPERATIONENGINE: [(OPERATIONENGINE, '1.0')]}


def test_both_services_keep_beating(deployment):
    def counts():
        return {binary: deployment.services(binary,
                                            deployment.host)[0].report_count
                for binary in (PROTECTION, OPERATIONENGINE)}

    before = counts()
    wait_for(lambda: all(count >= before[binary] + 2
                         for binary, count in counts().items()),
             'two more heartbeats of each service', deployment.processes)

    for binary in (PROTECTION, OPERATIONENGINE):
        assert liveness.is_up(deployment.services(binary,
                                                  deployment.host)[0])


def test_call_round_trips(deployment):
    ctx = context.get_admin_context()

    agent = protection_rpcapi.ProtectionAPI().get_agent_info(
        ctx, host=deployment.host)
    engine = operationengine_rpcapi.OperationEngineAPI().get_engine_info(
        ctx, host=deployment.host)

    assert agent == {'host': deployment.host, 'rpc_version': '1.1',
                     'capacity': 4}
    assert (engine['host'], engine['rpc_version']) == (deployment.host,
                                                       '1.0')


def test_client_negotiated_from_live_services_sends_1_1(deployment):
    api = protection_rpcapi.ProtectionAPI()

    info = api.get_agent_info(context.get_admin_context(),
                              host=deployment.host, detail=True)

    assert api.version_cap == '1.1'
    assert info['operations'] == ['copy', 'delete_checkpoint', 'protect',
                                  'restore', 'verify']


def test_client_of_a_half_upgraded_deployment_withholds_1_1(deployment):
    ctx = context.get_admin_context()
    old_agent = db.service_create(ctx, {
        'host': 'old-' + deployment.host, 'binary': PROTECTION,
        'topic': PROTECTION, 'rpc_current_version': '1.0',
        'rpc_available_version': '1.0'})
    try:
        api = protection_rpcapi.ProtectionAPI()
        info = api.get_agent_info(ctx, host=deployment.host, detail=True)
    finally:
        db.service_destroy(ctx, old_agent.id)

    assert api.version_cap == '1.0'
    assert 'operations' not in info


def test_client_pinned_to_1_0_withholds_1_1(deployment, conf):
    conf.config(group='upgrade_levels', protection='1.0')
    api = protection_rpcapi.ProtectionAPI()

    info = api.get_agent_info(context.get_admin_context(),
                              host=deployment.host, detail=True)

    assert (api.version_cap, 'operations' in info) == ('1.0', False)


@pytest.mark.parametrize('version', ['1.2', '2.0'])
def test_server_refuses_versions_it_does_not_know(deployment, version):
    client = rpc.get_client(messaging.Target(
        topic=PROTECTION, server=deployment.host, version=version))

    with pytest.raises(messaging.UnsupportedVersion):
        client.call(context.get_admin_context(), 'get_agent_info')


def test_sigterm_stops_a_service_gracefully(deployment):
    host = 'stopping-' + deployment.host
    engine = deployment.launch(OPERATIONENGINE, 'smaug.cmd.operationengine',
                               host=host)
    deployment.wait_registered(OPERATIONENGINE, host, engine)

    assert engine.stop() == 0
    assert '%s on %s stopped.' % (OPERATIONENGINE, host) in engine.log
