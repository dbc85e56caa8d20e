"""Large plans through the real services: API over HTTP, RabbitMQ, two
agents and MariaDB.

A plan of 500 synthetic resources in a deep and wide graph (depth 6,
shared children), and a chain of 100, are protected, restored, verified
and deleted. The recording plugin's journal shows each flow followed its
graph: no sync step began before the resource's own parallel work and
every child's sync step had ended, parents were handed their children's
outcomes, and parallel work of different resources overlapped. The API
shows every resource's status, and no flow leaves its saved state behind.
"""
import pytest

from smaug.tests.functional.protection import journal
from smaug.tests.functional.protection import operations as operations_module

node_key = operations_module.node_key
PROVIDER = 'ordered'
TIMEOUT = 120


def _check_flow(entries, children, what):
    """The journal of one operation followed ``children``, the graph."""
    assert entries, 'no activity recorded for %s' % what
    assert journal.missing_syncs(entries, children) == [], what
    assert journal.order_violations(entries, children) == [], what
    assert journal.children_seen(entries, children) == [], what
    # One run and one sync per resource: shared children are worked on once.
    for phase in ('run', 'sync'):
        counts = {resource: len(ends) for resource, ends in
                  journal.times(entries, phase, 'end').items()}
        assert counts == dict.fromkeys(children, 1), (what, phase)
    peak = journal.peak_concurrency(entries, 'run')
    assert peak > 1, '%s ran its parallel work one at a time' % what


def _check_record(record, children, resource_status, what):
    assert record['resources_status'] == {
        node_key(resource): resource_status for resource in children}, what
    assert record['resources_reason'] == {}, what


@pytest.mark.parametrize('size, branching', [(500, 3), (100, 1)],
                         ids=['deep-and-wide-500', 'chain-100'])
def test_protect_restore_verify_delete(deployment, operations, size,
                                       branching):
    ops = operations(PROVIDER)
    recorded = deployment.journal(PROVIDER)

    checkpoint = ops.protect(ops.plan(size, branching), TIMEOUT)
    assert checkpoint['status'] == 'available', checkpoint
    children = operations_module.graph_of(checkpoint)
    assert len(children) == size
    assert any(len([parent for parent, below in children.items()
                    if resource in below]) > 1 for resource in children), \
        'the graph has no shared child'
    _check_record(checkpoint, children, 'available', 'protect')
    protected = journal.of_operation(recorded.read(), checkpoint['id'],
                                     'protect')
    _check_flow(protected, children, 'protect')
    assert set(journal.times(protected, 'run', 'created')) == set(children)
    assert ops.operation_log('checkpoint', checkpoint['id'])['status'] == \
        'success'

    restore = ops.restore(checkpoint['id'], TIMEOUT)
    assert restore['status'] == 'success', restore
    _check_record(restore, children, 'restored', 'restore')
    _check_flow(journal.of_operation(recorded.read(), restore['id']),
                children, 'restore')
    assert ops.operation_log('restore', restore['id'])['status'] == \
        'success'

    verification = ops.verify(checkpoint['id'], TIMEOUT)
    assert verification['status'] == 'success', verification
    _check_record(verification, children, 'verified', 'verify')
    _check_flow(journal.of_operation(recorded.read(), verification['id']),
                children, 'verify')

    deletion = ops.delete(checkpoint['id'], TIMEOUT)
    assert deletion['status'] == 'deleted', deletion
    deleted = journal.of_operation(recorded.read(), checkpoint['id'],
                                   'delete_checkpoint')
    _check_flow(deleted, children, 'delete')
    assert set(journal.times(deleted, 'run', 'deleted')) == set(children)
    assert ops.operation_log('deletion', checkpoint['id'])['status'] == \
        'success'

    # Each agent deletes the saved state of the flows it finished.
    assert operations_module.saved_flows_left(deployment, [
        ('checkpoint', checkpoint['id']), ('restore', restore['id']),
        ('verification', verification['id']),
        ('deletion', checkpoint['id'])]) == {}
