"""A copy through the real processes: the checkpoints of a plan copied
into another provider's bank, then restored from there."""
import collections

from smaug.tests.functional.api import client
from smaug.tests.plugins import synthetic

expect = client.expect
GRAPH = (20, 3)


def _copy(source, plan, destination):
    return expect(source.api.post(source.checkpoints + '/action', {'copy': {
        'plan_id': plan['id'], 'parameters': {
            'destination': {'provider_id': destination.provider_id}}}}),
        200)['copy']


def _copy_logs(source, plan):
    """The plan's copy logs, once none is in progress."""
    return client.wait_for(
        lambda: expect(source.api.get(
            'operation_logs?operation_type=copy&plan_id=%s' % plan['id'],
            roles='reader'), 200)['operation_logs'],
        lambda logs: logs and all(log['status'] != 'in_progress'
                                  for log in logs),
        'the copies of plan %s ending' % plan['id'])


def _checkpoints(operations, plan):
    return expect(operations.api.get(
        operations.checkpoints + '?plan_id=%s' % plan['id'],
        roles='reader'), 200)['checkpoints']


def _by_resource(entries, operation_id, event):
    found = collections.defaultdict(list)
    for entry in entries:
        if entry['operation_id'] == operation_id and entry['event'] == event:
            found[entry['resource']].append(entry.get('saved'))
    return found


def test_a_copy_in_another_bank_is_restored_from_it(deployment, operations):
    source = operations('copy-source')
    destination = operations('copy-destination')
    plan = source.plan(*GRAPH)
    original = source.wait('checkpoint', source.start_protect(plan))
    assert original['status'] == 'available', original

    copy = _copy(source, plan, destination)

    assert copy['status'] == 'wait_copying'
    [log] = _copy_logs(source, plan)
    assert log['status'] == 'success', log
    [copied] = _checkpoints(destination, plan)
    assert (copied['status'], copied['extra_info']['copy_of'],
            copied['resource_graph']) == (
        'available', original['id'], original['resource_graph'])
    nodes = {synthetic.node(*GRAPH, index).id for index in range(GRAPH[0])}
    journal = deployment.journal('copy-destination').read()
    # The destination's plugin copied every resource, reading what the
    # source's plugin had saved, from the copy's own bank section.
    created = _by_resource(journal, copied['id'], 'created')
    assert set(created) == nodes
    assert all(saved == [{'resource': node}]
               for node, saved in created.items())

    restore = destination.wait('restore',
                               destination.start_restore(copied['id']))

    assert restore['status'] == 'success', restore
    read = _by_resource(deployment.journal('copy-destination').read(),
                        restore['id'], 'read')
    assert set(read) == nodes

    # Copied once: a second request finds nothing left to copy.
    _copy(source, plan, destination)
    assert [log['status'] for log in _copy_logs(source, plan)] == [
        'success', 'success']
    assert [item['id'] for item in _checkpoints(destination, plan)] == [
        copied['id']]
