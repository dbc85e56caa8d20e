"""Real object stores for the bank plugins.

* ``devcloud``: the Swift of the test cloud (smaug.tests.fixtures.cloud).
* ``s3_server``: an S3-compatible server (moto's) started here on
  127.0.0.1, one per test session and xdist worker.

Neither skips: a server that cannot be had fails the test, saying why.
"""
import dataclasses
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from smaug.tests.fixtures.cloud import devcloud  # noqa: F401
from smaug.tests.unit.protection.bank import testbanks

S3_START_TIMEOUT = 60


@dataclasses.dataclass
class S3Server:
    endpoint: str
    access_key: str = 'smaug-test'
    secret_key: str = 'smaug-test-secret'


@pytest.fixture
def clock():
    return testbanks.FakeClock()


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _answers(url):
    try:
        urllib.request.urlopen(url, timeout=2).close()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@pytest.fixture(scope='session')
def s3_server():
    """A running S3 server; its data lives as long as the session."""
    port = _free_port()
    endpoint = 'http://127.0.0.1:%d' % port
    log_path = pathlib.Path(tempfile.mkdtemp(prefix='smaug-s3-')) / 'log'
    with open(log_path, 'w') as log:
        process = subprocess.Popen(
            [sys.executable, '-m', 'moto.server', '-H', '127.0.0.1',
             '-p', str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    try:
        deadline = time.monotonic() + S3_START_TIMEOUT
        while not _answers(endpoint):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail('The S3 server (moto[server], a test '
                            'requirement) did not answer on %s:\n%s'
                            % (endpoint, log_path.read_text()[-4000:]),
                            pytrace=False)
            time.sleep(0.2)
        yield S3Server(endpoint)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
