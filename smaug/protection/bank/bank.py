"""The bank every checkpoint object goes through: checksums, JSON, views.

:class:`Bank` wraps the provider's bank plugin. Every object it writes
carries the SHA-256 of its data in the metadata ``smaug-sha256``, and every
read checks it: a bank that returns other bytes than were written (bit rot,
a truncated copy, a hand edit) raises :class:`BankCorruption` naming the key
rather than letting a restore use them.

:class:`BankSection` confines a user of the bank, such as a protection
plugin working on one resource, to the keys under one prefix, and can make
them read-only (a restore reads a checkpoint and must never change it).
"""
import hashlib
import json

from oslo_config import cfg
from stevedore import driver
from stevedore import exception as stevedore_exception

from smaug.protection.bank import base

NAMESPACE = 'smaug.banks'
CHECKSUM = 'smaug-sha256'
RESERVED_METADATA_PREFIX = 'smaug-'

BankCorruption = base.BankCorruption
BankObjectNotFound = base.BankObjectNotFound
BankReadOnly = base.BankReadOnly


def _checked_metadata(metadata):
    metadata = base.validate_metadata(metadata)
    for name in metadata:
        if name.startswith(RESERVED_METADATA_PREFIX):
            raise base.InvalidBankMetadata(
                name=name, reason='names starting with %s are kept for the '
                                  'bank' % RESERVED_METADATA_PREFIX)
    return metadata


def encode_json(value):
    """The bytes the bank stores for a JSON document (keys sorted)."""
    return json.dumps(value, sort_keys=True, separators=(',', ':')).encode()


class Bank:
    """A provider's bank: a plugin, with checksums checked on every read.

    :param plugin: a :class:`~smaug.protection.bank.base.BankPlugin`.
    :param name: what error messages call the bank.
    """

    def __init__(self, plugin, name=None):
        self.plugin = plugin
        self.name = name or type(plugin).__name__

    @classmethod
    def from_provider(cls, provider):
        """The bank of ``provider``, with its plugin loaded by name.

        :param provider: a :class:`smaug.protection.providers.Provider`;
            its ``bank_name`` names a ``smaug.banks`` entry point, and its
            ``config`` holds the plugin's section.
        :raises BankConfigError: for an unknown plugin or a bad section.
        """
        try:
            plugin_class = driver.DriverManager(
                NAMESPACE, provider.bank_name, invoke_on_load=False).driver
        except (stevedore_exception.NoMatches, RuntimeError) as error:
            raise base.BankConfigError(
                bank=provider.bank_name,
                reason='no bank plugin has this name (%s)' % error)
        plugin_class.register_opts(provider.config)
        try:
            plugin = plugin_class(provider.config)
        except cfg.Error as error:
            raise base.BankConfigError(bank=provider.bank_name,
                                       reason=str(error))
        return cls(plugin, name=provider.bank_name)

    # Objects

    def put_object(self, key, data, metadata=None):
        """Store ``data`` (bytes) with its checksum; see the plugin's.

        :raises InvalidBankMetadata: for names starting with ``smaug-``.
        """
        metadata = _checked_metadata(metadata)
        data = bytes(data)
        metadata[CHECKSUM] = hashlib.sha256(data).hexdigest()
        self.plugin.put_object(key, data, metadata)

    def get_object_with_metadata(self, key):
        """:returns: (data, metadata), the checksum checked.

        :raises BankObjectNotFound:
        :raises BankCorruption: when the data does not match its checksum.
        """
        data, metadata = self.plugin.get_object_with_metadata(key)
        expected = metadata.get(CHECKSUM)
        if expected is None:
            raise base.BankCorruption(key=key, reason='it has no checksum')
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise base.BankCorruption(
                key=key, reason='its data has SHA-256 %s, not the %s it was '
                                'written with' % (actual, expected))
        return data, metadata

    def get_object(self, key):
        """:returns: the data at ``key``, checked against its checksum.

        :raises BankObjectNotFound:
        :raises BankCorruption:
        """
        return self.get_object_with_metadata(key)[0]

    def head_object(self, key):
        """:returns: an ObjectInfo (its metadata has ``smaug-sha256``).

        :raises BankObjectNotFound:
        """
        return self.plugin.head_object(key)

    def delete_object(self, key):
        self.plugin.delete_object(key)

    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        """Sorted keys, paged with ``marker``; see the plugin's."""
        return self.plugin.list_objects(prefix=prefix, marker=marker,
                                        limit=limit, sort_dir=sort_dir)

    def put_json(self, key, value, metadata=None):
        self.put_object(key, encode_json(value), metadata)

    def get_json(self, key):
        """:raises BankObjectNotFound, BankCorruption:"""
        return _decode_json(key, self.get_object(key))

    def section(self, prefix, writable=True):
        """The keys under ``prefix/``, as a :class:`BankSection`."""
        return BankSection(self, prefix, writable)

    # Leases

    def acquire_lease(self, name, owner, ttl_seconds):
        return self.plugin.acquire_lease(name, owner, ttl_seconds)

    def renew_lease(self, name, owner, ttl_seconds):
        return self.plugin.renew_lease(name, owner, ttl_seconds)

    def release_lease(self, name, owner):
        return self.plugin.release_lease(name, owner)

    def get_lease(self, name):
        return self.plugin.get_lease(name)


