"""Smoke tests of the test cloud: shared fixtures and log reporting."""
import uuid

import pytest

from smaug.clients import errors
from smaug.tests.fixtures.cloud import STATE_DIR
from smaug.tests.fixtures.cloud import devcloud  # noqa: F401
from smaug.tests.fixtures.cloud import log_sizes
from smaug.tests.fixtures.cloud import service_log_tails
from smaug.tests.fixtures.cloud import smaug_clients  # noqa: F401

_LOG_SIZES = pytest.StashKey[dict]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.stash[_LOG_SIZES] = log_sizes(STATE_DIR / 'log')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Append what the service logs got while a failed test ran."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        report.sections.append((
            'devcloud service logs written during the test',
            service_log_tails(STATE_DIR / 'log', lines=30,
                              after=item.stash.get(_LOG_SIZES, None))))


@pytest.fixture
def name():
    """A unique name for what one test creates."""
    return 'smoke-%s' % uuid.uuid4().hex[:8]


@pytest.fixture
def cleanup():
    """Register ``(what, function, *args)``; run in reverse at teardown.

    A resource that is already gone is fine; any other error fails the
    test, since it means the cloud cannot delete what it made.
    """
    actions = []
    yield lambda what, function, *args: actions.append((what, function,
                                                        args))
    errors = []
    for what, function, args in reversed(actions):
        try:
            function(*args)
        except Exception as error:
            if not is_gone(error):
                errors.append('%s: %r' % (what, error))
    assert not errors, 'cleanup failed: %s' % '; '.join(errors)


def is_gone(error):
    """Whether a cleanup's ``error`` says its object is already gone."""
    return 'NotFound' in type(error).__name__ or errors.not_found(error)
