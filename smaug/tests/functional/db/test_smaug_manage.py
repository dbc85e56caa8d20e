"""smaug-manage run as a process against a real database server."""
import os
import pathlib
import subprocess
import sys

import pytest

import smaug
from smaug.db import migration
from smaug.tests.fixtures import database

SOURCE_ROOT = str(pathlib.Path(smaug.__file__).resolve().parents[1])


def smaug_manage(tmp_path, url, *arguments):
    config = tmp_path / 'smaug.conf'
    config.write_text('[database]\nconnection = %s\n' % url)
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [SOURCE_ROOT, env.get('PYTHONPATH')]))
    return subprocess.run(
        [sys.executable, '-m', 'smaug.cmd.manage', '--config-file',
         str(config), *arguments],
        capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def empty_postgresql(request):
    fixture = database.Database('postgresql', migrate=False)
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)
    return fixture


def test_db_sync_then_version(tmp_path, empty_postgresql):
    synced = smaug_manage(tmp_path, empty_postgresql.url, 'db', 'sync')
    version = smaug_manage(tmp_path, empty_postgresql.url, 'db', 'version')

    assert (synced.returncode, version.returncode) == (0, 0)
    assert version.stdout.splitlines()[-1] == migration.head()
    assert migration.version(empty_postgresql.engine) == migration.head()


def test_failing_command_exits_with_an_error(tmp_path, empty_postgresql):
    refused = smaug_manage(tmp_path, empty_postgresql.url, 'db', 'purge',
                           '--age-in-days', '-1')

    assert refused.returncode == 1
    assert '--age-in-days must be 0 or more' in refused.stderr
