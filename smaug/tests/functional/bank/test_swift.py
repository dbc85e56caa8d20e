"""The Swift bank against the Swift of the test cloud."""
import hashlib
import json
import os
import time
import uuid

from oslo_config import cfg
import pytest
from swiftclient import exceptions as swift_exceptions

from smaug.protection import providers
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import base
from smaug.protection.bank import checkpoint_layout as layout
from smaug.protection.bank import swift
from smaug.tests.fixtures import entry_points
from smaug.tests.unit.protection.bank import contract

PROVIDER_ID = '6659007d-6f66-4a0f-9cb4-17d6aded0bb9'
SEGMENT_SIZE = 1024 * 1024


def swift_conf(container, **options):
    conf = cfg.ConfigOpts()
    conf(args=[], default_config_files=[])
    swift.SwiftBankPlugin.register_opts(conf)
    conf.set_override('container', container, group='swift_bank')
    conf.set_override('segment_size', SEGMENT_SIZE, group='swift_bank')
    conf.set_override('retries', 1, group='swift_bank')
    for name, value in options.items():
        conf.set_override(name, value, group='swift_bank')
    return conf


def _remove_containers(connection, container):
    """Empty and delete the bank's containers; listings lag behind deletes,
    so a container that still looks full is tried again."""
    for name in (container, container + '_leases',
                 container + '_segments'):
        deadline = time.monotonic() + 30
        while True:
            try:
                _, listing = connection.get_container(name)
                for entry in listing:
                    try:
                        connection.delete_object(name, entry['name'])
                    except swift_exceptions.ClientException as error:
                        if error.http_status != 404:
                            raise
                connection.delete_container(name)
                break
            except swift_exceptions.ClientException as error:
                if error.http_status == 404:
                    break
                if error.http_status != 409 or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


@pytest.fixture
def container(devcloud):
    name = 'smaug-test-%s' % uuid.uuid4().hex[:12]
    yield name
    _remove_containers(devcloud.swift('demo'), name)


@pytest.fixture
def plugin(devcloud, container):
    return swift.SwiftBankPlugin(swift_conf(container),
                                 session=devcloud.session('demo'))


def _sleep_past_lease_end(seconds):
    # X-Delete-At has whole seconds: Swift hides a lease within a second
    # after its end.
    time.sleep(seconds + 1.2)


class TestSwiftBankContract(contract.BankContract):
    listing_prefixes = contract.SERVER_PREFIXES
    listing_markers = contract.SERVER_MARKERS
    listing_limits = contract.SERVER_LIMITS

    @pytest.fixture
    def subject(self, plugin):
        return contract.Subject(plugin, _sleep_past_lease_end)


class TestSwiftBankContractOnSmallPages(TestSwiftBankContract):
    """The same, with listings of many pages, reversed ones included."""

    @pytest.fixture
    def subject(self, plugin, monkeypatch):
        monkeypatch.setattr(swift, 'LISTING_PAGE', 2)
        return contract.Subject(plugin, _sleep_past_lease_end)


def test_containers_are_created_on_first_use(plugin, devcloud, container):
    plugin.put_object('k', b'v')

    _, containers = devcloud.swift('demo').get_account(prefix=container)
    assert sorted(entry['name'] for entry in containers) == [
        container, container + '_leases', container + '_segments']


def test_large_object_is_stored_in_segments(plugin, devcloud, container):
    connection = devcloud.swift('demo')
    data = os.urandom(2 * SEGMENT_SIZE + 100)
    bank = bank_module.Bank(plugin)

    bank.put_object('checkpoints/1/data/big', data, {'part': '7'})

    headers = connection.head_object(container, 'checkpoints/1/data/big')
    assert headers['x-static-large-object'] == 'True'
    _, segments = connection.get_container(container + '_segments')
    assert [entry['bytes'] for entry in segments] == [
        SEGMENT_SIZE, SEGMENT_SIZE, 100]
    assert bank.get_object('checkpoints/1/data/big') == data
    assert bank.head_object('checkpoints/1/data/big').size == len(data)
    assert bank.head_object('checkpoints/1/data/big').metadata['part'] == (
        '7')
    assert bank.list_objects('checkpoints/') == ['checkpoints/1/data/big']


def test_replaced_and_deleted_large_objects_leave_no_segments(
        plugin, devcloud, container):
    connection = devcloud.swift('demo')
    plugin.put_object('big', os.urandom(3 * SEGMENT_SIZE))

    smaller = os.urandom(SEGMENT_SIZE + 1)
    plugin.put_object('big', smaller)

    _, segments = connection.get_container(container + '_segments')
    assert [entry['bytes'] for entry in segments] == [SEGMENT_SIZE, 1]
    assert plugin.get_object('big') == smaller
    plugin.delete_object('big')
    _, segments = connection.get_container(container + '_segments')
    assert segments == []
    with pytest.raises(base.BankObjectNotFound):
        plugin.get_object('big')


