"""smaug.service: registration, heartbeats, periodic tasks, RPC and HTTP."""
import concurrent.futures
import threading
import time
import urllib.request

import fixtures
from oslo_config import fixture as config_fixture
import oslo_messaging as messaging
from oslo_service import periodic_task
from oslo_service import service as oslo_service
import testtools

from smaug import context
from smaug import service
from smaug.conf import CONF
from smaug.db import api as db
from smaug.protection import manager
from smaug.protection import operations
from smaug.protection import rpcapi
from smaug.tests.fixtures import database
from smaug.tests.fixtures import rpc as rpc_fixture

BINARY = rpcapi.ProtectionAPI.BINARY
TIMEOUT = 10


def wait_until(predicate, message):
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)


class SlowManager(manager.ProtectionManager):
    """Counts its periodic runs; its ``slow`` cast takes a while."""

    def __init__(self, host):
        super().__init__(host,
                         operation_registry=operations.OperationRegistry({}))
        self.periodic_runs = 0
        self.slow_started = threading.Event()
        self.slow_finished = threading.Event()

    @periodic_task.periodic_task(spacing=1, run_immediately=True)
    def count_runs(self, ctx):
        self.periodic_runs += 1

    @messaging.expose
    def slow(self, ctx):
        self.slow_started.set()
        time.sleep(0.5)
        self.slow_finished.set()


class TestService(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database())
        self.useFixture(rpc_fixture.InProcessMessaging())
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.ctx = context.get_admin_context()
        self.manager = SlowManager('agent-1')

    def _started(self):
        server = service.Service('agent-1', BINARY, BINARY, self.manager)
        server.start()
        self.addCleanup(server.stop)
        return server

    def _row(self):
        return db.service_get_by_host_and_binary(self.ctx, 'agent-1', BINARY)

    def test_start_registers_the_service(self):
        server = self._started()

        row = self._row()
        self.assertEqual(
            (server.service_id, BINARY, '1.1', '1.1', 0),
            (row.id, row.topic, row.rpc_current_version,
             row.rpc_available_version, row.report_count))

    def test_restart_refreshes_the_same_row(self):
        old = db.service_create(self.ctx, {
            'host': 'agent-1', 'binary': BINARY, 'topic': BINARY,
            'report_count': 41, 'rpc_current_version': '1.0',
            'rpc_available_version': '1.0'})

        server = self._started()

        rows = db.service_get_all(self.ctx, {'binary': BINARY})
        self.assertEqual([(old.id, '1.1', 41)],
                         [(row.id, row.rpc_current_version, row.report_count)
                          for row in rows])
        self.assertEqual(old.id, server.service_id)

    def test_heartbeat_counts_and_moves_updated_at(self):
        server = self._started()
        before = self._row()

        server.report_state()

        after = self._row()
        self.assertEqual(before.report_count + 1, after.report_count)
        self.assertGreater(after.updated_at,
                           before.updated_at or before.created_at)

    def test_heartbeat_registers_again_when_the_row_is_gone(self):
        server = self._started()
        db.service_destroy(self.ctx, server.service_id)

        server.report_state()

        self.assertEqual(server.service_id, self._row().id)

    def test_heartbeats_and_periodic_tasks_run_on_their_own(self):
        self.conf.config(report_interval=1, periodic_interval=1)
        self._started()

        wait_until(lambda: self._row().report_count >= 2,
                   'no heartbeat was written')
        wait_until(lambda: self.manager.periodic_runs >= 1,
                   'the periodic task never ran')

    def test_serves_the_manager_on_its_topic(self):
        self._started()

        info = rpcapi.ProtectionAPI().get_agent_info(self.ctx,
                                                     host='agent-1')

        self.assertEqual('agent-1', info['host'])

    def test_stop_finishes_the_message_in_hand(self):
        server = self._started()
        client = rpcapi.ProtectionAPI().client
        client.cast(self.ctx, 'slow')
        self.assertTrue(self.manager.slow_started.wait(TIMEOUT))

        server.stop()

        self.assertTrue(self.manager.slow_finished.is_set())

    def test_wait_returns_once_stopped(self):
        server = self._started()
        waiter = threading.Thread(target=server.wait)
        waiter.start()

        server.stop()
        waiter.join(TIMEOUT)

        self.assertFalse(waiter.is_alive())


class TestWSGIService(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.conf.config(group='api', bind_host='127.0.0.1', bind_port=0,
                         threads=3)

    def _serve(self, app):
        self.useFixture(fixtures.MockPatch('smaug.api.app.load_app',
                                           return_value=app))
        server = service.WSGIService(CONF)
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)
        return server

    def test_requests_are_served_side_by_side(self):
        # Each request waits for the other two: only a server with three
        # threads can answer them.
        together = threading.Barrier(3, timeout=TIMEOUT)

        def app(environ, start_response):
            together.wait()
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [environ['PATH_INFO'].encode()]

        server = self._serve(app)

        def get(path):
            with urllib.request.urlopen(server.url + path,
                                        timeout=TIMEOUT) as response:
                return response.read().decode()

        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            bodies = list(pool.map(get, ['a', 'b', 'c']))
        self.assertEqual(['/a', '/b', '/c'], bodies)

    def test_url_names_the_port_chosen(self):
        server = self._serve(lambda environ, start_response: [])

        self.assertNotEqual(0, server.port)
        self.assertEqual('http://127.0.0.1:%d/' % server.port, server.url)


class Recorder(oslo_service.ServiceBase):

    def __init__(self, name, journal):
        self.name = name
        self.journal = journal

    def start(self):
        self.journal.append(('start', self.name))

    def stop(self):
        self.journal.append(('stop', self.name))

    def wait(self):
        self.journal.append(('wait', self.name))

    def reset(self):
        self.journal.append(('reset', self.name))


class TestCombinedService(testtools.TestCase):

    def test_starts_in_order_and_stops_in_reverse(self):
        journal = []
        combined = service.CombinedService(
            [Recorder('rpc', journal), Recorder('api', journal)])

        combined.start()
        combined.stop()
        combined.wait()

        self.assertEqual([('start', 'rpc'), ('start', 'api'),
                          ('stop', 'api'), ('stop', 'rpc'),
                          ('wait', 'rpc'), ('wait', 'api')], journal)
