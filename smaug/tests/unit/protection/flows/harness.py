"""An agent in the test process, a recording provider and its journal.

``EngineHarness`` sets up a migrated database, publishes Smaug's and the
test plugins' entry points, writes a provider file for the recording
plugin (file-system bank in a temporary directory), starts an Agent, and
offers helpers to create checkpoint and copy records and wait for them to
settle. ``add_provider`` adds another provider, with a bank of its own.
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
from smaug.protection.flows import kinds
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
        'recording = smaug.tests.plugins.recording:RecordingPlugin',
        'recording-plain = smaug.tests.plugins.recording:'
        'PlainRecordingPlugin'],
}

PROVIDER_FILE = """[provider]
id = %(id)s
name = %(name)s
enabled = true
bank = file-system
plugin = %(plugin)s

[file_system_bank]
bank_path = %(bank)s

[recording_plugin]
journal = %(journal)s
%(extra)s
"""


def provider_file(directory, journal, bank, extra='', name='recording',
                  provider_id=PROVIDER_ID, plugin='recording'):
    path = os.path.join(directory, '%s.conf' % name)
    with open(path, 'w') as f:
        f.write(PROVIDER_FILE % {'id': provider_id, 'name': name,
                                 'plugin': plugin, 'journal': journal,
                                 'bank': bank, 'extra': extra})
    return path


def start_copy(agent, context, provider_id, plan_id, parameters=None):
    """Ask ``agent`` to copy the checkpoints of a plan of ``provider_id``,
    as the API does; :returns: the copy's record."""
    record = db.copy_create(context, {
        'provider_id': provider_id, 'plan_id': plan_id,
        'parameters': parameters or {}, 'status': 'wait_copying'})
    db.operation_log_create(context, {
        'operation_type': 'copy', 'copy_id': record.id,
        'plan_id': plan_id, 'status': 'in_progress'})
    agent.accept(kinds.KINDS['copy'], context, record.id)
    return record


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
        directory = self.directory = self.useFixture(
            fixtures.TempDir()).path
        self.journal = recording.Journal(os.path.join(directory, 'journal'))
        providers_dir = self.providers_dir = os.path.join(directory,
                                                          'providers.d')
        os.mkdir(providers_dir)
        self.bank_path = os.path.join(directory, 'bank')
        provider_file(providers_dir, self.journal.path, self.bank_path,
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

    def add_provider(self, name, plugin='recording', options=''):
        """Another provider of the recording journal, with a bank of its
        own (``<directory>/<name>-bank``); :returns: its id."""
        provider_id = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        provider_file(self.providers_dir, self.journal.path,
                      os.path.join(self.directory, name + '-bank'), options,
                      name=name, provider_id=provider_id, plugin=plugin)
        providers.reset_registry()
        return provider_id

    def checkpoint(self, size, branching=3, plan_id=None,
                   required_capabilities=None):
        """A protecting checkpoint record of a synthetic graph."""
        root = synthetic.node(size, branching, 0)
        plan = {'id': plan_id or str(uuid.uuid4()), 'name': 'plan',
                'provider_id': PROVIDER_ID,
                'resources': [root.to_dict()]}
        if required_capabilities:
            plan['required_capabilities'] = list(required_capabilities)
        return db.checkpoint_create(self.context, {
            'provider_id': PROVIDER_ID, 'plan_id': plan['id'],
            'status': 'protecting', 'protection_plan': plan,
            'extra_info': {}})

    def protect(self, size, **checkpoint):
        """A checkpoint protected by the agent, as it ended."""
        record = self.checkpoint(size, **checkpoint)
        self.agent.accept(kinds.KINDS['protect'], self.context, record.id)
        return self.wait(db.checkpoint_get, record.id, 'protecting')

    def copy(self, plan_id, parameters=None):
        """Start a copy of the plan's checkpoints; :returns: its record."""
        return start_copy(self.agent, self.context, PROVIDER_ID, plan_id,
                          parameters)

    def wait_copy(self, copy_id, timeout=60):
        """The copy once it and its checkpoints have ended."""
        for pending in ('wait_copying', 'copying'):
            record = self.wait(db.copy_get, copy_id, pending, timeout)
        return record

    def wait(self, get, record_id, pending, timeout=60, interval=0.05):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            record = get(self.context, record_id)
            if record.status != pending:
                return record
            time.sleep(interval)
        raise AssertionError('%s still %s after %ss' % (record_id, pending,
                                                        timeout))

    def new_agent(self):
        """A fresh agent of the same host, as after a restart."""
        agent = agent_module.Agent()
        agent.start()
        self.addCleanup(agent.stop)
        self.agent = agent
        return agent
