"""An in-process agent whose provider protects resources of the test cloud.

``CloudAgent`` sets up a migrated SQLite database, Smaug's and the test
plugins' entry points, a provider file naming the given OpenStack plugins
plus the ``recording`` plugin (for synthetic resources, so a test can fail
an operation after the OpenStack plugins did their part), a bank, and an
Agent; on request a second provider of the same plugins, with a bank of
its own, to copy checkpoints to. Operations run for a real user of the
test cloud: their context has the user's token and catalog, as the API
would store it.

Resource graphs are given whole: a checkpoint record that already holds
its graph is protected as it is, so no protectable is involved.
"""
import os
import time
import uuid

import fixtures
from oslo_config import fixture as config_fixture

from smaug.conf import CONF
from smaug.db import api as db
from smaug.protection import agent as agent_module
from smaug.protection import graph as graph_module
from smaug.protection import protectable
from smaug.protection import providers
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import checkpoint_layout
from smaug.protection.chunks import layout as chunk_layout
from smaug.protection.flows import kinds
from smaug.tests.fixtures import database
from smaug.tests.fixtures import entry_points
from smaug.tests.fixtures import rpc as rpc_fixture
from smaug.tests.functional.bank import test_swift as swift_bank_tests
from smaug.tests.plugins import recording
from smaug.tests.plugins import synthetic
from smaug.tests.unit.protection.flows import harness as engine_harness

PROVIDER_ID = '3f1d2c58-0d7b-4a6e-b2f4-6c1e9d0a7b42'
#: The provider checkpoints are copied to, when the agent has one.
DESTINATION_ID = '9b2e4f6a-5c3d-4e1f-8a7b-2d4c6e8f0a13'

PROVIDER_FILE = """[provider]
id = %(id)s
name = OpenStack test provider
enabled = true
bank = %(bank)s
%(plugins)s
plugin = recording

[recording_plugin]
journal = %(journal)s
%(recording)s

%(bank_section)s
"""

#: The root of every test graph: a synthetic node the recording plugin
#: protects, whose failure makes the flow revert its OpenStack children.
ROOT = synthetic.node(1, 1, 0)


def failing_root(operation):
    """Lines of ``[recording_plugin]`` that fail :data:`ROOT`'s sync in
    ``operation``, once every resource below it is done, so that the flow
    reverts them."""
    return ('fail_resource = %s\nfail_operation = %s\nfail_phase = sync\n'
            % (ROOT.id, operation))


def file_system_bank(path):
    """(bank plugin, provider file section) of a file-system bank."""
    return 'file-system', '[file_system_bank]\nbank_path = %s\n' % path


def swift_bank(cloud, container, user='demo'):
    """(bank plugin, provider file section) of a bank in the Swift of the
    test cloud, in ``user``'s account."""
    credentials = cloud.credentials[user]
    return 'swift', (
        '[swift_bank]\nauth_url = %s\nusername = %s\npassword = %s\n'
        'project_name = %s\nregion_name = %s\ncontainer = %s\n'
        % (cloud.auth_url, credentials.username, credentials.password,
           credentials.project_name, cloud.region, container))


def restore_target(cloud, user):
    """(Keystone URL, restore_auth) of a restore into ``user``'s project
    of the test cloud."""
    credentials = cloud.credentials[user]
    return cloud.auth_url, {
        'type': 'password', 'username': credentials.username,
        'password': credentials.password,
        'project_name': credentials.project_name,
        'user_domain_id': 'default', 'project_domain_id': 'default'}


def remove_swift_bank(cloud, container, user='demo'):
    """Delete the containers of a :func:`swift_bank` and all they hold."""
    swift_bank_tests._remove_containers(cloud.swift(user), container)


