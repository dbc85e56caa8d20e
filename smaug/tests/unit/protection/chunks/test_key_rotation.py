"""Changing the configured key: previous keys, re-wrapping, legacy keys."""
import pytest

from smaug.protection.bank import base
from smaug.protection.chunks import errors
from smaug.protection.chunks import keys
from smaug.protection.chunks import layout
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.protection.chunks import conftest

K1, K2 = conftest.KEY, conftest.OTHER_KEY
K3 = 'a2V5IHRocmVlIGtleSB0aHJlZSBrZXkgdGhyZWUgISE='
LEASE_SECONDS = 6


def _id(text):
    return keys.key_id(keys.configured_key(text))


def _conf(current, *previous):
    return conftest.make_conf(encryption_key=current,
                              previous_encryption_keys=list(previous))


def _store(bank, current, *previous, project_id='p1'):
    return store_module.ChunkStore.for_bank(bank, _conf(current, *previous),
                                            project_id)


def _wrapping_keys(current, *previous):
    return keys.WrappingKeys.from_conf(_conf(current, *previous).chunk_store)


def _rewrap(bank, current, *previous):
    report = keys.rewrap_all(bank, _wrapping_keys(current, *previous),
                             LEASE_SECONDS)
    return {name: sorted(found) for name, found in report.items()}


def _write(bank, current, *previous, project_id='p1', checkpoint='cp-1',
           seed=0):
    payload = conftest.data(3 * conftest.CHUNK, seed)
    _store(bank, current, *previous, project_id=project_id).write(
        conftest.stream(payload), conftest.section(bank, checkpoint),
        'image')
    return checkpoint, payload


def _reads(bank, written, current, *previous):
    """Whether every (checkpoint, payload) written reads back whole."""
    store = _store(bank, current, *previous)
    return all(b''.join(store.read(conftest.section(bank, checkpoint),
                                   'image')) == payload
               for checkpoint, payload in written)


def _document(bank, scope='p1'):
    return bank.get_json(layout.data_key_key(scope))


def test_a_key_is_changed_without_touching_the_data(bank):
    written = [_write(bank, K1, project_id='p1', checkpoint='cp-1'),
               _write(bank, K1, project_id='p2', checkpoint='cp-2', seed=1)]
    chunks_before = set(conftest.chunk_keys(bank))

    # K2 current, K1 previous: K1's data keys still open, and still seal
    # new writes of their projects; a new project's key is K2's.
    assert _reads(bank, written, K2, K1)
    written.append(_write(bank, K2, K1, project_id='p1', checkpoint='cp-3',
                          seed=2))
    written.append(_write(bank, K2, K1, project_id='p3', checkpoint='cp-4',
                          seed=3))
    assert _document(bank, 'p3')['key_id'] == _id(K2)
    assert _document(bank, 'p1')['key_id'] == _id(K1)

    assert _rewrap(bank, K2, K1) == {'rewrapped': ['p1', 'p2'],
                                     'skipped': ['p3'], 'failed': []}

    for scope in ('p1', 'p2', 'p3'):
        document = _document(bank, scope)
        assert (document['key_id'], 'previous_wraps' in document) == (
            _id(K2), False)
    # K1 dropped from the configuration: everything reads, and the
    # chunks are the ones written under K1, untouched.
    assert _reads(bank, written, K2)
    assert chunks_before <= set(conftest.chunk_keys(bank))
    assert _rewrap(bank, K2) == {'rewrapped': [],
                                 'skipped': ['p1', 'p2', 'p3'], 'failed': []}


def test_a_key_wrapped_by_an_unconfigured_key_is_named_never_replaced(bank):
    written = [_write(bank, K1)]
    document = _document(bank)
    chunks = set(conftest.chunk_keys(bank))
    # K1 is left out of the configuration by mistake.
    store = _store(bank, K2, K3)

    with pytest.raises(errors.ChunkKeyError) as reading:
        list(store.read(conftest.section(bank), 'image'))
    with pytest.raises(errors.ChunkKeyError) as writing:
        store.write(conftest.stream(b'new data'),
                    conftest.section(bank, 'cp-2'), 'image')

    for error in (reading.value, writing.value):
        message = str(error)
        assert 'wrapped by the key with id %s' % _id(K1) in message
        assert 'previous_encryption_keys' in message
        assert K1 not in message and K2 not in message
    # No new data key, no lost chunk, and with K1 back all reads.
    assert _document(bank) == document
    assert chunks <= set(conftest.chunk_keys(bank))
    assert _reads(bank, written, K2, K1)


