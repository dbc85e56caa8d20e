"""smaug-all-in-one as the demo runs it, and the REST calls the demo makes
of it as the cloud's demo user."""
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

START_TIMEOUT = 60
OPERATION_TIMEOUT = 600


class SmaugServer:
    """One smaug-all-in-one process on 127.0.0.1:``port``.

    :param cloud: a :class:`demo_cloud.Cloud`, whose demo user makes
        every request with a Keystone token.
    """

    def __init__(self, config, port, cloud):
        self.config = config
        self.url = 'http://127.0.0.1:%d' % port
        self.cloud = cloud
        self._process = None

    @property
    def pid(self):
        return self._process.pid

    def start(self, log_path):
        if _answers(self.url):
            raise SystemExit('%s is taken by another process: choose '
                             'another port with --port' % self.url)
        with open(log_path, 'w') as log:
            self._process = subprocess.Popen(
                [sys.executable, '-m', 'smaug.cmd.all_in_one',
                 '--config-file', str(self.config)],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise SystemExit('smaug-all-in-one exited; see %s'
                                 % log_path)
            try:
                urllib.request.urlopen(self.url + '/healthcheck', timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit('smaug-all-in-one did not answer; see %s'
                         % log_path)

    def stop(self):
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)

    # The API

    def call(self, method, path, body=None, expect=(200, 202)):
        url = '%s/v1/%s/%s' % (self.url, self.cloud.project_id(), path)
        request = urllib.request.Request(
            url, method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={'X-Auth-Token': self.cloud.token(),
                     'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        if status not in expect:
            raise SystemExit('%s %s answered %s: %s' % (method, path, status,
                                                        text))
        return json.loads(text) if text else None

    def create_plan(self, provider_id, name, resources):
        return self.call('POST', 'plans', {'plan': {
            'name': name, 'provider_id': provider_id, 'parameters': {},
            'resources': resources}})['plan']

    def protect(self, provider_id, plan_id):
        """A checkpoint of the plan, once available."""
        path = 'providers/%s/checkpoints' % provider_id
        checkpoint = self.call('POST', path, {'checkpoint': {
            'plan_id': plan_id}})['checkpoint']
        return self._ended(
            '%s/%s' % (path, checkpoint['id']), 'checkpoint', 'protecting',
            'available')

    def restore(self, provider_id, checkpoint_id):
        """A restore of the checkpoint into the same project, once it
        succeeded."""
        restore = self.call('POST', 'restores', {'restore': {
            'provider_id': provider_id, 'checkpoint_id': checkpoint_id,
            'parameters': {}}})['restore']
        return self._ended('restores/%s' % restore['id'], 'restore',
                           'in_progress', 'success')

    def delete_checkpoint(self, provider_id, checkpoint_id):
        path = 'providers/%s/checkpoints/%s' % (provider_id, checkpoint_id)
        self.call('DELETE', path)
        self._ended(path, 'checkpoint', 'deleting', 'deleted')

    def _ended(self, path, name, pending, goal):
        deadline = time.monotonic() + OPERATION_TIMEOUT
        while time.monotonic() < deadline:
            record = self.call('GET', path)[name]
            if record['status'] != pending:
                if record['status'] != goal:
                    raise SystemExit('%s %s ended %s: %s' % (
                        name, record['id'], record['status'],
                        json.dumps(record, indent=1)))
                return record
            time.sleep(0.5)
        raise SystemExit('%s %s still %s after %ss' % (
            name, path, pending, OPERATION_TIMEOUT))


def _answers(url):
    """Whether anything serves ``url`` (an HTTP error is an answer)."""
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True
