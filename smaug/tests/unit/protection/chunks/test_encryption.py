"""Encrypted chunk stores: sealed chunks, HMAC names, keys in the bank."""
import hashlib
import os

import pytest

from smaug.protection.bank import base
from smaug.protection.chunks import errors
from smaug.protection.chunks import layout
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.protection.chunks import conftest

CHUNK = conftest.CHUNK
MARKER = b'A PLAIN TEXT THE BANK MUST NOT SHOW '


def _store(bank, key=conftest.KEY, project_id='p1'):
    return store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(encryption_key=key), project_id)


def _payload():
    return MARKER * (3 * CHUNK // len(MARKER)) + conftest.data(CHUNK)


def _bank_files(bank):
    for directory, _, files in os.walk(bank.plugin.root):
        for name in files:
            with open(os.path.join(directory, name), 'rb') as f:
                yield f.read()


def test_round_trip_seals_chunks_and_hides_their_content(bank):
    store = _store(bank)
    payload = _payload()
    section = conftest.section(bank)
    manifest = store.write(conftest.stream(payload), section, 'image')
    assert b''.join(store.read(section, 'image')) == payload
    assert store.verify(section, 'image').digest == conftest.digest(payload)
    assert manifest.encrypted and manifest.scope == 'p1'
    # Nothing in the bank shows the data, its digest or its chunks'
    # plain hashes.
    plain_addresses = {hashlib.sha256(payload[i:i + CHUNK]).hexdigest()
                       for i in range(0, len(payload), CHUNK)}
    assert not plain_addresses & manifest.addresses()
    digest = conftest.digest(payload).encode()
    for content in _bank_files(bank):
        assert MARKER[:16] not in content
        assert digest not in content


def test_the_same_data_is_deduplicated_within_a_project_only(bank):
    payload = _payload()
    first = _store(bank, project_id='p1').write(
        conftest.stream(payload), conftest.section(bank, 'cp-1'), 'image')
    again = _store(bank, project_id='p1').write(
        conftest.stream(payload), conftest.section(bank, 'cp-2'), 'image')
    other = _store(bank, project_id='p2').write(
        conftest.stream(payload), conftest.section(bank, 'cp-3'), 'image')
    assert again.stats.bytes_written == 0
    assert other.stats.new_chunks == first.stats.new_chunks
    assert not first.addresses() & other.addresses()


def test_a_new_deployment_with_the_same_key_reads_the_bank(bank, tmp_path):
    payload = _payload()
    _store(bank).write(conftest.stream(payload), conftest.section(bank),
                       'image')
    fresh_bank = conftest.make_bank(bank.plugin.root)
    fresh = _store(fresh_bank, project_id=None)
    assert b''.join(fresh.read(conftest.section(fresh_bank),
                               'image')) == payload


def test_a_wrong_key_fails_clearly(bank):
    _store(bank).write(conftest.stream(_payload()), conftest.section(bank),
                       'image')
    wrong = _store(bank, key=conftest.OTHER_KEY)
    with pytest.raises(errors.ChunkKeyError,
                       match='p1 .*wrapped by the key with id'):
        wrong.verify(conftest.section(bank), 'image')
    with pytest.raises(errors.ChunkKeyError):
        wrong.write(conftest.stream(b'x'), conftest.section(bank, 'cp-2'),
                    'image')


def test_no_key_cannot_read_encrypted_data(bank):
    _store(bank).write(conftest.stream(_payload()), conftest.section(bank),
                       'image')
    plain = store_module.ChunkStore.for_bank(bank, conftest.make_conf())
    with pytest.raises(errors.ChunkKeyError,
                       match='no \\[chunk_store\\] encryption_key'):
        list(plain.read(conftest.section(bank), 'image'))


@pytest.mark.parametrize('value', ['not base64!', 'c2hvcnQ='])
def test_a_malformed_configured_key_is_refused(bank, value):
    with pytest.raises(errors.ChunkKeyError, match='32 random bytes'):
        _store(bank, key=value)


def test_a_chunk_copied_under_another_address_does_not_open(bank):
    store = _store(bank)
    manifest = store.write(conftest.stream(conftest.data(2 * CHUNK)),
                           conftest.section(bank), 'image')
    first, second = (address for address, _ in manifest.chunks)
    plugin = bank.plugin
    stored, metadata = plugin.get_object_with_metadata(
        layout.chunk_key(second))
    plugin.put_object(layout.chunk_key(first), stored, metadata)
    with pytest.raises(errors.ChunkCorruption, match='seal does not open'):
        store.verify(conftest.section(bank), 'image')


def test_a_damaged_data_key_is_reported(bank):
    store = _store(bank)
    store.write(conftest.stream(b'data'), conftest.section(bank), 'image')
    key_object = layout.data_key_key('p1')
    document = bank.get_json(key_object)
    document['wrapped'] = document['wrapped'][::-1]
    bank.put_json(key_object, document)
    with pytest.raises(errors.ChunkKeyError, match='damaged'):
        _store(bank).verify(conftest.section(bank), 'image')


def test_the_data_key_is_kept_wrapped_in_the_bank(bank):
    _store(bank).write(conftest.stream(b'data'), conftest.section(bank),
                       'image')
    document = bank.get_json(layout.data_key_key('p1'))
    assert set(document) >= {'key_id', 'nonce', 'wrapped'}
    with pytest.raises(base.BankObjectNotFound):
        bank.get_json(layout.data_key_key('p2'))
