"""``smaug-manage bank`` actions run as a process on a provider's
file-system bank, as an operator runs them."""
import os
import pathlib
import subprocess
import sys

import smaug

SOURCE_ROOT = str(pathlib.Path(smaug.__file__).resolve().parents[1])
PROVIDER_ID = '6b0f8a2e-53c1-4d7e-9f3a-2c8e1b4d7a90'

PROVIDER_FILE = """[provider]
id = %s
name = bank test provider
enabled = true
bank = file-system
plugin = noop

[file_system_bank]
bank_path = %s
"""


def run(tmp_path, action, **chunk_store):
    """Run ``smaug-manage bank <action>`` on the bank at tmp_path/bank,
    with these ``[chunk_store]`` options."""
    providers_dir = tmp_path / 'providers.d'
    providers_dir.mkdir(exist_ok=True)
    (providers_dir / 'bank.conf').write_text(
        PROVIDER_FILE % (PROVIDER_ID, tmp_path / 'bank'))
    config = tmp_path / 'smaug.conf'
    config.write_text(
        '[protection]\nprovider_config_dir = %s\n\n[chunk_store]\n%s'
        % (providers_dir, ''.join('%s = %s\n' % option
                                  for option in chunk_store.items())))
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [SOURCE_ROOT, env.get('PYTHONPATH')]))
    return subprocess.run(
        [sys.executable, '-m', 'smaug.cmd.manage', '--config-file',
         str(config), 'bank', action, '--provider-id', PROVIDER_ID],
        capture_output=True, text=True, env=env, timeout=120)
