"""Copies of a plan's checkpoints, in-process, on the recording plugin."""
import collections
import datetime
import io

import testtools

from smaug import exception
from smaug.cmd import manage
from smaug.db import api as db
from smaug.db import models
from smaug.db import session
from smaug.protection import providers
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import checkpoint_layout as layout
from smaug.protection.chunks import store as chunk_store
from smaug.protection.flows import kinds
from smaug.tests.plugins import synthetic
from smaug.tests.unit.protection.flows import harness

PLAN = '6f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f'
SIZE = 7


def _bank(provider_id):
    return bank_module.Bank.from_provider(
        providers.get_registry().get(provider_id))


def _copies_of(record):
    return {pair['checkpoint_protect_id']: pair['checkpoint_copy_id']
            for pair in record.checkpoint_pairs}


def _log(context, copy_id):
    [log] = db.operation_log_get_all(context, filters={'copy_id': copy_id})
    return log


class CopyFlowTest(testtools.TestCase):

    def _entries(self, h, operation_id, event=None):
        return [e for e in h.journal.read()
                if e['operation_id'] == operation_id and
                (event is None or e['event'] == event)]

    def _failed_copy(self, h, source, destination):
        """Copy ``source`` to ``destination``; :returns: the copy's
        checkpoint, once its copy request failed."""
        copy = h.wait_copy(h.copy(PLAN, {
            'destination': {'provider_id': destination}}).id)
        self.assertEqual('fail', copy.status)
        copied = db.checkpoint_get(h.context, _copies_of(copy)[source.id])
        self.assertEqual('error', copied.status)
        return copied

    def test_copies_each_available_checkpoint_once_into_the_same_bank(self):
        h = self.useFixture(harness.EngineHarness())
        sources = [h.protect(SIZE, plan_id=PLAN) for _ in range(2)]
        failed = h.checkpoint(SIZE, plan_id=PLAN)
        db.checkpoint_update(h.context, failed.id, {'status': 'error'})

        copy = h.wait_copy(h.copy(PLAN).id)

        self.assertEqual('success', copy.status)
        copies = _copies_of(copy)
        self.assertEqual({source.id for source in sources}, set(copies))
        bank = _bank(harness.PROVIDER_ID)
        for source in sources:
            copied = db.checkpoint_get(h.context, copies[source.id])
            self.assertEqual(
                ('available', harness.PROVIDER_ID, PLAN, source.id,
                 'finished', source.resource_graph),
                (copied.status, copied.provider_id, copied.plan_id,
                 copied.extra_info['copy_of'],
                 copied.extra_info['copy_status'], copied.resource_graph))
            self.assertEqual({'available'},
                             set(copied.resources_status.values()))
            self.assertEqual(
                {harness.PROVIDER_ID: copied.id},
                db.checkpoint_get(h.context, source.id).extra_info['copies'])
            # The bank alone describes the copy: its index, and each
            # resource's saved metadata next to what the plugin added.
            document = layout.read_checkpoint(bank, copied.id)
            self.assertEqual(('available', source.resource_graph),
                             (document['status'],
                              document['resource_graph']))
            for resource_id in (synthetic.node(SIZE, 3, i).id
                                for i in range(SIZE)):
                section = layout.resource_section(
                    bank, copied.id, '%s#%s' % (synthetic.NODE, resource_id))
                self.assertEqual({'resource': resource_id},
                                 section.get_json('metadata'))
                self.assertEqual(copied.id,
                                 section.get_json('copy')['copy'])
            created = self._entries(h, copied.id, 'created')
            self.assertEqual(SIZE, len(created))
            self.assertEqual({e['resource'] for e in created},
                             {e['saved']['resource'] for e in created})
        self.assertEqual('success', _log(h.context, copy.id).status)

        again = h.wait_copy(h.copy(PLAN).id)

        self.assertEqual(('success', []),
                         (again.status, again.checkpoint_pairs))
        listed = db.checkpoint_get_all(h.context,
                                       filters={'plan_id': PLAN})
        self.assertEqual(5, len(listed))

    def test_a_source_whose_copy_was_deleted_is_copied_again(self):
        h = self.useFixture(harness.EngineHarness())
        source = h.protect(SIZE, plan_id=PLAN)
        first = _copies_of(h.wait_copy(h.copy(PLAN).id))[source.id]
        db.checkpoint_update(h.context, first, {'status': 'deleting'})
        h.agent.accept(kinds.KINDS['delete_checkpoint'], h.context, first)
        self.assertEqual('deleted', h.wait(db.checkpoint_get, first,
                                           'deleting').status)
        self.assertEqual(
            {}, db.checkpoint_get(h.context, source.id).extra_info['copies'])

        again = h.wait_copy(h.copy(PLAN).id)

        self.assertEqual('success', again.status)
        second = _copies_of(again)[source.id]
        self.assertNotEqual(first, second)
        self.assertEqual(
            {harness.PROVIDER_ID: second},
            db.checkpoint_get(h.context, source.id).extra_info['copies'])

    def test_a_copy_in_another_bank_is_imported_and_restored_from_it(self):
        h = self.useFixture(harness.EngineHarness())
        destination = h.add_provider('destination')
        source = h.protect(SIZE, plan_id=PLAN)

        copy = h.wait_copy(h.copy(PLAN, {
            'destination': {'provider_id': destination}}).id)

        self.assertEqual('success', copy.status)
        copy_id = _copies_of(copy)[source.id]
        self.assertEqual(destination,
                         db.checkpoint_get(h.context, copy_id).provider_id)
        self.assertRaises(exception.CheckpointNotFound, layout.read_checkpoint,
                          _bank(harness.PROVIDER_ID), copy_id)
        # A deployment that has only the destination's bank.
        with session.get_engine().begin() as connection:
            connection.execute(models.Checkpoint.__table__.delete())
        self.assertEqual(0, manage.BankCommands()._import(destination))
        imported = db.checkpoint_get(h.context, copy_id)
        self.assertEqual(('available', destination, source.resource_graph),
                         (imported.status, imported.provider_id,
                          imported.resource_graph))

        restore = db.restore_create(h.context, {
            'provider_id': destination, 'checkpoint_id': copy_id,
            'parameters': {}, 'status': 'in_progress'})
        h.agent.accept(kinds.KINDS['restore'], h.context, restore.id)
        restore = h.wait(db.restore_get, restore.id, 'in_progress')

        self.assertEqual('success', restore.status)
        read = self._entries(h, restore.id, 'read')
        self.assertEqual(SIZE, len(read))
        self.assertEqual({e['resource'] for e in read},
                         {e['saved']['resource'] for e in read})

    def test_a_failed_copy_leaves_nothing_and_its_source_uncopied(self):
        failing = synthetic.node(SIZE, 3, 2)
        h = self.useFixture(harness.EngineHarness(
            provider_options='fail_resource = %s\n'
                             'fail_operation = copy_checkpoint\n'
                             'fail_phase = sync\ndelay = 0.01' % failing.id))
        source = h.protect(SIZE, plan_id=PLAN)
        self.assertEqual('available', source.status)

        copy = h.wait_copy(h.copy(PLAN).id)

        self.assertEqual('fail', copy.status)
        self.assertIsNotNone(copy.checkpoint_pairs, copy.error_reason)
        copy_id = _copies_of(copy)[source.id]
        self.assertIn(copy_id, copy.error_reason)
        copied = db.checkpoint_get(h.context, copy_id)
        self.assertEqual(('error', 'error'),
                         (copied.status, copied.extra_info['copy_status']))
        self.assertIn('injected failure',
                      copied.resources_reason[failing.key()])
        # Compensated: what the plugin made is undone, the bank keeps a
        # tombstone only, and the source may be copied again.
        created = collections.Counter(
            e['resource'] for e in self._entries(h, copy_id, 'created'))
        deleted = collections.Counter(
            e['resource'] for e in self._entries(h, copy_id, 'deleted'))
        self.assertTrue(created)
        self.assertEqual(created, deleted)
        bank = _bank(harness.PROVIDER_ID)
        self.assertEqual('deleted',
                         layout.read_checkpoint(bank, copy_id)['status'])
        self.assertEqual([], bank.list_objects(
            'checkpoints/%s/resources/' % copy_id))
        self.assertEqual({}, db.checkpoint_get(
            h.context, source.id).extra_info.get('copies'))
        self.assertEqual('failed', _log(h.context, copy.id).status)

        again = h.wait_copy(h.copy(PLAN).id)

        self.assertEqual([source.id], list(_copies_of(again)))

    def test_a_plugin_that_cannot_copy_fails_the_copy_before_writing(self):
        h = self.useFixture(harness.EngineHarness())
        destination = h.add_provider('plain', plugin='recording-plain')
        source = h.protect(SIZE, plan_id=PLAN)

        copied = self._failed_copy(h, source, destination)

        copy_id = copied.id
        self.assertEqual(SIZE, len(copied.resources_reason))
        for reason in copied.resources_reason.values():
            self.assertIn('does not declare the copy capability', reason)
        self.assertIn('and %d more' % (SIZE - 3), copied.error_reason)
        self.assertRaises(exception.CheckpointNotFound, layout.read_checkpoint,
                          _bank(destination), copy_id)
        self.assertEqual([], self._entries(h, copy_id))
        self.assertNotIn(destination, db.checkpoint_get(
            h.context, source.id).extra_info.get('copies') or {})

    def test_chunk_data_its_plugin_did_not_copy_fails_the_copy(self):
        # The recording plugin keeps nothing in the chunk store: a
        # manifest in its section stands for the data of a plugin that
        # declares the copy capability but forgot its manifests.
        h = self.useFixture(harness.EngineHarness())
        destination = h.add_provider('destination')
        source = h.protect(SIZE, plan_id=PLAN)
        node = synthetic.node(SIZE, 3, 1)
        section = layout.resource_section(_bank(harness.PROVIDER_ID),
                                          source.id, node.key())
        chunk_store.ChunkStore.for_bank(section.bank).write(
            io.BytesIO(b'disk bytes' * 1000), section, 'disk')

        copied = self._failed_copy(h, source, destination)

        self.assertIn('lacks the chunk store data %s@%s/disk' % (
            synthetic.NODE, node.id), copied.error_reason)
        bank = _bank(destination)
        self.assertEqual('deleted',
                         layout.read_checkpoint(bank, copied.id)['status'])
        self.assertEqual([], bank.list_objects(
            layout.resources_prefix(copied.id)))
        self.assertEqual({}, db.checkpoint_get(
            h.context, source.id).extra_info.get('copies'))

    def test_copies_that_end_before_their_request_resumes_end_it(self):
        # An agent planned the copy and died: the scan copies the
        # checkpoint, then adopts the copy request once its claim expires.
        h = self.useFixture(harness.EngineHarness())
        source = h.protect(SIZE, plan_id=PLAN)
        copy = db.copy_create(h.context, {
            'provider_id': harness.PROVIDER_ID, 'plan_id': PLAN,
            'parameters': {}, 'status': 'wait_copying'})
        db.operation_claim(h.context, 'copy', copy.id, 'elsewhere:dead', 600)
        with session.writer(h.context):
            copy_id = kinds._copy_record(h.context, copy, source,
                                         harness.PROVIDER_ID)
            db.copy_update(h.context, copy.id, {'checkpoint_pairs': [{
                'checkpoint_protect_id': source.id,
                'checkpoint_copy_id': copy_id}]})

        copied = h.wait(db.checkpoint_get, copy_id, 'wait_copying')
        copied = h.wait(db.checkpoint_get, copy_id, 'copying')
        self.assertEqual('available', copied.status)
        self.assertEqual('wait_copying',
                         db.copy_get(h.context, copy.id).status)
        db.copy_update(h.context, copy.id, {
            'lease_expires_at': datetime.datetime(2000, 1, 1)})

        self.assertEqual('success', h.wait_copy(copy.id).status)

    def test_a_copy_to_an_unknown_provider_fails_with_the_reason(self):
        h = self.useFixture(harness.EngineHarness())
        h.protect(SIZE, plan_id=PLAN)

        copy = h.wait_copy(h.copy(PLAN, {'destination': {
            'provider_id': '00000000-0000-4000-8000-000000000000'}}).id)

        self.assertEqual('fail', copy.status)
        self.assertIn('00000000-0000-4000-8000-000000000000',
                      copy.error_reason)
        self.assertIsNone(copy.checkpoint_pairs)
        self.assertEqual(1, len(db.checkpoint_get_all(
            h.context, filters={'plan_id': PLAN})))


