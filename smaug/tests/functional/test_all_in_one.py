"""smaug-all-in-one: a whole deployment in one process, with nothing else.

No broker and no database server: the process must come up on the
in-process transport and a SQLite database it migrates itself.
"""
import json
import os
import socket
import time
import urllib.error
import urllib.request

import fixtures
import sqlalchemy as sa
import testtools

from smaug.tests.fixtures import process

TIMEOUT = 60
BINARIES = ('smaug-operationengine', 'smaug-protection')


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class TestAllInOne(testtools.TestCase):

    def setUp(self):
        super().setUp()
        directory = self.useFixture(fixtures.TempDir()).path
        self.state = os.path.join(directory, 'state')
        self.port = free_port()
        config = os.path.join(directory, 'smaug.conf')
        with open(config, 'w') as f:
            f.write('[DEFAULT]\nstate_path = %s\nreport_interval = 1\n'
                    '[api]\nbind_port = %d\n' % (self.state, self.port))
        self.smaug = self.useFixture(process.SmaugProcess(
            'smaug.cmd.all_in_one', config,
            os.path.join(directory, 'all-in-one.log')))

    def _wait_for(self, predicate, what):
        deadline = time.monotonic() + TIMEOUT
        while not predicate():
            self.smaug.check_running()
            if time.monotonic() > deadline:
                self.fail('%s within %ss; log:\n%s'
                          % (what, TIMEOUT, self.smaug.log))
            time.sleep(0.2)

    def _report_counts(self):
        database = os.path.join(self.state, 'smaug.sqlite')
        if not os.path.exists(database):
            return {}
        engine = sa.create_engine('sqlite:///' + database)
        try:
            with engine.connect() as connection:
                rows = connection.execute(sa.text(
                    'SELECT "binary", report_count FROM services'))
                return dict(rows.all())
        except sa.exc.OperationalError:
            return {}
        finally:
            engine.dispose()

    def test_serves_the_api_and_runs_every_service(self):
        url = 'http://127.0.0.1:%d/' % self.port
        self._wait_for(lambda: 'Smaug API: ' + url in self.smaug.log,
                       'the API address printed')

        try:
            response = urllib.request.urlopen(url, timeout=TIMEOUT)
        except urllib.error.HTTPError as answer:
            response = answer
        with response:
            versions = json.loads(response.read())
        self.assertIn('versions', versions)

        self._wait_for(lambda: sorted(self._report_counts()) ==
                       list(BINARIES), 'both services registered')
        self._wait_for(lambda: min(self._report_counts().values()) >= 1,
                       'a heartbeat of each service')

        self.assertEqual(0, self.smaug.stop(), self.smaug.log)
