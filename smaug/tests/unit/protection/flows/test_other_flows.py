"""Restore, delete and verify flows on a protected checkpoint."""
import collections

import testtools

from smaug import exception
from smaug.cmd import manage
from smaug.db import api as db
from smaug.db import models
from smaug.db import session
from smaug.protection.flows import kinds
from smaug.tests.plugins import synthetic
from smaug.tests.unit.protection.flows import harness


class CheckpointFlowsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.h = self.useFixture(harness.EngineHarness())
        checkpoint = self.h.checkpoint(13)
        self.h.agent.accept(kinds.KINDS['protect'], self.h.context,
                            checkpoint.id)
        self.checkpoint = self.h.wait(db.checkpoint_get, checkpoint.id,
                                      'protecting')
        self.assertEqual('available', self.checkpoint.status)

    def _start(self, kind_name, create, **values):
        record = create(self.h.context, dict(
            provider_id=harness.PROVIDER_ID,
            checkpoint_id=self.checkpoint.id, parameters={}, **values))
        kind = kinds.KINDS[kind_name]
        self.h.agent.accept(kind, self.h.context, record.id)
        return self.h.wait(kind.get, record.id, kind.pending)

    def _entries(self, operation_id):
        return [e for e in self.h.journal.read()
                if e['operation_id'] == operation_id]

    def test_restore_hands_children_outcomes_to_parents(self):
        restore = self._start('restore', db.restore_create,
                              status='in_progress')
        self.assertEqual('success', restore.status)
        self.assertEqual(13, len(restore.resources_status))
        self.assertEqual({'restored'}, set(restore.resources_status.values()))
        syncs = {e['resource']: e for e in self._entries(restore.id)
                 if e['phase'] == 'sync' and e['event'] == 'end'}
        root = synthetic.node(13, 3, 0)
        expected = sorted(child.key() for child in
                          synthetic.NodeProtectable(None)
                          .get_dependent_resources(root))
        self.assertEqual(expected, syncs[root.id]['children'])

    def test_verify_succeeds(self):
        verification = self._start('verify', db.verification_create,
                                   status='in_progress')
        self.assertEqual('success', verification.status)

    def test_delete_runs_plugins_then_marks_deleted(self):
        db.checkpoint_update(self.h.context, self.checkpoint.id,
                             {'status': 'deleting'})
        kind = kinds.KINDS['delete_checkpoint']
        self.h.agent.accept(kind, self.h.context, self.checkpoint.id)
        record = self.h.wait(db.checkpoint_get, self.checkpoint.id,
                             'deleting')
        self.assertEqual('deleted', record.status)
        deleted = collections.Counter(
            e['resource'] for e in self._entries(self.checkpoint.id)
            if e['operation'] == 'delete_checkpoint' and
            e['event'] == 'deleted')
        self.assertEqual(13, len(deleted))

    def test_an_unclaimed_record_is_adopted_by_the_scan(self):
        # A cast nobody received: the record exists, no agent was told.
        record = db.restore_create(self.h.context, dict(
            provider_id=harness.PROVIDER_ID,
            checkpoint_id=self.checkpoint.id, parameters={},
            status='in_progress'))
        done = self.h.wait(db.restore_get, record.id, 'in_progress',
                           timeout=30)
        self.assertEqual('success', done.status)

    def test_a_new_deployment_imports_the_checkpoint_from_the_bank(self):
        engine = session.get_engine()
        with engine.begin() as connection:
            connection.execute(models.Checkpoint.__table__.delete())
        self.assertRaises(exception.CheckpointNotFound, db.checkpoint_get,
                          self.h.context, self.checkpoint.id)

        status = manage.BankCommands()._import(harness.PROVIDER_ID)

        self.assertEqual(0, status)
        imported = db.checkpoint_get(self.h.context, self.checkpoint.id)
        self.assertEqual('available', imported.status)
        self.assertEqual(self.checkpoint.resource_graph,
                         imported.resource_graph)
