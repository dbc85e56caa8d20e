"""A deployment of two protection agents on recording providers.

``deployment`` is an :class:`engine_deployment.EngineDeployment` on
MariaDB (``postgresql_deployment`` on PostgreSQL), made once for the
session: smaug-api, smaug-operationengine and two smaug-protection agents
(hosts of their own, 3 s leases, 1 s orphan scans) on a fresh RabbitMQ
vhost and database. Its providers are the recording plugin with the
delays and failures of :mod:`providers`; tests pick one by name with
``operations(name)``, in a project of the test's own.

A failed test's report carries the end of every process's log.
"""
import pytest

from smaug.tests.fixtures import deployment as deployment_fixture
from smaug.tests.fixtures import engine_deployment
from smaug.tests.functional.protection import operations as operations_module
from smaug.tests.functional.protection import providers


def start_deployment(backend):
    return deployment_fixture.set_up(engine_deployment.EngineDeployment(
        backend, providers.ALL, agents=2))


@pytest.fixture(scope='session')
def deployment():
    running = start_deployment('mysql')
    yield running
    running.cleanUp()


@pytest.fixture(scope='session')
def postgresql_deployment():
    """The same deployment on PostgreSQL, for the few tests that need it."""
    running = start_deployment('postgresql')
    yield running
    running.cleanUp()


@pytest.fixture
def operations(deployment):
    """operations(provider name) -> an Operations of the test's project."""
    return operations_module.of_deployment(deployment)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    funcargs = getattr(item, 'funcargs', {})
    running = [value for value in funcargs.values()
               if isinstance(value, engine_deployment.EngineDeployment)]
    if report.failed:
        for each in running:
            report.sections.append(('smaug process logs', each.log_tails()))
