"""An agent in the test process, a recording provider and its journal.

``EngineHarness`` sets up a migrated database, publishes Smaug's and the
test plugins' entry points, writes a provider file for the recording
plugin (file-system bank in a temporary directory), starts an Agent, and
offers helpers to create checkpoint records and wait for them to settle.
"""
import os
import time
import uuid

import fixtures
from oslo_config import fixture as config_fixture

from smaug import context as context_module
from smaug.conf import CONF
from smaug.db import api as db
from smaug.protection import agent as agent_module
from smaug.protection import protectable
from smaug.protection import providers
from smaug.tests.fixtures import database
from smaug.tests.fixtures import entry_points
from smaug.tests.fixtures import rpc as rpc_fixture
from smaug.tests.plugins import recording
from smaug.tests.plugins import synthetic

PROVIDER_ID = '5e5b6d8a-1c7e-4a43-9d7e-0b3c1f2a9e01'
PROJECT = 'engine-test-project'

TEST_ENTRY_POINTS = {
    'smaug.protectables': [
        'test-node = smaug.tests.plugins.synthetic:NodeProtectable'],
    'smaug.protections': [
        'recording = smaug.tests.plugins.recording:RecordingPlugin'],
}

PROVIDER_FILE = """[provider]
id = %(id)s
name = Recording Provider
enabled = true
bank = file-system
plugin = recording

[file_system_bank]
bank_path = %(bank)s

[recording_plugin]
journal = %(journal)s
%(extra)s
"""


def provider_file(directory, journal, bank, extra=''):
    path = os.path.join(directory, 'recording.conf')
    with open(path, 'w') as f:
        f.write(PROVIDER_FILE % {'id': PROVIDER_ID, 'journal': journal,
                                 'bank': bank, 'extra': extra})
    return path


class EngineHarness(fixtures.Fixture):
    """:param provider_options: extra lines of [recording_plugin]."""

    def __init__(self, backend='sqlite', provider_options='', **conf):
        super().__init__()
        self.backend = backend
        self.provider_options = provider_options
        self.conf = conf

    def _setUp(self):
        self.useFixture(database.Database(self.backend))
        self.useFixture(entry_points.SmaugEntryPoints())
        self.useFixture(entry_points.EntryPoints(TEST_ENTRY_POINTS))
        directory = self.useFixture(fixtures.TempDir()).path
        self.journal = recording.Journal(os.path.join(directory, 'journal'))
        providers_dir = os.path.join(directory, 'providers.d')
        os.mkdir(providers_dir)
        provider_file(providers_dir, self.journal.path,
                      os.path.join(directory, 'bank'),
                      self.provider_options)
        conf = self.useFixture(config_fixture.Config(CONF))
        conf.config(provider_config_dir=providers_dir, group='protection')
        conf.config(orphan_scan_interval=1, unclaimed_grace_seconds=1,
                    group='protection')
        for key, value in self.conf.items():
            conf.config(group='protection', **{key: value})
        self.useFixture(rpc_fixture.InProcessMessaging())
        for module in (providers, protectable):
            module._REGISTRY = None
            self.addCleanup(setattr, module, '_REGISTRY', None)
        self.context = context_module.RequestContext(
            user_id='engine-user', project_id=PROJECT,
            roles=['member', 'reader'], is_admin=False)
        self.agent = agent_module.Agent()
        self.agent.start()
        self.addCleanup(self.agent.stop)

    def checkpoint(self, size, branching=3):
        """A protecting checkpoint record of a synthetic graph."""
        root = synthetic.node(size, branching, 0)
        plan = {'id': str(uuid.uuid4()), 'name': 'plan',
                'provider_id': PROVIDER_ID,
                'resources': [root.to_dict()]}
        return db.checkpoint_create(self.context, {
            'provider_id': PROVIDER_ID, 'plan_id': plan['id'],
            'status': 'protecting', 'protection_plan': plan,
            'extra_info': {}})

    def wait(self, get, record_id, pending, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            record = get(self.context, record_id)
            if record.status != pending:
                return record
            time.sleep(0.05)
        raise AssertionError('%s still %s after %ss' % (record_id, pending,
                                                        timeout))

    def new_agent(self):
        """A fresh agent of the same host, as after a restart."""
        agent = agent_module.Agent()
        agent.start()
        self.addCleanup(agent.stop)
        self.agent = agent
        return agent
