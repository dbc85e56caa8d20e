"""``smaug-manage bank rewrap_keys`` run as a process on a provider's
file-system bank, as an operator changing the configured key runs it."""
import os
import pathlib
import subprocess
import sys

import smaug
from smaug.protection.chunks import keys
from smaug.protection.chunks import layout
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.protection.chunks import conftest

SOURCE_ROOT = str(pathlib.Path(smaug.__file__).resolve().parents[1])
PROVIDER_ID = '6b0f8a2e-53c1-4d7e-9f3a-2c8e1b4d7a90'
K1, K2 = conftest.KEY, conftest.OTHER_KEY

PROVIDER_FILE = """[provider]
id = %s
name = rewrap test provider
enabled = true
bank = file-system
plugin = noop

[file_system_bank]
bank_path = %s
"""


def _smaug_manage(tmp_path, current, *previous):
    """Run ``smaug-manage bank rewrap_keys`` with ``current`` as the
    configured key and ``previous`` as the previous ones."""
    providers_dir = tmp_path / 'providers.d'
    providers_dir.mkdir(exist_ok=True)
    (providers_dir / 'bank.conf').write_text(
        PROVIDER_FILE % (PROVIDER_ID, tmp_path / 'bank'))
    config = tmp_path / 'smaug.conf'
    config.write_text(
        '[protection]\nprovider_config_dir = %s\n\n[chunk_store]\n'
        'encryption_key = %s\nprevious_encryption_keys = %s\n'
        % (providers_dir, current, ','.join(previous)))
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [SOURCE_ROOT, env.get('PYTHONPATH')]))
    return subprocess.run(
        [sys.executable, '-m', 'smaug.cmd.manage', '--config-file',
         str(config), 'bank', 'rewrap_keys', '--provider-id', PROVIDER_ID],
        capture_output=True, text=True, env=env, timeout=120)


def _write(bank, key, project_id, checkpoint):
    payload = conftest.data(2 * conftest.CHUNK, len(checkpoint))
    store = store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(encryption_key=key), project_id)
    store.write(conftest.stream(payload), conftest.section(bank, checkpoint),
                'image')
    return checkpoint, payload


def test_rewrap_keys_moves_a_bank_to_the_current_key(tmp_path):
    bank = conftest.make_bank(tmp_path / 'bank')
    written = [_write(bank, K1, 'p1', 'cp-1'), _write(bank, K1, 'p2', 'cp-2'),
               _write(bank, K2, 'p3', 'cp-3')]

    first = _smaug_manage(tmp_path, K2, K1)
    again = _smaug_manage(tmp_path, K2, K1)

    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == ['rewrapped: 2', 'skipped: 1',
                                         'failed: 0']
    assert again.stdout.splitlines() == ['rewrapped: 0', 'skipped: 3',
                                         'failed: 0']
    k2_only = store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(encryption_key=K2))
    for checkpoint, payload in written:
        assert b''.join(k2_only.read(conftest.section(bank, checkpoint),
                                     'image')) == payload


def test_rewrap_keys_fails_naming_a_key_it_lacks(tmp_path):
    bank = conftest.make_bank(tmp_path / 'bank')
    _write(bank, K1, 'p1', 'cp-1')
    document = bank.get_json(layout.data_key_key('p1'))

    refused = _smaug_manage(tmp_path, K2)

    assert refused.returncode == 1
    assert refused.stdout.splitlines()[-1] == 'failed: 1'
    assert 'p1' in refused.stderr
    assert keys.key_id(keys.configured_key(K1)) in refused.stderr
    assert 'previous_encryption_keys' in refused.stderr
    assert bank.get_json(layout.data_key_key('p1')) == document
