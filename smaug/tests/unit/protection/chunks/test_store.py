"""The chunk store on a file-system bank: round trips, zeros, dedup,
incremental writes, corruption."""
import io

import pytest

from smaug import exception
from smaug.protection.bank import base
from smaug.protection.chunks import errors
from smaug.protection.chunks import layout
from smaug.tests.unit.protection.chunks import conftest

CHUNK = conftest.CHUNK


class Trickle(io.RawIOBase):
    """A stream that returns at most 1000 bytes a read, like a socket."""

    def __init__(self, payload):
        self._payload = memoryview(payload)

    def read(self, size=-1):
        part = bytes(self._payload[:min(size, 1000)])
        self._payload = self._payload[len(part):]
        return part


@pytest.mark.parametrize('size', [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 17])
def test_round_trip(store, bank, size):
    payload = conftest.data(size)
    manifest = store.write(conftest.stream(payload), conftest.section(bank),
                           'image')
    assert manifest.size == size
    assert [length for _, length in manifest.chunks] == [
        min(CHUNK, size - start) for start in range(0, size, CHUNK)]
    assert b''.join(store.read(conftest.section(bank), 'image')) == payload
    assert store.verify(conftest.section(bank), 'image').digest == (
        manifest.digest)


def test_short_reads_make_the_same_chunks(store, bank):
    payload = conftest.data(2 * CHUNK + 5)
    whole = store.write(conftest.stream(payload), conftest.section(bank),
                        'a')
    trickled = store.write(Trickle(payload), conftest.section(bank), 'b')
    assert trickled.chunks == whole.chunks
    assert trickled.stats.new_chunks == 0


def test_manifest_is_stored_where_asked_and_read_back(store, bank):
    section = conftest.section(bank)
    written = store.write(conftest.stream(conftest.data(CHUNK + 1)), section,
                          'image')
    assert written.key == section.prefix + '/image'
    assert section.get_json('image')['format'] == 'smaug-chunk-manifest'
    read = store.manifest(section, 'image')
    assert (read.chunks, read.size, read.digest) == (
        written.chunks, written.size, written.digest)


def test_open_reader_reads_in_any_sizes(store, bank):
    payload = conftest.data(3 * CHUNK + 100)
    store.write(conftest.stream(payload), conftest.section(bank), 'image')
    with store.open_reader(conftest.section(bank), 'image') as f:
        parts = [f.read(777), f.read(CHUNK * 2), f.read()]
        assert f.read(10) == b''
    assert b''.join(parts) == payload


def test_zero_chunks_are_marked_and_never_stored(store, bank):
    payload = bytes(2 * CHUNK) + conftest.data(CHUNK) + bytes(CHUNK + 3)
    manifest = store.write(conftest.stream(payload), conftest.section(bank),
                           'disk')
    assert [address is None for address, _ in manifest.chunks] == [
        True, True, False, True, True]
    assert manifest.stats.zero_chunks == 4
    assert len(conftest.chunk_keys(bank)) == 1
    assert b''.join(store.read(conftest.section(bank), 'disk')) == payload


def test_repeated_chunks_are_stored_once(store, bank):
    block = conftest.data(CHUNK, seed=5)
    payload = block * 3 + conftest.data(CHUNK, seed=6) + block
    manifest = store.write(conftest.stream(payload), conftest.section(bank),
                           'image')
    assert len(conftest.chunk_keys(bank)) == 2
    assert manifest.stats.new_chunks == 2
    assert manifest.stats.reused_chunks == 3
    assert b''.join(store.read(conftest.section(bank), 'image')) == payload


