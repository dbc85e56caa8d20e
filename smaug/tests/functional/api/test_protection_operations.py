"""Checkpoints, copies, restores, verifications and their operation logs,
carried out by a real smaug-protection.

The API writes each record in its pending state and casts the work to
smaug-protection; whatever the engine makes of it, the record and its
operation log must reach a terminal state within ``client.TIMEOUT``
seconds (the engine's success, or its failure state with a reason), never
stay pending.
"""
import pytest

from smaug.tests.functional.api import client

expect = client.expect
NOOP = client.NOOP_PROVIDER
CHECKPOINTS = 'providers/%s/checkpoints' % NOOP
KARBOR_CHECKPOINT = {'id', 'project_id', 'status', 'protection_plan',
                     'resource_graph', 'created_at', 'extra_info'}
KARBOR_RESTORE = {'id', 'project_id', 'provider_id', 'checkpoint_id',
                  'restore_target', 'parameters', 'status',
                  'resources_status', 'resources_reason'}
KARBOR_VERIFICATION = KARBOR_RESTORE - {'restore_target'}
KARBOR_COPY = {'project_id', 'provider_id', 'plan_id', 'checkpoint_id',
               'parameters'}
KARBOR_LOG = {'id', 'operation_type', 'checkpoint_id', 'plan_id',
              'provider_id', 'restore_id', 'scheduled_operation_id',
              'status', 'started_at', 'ended_at', 'error_info', 'extra_info'}
# The outcome of each record's terminal states, as its log records it.
CHECKPOINT_OUTCOMES = {'available': 'success', 'error': 'failed'}
DELETION_OUTCOMES = {'deleted': 'success', 'error-deleting': 'failed'}
RUN_OUTCOMES = {'success': 'success', 'fail': 'failed'}


def _keys(record, karbor_keys):
    missing = karbor_keys - set(record)
    assert not missing, 'missing %s in %s' % (sorted(missing), record)


def _terminal(read, key, pending, outcomes, what):
    """Wait until ``read()[key]`` leaves ``pending``; check where it went.

    :returns: the record in its terminal state.
    """
    record = client.wait_for(read, lambda value: value[key] != pending,
                             '%s leaving %s' % (what, pending))
    assert record[key] in outcomes, '%s ended in %s: %s' % (
        what, record[key], record)
    if outcomes[record[key]] == 'failed':
        assert record.get('error_reason'), '%s failed without a reason: %s' \
            % (what, record)
    return record


def _log(api, outcome, what, **query):
    """The only operation log matching ``query``, once it is terminal."""
    path = 'operation_logs?' + '&'.join('%s=%s' % item
                                        for item in sorted(query.items()))

    def read():
        logs = expect(api.get(path, roles='reader'), 200)['operation_logs']
        assert len(logs) == 1, 'one log of %s expected: %s' % (what, logs)
        return logs[0]

    log = client.wait_for(read, lambda log: log['status'] != 'in_progress',
                          'the operation log of %s leaving in_progress'
                          % what)
    _keys(log, KARBOR_LOG)
    assert log['status'] == outcome, 'log of %s: %s' % (what, log)
    assert log['ended_at'], log
    if outcome == 'failed':
        assert log['error_info'], log
    return log


def _show_checkpoint(api, checkpoint_id):
    return expect(api.get('%s/%s' % (CHECKPOINTS, checkpoint_id),
                          roles='reader'), 200)['checkpoint']


def _protect(api, plan):
    """A checkpoint of ``plan``, once smaug-protection is done with it."""
    created = expect(api.post(CHECKPOINTS, {'checkpoint': {
        'plan_id': plan['id']}}), 200)['checkpoint']
    _keys(created, KARBOR_CHECKPOINT)
    assert created['status'] == 'protecting'
    done = _terminal(lambda: _show_checkpoint(api, created['id']), 'status',
                     'protecting', CHECKPOINT_OUTCOMES,
                     'checkpoint %s' % created['id'])
    _log(api, CHECKPOINT_OUTCOMES[done['status']],
         'checkpoint %s' % created['id'], checkpoint_id=created['id'],
         operation_type='protect')
    return done


def _reset_state(api, checkpoint_id, state):
    return expect(api.put('%s/%s' % (CHECKPOINTS, checkpoint_id),
                          {'os-resetState': {'state': state}},
                          roles='admin'), 200)


def _available_checkpoint(api, plan):
    """A checkpoint to restore from, even when the engine failed it."""
    checkpoint = _protect(api, plan)
    if checkpoint['status'] != 'available':
        _reset_state(api, checkpoint['id'], 'available')
    return checkpoint


@pytest.fixture
def plan(api):
    return client.make_plan(api)


