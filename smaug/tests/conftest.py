"""Tests that stop a shared server run alone.

A test marked ``stops_shared_servers`` stops the machine's RabbitMQ,
MariaDB or PostgreSQL for a while (:mod:`smaug.tests.fixtures.servers`).
Any test running beside it, in another xdist worker or another pytest run
on the machine, would meet that outage and fail for nothing. So every test
holds a lock file shared while it runs (setup, call and teardown: fixtures
that reach the servers are made and dropped inside it), and a marked test
holds it exclusively. A turnstile gives the marked test its turn: once it
waits, tests that start afterwards queue behind it instead of starving it.
"""
import contextlib
import fcntl
import os
import tempfile

import pytest

MARKER = 'stops_shared_servers'
LOCK_DIR = tempfile.gettempdir()
TURNSTILE = 'smaug-tests-turnstile.lock'
SERVERS = 'smaug-tests-shared-servers.lock'


def pytest_configure(config):
    config.addinivalue_line(
        'markers', MARKER + ': stops a server other tests use; runs alone')


def _acquire(name, mode):
    """:returns: a descriptor of the lock file ``name``, locked in
    ``mode``; closing it drops the lock (it is not inherited by the
    processes tests start)."""
    fd = os.open(os.path.join(LOCK_DIR, name), os.O_RDWR | os.O_CREAT,
                 0o666)
    try:
        fcntl.flock(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def _turn(exclusive):
    held = [_acquire(TURNSTILE, fcntl.LOCK_EX)]
    try:
        held.append(_acquire(
            SERVERS, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH))
        if not exclusive:
            # Pass the turnstile on. A marked test keeps it to its end, so
            # that no other test starts meanwhile.
            os.close(held.pop(0))
        yield
    finally:
        for fd in held:
            os.close(fd)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    with _turn(item.get_closest_marker(MARKER) is not None):
        yield
