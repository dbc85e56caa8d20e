"""The WSGI entry point reads the file SMAUG_CONFIG_FILE names."""
import os

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from smaug import rpc
from smaug.conf import CONF
from smaug.tests.fixtures import log_setup
from smaug.wsgi import api


class TestInitializeApplication(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(log_setup.LogSetup())
        self.useFixture(config_fixture.Config(CONF))
        self.addCleanup(CONF.clear)
        self.addCleanup(rpc.cleanup)
        self.app = object()
        self.useFixture(fixtures.MockPatch('smaug.api.app.load_app',
                                           return_value=self.app))
        # The WSGI server's own arguments must not reach oslo.config.
        self.useFixture(fixtures.MockPatch(
            'sys.argv', ['uwsgi', '--http-socket', ':8799']))

    def test_configures_from_the_named_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'smaug.conf')
        with open(path, 'w') as f:
            f.write('[DEFAULT]\ntransport_url = fake://\n'
                    '[api]\nmax_limit = 77\n')
        self.useFixture(fixtures.EnvironmentVariable(api.CONFIG_FILE_ENV,
                                                     path))

        app = api.initialize_application()

        self.assertIs(self.app, app)
        self.assertEqual([path], CONF.config_file)
        self.assertEqual(77, CONF.api.max_limit)
        self.assertIsNotNone(rpc.get_transport())
