"""What every bank plugin does, as tests each plugin's test class inherits.

A test class deriving from :class:`BankContract` provides the fixture
``subject``: a :class:`Subject` holding a fresh, empty plugin and a way to
let time pass (a fake clock for the file system, real time for servers).
"""
import itertools

import pytest

from smaug import exception
from smaug.protection.bank import base

KEYS = ('a', 'a-c', 'a.b', 'a/b', 'a/b/c', 'a/b/d', 'a/x/y/z', 'ab', 'b',
        'z/1', 'checkpoints/2024-05-01T10:00:00.000001Z@id-1')
PREFIXES = ('', 'a', 'a/', 'a/b', 'a/b/', 'z', 'nothing')
MARKERS = (None, 'a', 'a/b', 'a/b/', 'a0', 'b', 'zz', '0')
LIMITS = (None, 1, 2, 5)
# Fewer cases, still crossing every kind of boundary, for plugins behind a
# server.
SERVER_PREFIXES = ('', 'a/', 'a/b', 'nothing')
SERVER_MARKERS = (None, 'a/b', 'a0', 'zz')
SERVER_LIMITS = (None, 2)


class Subject:
    """A plugin under test.

    :param pass_time: callable(seconds) after which leases that ended
        within ``seconds`` are seen as ended.
    """

    def __init__(self, plugin, pass_time):
        self.plugin = plugin
        self.pass_time = pass_time