def test_a_rewrap_naming_an_unconfigured_key_goes_on_with_the_others(bank):
    _write(bank, K3, project_id='p1')
    _write(bank, K1, project_id='p2', checkpoint='cp-2')
    stuck = _document(bank, 'p1')

    report = keys.rewrap_all(bank, _wrapping_keys(K2, K1), LEASE_SECONDS)

    assert (report['rewrapped'], report['skipped']) == (['p2'], [])
    assert list(report['failed']) == ['p1']
    assert _id(K3) in str(report['failed']['p1'])
    assert _document(bank, 'p1') == stuck


class InterruptedBank:
    """The bank, until its ``writes``-th write of a data key: that one
    fails as a crash would stop it."""

    def __init__(self, bank, writes):
        self._bank = bank
        self._writes_left = writes

    def put_json(self, key, value, metadata=None):
        if key.startswith(layout.KEYS):
            self._writes_left -= 1
            if not self._writes_left:
                raise base.BankError(reason='the agent stopped here')
        return self._bank.put_json(key, value, metadata)

    def __getattr__(self, name):
        return getattr(self._bank, name)


@pytest.mark.parametrize('failing_write', [1, 2])
def test_an_interrupted_rewrap_is_finished_by_running_it_again(
        bank, failing_write):
    written = [_write(bank, K1)]

    interrupted = keys.rewrap_all(InterruptedBank(bank, failing_write),
                                  _wrapping_keys(K2, K1), LEASE_SECONDS)

    assert list(interrupted['failed']) == ['p1']
    # Stopped before or after the new form was written: with either key
    # current, and the other previous, the data reads.
    assert _reads(bank, written, K2, K1)
    assert _reads(bank, written, K1, K2)
    assert _rewrap(bank, K2, K1) == {'rewrapped': ['p1'], 'skipped': [],
                                     'failed': []}
    assert _reads(bank, written, K2)
    assert _rewrap(bank, K2, K1)['skipped'] == ['p1']


def test_a_half_rewrapped_key_still_reads_with_only_the_old_key(bank):
    # An agent not yet told of K2, while a rewrap is half done.
    written = [_write(bank, K1)]
    keys.rewrap_all(InterruptedBank(bank, 2), _wrapping_keys(K2, K1),
                    LEASE_SECONDS)

    assert [wrap['key_id'] for wrap in _document(bank)['previous_wraps']
            ] == [_id(K1)]
    assert _reads(bank, written, K1)


def test_a_half_rewrapped_key_whose_new_form_is_damaged_is_repaired(bank):
    written = [_write(bank, K1)]
    keys.rewrap_all(InterruptedBank(bank, 2), _wrapping_keys(K2, K1),
                    LEASE_SECONDS)
    document = _document(bank)
    document['wrapped'] = document['wrapped'][::-1]
    bank.put_json(layout.data_key_key('p1'), document)

    # The old form, kept until the new one was checked, still opens.
    assert _reads(bank, written, K2, K1)
    assert _rewrap(bank, K2, K1)['rewrapped'] == ['p1']
    assert _reads(bank, written, K2)


def _make_legacy(bank, scope='p1'):
    """The key object as written before wraps recorded their key's id."""
    document = _document(bank, scope)
    del document['key_id']
    bank.put_json(layout.data_key_key(scope), document)


def test_a_legacy_key_without_id_opens_with_any_configured_key(bank):
    written = [_write(bank, K1)]
    _make_legacy(bank)

    assert _reads(bank, written, K1)
    assert _reads(bank, written, K2, K3, K1)
    with pytest.raises(errors.ChunkKeyError,
                       match='no configured key unwraps it.*previous_'
                             'encryption_keys'):
        _reads(bank, written, K2)

    assert _rewrap(bank, K2, K1)['rewrapped'] == ['p1']
    assert _document(bank)['key_id'] == _id(K2)
    assert _reads(bank, written, K2)


def test_a_damaged_wrapped_form_under_a_configured_key_is_reported(bank):
    _write(bank, K1)
    document = _document(bank)
    document['wrapped'] = document['wrapped'][::-1]
    bank.put_json(layout.data_key_key('p1'), document)

    with pytest.raises(errors.ChunkKeyError,
                       match='by the key with id %s, is damaged' % _id(K1)):
        _store(bank, K2, K1).verify(conftest.section(bank), 'image')
    assert list(_rewrap(bank, K2, K1)['failed']) == ['p1']
    assert _document(bank) == document


def test_previous_keys_need_a_current_one():
    with pytest.raises(errors.ChunkKeyError,
                       match='previous_encryption_keys needs an '
                             'encryption_key'):
        _wrapping_keys(None, K1)


def test_a_malformed_previous_key_names_its_option():
    with pytest.raises(errors.ChunkKeyError,
                       match='previous_encryption_keys must hold 32'):
        _wrapping_keys(K1, 'c2hvcnQ=')


def test_the_current_key_listed_as_previous_too_counts_once():
    wrapping_keys = _wrapping_keys(K1, K2, K1)

    assert [found for found, _ in wrapping_keys.in_order()] == [
        _id(K1), _id(K2)]