class PlanCapabilitiesFlowTest(testtools.TestCase):

    def test_a_plan_no_plugin_can_serve_ends_in_error_naming_why(self):
        h = self.useFixture(harness.EngineHarness())

        record = h.protect(SIZE, required_capabilities=['live'])

        self.assertEqual('error', record.status)
        self.assertEqual(SIZE, len(record.resources_reason))
        for reason in record.resources_reason.values():
            self.assertIn(synthetic.NODE, reason)
            self.assertIn('live', reason)
        self.assertEqual([], [e for e in h.journal.read()
                              if e['operation_id'] == record.id])

    def test_a_plan_the_plugins_can_serve_is_protected(self):
        h = self.useFixture(harness.EngineHarness())

        record = h.protect(SIZE, required_capabilities=['copy'])

        self.assertEqual('available', record.status)


class CopyOnServerDatabasesTest(testtools.TestCase):
    """Copies of one request end at the same time: the last one to end
    ends the request, whatever the database's isolation."""

    def _copy_several(self, backend):
        h = self.useFixture(harness.EngineHarness(backend=backend))
        sources = {h.protect(SIZE, plan_id=PLAN).id for _ in range(4)}

        copy = h.wait_copy(h.copy(PLAN).id)

        self.assertEqual('success', copy.status)
        self.assertEqual(sources, set(_copies_of(copy)))
        self.assertEqual({'available'}, {
            db.checkpoint_get(h.context, copy_id).status
            for copy_id in _copies_of(copy).values()})
        self.assertEqual('success', _log(h.context, copy.id).status)

    def test_mariadb(self):
        self._copy_several('mysql')

    def test_postgresql(self):
        self._copy_several('postgresql')