def test_compressible_chunks_are_stored_smaller(store, bank):
    payload = b'the same words again and again ' * (4 * CHUNK // 31)
    manifest = store.write(conftest.stream(payload), conftest.section(bank),
                           'text')
    assert manifest.stats.bytes_written < len(payload) / 20
    assert b''.join(store.read(conftest.section(bank), 'text')) == payload


def _bank_objects(bank):
    return set(bank.list_objects(''))


def test_unchanged_reprotect_writes_only_a_manifest(store, bank):
    payload = conftest.data(20 * CHUNK)
    store.write(conftest.stream(payload), conftest.section(bank, 'cp-1'),
                'image')
    before = _bank_objects(bank)
    again = store.write(conftest.stream(payload),
                        conftest.section(bank, 'cp-2'), 'image')
    new = _bank_objects(bank) - before
    manifest_key = conftest.section(bank, 'cp-2').prefix + '/image'
    assert new == {manifest_key, layout.ref_key(manifest_key)}
    assert again.stats.bytes_written == 0
    assert again.stats.reused_chunks == 20


def test_changed_reprotect_writes_only_changed_chunks(store, bank):
    payload = bytearray(conftest.data(20 * CHUNK))
    store.write(conftest.stream(bytes(payload)),
                conftest.section(bank, 'cp-1'), 'image')
    payload[5 * CHUNK + 10:5 * CHUNK + 20] = b'x' * 10
    payload[12 * CHUNK] ^= 1
    again = store.write(conftest.stream(bytes(payload)),
                        conftest.section(bank, 'cp-2'), 'image')
    assert again.stats.new_chunks == 2
    assert len(conftest.chunk_keys(bank)) == 22
    assert b''.join(store.read(conftest.section(bank, 'cp-2'),
                               'image')) == bytes(payload)


def test_progress_reports_bytes_and_total(store, bank):
    calls = []
    size = 5 * CHUNK + 1
    store.write(conftest.stream(conftest.data(size)), conftest.section(bank),
                'image', progress=lambda done, total: calls.append(
                    (done, total)), size=size)
    assert calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_stream_of_the_wrong_size_is_refused(store, bank):
    with pytest.raises(exception.InvalidInput, match='10 bytes where 11'):
        store.write(conftest.stream(b'0123456789'), conftest.section(bank),
                    'image', size=11)
    with pytest.raises(base.BankObjectNotFound):
        store.manifest(conftest.section(bank), 'image')


def test_a_read_only_section_is_refused_before_anything_is_written(
        store, bank):
    with pytest.raises(base.BankReadOnly):
        store.write(conftest.stream(conftest.data(CHUNK)),
                    conftest.section(bank).read_only(), 'image')
    assert _bank_objects(bank) == set()


def test_delete_removes_the_manifest_and_its_reference(store, bank):
    section = conftest.section(bank)
    store.write(conftest.stream(conftest.data(CHUNK)), section, 'image')
    store.delete(section, 'image')
    assert bank.list_objects('chunks/refs/') == []
    with pytest.raises(base.BankObjectNotFound):
        store.manifest(section, 'image')
    assert len(conftest.chunk_keys(bank)) == 1  # until collected


# Corruption


def _chunk_file(bank, address):
    return bank.plugin._object_path(layout.chunk_key(address))


def _damage(path, offset=-1):
    with open(path, 'r+b') as f:
        f.seek(offset, 2)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0x55]))


@pytest.fixture
def written(store, bank):
    payload = conftest.data(4 * CHUNK)
    manifest = store.write(conftest.stream(payload), conftest.section(bank),
                           'image')
    return manifest


@pytest.mark.parametrize('offset', [-1, -CHUNK // 2])
def test_a_damaged_chunk_is_named_by_read_and_verify(store, bank, written,
                                                     offset):
    address = written.chunks[2][0]
    _damage(_chunk_file(bank, address), offset)
    for check in (lambda: b''.join(store.read(conftest.section(bank),
                                              'image')),
                  lambda: store.verify(conftest.section(bank), 'image')):
        with pytest.raises(errors.ChunkCorruption) as caught:
            check()
        message = str(caught.value)
        assert written.key in message
        assert address in message
        assert 'Chunk 2 ' in message


def test_a_missing_chunk_is_named(store, bank, written):
    address = written.chunks[1][0]
    bank.plugin.delete_object(layout.chunk_key(address))
    with pytest.raises(errors.ChunkCorruption,
                       match='Chunk 1 .*%s.*missing' % address):
        store.verify(conftest.section(bank), 'image')


def test_a_chunk_swapped_for_another_is_detected(store, bank, written):
    first, second = written.chunks[0][0], written.chunks[1][0]
    with open(_chunk_file(bank, second), 'rb') as f:
        other = f.read()
    with open(_chunk_file(bank, first), 'wb') as f:
        f.write(other)
    with pytest.raises(errors.ChunkCorruption,
                       match='does not match its address'):
        store.verify(conftest.section(bank), 'image')


def test_a_damaged_manifest_is_named(store, bank, written):
    section = conftest.section(bank)
    path = bank.plugin._object_path(written.key)
    _damage(path, -5)
    with pytest.raises(base.BankCorruption, match=written.key):
        store.verify(section, 'image')