def test_object_changed_behind_the_bank_is_corruption(plugin, devcloud,
                                                      container):
    bank = bank_module.Bank(plugin)
    bank.put_object('checkpoints/1/index.json', b'{"status":"available"}')
    connection = devcloud.swift('demo')
    headers = connection.head_object(container, 'checkpoints/1/index.json')
    connection.put_object(
        container, 'checkpoints/1/index.json', b'{"status":"availabel"}',
        headers={'X-Object-Meta-Smaug-Sha256':
                 headers['x-object-meta-smaug-sha256']})

    with pytest.raises(base.BankCorruption,
                       match='checkpoints/1/index.json is corrupt'):
        bank.get_object('checkpoints/1/index.json')


def test_lease_is_an_object_swift_deletes_at_its_end(plugin, devcloud,
                                                     container):
    plugin.acquire_lease('checkpoints/1', 'agent-a', 60)

    headers, body = devcloud.swift('demo').get_object(
        container + '_leases', 'checkpoints/1')

    lease = json.loads(body)
    assert lease['owner'] == 'agent-a'
    assert int(headers['x-delete-at']) - lease['expires_at'] < 1


def test_expired_lease_is_created_anew_only_once(plugin, devcloud):
    other = swift.SwiftBankPlugin(plugin.conf,
                                  session=devcloud.session('demo'))
    plugin.acquire_lease('checkpoints/1', 'agent-a', 1)
    _sleep_past_lease_end(1)

    assert other.acquire_lease('checkpoints/1', 'agent-b', 60)
    assert not plugin.acquire_lease('checkpoints/1', 'agent-a', 60)
    assert not plugin._write_lease(plugin._connection(), 'checkpoints/1',
                                   'agent-a', 60, create=True)
    assert plugin.get_lease('checkpoints/1').owner == 'agent-b'


def test_lease_in_its_last_seconds_is_neither_renewed_nor_deleted(plugin):
    plugin.acquire_lease('checkpoints/1', 'agent-a', 2)

    assert not plugin.renew_lease('checkpoints/1', 'agent-a', 60)
    assert plugin.release_lease('checkpoints/1', 'agent-a')
    assert plugin.get_lease('checkpoints/1').owner == 'agent-a'
    _sleep_past_lease_end(2)
    assert plugin.get_lease('checkpoints/1') is None


def test_another_project_cannot_read_the_bank(plugin, devcloud, container):
    plugin.put_object('checkpoints/1/index.json', b'{}')
    alt = swift.SwiftBankPlugin(swift_conf(container),
                                session=devcloud.session('alt'))

    assert alt.list_objects() == []
    with pytest.raises(base.BankObjectNotFound):
        alt.get_object('checkpoints/1/index.json')
    _remove_containers(devcloud.swift('alt'), container)


PROVIDER_FILE = """[provider]
id = %(id)s
name = Swift bank
enabled = true
bank = swift

[swift_bank]
auth_url = %(auth_url)s
username = %(username)s
password = %(password)s
project_name = %(project_name)s
region_name = %(region)s
container = %(container)s
"""


def test_provider_file_configures_the_bank(devcloud, container, tmp_path):
    credentials = devcloud.credentials['demo']
    (tmp_path / 'swift.conf').write_text(PROVIDER_FILE % {
        'id': PROVIDER_ID, 'auth_url': credentials.auth_url,
        'username': credentials.username,
        'password': credentials.password,
        'project_name': credentials.project_name,
        'region': devcloud.region, 'container': container})
    published = entry_points.SmaugEntryPoints()
    published.setUp()
    try:
        provider = providers.ProviderRegistry(str(tmp_path)).get(PROVIDER_ID)
        bank = bank_module.Bank.from_provider(provider)
    finally:
        published.cleanUp()

    for index, minute in enumerate((3, 1, 2)):
        layout.write_checkpoint(bank, {
            'id': 'c-%d' % index, 'status': 'available',
            'provider_id': PROVIDER_ID, 'project_id': 'project-1',
            'protection_plan': {'id': 'plan-1', 'name': 'p',
                                'resources': []},
            'created_at': '2024-05-01T10:0%d:00Z' % minute})

    assert isinstance(bank.plugin, swift.SwiftBankPlugin)
    assert [entry['id'] for entry in layout.list_checkpoints(
        bank, plan_id='plan-1', limit=2)] == ['c-0', 'c-2']
    index = devcloud.swift('demo').head_object(container,
                                               'checkpoints/c-1/index.json')
    assert index['x-object-meta-smaug-sha256'] == hashlib.sha256(
        bank.plugin.get_object('checkpoints/c-1/index.json')).hexdigest()


def test_wrong_password_is_reported(devcloud, container):
    credentials = devcloud.credentials['demo']
    conf = swift_conf(container, auth_url=credentials.auth_url,
                      username=credentials.username, password='wrong',
                      project_name=credentials.project_name, retries=0)

    with pytest.raises(base.BankUnavailable, match=container):
        swift.SwiftBankPlugin(conf).list_objects()


def test_missing_credentials_are_a_configuration_error(container):
    with pytest.raises(base.BankConfigError,
                       match='auth_url, username, password, project_name'):
        swift.SwiftBankPlugin(swift_conf(container))
