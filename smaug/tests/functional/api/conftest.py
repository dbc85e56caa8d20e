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

import pytest

from smaug.tests.fixtures import deployment as deployment_fixture
from smaug.tests.functional.api import client

BACKENDS = ('mysql', 'postgresql')


@pytest.fixture(scope='session', params=BACKENDS)
def deployment(request):
    running = deployment_fixture.set_up(
        deployment_fixture.Deployment(request.param))
    yield running
    running.cleanUp()


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
