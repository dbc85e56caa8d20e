"""The chunk store on the Swift bank of the test cloud."""
import random
import uuid

import pytest

from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import checkpoint_layout
from smaug.protection.bank import swift
from smaug.protection.chunks import errors
from smaug.protection.chunks import layout
from smaug.protection.chunks import store as store_module
from smaug.tests.functional.bank import test_swift
from smaug.tests.unit.protection.chunks import conftest as chunk_conftest

CHUNK = 8 * 1024
# Smaller than the manifest of CHUNKS chunks, larger than any chunk: the
# manifest becomes a static large object, chunks stay plain objects.
SEGMENT_SIZE = 12 * 1024
CHUNKS = 256


@pytest.fixture
def container(devcloud):
    name = 'smaug-chunks-%s' % uuid.uuid4().hex[:12]
    yield name
    test_swift._remove_containers(devcloud.swift('demo'), name)


@pytest.fixture
def bank(devcloud, container):
    conf = test_swift.swift_conf(container, segment_size=SEGMENT_SIZE)
    return bank_module.Bank(
        swift.SwiftBankPlugin(conf, session=devcloud.session('demo')),
        name='swift')


def _store(bank, **options):
    values = {'chunk_size': CHUNK, 'threads': 4, 'chunks_in_flight': 8,
              'gc_settle_seconds': 1}
    values.update(options)
    return store_module.ChunkStore.for_bank(
        bank, chunk_conftest.make_conf(**values), project_id='demo')


def _payload():
    rng = random.Random(7)
    parts = []
    for index in range(CHUNKS):
        kind = index % 4
        if kind == 0:
            parts.append(bytes(CHUNK))
        elif kind == 1:
            parts.append((b'%08d compressible words ' % index
                          * CHUNK)[:CHUNK])
        else:
            parts.append(rng.randbytes(CHUNK))
    return b''.join(parts)


def _section(bank, checkpoint):
    return checkpoint_layout.resource_section(bank, checkpoint,
                                              'OS::Glance::Image#image-1')


def _objects(connection, container):
    _, listing = connection.get_container(container, full_listing=True)
    return {entry['name'] for entry in listing}


def test_write_reread_reprotect_corrupt_delete_collect(devcloud, container,
                                                       bank):
    connection = devcloud.swift('demo')
    store = _store(bank)
    payload = _payload()
    first = store.write(chunk_conftest.stream(payload),
                        _section(bank, 'cp-1'), 'data')
    assert first.stats.zero_chunks == CHUNKS // 4
    assert first.stats.new_chunks == 3 * CHUNKS // 4
    assert b''.join(store.read(_section(bank, 'cp-1'), 'data')) == payload
    assert store.verify(_section(bank, 'cp-1'), 'data').digest == (
        first.digest)
    # The manifest outgrew a segment: Swift holds it as a large object.
    headers = connection.head_object(container, first.key)
    assert headers['x-static-large-object'] == 'True'

    before = _objects(connection, container)
    again = store.write(chunk_conftest.stream(payload),
                        _section(bank, 'cp-2'), 'data')
    assert again.stats.bytes_written == 0
    assert _objects(connection, container) - before == {
        again.key, layout.ref_key(again.key)}

    damaged = first.chunks[2][0]
    stored = connection.get_object(container, layout.chunk_key(damaged))[1]
    connection.put_object(container, layout.chunk_key(damaged),
                          stored[:-1] + bytes([stored[-1] ^ 1]))
    with pytest.raises(errors.ChunkCorruption) as caught:
        store.verify(_section(bank, 'cp-2'), 'data')
    assert again.key in str(caught.value) and damaged in str(caught.value)

    store.delete(_section(bank, 'cp-1'), 'data')
    assert store.collect_garbage().chunks_removed == 0  # cp-2 needs them
    store.delete(_section(bank, 'cp-2'), 'data')
    report = store.collect_garbage()
    assert report.chunks_removed == 3 * CHUNKS // 4
    assert report.bytes_freed > 0
    assert bank.list_objects('chunks/data/') == []
    _, segments = connection.get_container(container + '_segments')
    assert segments == []


def test_encrypted_round_trip_and_a_wrong_key(devcloud, bank):
    payload = _payload()[:32 * CHUNK]
    store = _store(bank, encryption_key=chunk_conftest.KEY)
    store.write(chunk_conftest.stream(payload), _section(bank, 'cp-1'),
                'data')
    assert b''.join(store.read(_section(bank, 'cp-1'), 'data')) == payload
    wrong = _store(bank, encryption_key=chunk_conftest.OTHER_KEY)
    with pytest.raises(errors.ChunkKeyError, match='wrapped by the key'):
        wrong.verify(_section(bank, 'cp-1'), 'data')