class CloudAgent(fixtures.Fixture):
    """:param cloud: the DevCloud (with ``smaug_clients`` set up).
    :param plugins: entry point names of the OpenStack plugins.
    :param bank: (plugin, section) of the bank; a file-system bank in a
        temporary directory by default.
    :param recording: extra lines of ``[recording_plugin]`` (failures).
    :param user: the cloud user the operations run for.
    :param context: the RequestContext the operations run with (a token
        of the test's making); a fresh one of ``user`` by default.
    :param destination: also set up :data:`DESTINATION_ID`, a provider
        of the same plugins with a file-system bank of its own
        (``destination_bank_path``), to copy checkpoints to.
    """

    def __init__(self, cloud, plugins, bank=None, recording='',
                 user='demo', context=None, destination=False):
        super().__init__()
        self.cloud = cloud
        self.plugins = plugins
        self.bank_option = bank
        self.recording = recording
        self.user = user
        self.context = context
        self.destination = destination

    def _setUp(self):
        self.useFixture(database.Database('sqlite'))
        self.useFixture(entry_points.SmaugEntryPoints())
        self.useFixture(entry_points.EntryPoints(
            engine_harness.TEST_ENTRY_POINTS))
        directory = self.useFixture(fixtures.TempDir()).path
        self.bank_path = os.path.join(directory, 'bank')
        bank_name, bank_section = self.bank_option or file_system_bank(
            self.bank_path)
        self.journal = recording.Journal(os.path.join(directory, 'journal'))
        providers_dir = os.path.join(directory, 'providers.d')
        os.mkdir(providers_dir)
        self._write_provider(providers_dir, 'openstack', PROVIDER_ID,
                             bank_name, bank_section)
        self.destination_bank_path = os.path.join(directory,
                                                  'destination-bank')
        if self.destination:
            self._write_provider(providers_dir, 'destination',
                                 DESTINATION_ID, *file_system_bank(
                                     self.destination_bank_path))
        conf = self.useFixture(config_fixture.Config(CONF))
        conf.config(provider_config_dir=providers_dir, group='protection')
        self.useFixture(rpc_fixture.InProcessMessaging())
        for module in (providers, protectable):
            module._REGISTRY = None
            self.addCleanup(setattr, module, '_REGISTRY', None)
        self.context = self.context or self.cloud.user_context(self.user)
        self.agent = agent_module.Agent()
        self.agent.start()
        self.addCleanup(self.agent.stop)

    def _write_provider(self, directory, name, provider_id, bank_name,
                        bank_section):
        with open(os.path.join(directory, name + '.conf'), 'w') as f:
            f.write(PROVIDER_FILE % {
                'id': provider_id, 'bank': bank_name,
                'bank_section': bank_section, 'journal': self.journal.path,
                'recording': self.recording,
                'plugins': ''.join('plugin = %s\n' % name
                                   for name in self.plugins)})

    @property
    def bank(self):
        """The provider's Bank."""
        return self.bank_of(PROVIDER_ID)

    @staticmethod
    def bank_of(provider_id):
        """The Bank of ``provider_id``."""
        return bank_module.Bank.from_provider(
            providers.get_registry().get(provider_id))

    def checkpoint_data(self, checkpoint_id):
        """The bank's keys holding what the plugins saved for a
        checkpoint: its resources' objects, and the references that keep
        the chunks of its manifests from a garbage collection."""
        prefix = checkpoint_layout.resources_prefix(checkpoint_id)
        return (self.bank.list_objects(prefix) +
                self.bank.list_objects(chunk_layout.REFS + prefix))

    # Operations: each waits for its record to settle and returns it.

    def protect(self, resources, parameters=None, timeout=120):
        """Protect ``resources`` as children of :data:`ROOT`."""
        graph = graph_module.ResourceGraph()
        graph.add(ROOT)
        for resource in resources:
            graph.link(ROOT, resource)
        plan = {'id': str(uuid.uuid4()), 'name': 'cloud test plan',
                'provider_id': PROVIDER_ID,
                'resources': [ROOT.to_dict()],
                'parameters': parameters or {}}
        record = db.checkpoint_create(self.context, {
            'provider_id': PROVIDER_ID, 'plan_id': plan['id'],
            'status': 'protecting', 'protection_plan': plan,
            'resource_graph': graph.to_primitive(), 'extra_info': {}})
        return self._run('protect', record.id, timeout)

    def restore(self, checkpoint_id, parameters=None, timeout=120,
                target=None):
        """:param target: (Keystone URL, restore_auth) of the project to
        restore into; the requester's by default."""
        values = {'provider_id': self._provider_of(checkpoint_id),
                  'checkpoint_id': checkpoint_id,
                  'parameters': parameters or {}, 'status': 'in_progress'}
        if target is not None:
            values['restore_target'], values['restore_auth'] = target
        record = db.restore_create(self.context, values)
        return self._run('restore', record.id, timeout)

    def verify(self, checkpoint_id, parameters=None, timeout=120):
        record = db.verification_create(self.context, {
            'provider_id': self._provider_of(checkpoint_id),
            'checkpoint_id': checkpoint_id,
            'parameters': parameters or {}, 'status': 'in_progress'})
        return self._run('verify', record.id, timeout)

    def delete(self, checkpoint_id, timeout=120):
        db.checkpoint_update(self.context, checkpoint_id,
                             {'status': 'deleting'})
        return self._run('delete_checkpoint', checkpoint_id, timeout)

    def copy(self, plan_id, timeout=120):
        """Copy the plan's checkpoints to :data:`DESTINATION_ID`;
        :returns: the copy's record once every checkpoint's copy ended."""
        record = engine_harness.start_copy(
            self.agent, self.context, PROVIDER_ID, plan_id,
            {'destination': {'provider_id': DESTINATION_ID}})
        return self._wait('copy', db.copy_get, record.id,
                          ('wait_copying', 'copying'), timeout)

    def _provider_of(self, checkpoint_id):
        return db.checkpoint_get(self.context, checkpoint_id).provider_id

    def _run(self, kind_name, record_id, timeout):
        kind = kinds.KINDS[kind_name]
        self.agent.accept(kind, self.context, record_id)
        return self._wait(kind_name, kind.get, record_id, _pending(kind),
                          timeout)

    def _wait(self, what, get, record_id, pending, timeout):
        deadline = time.monotonic() + timeout
        while True:
            record = get(self.context, record_id)
            if record.status not in pending:
                return record
            if time.monotonic() > deadline:
                raise AssertionError('%s %s still %s after %ss' % (
                    what, record_id, record.status, timeout))
            time.sleep(0.1)


def _pending(kind):
    pending = kind.pending
    return (pending,) if isinstance(pending, str) else tuple(pending)
