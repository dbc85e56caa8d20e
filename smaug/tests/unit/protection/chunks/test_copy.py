"""Copies of stored objects into other checkpoints, banks and keys, on
file-system banks: the copy reads back from its own bank alone."""
import shutil
import threading
import time

import pytest

from smaug.protection.bank import base
from smaug.protection.chunks import errors
from smaug.protection.chunks import gc
from smaug.protection.chunks import keys
from smaug.protection.chunks import layout
from smaug.protection.chunks import leases
from smaug.protection.chunks import store as store_module
from smaug.tests.unit.protection.chunks import conftest

CHUNK = conftest.CHUNK
#: Three random chunks, a chunk of zeros, a repeated chunk and a short one.
PAYLOAD = (conftest.data(3 * CHUNK) + bytes(CHUNK) +
           conftest.data(CHUNK) + conftest.data(CHUNK // 3, seed=7))
STORED_CHUNKS = 4  # the zero chunk is a marker, the repeat stored once
#: PAYLOAD with its third chunk changed, as protected again later.
CHANGED = (PAYLOAD[:2 * CHUNK] + conftest.data(CHUNK, seed=9) +
           PAYLOAD[3 * CHUNK:])


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setattr(leases.WriterLease, 'POLL_SECONDS', 0.05)
    monkeypatch.setattr(gc, 'POLL_SECONDS', 0.05)


def _store(bank, key=None, project_id='p1'):
    overrides = {'encryption_key': key} if key else {}
    return store_module.ChunkStore.for_bank(
        bank, conftest.make_conf(**overrides), project_id)


@pytest.fixture
def other_bank(tmp_path):
    return conftest.make_bank(tmp_path / 'other-bank')


def _source(store, bank):
    section = conftest.section(bank, 'cp-source')
    store.write(conftest.stream(PAYLOAD), section, 'image')
    return section.read_only()


def _read(store, bank, checkpoint):
    return b''.join(store.read(conftest.section(bank, checkpoint), 'image'))


def _data_key(bank, key, scope='p1'):
    return keys.read_data_key(bank, scope, keys.WrappingKeys.from_conf(
        conftest.make_conf(encryption_key=key).chunk_store))


def _fetched_chunks(bank):
    """The addresses of the chunks read from ``bank`` from now on."""
    fetched = []
    get = bank.plugin.get_object_with_metadata

    def counting_get(key):
        if key.startswith(layout.DATA):
            fetched.append(layout.address_of(key))
        return get(key)

    bank.plugin.get_object_with_metadata = counting_get
    return fetched


def _drop_source(store, bank):
    """Delete the source's manifest and collect its bank."""
    store.delete(conftest.section(bank, 'cp-source'), 'image')
    return store.collect_garbage()


def test_a_copy_in_the_same_bank_writes_only_its_manifest(store, bank):
    source = _source(store, bank)
    before = set(bank.list_objects(''))
    fetched = []
    get = bank.plugin.get_object_with_metadata
    bank.plugin.get_object_with_metadata = lambda key: (
        fetched.append(key) or get(key))

    copied = store.copy(source, 'image', conftest.section(bank, 'cp-copy'))

    key = conftest.section(bank, 'cp-copy').prefix + '/image'
    assert set(bank.list_objects('')) - before == {key, layout.ref_key(key)}
    assert not [key for key in fetched if key.startswith(layout.DATA)]
    assert (copied.key, copied.stats.new_chunks,
            copied.stats.reused_chunks, copied.stats.zero_chunks) == (
        key, 0, 5, 1)
    # The copy's own reference keeps the chunks once the source is gone.
    assert _drop_source(store, bank).chunks_removed == 0
    assert _read(store, bank, 'cp-copy') == PAYLOAD


def test_a_copy_in_another_bank_reads_without_the_source(store, bank,
                                                         other_bank):
    source = _source(store, bank)
    destination = _store(other_bank)
    progress = []

    copied = destination.copy(source, 'image',
                              conftest.section(other_bank, 'cp-copy'),
                              progress=lambda done, size: progress.append(
                                  (done, size)))

    original = store.manifest(source, 'image')
    # Unencrypted on both sides: chunks keep their names and stored form.
    assert copied.chunks == original.chunks
    assert (copied.stats.new_chunks, copied.stats.zero_chunks) == (
        STORED_CHUNKS, 1)
    for address in original.addresses():
        chunk = layout.chunk_key(address)
        assert (other_bank.plugin.get_object_with_metadata(chunk)[0] ==
                bank.plugin.get_object_with_metadata(chunk)[0])
    assert progress[-1] == (len(PAYLOAD), len(PAYLOAD))
    shutil.rmtree(bank.plugin.root)
    assert destination.verify(conftest.section(other_bank, 'cp-copy'),
                              'image').digest == original.digest
    assert _read(destination, other_bank, 'cp-copy') == PAYLOAD


@pytest.mark.parametrize('source_key, destination_key, project_id', [
    (None, conftest.KEY, 'p1'),             # encryption turned on
    (conftest.KEY, None, 'p1'),             # and off
    (conftest.KEY, conftest.KEY, 'p2'),     # another project's data key
])
def test_a_copy_is_encoded_as_its_destination_encodes(
        bank, other_bank, source_key, destination_key, project_id):
    source_store = _store(bank, source_key)
    source = _source(source_store, bank)
    destination = _store(other_bank, destination_key, project_id)

    copied = destination.copy(source, 'image',
                              conftest.section(other_bank, 'cp-copy'),
                              source=source_store)

    original = source_store.manifest(source, 'image')
    assert copied.encrypted == bool(destination_key)
    assert copied.scope == (project_id if destination_key else None)
    assert not copied.addresses() & original.addresses()
    assert [size for _, size in copied.chunks] == [
        size for _, size in original.chunks]
    assert copied.stats.new_chunks == STORED_CHUNKS
    _drop_source(source_store, bank)
    read_back = _store(other_bank, destination_key, project_id)
    assert read_back.verify(conftest.section(other_bank, 'cp-copy'),
                            'image').digest == conftest.digest(PAYLOAD)
    assert _read(read_back, other_bank, 'cp-copy') == PAYLOAD


def test_a_copy_for_another_project_in_the_same_bank_is_sealed_again(bank):
    source_store = _store(bank, conftest.KEY, 'p1')
    source = _source(source_store, bank)
    destination = _store(bank, conftest.KEY, 'p2')

    copied = destination.copy(source, 'image',
                              conftest.section(bank, 'cp-copy'))

    assert copied.scope == 'p2'
    assert copied.stats.new_chunks == STORED_CHUNKS
    assert not copied.addresses() & source_store.manifest(
        source, 'image').addresses()
    _drop_source(source_store, bank)
    assert _read(destination, bank, 'cp-copy') == PAYLOAD


@pytest.mark.parametrize('destination_key', [
    conftest.KEY,
    conftest.OTHER_KEY,  # the same data key, wrapped by another key
])
def test_a_bank_without_a_data_key_takes_the_source_one(
        bank, other_bank, destination_key):
    source_store = _store(bank, conftest.KEY)
    source = _source(source_store, bank)
    destination = _store(other_bank, destination_key)

    first = destination.copy(source, 'image',
                             conftest.section(other_bank, 'cp-1'),
                             source=source_store)

    assert first.chunks == source_store.manifest(source, 'image').chunks
    assert (_data_key(other_bank, destination_key) ==
            _data_key(bank, conftest.KEY))
    assert other_bank.get_json(layout.data_key_key('p1'))['key_id'] == (
        keys.key_id(keys.configured_key(destination_key)))
    changed = conftest.section(bank, 'cp-changed')
    source_store.write(conftest.stream(CHANGED), changed, 'image')
    fetched = _fetched_chunks(bank)

    second = destination.copy(changed.read_only(), 'image',
                              conftest.section(other_bank, 'cp-2'),
                              source=source_store)

    # Only the chunk the destination lacks is read from the source.
    assert fetched == [source_store.manifest(changed, 'image').chunks[2][0]]
    assert second.stats.new_chunks == 1
    shutil.rmtree(bank.plugin.root)
    read_back = _store(other_bank, destination_key)
    assert _read(read_back, other_bank, 'cp-1') == PAYLOAD
    assert _read(read_back, other_bank, 'cp-2') == CHANGED
    assert read_back.verify(conftest.section(other_bank, 'cp-2'),
                            'image').digest == conftest.digest(CHANGED)


def test_a_bank_with_its_own_data_key_keeps_it(bank, other_bank):
    source_store = _store(bank, conftest.KEY)
    source = _source(source_store, bank)
    destination = _store(other_bank, conftest.KEY)
    earlier = conftest.section(other_bank, 'cp-earlier')
    destination.write(conftest.stream(b'earlier'), earlier, 'image')
    own_key = other_bank.get_json(layout.data_key_key('p1'))

    copied = destination.copy(source, 'image',
                              conftest.section(other_bank, 'cp-copy'),
                              source=source_store)

    assert other_bank.get_json(layout.data_key_key('p1')) == own_key
    assert not copied.addresses() & source_store.manifest(
        source, 'image').addresses()
    assert copied.stats.new_chunks == STORED_CHUNKS
    shutil.rmtree(bank.plugin.root)
    read_back = _store(other_bank, conftest.KEY)
    assert _read(read_back, other_bank, 'cp-copy') == PAYLOAD
    assert b''.join(read_back.read(earlier, 'image')) == b'earlier'


def test_a_copy_for_another_project_never_takes_the_source_key(
        bank, other_bank):
    source_store = _store(bank, conftest.KEY, 'p1')
    source = _source(source_store, bank)

    _store(other_bank, conftest.KEY, 'p2').copy(
        source, 'image', conftest.section(other_bank, 'cp-copy'),
        source=source_store)

    assert (_data_key(other_bank, conftest.KEY, 'p2').secret !=
            _data_key(bank, conftest.KEY, 'p1').secret)
    assert other_bank.list_objects(layout.KEYS) == [
        layout.data_key_key('p2')]


@pytest.mark.parametrize('key', [None, conftest.KEY])
def test_an_unchanged_copy_made_again_uploads_nothing(store, bank,
                                                      other_bank, key):
    source = _source(store, bank)
    destination = _store(other_bank, key)
    destination.copy(source, 'image', conftest.section(other_bank, 'cp-1'),
                     source=store)
    chunks = conftest.chunk_keys(other_bank)

    again = destination.copy(source, 'image',
                             conftest.section(other_bank, 'cp-2'),
                             source=store)

    assert (again.stats.new_chunks, again.stats.bytes_written,
            again.stats.reused_chunks) == (0, 0, STORED_CHUNKS + 1)
    assert conftest.chunk_keys(other_bank) == chunks
    assert _read(destination, other_bank, 'cp-2') == PAYLOAD


class Interrupted(Exception):
    pass


def test_an_interrupted_copy_is_collected_then_made_again(store, bank,
                                                          other_bank):
    source = _source(store, bank)
    destination = _store(other_bank)
    put = other_bank.plugin.put_object
    uploads = []

    def failing_put(key, data, metadata=None):
        if key.startswith(layout.DATA):
            uploads.append(key)
            if len(uploads) > 2:
                raise Interrupted()
        put(key, data, metadata)

    other_bank.plugin.put_object = failing_put
    with pytest.raises(Interrupted):
        destination.copy(source, 'image',
                         conftest.section(other_bank, 'cp-copy'))
    other_bank.plugin.put_object = put

    section = conftest.section(other_bank, 'cp-copy')
    with pytest.raises(base.BankObjectNotFound):
        section.get_json('image')
    assert len(conftest.chunk_keys(other_bank)) == 2
    report = destination.collect_garbage()
    assert (report.chunks_removed, report.dangling_refs_removed) == (2, 1)

    copied = destination.copy(source, 'image', section)

    assert copied.stats.new_chunks == STORED_CHUNKS
    _drop_source(store, bank)
    assert destination.verify(section, 'image').size == len(PAYLOAD)


def test_a_damaged_source_chunk_fails_the_copy_and_writes_no_manifest(
        store, bank, other_bank):
    source = _source(store, bank)
    damaged = store.manifest(source, 'image').chunks[1][0]
    path = bank.plugin._object_path(layout.chunk_key(damaged))
    with open(path, 'r+b') as f:
        f.seek(-1, 2)
        last = f.read(1)
        f.seek(-1, 2)
        f.write(bytes([last[0] ^ 0x55]))
    destination = _store(other_bank)

    with pytest.raises(errors.ChunkCorruption,
                       match='Chunk 1 .*%s' % damaged) as caught:
        destination.copy(source, 'image',
                         conftest.section(other_bank, 'cp-copy'))

    assert source.prefix in str(caught.value)
    assert other_bank.list_objects('checkpoints/') == []
    assert not other_bank.plugin.list_objects(layout.chunk_key(damaged))


def test_a_copy_into_a_read_only_section_is_refused(store, bank,
                                                    other_bank):
    source = _source(store, bank)
    with pytest.raises(base.BankReadOnly):
        _store(other_bank).copy(
            source, 'image',
            conftest.section(other_bank, 'cp-copy').read_only())
    assert other_bank.list_objects('') == []


def test_a_copy_holds_a_bounded_number_of_chunks(store, bank, other_bank):
    source = conftest.section(bank, 'cp-source')
    store.write(conftest.stream(conftest.data(40 * CHUNK)), source, 'image')
    gate = threading.Event()
    fetched = []
    get = bank.plugin.get_object_with_metadata
    put = other_bank.plugin.put_object

    def counting_get(key):
        if key.startswith(layout.DATA):
            fetched.append(key)
        return get(key)

    def stalled_put(key, data, metadata=None):
        if key.startswith(layout.DATA):
            assert gate.wait(20)
        put(key, data, metadata)

    bank.plugin.get_object_with_metadata = counting_get
    other_bank.plugin.put_object = stalled_put
    copy = threading.Thread(target=_store(other_bank).copy, args=(
        source, 'image', conftest.section(other_bank, 'cp-copy')))
    copy.start()
    try:
        time.sleep(0.5)
        options = conftest.make_conf().chunk_store
        # Only the chunks being uploaded were fetched, whatever the
        # object's size; the others wait their turn.
        assert len(fetched) == options.threads < options.chunks_in_flight
    finally:
        gate.set()
        copy.join(20)
    assert len(fetched) == 40
    assert len(conftest.chunk_keys(other_bank)) == 40
