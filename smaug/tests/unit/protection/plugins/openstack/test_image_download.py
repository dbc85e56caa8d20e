"""Checking an image's download in a thread of its own: the bytes pass
through unchanged, and the end of a download whose digest differs from
Glance's fails, also through the chunk store, which then writes no
manifest."""
import hashlib
import os
import threading
import types

import pytest

from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import base
from smaug.protection.bank import filesystem
from smaug.protection.chunks import store as store_module
from smaug.protection.plugins.openstack import image_data
from smaug.protection.plugins.openstack import image_download
from smaug.tests.unit.protection.bank import testbanks

PIECE = 64 * 1024
DATA = os.urandom(20 * PIECE + 123)


class Images:
    """glanceclient's ``images`` for one image: its record and its body,
    in pieces, maybe not the bytes the record's digests were made of."""

    def __init__(self, record, served=DATA):
        self.record = record
        self.served = served
        self.data_calls = []
        self.body_closed = False

    def get(self, image_id):
        return dict(self.record, id=image_id)

    def data(self, image_id, **kwargs):
        self.data_calls.append(kwargs)
        return self._body()

    def _body(self):
        try:
            for start in range(0, len(self.served), PIECE):
                yield self.served[start:start + PIECE]
        finally:
            self.body_closed = True


def _glance(record, served=DATA):
    return types.SimpleNamespace(images=Images(record, served))


def _record(data=DATA, algorithm='sha512'):
    return {'os_hash_algo': algorithm,
            'os_hash_value': hashlib.new(algorithm, data).hexdigest(),
            'checksum': hashlib.md5(data, usedforsecurity=False).hexdigest()}


def _damaged(data=DATA):
    changed = bytearray(data)
    changed[len(data) // 2] ^= 1
    return bytes(changed)


def _hash_threads():
    return [thread for thread in threading.enumerate()
            if thread.name.startswith('hash-')]


def test_a_sound_download_passes_unchanged_and_unchecked_by_glanceclient():
    glance = _glance(_record())

    assert b''.join(image_download.checked_data(glance, 'img')) == DATA
    assert glance.images.data_calls == [{'do_checksum': False}]
    assert glance.images.body_closed
    assert _hash_threads() == []


@pytest.mark.parametrize('record', [
    _record(), _record(algorithm='sha256'),
    dict(_record(), os_hash_value=None, os_hash_algo=None)],
    ids=['sha512', 'sha256', 'md5 checksum only'])
def test_a_damaged_download_fails_at_its_end(record):
    glance = _glance(record, served=_damaged())
    pieces = []

    with pytest.raises(image_download.ImageDownloadCorrupt,
                       match='Corrupt download of image img: its') as caught:
        for piece in image_download.checked_data(glance, 'img'):
            pieces.append(piece)

    assert b''.join(pieces) == _damaged()
    expected = record['os_hash_value'] or record['checksum']
    assert expected in str(caught.value)
    assert glance.images.body_closed
    assert _hash_threads() == []


def test_a_download_cut_short_fails():
    glance = _glance(_record(), served=DATA[:-1])

    with pytest.raises(image_download.ImageDownloadCorrupt):
        b''.join(image_download.checked_data(glance, 'img'))


def test_an_image_without_digests_is_passed_as_glance_serves_it():
    glance = _glance({'os_hash_value': None, 'checksum': None},
                     served=_damaged())

    assert b''.join(image_download.checked_data(glance, 'img')) == (
        _damaged())


def test_an_unknown_algorithm_is_refused_before_the_download():
    glance = _glance(dict(_record(), os_hash_algo='no-such-hash'))

    with pytest.raises(ValueError):
        image_download.checked_data(glance, 'img')
    assert glance.images.data_calls == []


def test_closing_a_download_early_stops_its_thread_and_closes_the_body():
    glance = _glance(_record())
    reader = image_data.BodyReader(image_download.checked_data(glance, 'img'))
    assert reader.read(3 * PIECE) == DATA[:3 * PIECE]

    reader.close()

    assert glance.images.body_closed
    assert _hash_threads() == []


def test_the_thread_hashes_many_pieces_in_order():
    pieces = [os.urandom(1000 + n) for n in range(
        3 * image_download.QUEUED_PIECES)]
    background = image_download.BackgroundHash(hashlib.sha512())
    for piece in pieces:
        background.update(piece)

    assert background.hexdigest() == hashlib.sha512(
        b''.join(pieces)).hexdigest()


@pytest.fixture
def store(tmp_path):
    conf = testbanks.file_system_conf(tmp_path / 'bank')
    conf.set_override('fsync', False, group=filesystem.GROUP)
    bank = bank_module.Bank(filesystem.FileSystemBankPlugin(conf),
                            name='file-system')
    return store_module.ChunkStore(bank)


def test_a_damaged_download_becomes_no_manifest(store):
    section = store.bank.section('checkpoints/cp-1/image')
    glance = _glance(_record(), served=_damaged())

    with pytest.raises(image_download.ImageDownloadCorrupt):
        image_data.save_data(glance, 'img', len(DATA), store, section)

    with pytest.raises(base.BankObjectNotFound):
        store.manifest(section, image_data.DATA)
    assert _hash_threads() == []


def test_a_sound_download_is_saved(store):
    section = store.bank.section('checkpoints/cp-1/image')

    manifest = image_data.save_data(_glance(_record()), 'img', len(DATA),
                                    store, section)

    assert b''.join(store.read(section, image_data.DATA)) == DATA
    assert manifest.size == len(DATA)
