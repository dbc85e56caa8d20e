"""The object digest of version-2 manifests: made from the chunks' SHA-256,
the same whether the store encrypts or not, checked by verify."""
import hashlib

import pytest

from smaug.protection.bank import base
from smaug.protection.chunks import digests
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.protection.chunks import conftest

CHUNK = conftest.CHUNK
#: Random chunks around a chunk of zeros, and a short one.
PAYLOAD = (conftest.data(2 * CHUNK) + bytes(CHUNK) +
           conftest.data(CHUNK // 3, seed=5))


def _by_definition(payload, chunk_size):
    """SHA-256 over each chunk's SHA-256 and 8-byte big-endian size."""
    records = b''.join(
        hashlib.sha256(payload[start:start + chunk_size]).digest() +
        len(payload[start:start + chunk_size]).to_bytes(8, 'big')
        for start in range(0, len(payload), chunk_size))
    return hashlib.sha256(records).hexdigest()


def _encrypted_store(bank):
    return store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(encryption_key=conftest.KEY), 'p1')


@pytest.mark.parametrize('payload', [
    PAYLOAD, bytes(3 * CHUNK), bytes(CHUNK + 1), b'x'], ids=[
    'mixed', 'zero chunks only', 'zeros with a short chunk', 'one byte'])
def test_the_digest_of_a_stream_follows_its_definition(payload):
    assert digests.of_stream(conftest.stream(payload), CHUNK) == (
        _by_definition(payload, CHUNK))


def test_an_empty_stream_has_the_digest_of_no_chunks():
    assert digests.of_stream(conftest.stream(b''), CHUNK) == (
        hashlib.sha256(b'').hexdigest())


def test_any_changed_byte_or_length_changes_the_digest():
    changed = bytearray(PAYLOAD)
    changed[CHUNK + 7] ^= 1
    variants = [PAYLOAD, bytes(changed), PAYLOAD + b'\0', bytes(3 * CHUNK),
                bytes(3 * CHUNK + 1)]
    assert len({digests.of_stream(conftest.stream(payload), CHUNK)
                for payload in variants}) == len(variants)


def test_a_chunk_of_zeros_counts_as_its_bytes():
    assert digests.zero_chunk_sha256(CHUNK) == hashlib.sha256(
        bytes(CHUNK)).digest()


@pytest.mark.parametrize('encrypted', [False, True],
                         ids=['plain', 'encrypted'])
@pytest.mark.parametrize('payload', [PAYLOAD, bytes(2 * CHUNK), b''],
                         ids=['mixed', 'zero chunks only', 'empty'])
def test_a_write_records_the_digest_of_its_bytes(store, bank, encrypted,
                                                 payload):
    if encrypted:
        store = _encrypted_store(bank)
    section = conftest.section(bank)
    written = store.write(conftest.stream(payload), section, 'image')
    assert written.digest == conftest.digest(payload)
    assert store.manifest(section, 'image').digest == written.digest
    assert store.verify(section, 'image').digest == written.digest


@pytest.mark.parametrize('encrypted', [False, True],
                         ids=['plain', 'encrypted'])
def test_verify_fails_when_the_chunks_make_another_object(store, bank,
                                                          encrypted):
    """A manifest listing other chunks than those its digest was made of
    (each chunk sound) is refused."""
    if encrypted:
        store = _encrypted_store(bank)
    section = conftest.section(bank)
    store.write(conftest.stream(PAYLOAD), section, 'image')
    document = section.get_json('image')
    document['chunks'][0], document['chunks'][1] = (document['chunks'][1],
                                                    document['chunks'][0])
    section.put_json('image', document)
    with pytest.raises(base.BankCorruption,
                       match='chunks_sha256 [0-9a-f]{64}, not the'):
        store.verify(section, 'image')
