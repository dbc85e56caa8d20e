"""The Bank wrapper: checksums checked on read, JSON, sections, loading."""
import hashlib

import pytest

from smaug.protection import providers
from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import base
from smaug.protection.bank import filesystem
from smaug.tests.fixtures import entry_points

OBJECT_FILE = 'objects/checkpoints/1/data/0,object'


def test_objects_carry_their_sha256(fs_bank):
    fs_bank.put_object('checkpoints/1/data/0', b'payload', {'part': '0'})

    info = fs_bank.head_object('checkpoints/1/data/0')

    assert info == base.ObjectInfo(7, {
        'part': '0',
        'smaug-sha256': hashlib.sha256(b'payload').hexdigest()})
    assert fs_bank.get_object('checkpoints/1/data/0') == b'payload'


def test_changed_data_on_disk_is_corruption_naming_the_key(fs_bank,
                                                           bank_path):
    fs_bank.put_object('checkpoints/1/data/0', b'payload')
    path = bank_path / OBJECT_FILE
    path.write_bytes(path.read_bytes().replace(b'payload', b'paylaod'))

    with pytest.raises(base.BankCorruption) as raised:
        fs_bank.get_object('checkpoints/1/data/0')

    assert 'checkpoints/1/data/0 is corrupt' in str(raised.value)
    assert hashlib.sha256(b'paylaod').hexdigest() in str(raised.value)


def test_object_without_checksum_is_corruption(fs_bank, fs_plugin):
    fs_plugin.put_object('checkpoints/1/data/0', b'payload')

    with pytest.raises(base.BankCorruption, match='has no checksum'):
        fs_bank.get_object('checkpoints/1/data/0')


def test_bank_metadata_names_are_reserved(fs_bank):
    with pytest.raises(base.InvalidBankMetadata, match='kept for the bank'):
        fs_bank.put_object('k', b'', {'smaug-sha256': '0' * 64})


def test_json_round_trip(fs_bank):
    document = {'id': 'c-1', 'resources': [{'id': 'r', 'extra': None}]}

    fs_bank.put_json('checkpoints/c-1/index.json', document)

    assert fs_bank.get_json('checkpoints/c-1/index.json') == document


def test_json_that_does_not_parse_is_corruption(fs_bank):
    fs_bank.put_object('checkpoints/c-1/index.json', b'{"id": ')

    with pytest.raises(base.BankCorruption,
                       match='index.json is corrupt: it is not JSON'):
        fs_bank.get_json('checkpoints/c-1/index.json')


def test_section_names_keys_relative_to_its_prefix(fs_bank):
    section = fs_bank.section('checkpoints/1/resources/r')
    fs_bank.put_object('checkpoints/1/resources/r0/x', b'outside')
    fs_bank.put_object('checkpoints/1/resources/r', b'the prefix itself')

    section.put_json('metadata.json', {'size': 1})
    section.put_object('data/00000001', b'1')
    section.put_object('data/00000000', b'0')

    assert fs_bank.get_json('checkpoints/1/resources/r/metadata.json') == {
        'size': 1}
    assert section.get_object('data/00000001') == b'1'
    assert section.list_objects() == ['data/00000000', 'data/00000001',
                                      'metadata.json']
    assert section.list_objects('data/', marker='data/00000001',
                                sort_dir='desc') == ['data/00000000']
    assert section.head_object('data/00000000').size == 1
    section.delete_object('data/00000000')
    assert section.list_objects('data/') == ['data/00000001']


def test_read_only_section_refuses_every_change(fs_bank):
    fs_bank.put_object('checkpoints/1/resources/r/status.json', b'{}')
    section = fs_bank.section('checkpoints/1/resources/r', writable=False)

    for change in (lambda: section.put_object('status.json', b'x'),
                   lambda: section.put_json('status.json', {}),
                   lambda: section.delete_object('status.json'),
                   lambda: section.section('data', writable=True)):
        with pytest.raises(base.BankReadOnly,
                           match='checkpoints/1/resources/r is read-only'):
            change()

    assert fs_bank.get_object('checkpoints/1/resources/r/status.json') == (
        b'{}')
    assert section.get_json('status.json') == {}
    assert section.list_objects() == ['status.json']


def test_sections_nest_and_inherit_read_only(fs_bank):
    writable = fs_bank.section('checkpoints/1')
    data = writable.section('resources/r').section('data')
    frozen = writable.read_only().section('resources/r')

    data.put_object('0', b'x')

    assert data.prefix == 'checkpoints/1/resources/r/data'
    assert fs_bank.get_object('checkpoints/1/resources/r/data/0') == b'x'
    assert not frozen.writable
    assert frozen.section('data').get_object('0') == b'x'
    with pytest.raises(base.BankReadOnly):
        frozen.section('data').put_object('1', b'y')


def test_section_refuses_keys_that_escape_it(fs_bank):
    section = fs_bank.section('checkpoints/1')

    for key in ('../2/index.json', '/index.json', ''):
        with pytest.raises(base.InvalidBankKey):
            section.put_object(key, b'x')
    with pytest.raises(base.InvalidBankKey):
        fs_bank.section('checkpoints/1/')


def test_leases_pass_through(fs_bank):
    assert fs_bank.acquire_lease('checkpoints/1', 'agent-a', 60)
    assert not fs_bank.acquire_lease('checkpoints/1', 'agent-b', 60)
    assert fs_bank.renew_lease('checkpoints/1', 'agent-a', 60)
    assert fs_bank.get_lease('checkpoints/1').owner == 'agent-a'
    assert fs_bank.release_lease('checkpoints/1', 'agent-a')


PROVIDER_ID = '6b1f7b9a-2f0e-4c55-9d43-1c6c55d1e0a2'
PROVIDER_FILE = """[provider]
id = 6b1f7b9a-2f0e-4c55-9d43-1c6c55d1e0a2
name = Bank test
enabled = true
bank = %(bank)s

[file_system_bank]
bank_path = %(path)s
"""


def _provider(tmp_path, bank='file-system'):
    directory = tmp_path / 'providers.d'
    directory.mkdir()
    (directory / 'test.conf').write_text(
        PROVIDER_FILE % {'bank': bank, 'path': tmp_path / 'bank'})
    return providers.ProviderRegistry(str(directory)).get(PROVIDER_ID)


@pytest.fixture
def smaug_entry_points(request):
    fixture = entry_points.SmaugEntryPoints()
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)


def test_bank_of_a_provider_is_loaded_by_entry_point(tmp_path,
                                                     smaug_entry_points):
    provider = _provider(tmp_path)

    bank = bank_module.Bank.from_provider(provider)
    bank.put_object('k', b'v')

    assert isinstance(bank.plugin, filesystem.FileSystemBankPlugin)
    assert bank.name == 'file-system'
    assert bank.plugin.root == str(tmp_path / 'bank')
    assert (tmp_path / 'bank' / 'objects' / 'k,object').exists()


def test_unknown_bank_plugin_is_a_configuration_error(tmp_path,
                                                      smaug_entry_points):
    provider = _provider(tmp_path, bank='tape')

    with pytest.raises(base.BankConfigError, match='tape is misconfigured'):
        bank_module.Bank.from_provider(provider)


def test_setup_cfg_publishes_the_three_banks():
    published = entry_points.setup_cfg_entry_points()['smaug.banks']

    assert sorted(entry.split(' = ')[0] for entry in published) == [
        'file-system', 's3', 'swift']
