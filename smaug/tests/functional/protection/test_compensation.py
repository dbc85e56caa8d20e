"""A plugin that fails midway, through the real services.

The recording plugin of the ``compensated`` provider raises in the sync
step of a node in the middle of a 40-resource graph, after its children
were protected. The flow must undo what it did in reverse order (a parent
before the children it needs, a resource's sync step before its parallel
work), leave no artifact behind and no saved flow state, and the API must say
which resource failed and why, in the checkpoint and in its operation
log.
"""
from smaug.tests.functional.protection import journal
from smaug.tests.functional.protection import operations as operations_module
from smaug.tests.functional.protection import providers

PROVIDER = 'compensated'


def _reverted_at(entries):
    """{resource: time} of each sync revert and each parallel revert."""
    sync = {resource: min(at) for resource, at in journal.times(
        entries, 'sync-revert', 'end').items()}
    parallel = {resource: min(at) for resource, at in journal.times(
        entries, 'revert', 'deleted').items()}
    return sync, parallel


def test_failure_midway_is_compensated_in_reverse(deployment, operations):
    ops = operations(PROVIDER)
    failing = providers.COMPENSATED_NODE
    failing_key = operations_module.node_key(failing)

    checkpoint = ops.protect(ops.plan(*providers.COMPENSATED_GRAPH))

    assert checkpoint['status'] == 'error', checkpoint
    assert list(checkpoint['resources_reason']) == [failing_key], checkpoint
    reason = checkpoint['resources_reason'][failing_key]
    assert 'injected failure in sync of %s' % failing in reason, reason
    assert checkpoint['resources_status'][failing_key] == 'error'
    assert failing_key in checkpoint['error_reason'], checkpoint
    log = ops.operation_log('checkpoint', checkpoint['id'])
    assert log['status'] == 'failed', log
    assert failing_key in log['error_info'] and \
        'injected failure' in log['error_info'], log

    children = operations_module.graph_of(checkpoint)
    entries = journal.of_operation(deployment.journal(PROVIDER).read(),
                                   checkpoint['id'], 'protect')
    # The failing node's children were done before it failed: midway.
    assert set(children[failing]) <= set(journal.times(entries, 'sync',
                                                       'end'))
    assert journal.order_violations(entries, children) == []
    assert journal.leftover_artifacts(entries) == []
    sync_reverted, parallel_reverted = _reverted_at(entries)
    # Everything that ran is undone: each sync step that ended, the
    # failed one, and each parallel run that made an artifact.
    assert set(journal.times(entries, 'sync', 'end')) | {failing} == set(
        sync_reverted)
    assert set(parallel_reverted) == set(journal.times(entries, 'run',
                                                       'created'))
    out_of_order = []
    for resource, below in children.items():
        if resource in sync_reverted and resource in parallel_reverted and \
                sync_reverted[resource] > parallel_reverted[resource]:
            out_of_order.append('%s: parallel work undone before its sync '
                                'step' % resource)
        for child in below:
            if resource in sync_reverted and child in sync_reverted and \
                    sync_reverted[resource] > sync_reverted[child]:
                out_of_order.append('%s undone after its child %s' % (
                    resource, child))
    assert out_of_order == []
    # A failed flow is as finished as a successful one: its saved state goes.
    assert operations_module.saved_flows_left(
        deployment, [('checkpoint', checkpoint['id'])]) == {}
