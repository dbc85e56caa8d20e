"""The test cloud for the OpenStack plugins' functional tests, with the
fixtures and failure reports of the cloud's own smoke tests."""
import pytest

from smaug.tests.functional.cloud import conftest as cloud_conftest
from smaug.tests.functional.openstack import harness

devcloud = cloud_conftest.devcloud
smaug_clients = cloud_conftest.smaug_clients
name = cloud_conftest.name
cleanup = cloud_conftest.cleanup
pytest_runtest_setup = cloud_conftest.pytest_runtest_setup
pytest_runtest_makereport = cloud_conftest.pytest_runtest_makereport


@pytest.fixture
def agent(request, smaug_clients):
    """A CloudAgent of the plugins the test module names in ``PLUGINS``."""
    with harness.CloudAgent(smaug_clients, request.module.PLUGINS) as running:
        yield running


@pytest.fixture
def cinder(devcloud):
    return devcloud.cinder()
