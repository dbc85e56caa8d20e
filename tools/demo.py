"""Walk through Smaug's API against an all-in-one process it starts.

Everything lives under ./state/demo (configuration, SQLite database, bank)
and is removed first, so every run starts clean. The server stops at the
end unless --keep-running is given.
"""
import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[1]
STATE = REPO / 'state' / 'demo'
PORT = 8799
PROJECT = 'demo-project'
NOOP_PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'
HEADERS = {'X-Auth-Token': 'demo-user:' + PROJECT, 'X-Roles': 'member',
           'Content-Type': 'application/json'}

CONFIG = """[DEFAULT]
state_path = {state}

[api]
bind_port = {port}

[protection]
provider_config_dir = {providers}
orphan_scan_interval = 2
"""


def write_config():
    shutil.rmtree(STATE, ignore_errors=True)
    providers = STATE / 'providers.d'
    providers.mkdir(parents=True)
    noop = (REPO / 'etc' / 'smaug' / 'providers.d' / 'noop.conf').read_text()
    (providers / 'noop.conf').write_text(noop.replace(
        '/var/lib/smaug/banks/noop', str(STATE / 'bank')))
    config = STATE / 'smaug.conf'
    config.write_text(CONFIG.format(state=STATE, port=PORT,
                                    providers=providers))
    return config


def call(method, path, body=None, expect=(200, 202)):
    url = 'http://127.0.0.1:%d/v1/%s/%s' % (PORT, PROJECT, path)
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    if status not in expect:
        raise SystemExit('%s %s answered %s: %s' % (method, path, status,
                                                    text))
    return json.loads(text) if text else None


def wait_until(what, fetch, pending, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = fetch()
        if item['status'] not in pending:
            return item
        time.sleep(0.5)
    raise SystemExit('%s still %s after %ss' % (what, pending, timeout))


def start_server(config, log_path):
    log = open(log_path, 'w')
    process = subprocess.Popen(
        [sys.executable, '-m', 'smaug.cmd.all_in_one', '--config-file',
         str(config)], stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit('smaug-all-in-one exited; see %s' % log_path)
        try:
            urllib.request.urlopen('http://127.0.0.1:%d/healthcheck' % PORT,
                                   timeout=2)
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit('smaug-all-in-one did not answer; see %s' % log_path)


def walk_through():
    providers = call('GET', 'providers')['providers']
    print('Providers: %s' % ', '.join(p['name'] for p in providers))
    types = call('GET', 'protectables')['protectable_type']
    print('Protectable types: %s' % ', '.join(types))
    plan = call('POST', 'plans', {'plan': {
        'name': 'demo plan', 'provider_id': NOOP_PROVIDER,
        'parameters': {},
        'resources': [{'id': PROJECT, 'type': 'OS::Keystone::Project',
                       'name': PROJECT}]}})['plan']
    print('Plan %s protects %d resource(s)' % (plan['id'],
                                               len(plan['resources'])))
    checkpoints = 'providers/%s/checkpoints' % NOOP_PROVIDER
    checkpoint = call('POST', checkpoints, {'checkpoint': {
        'plan_id': plan['id']}})['checkpoint']
    print('Checkpoint %s: %s' % (checkpoint['id'], checkpoint['status']))
    checkpoint = wait_until('checkpoint', lambda: call(
        'GET', '%s/%s' % (checkpoints, checkpoint['id']))['checkpoint'],
        ('protecting',))
    print('Checkpoint %s: %s' % (checkpoint['id'], checkpoint['status']))
    if checkpoint['status'] != 'available':
        raise SystemExit('protection failed: %s'
                         % checkpoint.get('error_reason'))
    restore = call('POST', 'restores', {'restore': {
        'provider_id': NOOP_PROVIDER, 'checkpoint_id': checkpoint['id'],
        'parameters': {}}})['restore']
    restore = wait_until('restore', lambda: call(
        'GET', 'restores/%s' % restore['id'])['restore'], ('in_progress',))
    print('Restore %s: %s' % (restore['id'], restore['status']))
    if restore['status'] != 'success':
        raise SystemExit('restore failed: %s' % restore)
    bank_objects = sum(1 for path in (STATE / 'bank').rglob('*')
                       if path.is_file())
    print('The bank under %s holds %d objects.' % (STATE / 'bank',
                                                     bank_objects))
    print('Demo complete: the No-Op provider moved no data; the plan, '
          'checkpoint and restore ran through the API, the agent and the '
          'bank.')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--keep-running', action='store_true',
                        help='leave the server running at the end')
    args = parser.parse_args()
    config = write_config()
    process = start_server(config, STATE / 'smaug.log')
    print('smaug-all-in-one serves http://127.0.0.1:%d/ (log: %s)'
          % (PORT, STATE / 'smaug.log'))
    try:
        walk_through()
    finally:
        if not args.keep_running:
            process.terminate()
            process.wait(timeout=30)
    if args.keep_running:
        print('Still serving (pid %d); stop it with: kill %d'
              % (process.pid, process.pid))


if __name__ == '__main__':
    main()
