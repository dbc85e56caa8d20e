"""The S3 bank against a real S3 server on 127.0.0.1."""
import hashlib
import uuid

from oslo_config import cfg
import pytest

from smaug.protection import providers
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import base
from smaug.protection.bank import checkpoint_layout as layout
from smaug.protection.bank import s3
from smaug.tests.fixtures import entry_points
from smaug.tests.unit.protection.bank import contract

PROVIDER_ID = 'c8e52e4d-0479-43e0-b1a1-318c86798cb8'


def s3_conf(server, bucket):
    conf = cfg.ConfigOpts()
    conf(args=[], default_config_files=[])
    s3.S3BankPlugin.register_opts(conf)
    for name, value in (('endpoint', server.endpoint),
                        ('access_key', server.access_key),
                        ('secret_key', server.secret_key),
                        ('bucket', bucket), ('addressing_style', 'path'),
                        ('retries', 0)):
        conf.set_override(name, value, group='s3_bank')
    return conf


@pytest.fixture
def bucket():
    return 'smaug-test-%s' % uuid.uuid4().hex[:12]


@pytest.fixture
def plugin(s3_server, bucket, clock):
    return s3.S3BankPlugin(s3_conf(s3_server, bucket), clock=clock)


class TestS3BankContract(contract.BankContract):
    listing_prefixes = contract.SERVER_PREFIXES
    listing_markers = contract.SERVER_MARKERS
    listing_limits = contract.SERVER_LIMITS

    @pytest.fixture
    def subject(self, plugin, clock):
        return contract.Subject(plugin, clock.advance)


class TestS3BankContractOnSmallPages(TestS3BankContract):
    """The same, with listings of many pages (S3's continuation tokens)."""

    @pytest.fixture
    def subject(self, plugin, clock, monkeypatch):
        monkeypatch.setattr(s3, 'LISTING_PAGE', 2)
        return contract.Subject(plugin, clock.advance)


def test_missing_bucket_is_created(plugin, bucket):
    plugin.put_object('k', b'v')

    assert plugin._client.head_bucket(Bucket=bucket)
    assert plugin.get_object('k') == b'v'


def test_leases_are_objects_of_their_own(plugin, bucket):
    plugin.acquire_lease('checkpoints/1', 'agent-a', 60)

    listing = plugin._client.list_objects_v2(Bucket=bucket)

    assert [entry['Key'] for entry in listing['Contents']] == [
        '#leases/checkpoints/1']


def test_lease_taken_over_after_its_end_is_a_conditional_write(
        plugin, clock):
    plugin.acquire_lease('checkpoints/1', 'agent-a', 10)
    clock.advance(11)
    current, etag = plugin._read_lease('checkpoints/1')
    # Another agent takes it over between our read and our write.
    plugin.acquire_lease('checkpoints/1', 'agent-c', 60)

    assert not plugin._write_lease('checkpoints/1', 'agent-b', 60,
                                   IfMatch=etag)
    assert plugin.get_lease('checkpoints/1').owner == 'agent-c'
    assert not plugin.acquire_lease('checkpoints/1', 'agent-b', 60)


def test_object_changed_behind_the_bank_is_corruption(plugin, bucket):
    bank = bank_module.Bank(plugin)
    bank.put_object('checkpoints/1/data/0', b'payload')
    metadata = plugin.head_object('checkpoints/1/data/0').metadata
    plugin._client.put_object(Bucket=bucket, Key='checkpoints/1/data/0',
                              Body=b'paylaod', Metadata=metadata)

    with pytest.raises(base.BankCorruption,
                       match='checkpoints/1/data/0 is corrupt'):
        bank.get_object('checkpoints/1/data/0')


def test_unreachable_server_is_reported(s3_server, bucket):
    conf = s3_conf(s3_server, bucket)
    conf.set_override('endpoint', 'http://127.0.0.1:9', group='s3_bank')
    conf.set_override('timeout', 2, group='s3_bank')

    with pytest.raises(base.BankUnavailable, match=bucket):
        s3.S3BankPlugin(conf).get_object('k')


PROVIDER_FILE = """[provider]
id = %(id)s
name = S3 bank
enabled = true
bank = s3

[s3_bank]
endpoint = %(endpoint)s
access_key = %(access_key)s
secret_key = %(secret_key)s
bucket = %(bucket)s
addressing_style = path
"""


def test_provider_file_configures_the_bank(s3_server, bucket, tmp_path):
    (tmp_path / 's3.conf').write_text(PROVIDER_FILE % {
        'id': PROVIDER_ID, 'endpoint': s3_server.endpoint,
        'access_key': s3_server.access_key,
        'secret_key': s3_server.secret_key, 'bucket': bucket})
    published = entry_points.SmaugEntryPoints()
    published.setUp()
    try:
        provider = providers.ProviderRegistry(str(tmp_path)).get(PROVIDER_ID)
        bank = bank_module.Bank.from_provider(provider)
    finally:
        published.cleanUp()

    layout.write_checkpoint(bank, {
        'id': 'c-1', 'status': 'available', 'provider_id': PROVIDER_ID,
        'project_id': 'project-1',
        'protection_plan': {'id': 'plan-1', 'name': 'p', 'resources': []},
        'created_at': '2024-05-01T10:00:00Z'})

    assert isinstance(bank.plugin, s3.S3BankPlugin)
    assert layout.list_checkpoints(bank, plan_id='plan-1')[0]['id'] == 'c-1'
    stored = bank.plugin._client.head_object(
        Bucket=bucket, Key='checkpoints/c-1/index.json')
    assert stored['Metadata']['smaug-sha256'] == hashlib.sha256(
        bank.plugin.get_object('checkpoints/c-1/index.json')).hexdigest()
