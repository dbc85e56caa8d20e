"""The file-system bank: the shared contract, files on disk, leases."""
import concurrent.futures
import multiprocessing
import os

import pytest

from smaug.protection.bank import base
from smaug.protection.bank import filesystem
from smaug.tests.unit.protection.bank import contract
from smaug.tests.unit.protection.bank import lease_racer
from smaug.tests.unit.protection.bank import testbanks


class TestFileSystemBankContract(contract.BankContract):

    @pytest.fixture
    def subject(self, fs_plugin, clock):
        return contract.Subject(fs_plugin, clock.advance)


def _files(path):
    return sorted(os.path.relpath(os.path.join(directory, name), path)
                  for directory, _, names in os.walk(path)
                  for name in names)


def _directories(path):
    return sorted(os.path.relpath(os.path.join(directory, name), path)
                  for directory, names, _ in os.walk(path)
                  for name in names)


def test_objects_are_files_named_after_their_keys(fs_plugin, bank_path):
    fs_plugin.put_object('checkpoints/1/index.json', b'{}')
    fs_plugin.put_object('checkpoints/1', b'')

    assert _files(bank_path / 'objects') == [
        'checkpoints/1,object', 'checkpoints/1/index.json,object']
    assert os.listdir(bank_path / 'tmp') == []


def test_delete_prunes_the_directories_it_empties(fs_plugin, bank_path):
    fs_plugin.put_object('checkpoints/1/resources/r/data/0', b'x')
    fs_plugin.put_object('checkpoints/1/index.json', b'x')

    fs_plugin.delete_object('checkpoints/1/resources/r/data/0')

    assert _directories(bank_path / 'objects') == ['checkpoints',
                                                   'checkpoints/1']
    fs_plugin.delete_object('checkpoints/1/index.json')
    assert os.listdir(bank_path / 'objects') == []


def test_a_failed_write_leaves_the_old_object(fs_plugin, bank_path,
                                              monkeypatch):
    fs_plugin.put_object('k', b'old')

    def fail(*args):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(os, 'replace', fail)

    with pytest.raises(base.BankUnavailable, match='No space left'):
        fs_plugin.put_object('k', b'new')
    monkeypatch.undo()
    assert fs_plugin.get_object('k') == b'old'
    assert os.listdir(bank_path / 'tmp') == []


def test_truncated_object_is_corrupt(fs_plugin, bank_path):
    fs_plugin.put_object('checkpoints/1/data', b'0123456789')
    path = bank_path / 'objects' / 'checkpoints/1/data,object'
    path.write_bytes(path.read_bytes()[:-3])

    with pytest.raises(base.BankCorruption,
                       match='checkpoints/1/data.*7 bytes where 10'):
        fs_plugin.get_object('checkpoints/1/data')


def test_object_without_header_is_corrupt(fs_plugin, bank_path):
    fs_plugin.put_object('k', b'x')
    (bank_path / 'objects' / 'k,object').write_bytes(b'not a header')

    with pytest.raises(base.BankCorruption, match='k is corrupt'):
        fs_plugin.head_object('k')


def test_files_that_are_not_objects_are_not_listed(fs_plugin, bank_path):
    fs_plugin.put_object('a/b', b'x')
    (bank_path / 'objects' / 'a' / 'notes.txt').write_text('operator')
    (bank_path / 'objects' / 'lost+found').mkdir()

    assert fs_plugin.list_objects() == ['a/b']


def test_bank_path_is_required(tmp_path):
    conf = testbanks.file_system_conf(tmp_path)
    conf.clear_override('bank_path', group='file_system_bank')

    with pytest.raises(base.BankConfigError, match='bank_path'):
        filesystem.FileSystemBankPlugin(conf)


def test_unusable_bank_path_is_reported(tmp_path):
    (tmp_path / 'file').write_text('')

    with pytest.raises(base.BankUnavailable, match='file'):
        filesystem.FileSystemBankPlugin(
            testbanks.file_system_conf(tmp_path / 'file'))


def test_two_plugins_on_one_directory_see_each_others_leases(
        fs_plugin, bank_path, clock):
    other = filesystem.FileSystemBankPlugin(
        testbanks.file_system_conf(bank_path), clock=clock)

    assert fs_plugin.acquire_lease('checkpoints/1', 'agent-a', 60)

    assert not other.acquire_lease('checkpoints/1', 'agent-b', 60)
    assert other.get_lease('checkpoints/1') == base.Lease(
        'agent-a', clock() + 60)


def test_lease_expires_exactly_at_its_end(fs_plugin, clock):
    fs_plugin.acquire_lease('checkpoints/1', 'agent-a', 10)

    clock.advance(9.999)
    assert not fs_plugin.acquire_lease('checkpoints/1', 'agent-b', 10)
    clock.advance(0.001)
    assert fs_plugin.acquire_lease('checkpoints/1', 'agent-b', 10)


def test_released_lease_leaves_no_file(fs_plugin, bank_path):
    fs_plugin.acquire_lease('checkpoints/1', 'agent-a', 60)

    fs_plugin.release_lease('checkpoints/1', 'agent-a')

    assert os.listdir(bank_path / 'leases') == []


def test_threads_racing_for_a_lease_have_one_winner(bank_path):
    plugin = filesystem.FileSystemBankPlugin(
        testbanks.file_system_conf(bank_path))
    names = ['checkpoints/%d' % i for i in range(30)]

    def race(owner):
        return [name for name in names
                if plugin.acquire_lease(name, owner, 600)]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        won = list(pool.map(race, ['agent-%d' % i for i in range(8)]))

    assert sorted(name for names_won in won for name in names_won) == (
        sorted(names))


def test_two_processes_racing_for_leases_never_both_win(bank_path):
    filesystem.FileSystemBankPlugin(testbanks.file_system_conf(bank_path))
    names = ['checkpoints/%d' % i for i in range(200)]
    context = multiprocessing.get_context('spawn')
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [context.Process(target=lease_racer.race,
                                 args=(str(bank_path), owner, names, barrier,
                                       results))
                 for owner in ('agent-a', 'agent-b')]
    for process in processes:
        process.start()
    try:
        won = dict(results.get(timeout=120) for _ in processes)
    finally:
        for process in processes:
            process.join(timeout=30)

    assert [process.exitcode for process in processes] == [0, 0]
    assert not set(won['agent-a']) & set(won['agent-b'])
    assert sorted(won['agent-a'] + won['agent-b']) == sorted(names)
    plugin = filesystem.FileSystemBankPlugin(
        testbanks.file_system_conf(bank_path))
    for owner, names_won in won.items():
        assert {plugin.get_lease(name).owner for name in names_won} <= {
            owner}