def expected_listing(keys, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
    """The listing a plugin must return, from a list of the keys it holds."""
    chosen = [key for key in sorted(keys, reverse=sort_dir == 'desc')
              if key.startswith(prefix) and
              base.after_marker(key, marker, sort_dir)]
    return chosen if limit is None else chosen[:limit]


class BankContract:
    """Tests every plugin passes. Classes testing a plugin behind a server
    may narrow the listing cases, each of which is a request."""

    listing_prefixes = PREFIXES
    listing_markers = MARKERS
    listing_limits = LIMITS

    @pytest.fixture
    def plugin(self, subject):
        return subject.plugin

    @pytest.fixture
    def filled(self, plugin):
        for key in KEYS:
            plugin.put_object(key, key.encode(), {'key-length':
                                                  str(len(key))})
        return plugin

    def test_object_round_trip_keeps_data_and_metadata(self, plugin):
        data = bytes(range(256)) * 64

        plugin.put_object('checkpoints/1/data/0', data,
                          {'smaug-sha256': 'x' * 64, 'part': '0'})

        assert plugin.get_object('checkpoints/1/data/0') == data
        assert plugin.get_object_with_metadata('checkpoints/1/data/0') == (
            data, {'smaug-sha256': 'x' * 64, 'part': '0'})
        assert plugin.head_object('checkpoints/1/data/0') == base.ObjectInfo(
            len(data), {'smaug-sha256': 'x' * 64, 'part': '0'})

    def test_empty_object(self, plugin):
        plugin.put_object('empty', b'')

        assert plugin.get_object_with_metadata('empty') == (b'', {})
        assert plugin.head_object('empty').size == 0

    def test_put_replaces_data_and_metadata(self, plugin):
        plugin.put_object('k', b'old', {'version': '1'})

        plugin.put_object('k', b'new', {'other': '2'})

        assert plugin.get_object_with_metadata('k') == (b'new',
                                                        {'other': '2'})

    def test_missing_object_is_not_found(self, plugin):
        with pytest.raises(base.BankObjectNotFound, match='no/such'):
            plugin.get_object('no/such')
        with pytest.raises(base.BankObjectNotFound):
            plugin.head_object('no/such')

    def test_delete_is_idempotent(self, plugin):
        plugin.put_object('a/b', b'x')

        plugin.delete_object('a/b')
        plugin.delete_object('a/b')
        plugin.delete_object('never/written')

        with pytest.raises(base.BankObjectNotFound):
            plugin.get_object('a/b')
        assert plugin.list_objects() == []

    def test_a_key_and_keys_under_it_coexist(self, plugin):
        plugin.put_object('a', b'1')
        plugin.put_object('a/b', b'2')

        assert (plugin.get_object('a'), plugin.get_object('a/b')) == (
            b'1', b'2')
        plugin.delete_object('a')
        assert plugin.list_objects() == ['a/b']

    def test_invalid_keys_are_refused(self, plugin):
        for key in ('/a', 'a/', 'a/../b', 'a b', ''):
            with pytest.raises(base.InvalidBankKey):
                plugin.put_object(key, b'x')
        with pytest.raises(base.InvalidBankKey):
            plugin.get_object('a//b')

    def test_listing_is_sorted_both_ways(self, filled):
        assert filled.list_objects() == sorted(KEYS)
        assert filled.list_objects(sort_dir='desc') == sorted(KEYS,
                                                              reverse=True)

    def test_listing_honours_prefix_marker_limit_and_direction(self,
                                                                filled):
        for prefix, marker, limit, sort_dir in itertools.product(
                self.listing_prefixes, self.listing_markers,
                self.listing_limits, base.SORT_DIRS):
            assert filled.list_objects(prefix, marker, limit, sort_dir) == (
                expected_listing(KEYS, prefix, marker, limit, sort_dir)), (
                prefix, marker, limit, sort_dir)

    @pytest.mark.parametrize('sort_dir', base.SORT_DIRS)
    def test_pages_chained_by_marker_list_everything_once(self, filled,
                                                          sort_dir):
        pages, marker = [], None
        while True:
            page = filled.list_objects(marker=marker, limit=3,
                                       sort_dir=sort_dir)
            if not page:
                break
            pages.append(page)
            marker = page[-1]

        assert [key for page in pages for key in page] == sorted(
            KEYS, reverse=sort_dir == 'desc')
        assert [len(page) for page in pages] == [3, 3, 3, 2]

    def test_limit_zero_lists_nothing(self, filled):
        assert filled.list_objects(limit=0) == []

    def test_bad_listing_arguments_are_refused(self, plugin):
        with pytest.raises(exception.InvalidInput):
            plugin.list_objects(sort_dir='up')
        with pytest.raises(exception.InvalidInput):
            plugin.list_objects(limit=-1)
        with pytest.raises(base.InvalidBankKey):
            plugin.list_objects(prefix='/a')

    def test_lease_has_one_owner_at_a_time(self, plugin):
        assert plugin.acquire_lease('checkpoints/1', 'agent-a', 60)

        assert not plugin.acquire_lease('checkpoints/1', 'agent-b', 60)
        assert plugin.get_lease('checkpoints/1').owner == 'agent-a'
        assert plugin.acquire_lease('checkpoints/1', 'agent-a', 60)
        assert plugin.get_lease('checkpoints/2') is None

    def test_lease_renewal_is_the_owners_only(self, plugin, subject):
        start = subject.plugin.clock()
        plugin.acquire_lease('checkpoints/1', 'agent-a', 60)

        assert not plugin.renew_lease('checkpoints/1', 'agent-b', 600)
        assert plugin.renew_lease('checkpoints/1', 'agent-a', 600)
        lease = plugin.get_lease('checkpoints/1')
        assert lease.owner == 'agent-a'
        assert lease.expires_at >= start + 600
        assert not plugin.renew_lease('checkpoints/2', 'agent-a', 60)

    def test_lease_release_is_the_owners_only(self, plugin):
        plugin.acquire_lease('checkpoints/1', 'agent-a', 60)

        assert not plugin.release_lease('checkpoints/1', 'agent-b')
        assert plugin.get_lease('checkpoints/1').owner == 'agent-a'
        assert plugin.release_lease('checkpoints/1', 'agent-a')
        assert plugin.get_lease('checkpoints/1') is None
        assert plugin.acquire_lease('checkpoints/1', 'agent-b', 60)
        assert not plugin.release_lease('checkpoints/2', 'agent-a')

    def test_expired_lease_is_free(self, plugin, subject):
        plugin.acquire_lease('checkpoints/1', 'agent-a', 1)

        subject.pass_time(1)

        assert plugin.get_lease('checkpoints/1') is None
        assert not plugin.renew_lease('checkpoints/1', 'agent-a', 60)
        assert plugin.acquire_lease('checkpoints/1', 'agent-b', 60)
        assert plugin.get_lease('checkpoints/1').owner == 'agent-b'

    def test_leases_are_not_objects(self, plugin):
        plugin.acquire_lease('checkpoints/1', 'agent-a', 60)

        assert plugin.list_objects() == []
        with pytest.raises(base.BankObjectNotFound):
            plugin.get_object('checkpoints/1')

    def test_bad_lease_arguments_are_refused(self, plugin):
        with pytest.raises(base.InvalidBankKey):
            plugin.acquire_lease('/x', 'agent-a', 60)
        with pytest.raises(exception.InvalidInput):
            plugin.acquire_lease('x', '', 60)
        with pytest.raises(exception.InvalidInput):
            plugin.acquire_lease('x', 'agent-a', 0)
