"""smaug-operationengine's endpoint, driven through its RPC client."""
import time

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from smaug import context
from smaug.conf import CONF
from smaug.operationengine import manager
from smaug.operationengine import rpcapi
from smaug.tests.fixtures import database
from smaug.tests.fixtures import rpc as rpc_fixture

CAST_TIMEOUT = 10
ENGINES = ('engine-1', 'engine-2')


class TestOperationEngineManager(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database())
        self.useFixture(rpc_fixture.InProcessMessaging())
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.conf.config(group='operationengine', min_interval=600)
        self.log = self.useFixture(fixtures.FakeLogger())
        for host in ENGINES:
            self.useFixture(rpc_fixture.RPCServer(
                rpcapi.OperationEngineAPI.BINARY, host,
                [manager.OperationEngineManager(host)]))
        self.api = rpcapi.OperationEngineAPI()
        self.ctx = context.RequestContext(user_id='u', project_id='p')

    def _wait_for_log(self, *fragments):
        deadline = time.monotonic() + CAST_TIMEOUT
        while not all(f in self.log.output for f in fragments):
            if time.monotonic() > deadline:
                self.fail('%s never logged; log: %s'
                          % (fragments, self.log.output))
            time.sleep(0.05)

    def test_engine_info(self):
        info = self.api.get_engine_info(self.ctx, host='engine-2')

        self.assertEqual({'host': 'engine-2', 'rpc_version': '1.0',
                          'min_interval': 600, 'min_window_time': 900,
                          'max_window_time': 1800}, info)

    def test_trigger_changes_reach_every_engine(self):
        self.api.trigger_changed(self.ctx, 'trigger-1')
        self.api.trigger_deleted(self.ctx, 'trigger-2')

        self._wait_for_log(
            'Trigger trigger-1 changed, but no scheduler runs on engine-1',
            'Trigger trigger-1 changed, but no scheduler runs on engine-2',
            'Trigger trigger-2 deleted, but no scheduler runs on engine-1',
            'Trigger trigger-2 deleted, but no scheduler runs on engine-2')

    def test_operation_changes_reach_the_named_engine(self):
        self.api.scheduled_operation_created(self.ctx, 'op-1',
                                             host='engine-2')
        self.api.scheduled_operation_state_changed(self.ctx, 'op-1', False,
                                                   host='engine-2')
        self.api.scheduled_operation_deleted(self.ctx, 'op-1',
                                             host='engine-2')

        self._wait_for_log(
            'operation op-1 created, but no scheduler runs on engine-2',
            'operation op-1 disabled, but no scheduler runs on engine-2',
            'operation op-1 deleted, but no scheduler runs on engine-2')
        self.assertNotIn('engine-1', self.log.output)
