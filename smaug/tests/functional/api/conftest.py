"""A real deployment per database backend, shared by the API tests.

``deployment`` is smaug-api, smaug-protection and smaug-operationengine
running as processes on a fresh RabbitMQ vhost and a fresh MariaDB or
PostgreSQL database (see :mod:`smaug.tests.fixtures.deployment`); it is
made once per backend for the whole session, so every test that uses it
runs on both. ``api`` is an :class:`client.ApiClient` of it acting in a
project of the test's own, so tests sharing the deployment never see each
other's records.

A failed test's report carries the end of every process's log.
"""
import uuid

import fixtures
import pytest

from smaug.tests.fixtures import deployment as deployment_fixture
from smaug.tests.functional.api import client

BACKENDS = ('mysql', 'postgresql')


@pytest.fixture(scope='session', params=BACKENDS)
def deployment(request):
    running = deployment_fixture.Deployment(request.param)
    why = None
    try:
        running.setUp()
    except fixtures.MultipleExceptions as exc:
        why = _first_cause(exc)
    if why is not None:
        pytest.fail(why, pytrace=False)
    yield running
    running.cleanUp()


def _first_cause(error):
    # Each fixture that fails to set up wraps the error of the one inside
    # it with its own; the innermost first one says why.
    while isinstance(error, fixtures.MultipleExceptions):
        error = error.args[0][1]
    return str(error)


@pytest.fixture
def project():
    return uuid.uuid4().hex


@pytest.fixture
def api(deployment, project):
    return client.ApiClient(deployment.url, project)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    running = getattr(item, 'funcargs', {}).get('deployment')
    if report.failed and running is not None and running.processes:
        report.sections.append(('smaug process logs', running.log_tails()))
