"""File-system banks in temporary directories, with a clock tests move;
the database fixtures (see smaug.tests.fixtures.database)."""
import pytest

from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import filesystem
from smaug.tests.fixtures.database import database  # noqa: F401
from smaug.tests.fixtures.database import migrated_database  # noqa: F401
from smaug.tests.unit.protection.bank import testbanks


@pytest.fixture
def clock():
    return testbanks.FakeClock()


@pytest.fixture
def bank_path(tmp_path):
    return tmp_path / 'bank'


@pytest.fixture
def fs_plugin(bank_path, clock):
    return filesystem.FileSystemBankPlugin(
        testbanks.file_system_conf(bank_path), clock=clock)


@pytest.fixture
def fs_bank(fs_plugin):
    return bank_module.Bank(fs_plugin, name='file-system')
