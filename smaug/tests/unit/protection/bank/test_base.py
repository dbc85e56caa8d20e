"""The rules every bank applies to keys, prefixes, metadata and listings."""
import pytest

from smaug import exception
from smaug.protection.bank import base


@pytest.mark.parametrize('key', [
    'a',
    'checkpoints/0b0e3c54-7c1a-4c4e-8f3b-3c9d3e2f0a11/index.json',
    'indices/by-plan/p-1/2024-05-01T10:00:00.000001Z@id',
    'resources/OS::Nova::Server@id/data/00000001',
    'a/.hidden/b..c/...',
    'x' * base.MAX_SEGMENT_LENGTH,
    '/'.join(['y' * 99] * 9),
])
def test_valid_keys(key):
    assert base.validate_key(key) == key


@pytest.mark.parametrize('key, reason', [
    ('', 'cannot be empty'),
    (None, 'must be a string'),
    (b'a', 'must be a string'),
    ('/a', 'neither start nor end with /'),
    ('a/', 'neither start nor end with /'),
    ('a//b', 'empty, . or .. segment'),
    ('a/./b', 'empty, . or .. segment'),
    ('a/../b', 'empty, . or .. segment'),
    ('..', 'empty, . or .. segment'),
    ('a b', 'only contain letters, digits'),
    ('a#b', 'only contain letters, digits'),
    ('caf\u00e9', 'only contain letters, digits'),
    ('a\nb', 'only contain letters, digits'),
    ('a\\b', 'only contain letters, digits'),
    ('x' * (base.MAX_SEGMENT_LENGTH + 1), 'each segment'),
    ('/'.join(['y' * 100] * 9), 'at most 900 characters'),
])
def test_invalid_keys_are_refused_saying_why(key, reason):
    with pytest.raises(base.InvalidBankKey, match=reason) as raised:
        base.validate_key(key)

    assert raised.value.code == 400
    assert repr(key) in str(raised.value)


@pytest.mark.parametrize('prefix', ['', 'a', 'a/', 'a/b', 'a/b/', 'a/.',
                                    'indices/by-plan/p/2024-05'])
def test_valid_prefixes(prefix):
    assert base.validate_prefix(prefix) == prefix


@pytest.mark.parametrize('prefix', ['/', '/a', 'a//', 'a/../', 'a b', None])
def test_invalid_prefixes(prefix):
    with pytest.raises(base.InvalidBankKey) as raised:
        base.validate_prefix(prefix)

    assert repr(prefix) in str(raised.value)


def test_metadata_is_checked_and_copied():
    metadata = {'smaug-sha256': 'ab' * 32, 'part': '0'}

    checked = base.validate_metadata(metadata)

    assert checked == metadata and checked is not metadata
    assert base.validate_metadata(None) == {}


@pytest.mark.parametrize('metadata, reason', [
    ({'Upper': 'x'}, 'lowercase'),
    ({'under_score': 'x'}, 'lowercase'),
    ({'-lead': 'x'}, 'lowercase'),
    ({'n': 1}, 'printable ASCII'),
    ({'n': ' padded'}, 'printable ASCII'),
    ({'n': 'caf\u00e9'}, 'printable ASCII'),
    ({'n': ''}, 'printable ASCII'),
    ({'n': 'x' * 257}, 'at most 256'),
    ({'n%d' % i: 'x' * 250 for i in range(9)}, 'at most 2048 bytes'),
])
def test_bad_metadata_is_refused(metadata, reason):
    with pytest.raises(base.InvalidBankMetadata, match=reason):
        base.validate_metadata(metadata)


@pytest.mark.parametrize('limit', [-1, 1.5, '3', True])
def test_bad_limits_are_refused(limit):
    with pytest.raises(exception.InvalidInput, match='limit'):
        base.validate_listing('', None, limit, 'asc')


def test_bad_sort_dir_and_marker_are_refused():
    with pytest.raises(exception.InvalidInput, match='sort_dir'):
        base.validate_listing('', None, None, 'ascending')
    with pytest.raises(exception.InvalidInput, match='marker'):
        base.validate_listing('', 3, None, 'asc')


def test_after_marker_follows_the_direction():
    assert base.after_marker('b', 'a', 'asc')
    assert not base.after_marker('a', 'a', 'asc')
    assert base.after_marker('a', 'b', 'desc')
    assert not base.after_marker('b', 'b', 'desc')
    assert base.after_marker('a', None, 'desc')