def test_checkpoint_create_show_list(api, project, plan):
    checkpoint = _protect(api, plan)
    assert (checkpoint['project_id'], checkpoint['plan_id'],
            checkpoint['provider_id']) == (project, plan['id'], NOOP)
    assert checkpoint['protection_plan']['id'] == plan['id']
    assert checkpoint['extra_info'] == {'created_by': 'manual'}

    listed = expect(api.get(CHECKPOINTS, roles='reader'), 200)
    assert [item['id'] for item in listed['checkpoints']] == [
        checkpoint['id']]
    _keys(listed['checkpoints'][0], KARBOR_CHECKPOINT)


def test_checkpoint_reset_state(api, plan):
    checkpoint = _protect(api, plan)
    for state in ('error', 'available'):
        assert _reset_state(api, checkpoint['id'], state) == {}
        assert _show_checkpoint(api, checkpoint['id'])['status'] == state


def test_checkpoint_delete(api, plan):
    checkpoint = _protect(api, plan)
    assert expect(api.delete('%s/%s' % (CHECKPOINTS, checkpoint['id'])),
                  202) is None

    def read():
        response = api.get('%s/%s' % (CHECKPOINTS, checkpoint['id']))
        if response.status_code == 404:
            return {'status': 'deleted'}
        return expect(response, 200)['checkpoint']

    done = _terminal(read, 'status', 'deleting', DELETION_OUTCOMES,
                     'deletion of checkpoint %s' % checkpoint['id'])
    _log(api, DELETION_OUTCOMES[done['status']],
         'deletion of checkpoint %s' % checkpoint['id'],
         checkpoint_id=checkpoint['id'], operation_type='delete')


def test_copy(api, project, plan):
    source = _available_checkpoint(api, plan)
    copy = expect(api.post(CHECKPOINTS + '/action', {'copy': {
        'plan_id': plan['id'], 'parameters': {}}}), 200)['copy']
    _keys(copy, KARBOR_COPY)
    assert (copy['project_id'], copy['provider_id'], copy['plan_id'],
            copy['status']) == (project, NOOP, plan['id'], 'wait_copying')
    # The no-op plugin copies: the plan's checkpoint gets a copy, in the
    # same bank (no destination was named).
    _log(api, 'success', 'copy %s' % copy['id'],
         plan_id=plan['id'], operation_type='copy')
    listed = expect(api.get(CHECKPOINTS + '?plan_id=%s' % plan['id'],
                            roles='reader'), 200)['checkpoints']
    [copied] = [item for item in listed if item['id'] != source['id']]
    assert (copied['status'], copied['extra_info']['copy_of']) == (
        'available', source['id'])


def test_restore_create_show_list(api, project, plan):
    checkpoint = _available_checkpoint(api, plan)
    created = expect(api.post('restores', {'restore': {
        'provider_id': NOOP, 'checkpoint_id': checkpoint['id'],
        'restore_target': None, 'parameters': {}}}), 200)['restore']
    _keys(created, KARBOR_RESTORE)
    assert (created['status'], created['project_id'],
            created['checkpoint_id']) == ('in_progress', project,
                                          checkpoint['id'])

    def read():
        return expect(api.get('restores/%s' % created['id'],
                              roles='reader'), 200)['restore']

    done = _terminal(read, 'status', 'in_progress', RUN_OUTCOMES,
                     'restore %s' % created['id'])
    _keys(done, KARBOR_RESTORE)
    _log(api, RUN_OUTCOMES[done['status']], 'restore %s' % created['id'],
         restore_id=created['id'])
    listed = expect(api.get('restores', roles='reader'), 200)['restores']
    assert [item['id'] for item in listed] == [created['id']]


def test_verification_create_show_list(api, project, plan):
    checkpoint = _available_checkpoint(api, plan)
    created = expect(api.post('verifications', {'verification': {
        'provider_id': NOOP, 'checkpoint_id': checkpoint['id'],
        'parameters': {}}}), 200)['verification']
    _keys(created, KARBOR_VERIFICATION)
    assert (created['status'], created['project_id'],
            created['checkpoint_id']) == ('in_progress', project,
                                          checkpoint['id'])

    def read():
        return expect(api.get('verifications/%s' % created['id'],
                              roles='reader'), 200)['verification']

    done = _terminal(read, 'status', 'in_progress', RUN_OUTCOMES,
                     'verification %s' % created['id'])
    _log(api, RUN_OUTCOMES[done['status']],
         'verification %s' % created['id'],
         checkpoint_id=checkpoint['id'], operation_type='verify')
    listed = expect(api.get('verifications', roles='reader'),
                    200)['verifications']
    assert [item['id'] for item in listed] == [created['id']]


def test_operation_logs_list_and_show(api, project, plan):
    checkpoint = _protect(api, plan)
    logs = expect(api.get('operation_logs', roles='reader'),
                  200)['operation_logs']
    assert [(log['operation_type'], log['checkpoint_id'])
            for log in logs] == [('protect', checkpoint['id'])]
    shown = expect(api.get('operation_logs/%s' % logs[0]['id'],
                           roles='reader'), 200)['operation_log']
    assert shown == logs[0]
    assert (shown['plan_id'], shown['provider_id'], shown['project_id']) == (
        plan['id'], NOOP, project)
