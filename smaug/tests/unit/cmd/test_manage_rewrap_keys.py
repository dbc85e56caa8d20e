"""``smaug-manage bank rewrap_keys`` run as a process on a provider's
file-system bank, as an operator changing the configured key runs it."""
from smaug.protection.chunks import keys
from smaug.protection.chunks import layout
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.cmd import manage_bank
from smaug.tests.unit.protection.chunks import conftest

K1, K2 = conftest.KEY, conftest.OTHER_KEY


def _smaug_manage(tmp_path, current, *previous):
    """Run ``smaug-manage bank rewrap_keys`` with ``current`` as the
    configured key and ``previous`` as the previous ones."""
    return manage_bank.run(tmp_path, 'rewrap_keys', encryption_key=current,
                           previous_encryption_keys=','.join(previous))


def _write(bank, key, project_id, checkpoint):
    payload = conftest.data(2 * conftest.CHUNK, len(checkpoint))
    store = store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(encryption_key=key), project_id)
    store.write(conftest.stream(payload), conftest.section(bank, checkpoint),
                'image')
    return checkpoint, payload


def test_rewrap_keys_moves_a_bank_to_the_current_key(tmp_path):
    bank = conftest.make_bank(tmp_path / 'bank')
    written = [_write(bank, K1, 'p1', 'cp-1'), _write(bank, K1, 'p2', 'cp-2'),
               _write(bank, K2, 'p3', 'cp-3')]

    first = _smaug_manage(tmp_path, K2, K1)
    again = _smaug_manage(tmp_path, K2, K1)

    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == ['rewrapped: 2', 'skipped: 1',
                                         'failed: 0']
    assert again.stdout.splitlines() == ['rewrapped: 0', 'skipped: 3',
                                         'failed: 0']
    k2_only = store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(encryption_key=K2))
    for checkpoint, payload in written:
        assert b''.join(k2_only.read(conftest.section(bank, checkpoint),
                                     'image')) == payload


def test_rewrap_keys_fails_naming_a_key_it_lacks(tmp_path):
    bank = conftest.make_bank(tmp_path / 'bank')
    _write(bank, K1, 'p1', 'cp-1')
    document = bank.get_json(layout.data_key_key('p1'))

    refused = _smaug_manage(tmp_path, K2)

    assert refused.returncode == 1
    assert refused.stdout.splitlines()[-1] == 'failed: 1'
    assert 'p1' in refused.stderr
    assert keys.key_id(keys.configured_key(K1)) in refused.stderr
    assert 'previous_encryption_keys' in refused.stderr
    assert bank.get_json(layout.data_key_key('p1')) == document