def _decode_json(key, data):
    try:
        return json.loads(data)
    except ValueError as error:
        raise base.BankCorruption(key=key,
                                  reason='it is not JSON (%s)' % error)


class BankSection:
    """The keys of a bank under ``prefix/``, named relative to it.

    :param bank: a :class:`Bank`.
    :param prefix: a valid key; the section holds ``prefix/<key>``.
    :param writable: False to refuse every change with BankReadOnly.
    """

    def __init__(self, bank, prefix, writable=True):
        self.bank = bank
        self.prefix = base.validate_key(prefix, what='section prefix')
        self.writable = bool(writable)

    def __repr__(self):
        return '<BankSection %s (%s)>' % (
            self.prefix, 'writable' if self.writable else 'read-only')

    def _full(self, key):
        return self.prefix + '/' + base.validate_key(key)

    def _check_writable(self, key):
        if not self.writable:
            raise base.BankReadOnly(prefix=self.prefix, key=key)

    def put_object(self, key, data, metadata=None):
        """:raises BankReadOnly: for a read-only section."""
        self._check_writable(key)
        self.bank.put_object(self._full(key), data, metadata)

    def put_json(self, key, value, metadata=None):
        """:raises BankReadOnly: for a read-only section."""
        self.put_object(key, encode_json(value), metadata)

    def delete_object(self, key):
        """:raises BankReadOnly: for a read-only section."""
        self._check_writable(key)
        self.bank.delete_object(self._full(key))

    def get_object(self, key):
        return self.bank.get_object(self._full(key))

    def get_object_with_metadata(self, key):
        return self.bank.get_object_with_metadata(self._full(key))

    def get_json(self, key):
        return self.bank.get_json(self._full(key))

    def head_object(self, key):
        return self.bank.head_object(self._full(key))

    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        """Keys of the section, relative to it; see Bank.list_objects."""
        base.validate_prefix(prefix)
        if marker is not None:
            marker = self.prefix + '/' + marker
        start = len(self.prefix) + 1
        return [key[start:] for key in self.bank.list_objects(
            self.prefix + '/' + prefix, marker, limit, sort_dir)]

    def section(self, prefix, writable=None):
        """A section under this one; read-only if this one is.

        :raises BankReadOnly: when asking a read-only section for a
            writable one.
        """
        if writable is None:
            writable = self.writable
        if writable and not self.writable:
            raise base.BankReadOnly(prefix=self.prefix, key=prefix)
        return BankSection(self.bank, self._full(prefix), writable)

    def read_only(self):
        """The same keys, read-only."""
        return BankSection(self.bank, self.prefix, writable=False)
