"""smaug.rpc: the serializer, servers, and the version cap of clients."""
import datetime

from oslo_config import fixture as config_fixture
import oslo_messaging as messaging
from oslo_utils import timeutils
import testtools

from smaug import context
from smaug import exception
from smaug import rpc
from smaug.conf import CONF
from smaug.db import api as db
from smaug.protection import manager
from smaug.protection import rpcapi
from smaug.tests.fixtures import database
from smaug.tests.fixtures import entry_points
from smaug.tests.fixtures import rpc as rpc_fixture

PROTECTION = rpcapi.ProtectionAPI.BINARY


class TestRequestContextSerializer(testtools.TestCase):

    def test_context_round_trip(self):
        serializer = rpc.RequestContextSerializer()
        original = context.RequestContext(
            user_id='u1', project_id='p1', roles=['member', 'reader'],
            request_id='req-1d0c3a52-8f0e-4b1e-9a57-31f2c5a1b0aa')

        values = serializer.serialize_context(original)
        copy = serializer.deserialize_context(values)

        self.assertIsInstance(copy, context.RequestContext)
        self.assertEqual(('u1', 'p1', ['member', 'reader'], False,
                          original.request_id),
                         (copy.user_id, copy.project_id, copy.roles,
                          copy.is_admin, copy.request_id))

    def test_admin_flag_survives(self):
        serializer = rpc.RequestContextSerializer()

        copy = serializer.deserialize_context(
            serializer.serialize_context(context.get_admin_context()))

        self.assertTrue(copy.is_admin)

    def test_entities_go_through_the_base_serializer(self):
        serializer = rpc.RequestContextSerializer(
            messaging.JsonPayloadSerializer())
        ctx = context.get_admin_context()

        entity = serializer.serialize_entity(
            ctx, {'at': datetime.datetime(2026, 1, 2, 3, 4, 5)})

        self.assertEqual({'at': '2026-01-02T03:04:05.000000'}, entity)


class TestUninitialised(testtools.TestCase):

    def test_transport_before_init_fails_loudly(self):
        self.assertRaises(exception.ServiceUnavailable, rpc.get_transport)
        self.assertRaises(exception.ServiceUnavailable, rpc.get_notifier,
                          'smaug-api')


class Endpoint:
    target = messaging.Target(version='1.0')

    @messaging.expose
    def echo(self, ctx, value):
        return {'value': value, 'project_id': ctx.project_id}

    def helper(self, ctx):
        return 'should not be reachable'


class TestServer(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(rpc_fixture.InProcessMessaging())
        self.server = self.useFixture(
            rpc_fixture.RPCServer('t', 'h', [Endpoint()])).server
        self.client = rpc.get_client(messaging.Target(topic='t'))
        self.ctx = context.RequestContext(user_id='u', project_id='p')

    def test_runs_on_native_threads(self):
        self.assertEqual('threading', self.server.executor_type)

    def test_call_carries_context_and_result(self):
        self.assertEqual({'value': 42, 'project_id': 'p'},
                         self.client.call(self.ctx, 'echo', value=42))

    def test_unexposed_method_is_refused(self):
        self.assertRaises(messaging.NoSuchMethod, self.client.call,
                          self.ctx, 'helper')

    def test_notifier_signs_notifications(self):
        notifier = rpc.get_notifier('smaug-protection.h')

        self.assertEqual('smaug-protection.h', notifier.publisher_id)


class TestVersionCap(testtools.TestCase):
    """ProtectionAPI (newest 1.1) choosing its cap from the services."""

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database())
        self.useFixture(rpc_fixture.InProcessMessaging())
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.ctx = context.get_admin_context()

    def _service(self, host, version, binary=PROTECTION, beat_age=0):
        row = db.service_create(self.ctx, {
            'host': host, 'binary': binary, 'topic': binary,
            'rpc_current_version': version,
            'rpc_available_version': version})
        if beat_age:
            last_beat = (timeutils.utcnow() -
                         datetime.timedelta(seconds=beat_age))
            db.service_update(self.ctx, row.id, {'created_at': last_beat,
                                                 'updated_at': last_beat})

    def test_newest_when_no_service_is_recorded(self):
        self.assertEqual('1.1', rpcapi.ProtectionAPI().version_cap)

    def test_lowest_of_the_live_services(self):
        self._service('a', '1.1')
        self._service('b', '1.0')

        self.assertEqual('1.0', rpcapi.ProtectionAPI().version_cap)

    def test_versions_compare_as_numbers(self):
        class NewerAPI(rpcapi.ProtectionAPI):
            RPC_API_VERSION = '1.12'

        self._service('a', '1.10')
        self._service('b', '1.9')

        self.assertEqual('1.9', NewerAPI().version_cap)

    def test_dead_services_do_not_hold_the_cap_down(self):
        self.conf.config(service_down_time=60)
        self._service('a', '1.1')
        self._service('old', '1.0', beat_age=600)

        self.assertEqual('1.1', rpcapi.ProtectionAPI().version_cap)

    def test_other_binaries_do_not_count(self):
        self._service('a', '1.1')
        self._service('a', '1.0', binary='smaug-operationengine')

        self.assertEqual('1.1', rpcapi.ProtectionAPI().version_cap)

    def test_never_above_what_the_client_knows(self):
        self._service('a', '1.4')

        self.assertEqual('1.1', rpcapi.ProtectionAPI().version_cap)

    def test_service_without_a_version_is_ignored(self):
        self._service('a', None)

        self.assertEqual('1.1', rpcapi.ProtectionAPI().version_cap)

    def test_option_pins_the_cap(self):
        self._service('a', '1.1')
        self.conf.config(group='upgrade_levels', protection='1.0')

        api = rpcapi.ProtectionAPI()

        self.assertEqual('1.0', api.version_cap)
        self.assertFalse(api.client.can_send_version('1.1'))


class TestGatedArguments(testtools.TestCase):
    """The 1.1 ``detail`` of get_agent_info is sent only when allowed."""

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database())
        self.useFixture(entry_points.SmaugEntryPoints())
        self.useFixture(rpc_fixture.InProcessMessaging())
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.useFixture(rpc_fixture.RPCServer(
            PROTECTION, 'agent-1', [manager.ProtectionManager('agent-1')]))
        self.ctx = context.get_admin_context()

    def test_detail_sent_when_the_cap_allows_it(self):
        info = rpcapi.ProtectionAPI().get_agent_info(self.ctx, detail=True)

        self.assertEqual(['copy', 'delete_checkpoint', 'protect',
                          'restore', 'verify'], info['operations'])

    def test_detail_withheld_from_a_1_0_deployment(self):
        self.conf.config(group='upgrade_levels', protection='1.0')

        info = rpcapi.ProtectionAPI().get_agent_info(self.ctx, detail=True)

        self.assertEqual({'host': 'agent-1', 'rpc_version': '1.1',
                          'capacity': 4}, info)
