"""Protection operations on synthetic plans, asked of smaug-api over HTTP.

``Operations(api, provider_id)`` makes plans whose only resource is the
root of a synthetic graph (``<size>.<branching>.0``, see
:mod:`smaug.tests.plugins.synthetic`), starts protects, restores,
verifications and deletions, and waits for their records to reach a
terminal state. The ``start_*`` calls return at once with the record's id;
``wait`` returns the record once it has left its pending state.
"""
import json
import time
import uuid

from smaug.tests.functional.api import client
from smaug.tests.plugins import synthetic

expect = client.expect
PENDING = {'checkpoint': 'protecting', 'restore': 'in_progress',
           'verification': 'in_progress', 'deletion': 'deleting'}
TERMINAL = {'checkpoint': ('available', 'error'),
            'restore': ('success', 'fail'),
            'verification': ('success', 'fail'),
            'deletion': ('deleted', 'error-deleting')}
# How the operation log of a protect, restore or deletion is found.
LOG_TYPES = {'checkpoint': 'protect', 'restore': 'restore',
             'deletion': 'delete'}
LOG_KEYS = {'checkpoint': 'checkpoint_id', 'restore': 'restore_id',
            'deletion': 'checkpoint_id'}
# The kind of operation each record's flow is saved under.
FLOW_KINDS = {'checkpoint': 'protect', 'restore': 'restore',
              'verification': 'verify', 'deletion': 'delete_checkpoint'}


def node_key(resource_id):
    """The ``Type#id`` key of a synthetic node, as statuses name it."""
    return '%s#%s' % (synthetic.NODE, resource_id)


class Operations:
    """Operations of one project on one provider."""

    def __init__(self, api, provider_id):
        self.api = api
        self.provider_id = provider_id
        self.checkpoints = 'providers/%s/checkpoints' % provider_id

    def plan(self, size, branching):
        """A plan of the synthetic graph ``size.branching``."""
        root = synthetic.node(size, branching, 0)
        return expect(self.api.post('plans', {'plan': {
            'name': 'synthetic %d.%d' % (size, branching),
            'provider_id': self.provider_id, 'parameters': {},
            'resources': [{'id': root.id, 'type': root.type,
                           'name': root.name}]}}), 200)['plan']

    def start_protect(self, plan):
        return expect(self.api.post(self.checkpoints, {'checkpoint': {
            'plan_id': plan['id']}}), 200)['checkpoint']['id']

    def start_restore(self, checkpoint_id):
        return expect(self.api.post('restores', {'restore': {
            'provider_id': self.provider_id, 'checkpoint_id': checkpoint_id,
            'restore_target': None, 'parameters': {}}}), 200)['restore']['id']

    def start_verify(self, checkpoint_id):
        return expect(self.api.post('verifications', {'verification': {
            'provider_id': self.provider_id, 'checkpoint_id': checkpoint_id,
            'parameters': {}}}), 200)['verification']['id']

    def start_delete(self, checkpoint_id):
        expect(self.api.delete('%s/%s' % (self.checkpoints, checkpoint_id)),
               202)
        return checkpoint_id

    def read(self, kind, record_id):
        """The record of ``kind`` ('checkpoint', 'restore', 'verification'
        or 'deletion', which reads the checkpoint) as the API shows it."""
        if kind in ('checkpoint', 'deletion'):
            response = self.api.get('%s/%s' % (self.checkpoints, record_id),
                                    roles='reader')
            if kind == 'deletion' and response.status_code == 404:
                return {'id': record_id, 'status': 'deleted'}
            return expect(response, 200)['checkpoint']
        return expect(self.api.get('%ss/%s' % (kind, record_id),
                                   roles='reader'), 200)[kind]

    def wait(self, kind, record_id, timeout=60):
        """The record once it left its pending state.

        :raises AssertionError: when it is still pending after ``timeout``
            seconds, or ended in a state that is not terminal.
        """
        record = client.wait_for(
            lambda: self.read(kind, record_id),
            lambda record: record['status'] != PENDING[kind],
            '%s %s leaving %s' % (kind, record_id, PENDING[kind]),
            timeout=timeout)
        assert record['status'] in TERMINAL[kind], '%s %s ended %s: %s' % (
            kind, record_id, record['status'], record)
        return record

    def operation_log(self, kind, record_id):
        """The only operation log of a protect, restore or deletion."""
        query = 'operation_logs?%s=%s&operation_type=%s' % (
            LOG_KEYS[kind], record_id, LOG_TYPES[kind])
        logs = expect(self.api.get(query, roles='reader'),
                      200)['operation_logs']
        assert len(logs) == 1, 'one log of %s %s expected: %s' % (
            kind, record_id, logs)
        return logs[0]

    # Whole operations.

    def protect(self, plan, timeout=60):
        return self.wait('checkpoint', self.start_protect(plan), timeout)

    def restore(self, checkpoint_id, timeout=60):
        return self.wait('restore', self.start_restore(checkpoint_id),
                         timeout)

    def verify(self, checkpoint_id, timeout=60):
        return self.wait('verification', self.start_verify(checkpoint_id),
                         timeout)

    def delete(self, checkpoint_id, timeout=60):
        return self.wait('deletion', self.start_delete(checkpoint_id),
                         timeout)


def flow_name(kind, record_id):
    """The name of the saved flow of an operation."""
    return '%s:%s' % (FLOW_KINDS[kind], record_id)


def saved_flows_left(deployment, started, timeout=2):
    """The saved flow state the finished operations ``started`` ([(kind,
    record id)]) still have ``timeout`` seconds after they ended; an
    agent deletes it just after writing the outcome.

    :returns: {flow name: state}, empty when all is tidy.
    """
    names = [flow_name(kind, record_id) for kind, record_id in started]
    deadline = time.monotonic() + timeout
    while True:
        left = deployment.saved_flows(names)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def of_deployment(deployment, project=None):
    """A factory of Operations by provider name, in one project (a new
    one unless named) of ``deployment``."""
    api = client.ApiClient(deployment.url, project or uuid.uuid4().hex)

    def of_provider(name):
        return Operations(api, deployment.provider_id(name))
    return of_provider


def graph_of(checkpoint):
    """A checkpoint's resource graph as {resource id: [child ids]}."""
    primitive = json.loads(checkpoint['resource_graph'])
    ids = [item['id'] for item in primitive['resources']]
    children = {resource_id: [] for resource_id in ids}
    for parent, indexes in primitive['edges']:
        children[ids[parent]] = [ids[index] for index in indexes]
    return children
