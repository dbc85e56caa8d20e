"""Manifest versions: new writes record the chunk-list digest (version 2);
manifests of version 1, with the SHA-256 of the whole object, are still
read, verified and copied as they are."""
import base64
import hashlib

import pytest

from smaug.protection.bank import base
from smaug.protection.chunks import codec as codec_module
from smaug.protection.chunks import keys
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.protection.chunks import conftest

CHUNK = conftest.CHUNK
PAYLOAD = conftest.data(2 * CHUNK) + bytes(CHUNK) + conftest.data(100)
#: What version 1 sealed its digest with, followed by the manifest's key.
VERSION_1_SEAL_CONTEXT = b'smaug chunk manifest sha256 '


def _encrypted_store(bank):
    return store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(encryption_key=conftest.KEY), 'p1')


def _as_version_1(store, section, name, digest):
    """Rewrite the manifest at ``name`` as version 1 wrote it, recording
    ``digest`` as its whole object's SHA-256 (sealed with ``store``'s key
    when it is encrypted)."""
    document = section.get_json(name)
    for field in ('chunks_sha256', 'sealed_chunks_sha256', 'sha256',
                  'sealed_sha256'):
        document.pop(field, None)
    document['version'] = 1
    if document['encryption']:
        codec = codec_module.ChunkCodec(data_key=keys.read_data_key(
            store.bank, document['encryption']['scope'],
            store.wrapping_keys))
        key = (section.prefix + '/' + name).encode()
        document['sealed_sha256'] = base64.b64encode(codec.seal(
            digest.encode(), VERSION_1_SEAL_CONTEXT + key)).decode()
    else:
        document['sha256'] = digest
    section.put_json(name, document)


@pytest.fixture(params=[False, True], ids=['plain', 'encrypted'])
def version_1(request, store, bank):
    """(store, section) with PAYLOAD under 'image' in a version-1
    manifest."""
    if request.param:
        store = _encrypted_store(bank)
    section = conftest.section(bank)
    store.write(conftest.stream(PAYLOAD), section, 'image')
    _as_version_1(store, section, 'image',
                  hashlib.sha256(PAYLOAD).hexdigest())
    return store, section


def test_a_new_manifest_records_the_chunk_list_digest(store, bank):
    section = conftest.section(bank)
    store.write(conftest.stream(PAYLOAD), section, 'image')
    document = section.get_json('image')
    assert (document['version'], document['chunks_sha256']) == (
        2, conftest.digest(PAYLOAD))
    assert 'sha256' not in document


def test_a_version_1_manifest_is_read_and_verified(version_1):
    store, section = version_1
    manifest = store.manifest(section, 'image')
    assert (manifest.version, manifest.digest) == (
        1, hashlib.sha256(PAYLOAD).hexdigest())
    assert b''.join(store.read(section, 'image')) == PAYLOAD
    assert store.verify(section, 'image') == manifest


def test_a_version_1_manifest_whose_object_differs_fails_verify(version_1):
    store, section = version_1
    _as_version_1(store, section, 'image',
                  hashlib.sha256(PAYLOAD + b'!').hexdigest())
    with pytest.raises(base.BankCorruption,
                       match='with sha256 %s, not the'
                             % hashlib.sha256(PAYLOAD).hexdigest()):
        store.verify(section, 'image')


def test_a_copy_of_a_version_1_manifest_stays_version_1(version_1, bank):
    source_store, source = version_1
    destination = conftest.section(bank, 'cp-copy')
    _encrypted_store(bank).copy(source, 'image', destination,
                                source=source_store)
    copied = _encrypted_store(bank).verify(destination, 'image')
    assert (copied.version, copied.digest) == (
        1, hashlib.sha256(PAYLOAD).hexdigest())
    assert destination.get_json('image')['version'] == 1


def test_a_sealed_digest_does_not_open_under_another_version(bank):
    store = _encrypted_store(bank)
    section = conftest.section(bank)
    store.write(conftest.stream(PAYLOAD), section, 'image')
    document = section.get_json('image')
    document['version'] = 1
    document['sealed_sha256'] = document.pop('sealed_chunks_sha256')
    section.put_json('image', document)
    with pytest.raises(base.BankCorruption, match='its digest'):
        store.manifest(section, 'image')


def test_a_newer_version_is_refused_clearly(store, bank):
    section = conftest.section(bank)
    store.write(conftest.stream(PAYLOAD), section, 'image')
    document = section.get_json('image')
    document['version'] = 3
    section.put_json('image', document)
    with pytest.raises(base.BankError, match='version 3; this Smaug reads '
                                             'up to 2'):
        store.manifest(section, 'image')


@pytest.mark.parametrize('version', [None, 0, True, '2'])
def test_a_manifest_without_a_known_version_is_corrupt(store, bank,
                                                       version):
    section = conftest.section(bank)
    store.write(conftest.stream(PAYLOAD), section, 'image')
    document = section.get_json('image')
    document['version'] = version
    section.put_json('image', document)
    with pytest.raises(base.BankCorruption, match='no known version'):
        store.manifest(section, 'image')
