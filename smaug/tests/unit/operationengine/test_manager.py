"""smaug-operationengine's endpoint, driven through its RPC client."""
import time

from oslo_config import fixture as config_fixture
import testtools

from smaug import context
from smaug.conf import CONF
from smaug.operationengine import manager
from smaug.operationengine import rpcapi
from smaug.operationengine import scheduler as scheduler_module
from smaug.tests.fixtures import database
from smaug.tests.fixtures import rpc as rpc_fixture
from smaug.tests.unit.operationengine import scheduling as helpers

CAST_TIMEOUT = 10
ENGINES = ('engine-1', 'engine-2')


class WakeCounter:
    """Stands in for an engine's scheduler: counts its wake-ups."""

    def __init__(self):
        self.wakes = 0

    def start(self):
        pass

    def stop(self, timeout=None):
        pass

    def wake(self):
        self.wakes += 1


class TestOperationEngineManager(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database())
        self.useFixture(rpc_fixture.InProcessMessaging())
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.conf.config(group='operationengine', min_interval=600)
        self.api = rpcapi.OperationEngineAPI()
        self.ctx = context.RequestContext(user_id='u', project_id='p')

    def _serve(self, host, scheduler):
        endpoint = manager.OperationEngineManager(host, scheduler=scheduler)
        endpoint.init_host()
        self.addCleanup(endpoint.cleanup_host)
        self.useFixture(rpc_fixture.RPCServer(
            rpcapi.OperationEngineAPI.BINARY, host, [endpoint]))
        return endpoint

    def _wait(self, what, check):
        deadline = time.monotonic() + CAST_TIMEOUT
        while not check():
            if time.monotonic() > deadline:
                self.fail('no %s within %ss' % (what, CAST_TIMEOUT))
            time.sleep(0.02)

    def test_engine_info(self):
        for host in ENGINES:
            self._serve(host, WakeCounter())

        info = self.api.get_engine_info(self.ctx, host='engine-2')

        self.assertEqual({'host': 'engine-2', 'rpc_version': '1.0',
                          'min_interval': 600, 'min_window_time': 900,
                          'max_window_time': 1800}, info)

    def test_trigger_changes_wake_every_engine(self):
        counters = {host: WakeCounter() for host in ENGINES}
        for host, counter in counters.items():
            self._serve(host, counter)

        self.api.trigger_changed(self.ctx, 'trigger-1')
        self.api.trigger_deleted(self.ctx, 'trigger-2')

        self._wait('two wake-ups of each engine', lambda: all(
            counter.wakes == 2 for counter in counters.values()))

    def test_operation_changes_wake_the_named_engine(self):
        counters = {host: WakeCounter() for host in ENGINES}
        for host, counter in counters.items():
            self._serve(host, counter)

        self.api.scheduled_operation_created(self.ctx, 'op-1',
                                             host='engine-2')
        self.api.scheduled_operation_state_changed(self.ctx, 'op-1', False,
                                                   host='engine-2')
        self.api.scheduled_operation_deleted(self.ctx, 'op-1',
                                             host='engine-2')

        self._wait('three wake-ups of engine-2',
                   lambda: counters['engine-2'].wakes == 3)
        self.assertEqual(0, counters['engine-1'].wakes)

    def test_a_new_operation_runs_at_once_when_the_api_says_so(self):
        # The engine would not read the database again for an hour.
        self.conf.config(group='operationengine', poll_interval=3600)
        clock = helpers.FakeClock(helpers.T0 - helpers.HOUR / 2)
        recording = helpers.RecordingOperation()
        scheduler = scheduler_module.Scheduler(
            'engine-1', CONF, clock=clock,
            types={recording.name: recording})
        self._serve('engine-1', scheduler)
        self.assertTrue(scheduler.loaded.wait(CAST_TIMEOUT))
        operation = helpers.make_operation(helpers.make_trigger())
        clock.set(helpers.T0 + helpers.HOUR / 60)

        self.api.scheduled_operation_created(self.ctx, operation.id)

        recording.wait_started(1, timeout=CAST_TIMEOUT)
        self.assertEqual([helpers.T0], recording.fire_times())
