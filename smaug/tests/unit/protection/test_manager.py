"""smaug-protection's endpoint, driven through its RPC client."""
import time

from oslo_config import fixture as config_fixture
import testtools

from smaug.conf import CONF
from smaug.protection import manager
from smaug.protection import operations
from smaug.protection import rpcapi
from smaug.tests.fixtures import database
from smaug.tests.fixtures import records
from smaug.tests.fixtures import rpc as rpc_fixture

CAST_TIMEOUT = 10


class TestProtectionManager(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database())
        self.useFixture(rpc_fixture.InProcessMessaging())
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.conf.config(group='protection', max_concurrent_operations=7)
        self.useFixture(rpc_fixture.RPCServer(
            rpcapi.ProtectionAPI.BINARY, 'agent-1',
            [manager.ProtectionManager(
                'agent-1', operation_registry=operations.OperationRegistry(
                    {}))]))
        self.api = rpcapi.ProtectionAPI()
        self.ctx = records.user_context()

    def _wait_for_failure(self, operation_type, record_id):
        deadline = time.monotonic() + CAST_TIMEOUT
        expected = records.failure_status(operation_type)
        while True:
            record = records.reread(self.ctx, operation_type, record_id)
            if record.status == expected or time.monotonic() > deadline:
                return record
            time.sleep(0.05)

    def test_casts_fail_their_records_without_an_engine(self):
        casts = {'protect': self.api.protect,
                 'delete_checkpoint': self.api.delete_checkpoint,
                 'restore': self.api.restore,
                 'verify': self.api.verify,
                 'copy': self.api.copy}
        for operation_type, cast in casts.items():
            record = records.pending(self.ctx, operation_type)

            cast(self.ctx, record.id)

            record = self._wait_for_failure(operation_type, record.id)
            self.assertEqual(
                (records.failure_status(operation_type), operations.NO_ENGINE),
                (record.status, record.error_reason), operation_type)

    def test_agent_info(self):
        self.assertEqual(
            {'host': 'agent-1', 'rpc_version': '1.1', 'capacity': 7},
            self.api.get_agent_info(self.ctx, host='agent-1'))

    def test_agent_info_in_detail(self):
        info = self.api.get_agent_info(self.ctx, detail=True)

        self.assertEqual([], info['operations'])
