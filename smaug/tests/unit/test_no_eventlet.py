"""Smaug's processes run on native threads: eventlet is never loaded."""
import os
import pathlib
import subprocess
import sys
import textwrap

import fixtures
import testtools

from smaug.tests.fixtures import database

REPO = pathlib.Path(__file__).resolve().parents[3]

# Runs in a fresh interpreter: the test process may have loaded anything.
SCRIPT = textwrap.dedent('''
    import sys

    from smaug import context
    from smaug import rpc
    from smaug import service
    from smaug.conf import CONF
    from smaug.conf import opts
    from smaug.protection import manager
    from smaug.protection import rpcapi

    opts.set_defaults(CONF)
    CONF(['--config-file', sys.argv[1]], project='smaug')
    rpc.init(CONF)
    agent = service.Service('agent-1', 'smaug-protection', 'smaug-protection',
                            manager.ProtectionManager('agent-1'))
    agent.start()
    info = rpcapi.ProtectionAPI().get_agent_info(context.get_admin_context())
    agent.stop()
    from oslo_service import backend
    loaded = sorted(name for name, module in sys.modules.items()
                    if name.split('.')[0] == 'eventlet' and module is not None)
    print(info['host'], backend.get_backend_type().value, loaded)
''')


class TestNoEventlet(testtools.TestCase):

    def test_a_running_service_never_imports_eventlet(self):
        db = self.useFixture(database.Database())
        config = os.path.join(self.useFixture(fixtures.TempDir()).path,
                              'smaug.conf')
        with open(config, 'w') as f:
            f.write('[DEFAULT]\ntransport_url = fake://\n'
                    '[database]\nconnection = %s\n' % db.url)
        env = dict(os.environ, PYTHONPATH=str(REPO))

        result = subprocess.run(
            [sys.executable, '-c', SCRIPT, config], env=env, cwd=REPO,
            capture_output=True, text=True, timeout=120)

        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual("agent-1 threading []", result.stdout.strip())
