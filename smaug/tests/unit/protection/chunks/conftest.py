"""A file-system bank on the real clock and a small-chunk configuration
for the chunk store's tests."""
import io
import random

from oslo_config import cfg
import pytest

from smaug.conf import protection as protection_conf
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import checkpoint_layout
from smaug.protection.bank import filesystem
from smaug.protection.chunks import digests
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.protection.bank import testbanks

CHUNK = 64 * 1024
KEY = 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY='  # 32 bytes
OTHER_KEY = 'ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA='


def make_conf(**overrides):
    conf = cfg.ConfigOpts()
    conf(args=[], default_config_files=[])
    # By group name: ConfigOpts made from one OptGroup object share its
    # overrides.
    conf.register_opts(protection_conf.chunk_store_opts, group='chunk_store')
    values = {'chunk_size': CHUNK, 'chunks_in_flight': 4, 'threads': 2,
              'lease_seconds': 6, 'writer_wait_seconds': 20,
              'gc_writer_wait_seconds': 1, 'gc_settle_seconds': 0,
              'gc_min_age_seconds': 0}
    values.update(overrides)
    for name, value in values.items():
        conf.set_override(name, value, group='chunk_store')
    return conf


def make_bank(path):
    # Leases of these tests run out in real time: the real clock.
    conf = testbanks.file_system_conf(path)
    conf.set_override('fsync', False, group='file_system_bank')
    return bank_module.Bank(filesystem.FileSystemBankPlugin(conf),
                            name='file-system')


def data(size, seed=0):
    return random.Random(seed).randbytes(size)


def stream(payload):
    return io.BytesIO(payload)


def digest(payload):
    """The digest a manifest of these tests records for ``payload``."""
    return digests.of_stream(stream(payload), CHUNK)


def section(bank, checkpoint='cp-1', resource='OS::Glance::Image#img-1'):
    return checkpoint_layout.resource_section(bank, checkpoint, resource)


@pytest.fixture
def bank(tmp_path):
    return make_bank(tmp_path / 'bank')


@pytest.fixture
def conf():
    return make_conf()


@pytest.fixture
def store(bank, conf):
    return store_module.ChunkStore.for_bank(bank, conf, project_id='p1')


def chunk_keys(bank):
    return bank.list_objects('chunks/data/')
