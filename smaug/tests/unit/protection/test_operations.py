"""The operation registry: no record stays pending for want of an engine."""
import uuid

import fixtures
import testtools

from smaug import exception
from smaug import states
from smaug.db import api as db
from smaug.protection import operations
from smaug.tests.fixtures import database
from smaug.tests.fixtures import entry_points
from smaug.tests.fixtures import records


class RecordingEngine(operations.OperationEngine):

    def __init__(self, error=None):
        self.runs = []
        self.error = error

    def run(self, ctx, record_id):
        self.runs.append((ctx.project_id, record_id))
        if self.error is not None:
            raise self.error


class TestDispatch(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(database.Database())
        self.log = self.useFixture(fixtures.FakeLogger())
        self.ctx = records.user_context()

    def test_every_operation_fails_without_an_engine(self):
        registry = operations.OperationRegistry({})
        for operation_type in operations.OPERATIONS:
            record = records.pending(self.ctx, operation_type)

            registry.dispatch(self.ctx, operation_type, record.id)

            record = records.reread(self.ctx, operation_type, record.id)
            self.assertEqual(
                (records.failure_status(operation_type), operations.NO_ENGINE),
                (record.status, record.error_reason), operation_type)

    def test_installed_engine_gets_the_record(self):
        engine = RecordingEngine()
        registry = operations.OperationRegistry({'restore': engine})
        record = records.pending(self.ctx, 'restore')

        registry.dispatch(self.ctx, 'restore', record.id)

        self.assertEqual([('project-1', record.id)], engine.runs)
        self.assertEqual(states.RestoreStatus.IN_PROGRESS,
                         records.reread(self.ctx, 'restore', record.id).status)

    def test_failing_engine_fails_the_record_with_its_error(self):
        registry = operations.OperationRegistry(
            {'protect': RecordingEngine(RuntimeError('bank unreachable'))})
        record = records.pending(self.ctx, 'protect')

        registry.dispatch(self.ctx, 'protect', record.id)

        record = records.reread(self.ctx, 'protect', record.id)
        self.assertEqual((states.CheckpointStatus.ERROR, 'bank unreachable'),
                         (record.status, record.error_reason))

    def test_record_moved_by_its_failing_engine_is_left_alone(self):
        class Finisher(operations.OperationEngine):
            def run(self, ctx, record_id):
                db.verification_update(
                    ctx, record_id,
                    {'status': states.VerificationStatus.SUCCESS})
                raise RuntimeError('failed after finishing')

        registry = operations.OperationRegistry({'verify': Finisher()})
        record = records.pending(self.ctx, 'verify')

        registry.dispatch(self.ctx, 'verify', record.id)

        self.assertEqual(
            states.VerificationStatus.SUCCESS,
            records.reread(self.ctx, 'verify', record.id).status)

    def test_record_no_longer_pending_is_not_touched(self):
        engine = RecordingEngine()
        registry = operations.OperationRegistry({'protect': engine})
        record = records.in_status(self.ctx, 'protect',
                                   states.CheckpointStatus.AVAILABLE)

        registry.dispatch(self.ctx, 'protect', record.id)

        self.assertEqual([], engine.runs)
        record = records.reread(self.ctx, 'protect', record.id)
        self.assertEqual((states.CheckpointStatus.AVAILABLE, None),
                         (record.status, record.error_reason))

    def test_missing_record_is_logged_and_dropped(self):
        missing = str(uuid.uuid4())

        operations.OperationRegistry({}).dispatch(self.ctx, 'copy', missing)

        self.assertIn('copy %s is gone' % missing, self.log.output)


class TestRegistry(testtools.TestCase):

    def test_lists_installed_operations(self):
        registry = operations.OperationRegistry(
            {'verify': RecordingEngine(), 'copy': RecordingEngine()})

        self.assertEqual(['copy', 'verify'], registry.installed())

    def test_rejects_engines_of_unknown_operations(self):
        self.assertRaises(exception.InvalidInput, operations.OperationRegistry,
                          {'teleport': RecordingEngine()})

    def test_loads_the_flow_engines_of_the_entry_points(self):
        self.useFixture(entry_points.SmaugEntryPoints())
        self.assertEqual(['copy', 'delete_checkpoint', 'protect', 'restore',
                          'verify'],
                         operations.OperationRegistry.load().installed())
