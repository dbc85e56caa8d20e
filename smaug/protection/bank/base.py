"""The bank plugin interface: an object store with leases.

A bank keeps checkpoints as objects named by keys. Keys look like relative
POSIX paths so that every backend (a file system, Swift, S3) can hold them
under the same names, and a bank copied from one backend to another keeps
working. Every backend lists keys in the same byte order, so paging with a
marker gives the same pages everywhere.

Leases let one agent say "I am writing this" to the others sharing a bank:
a lease has an owner and an end, is free once that end has passed, and is
taken atomically, as far as the backend allows (each plugin documents what
its backend guarantees).
"""
import abc
import collections
import re
import time

from smaug import exception

MAX_KEY_LENGTH = 900
"""Swift and S3 allow 1024 bytes; large-object segments add to the key."""

MAX_SEGMENT_LENGTH = 200
"""File systems allow 255 bytes per name; the file-system bank adds a
suffix."""

MAX_METADATA_VALUE_LENGTH = 256
MAX_METADATA_SIZE = 2048
"""S3 allows 2 KiB of user metadata per object, Swift 4 KiB."""

SORT_DIRS = ('asc', 'desc')

_KEY_CHARACTERS = re.compile(r'[A-Za-z0-9/_.\-@:]+\Z')
_METADATA_NAME = re.compile(r'[a-z0-9][a-z0-9-]{0,63}\Z')
_METADATA_VALUE = re.compile(r'[!-~]([ -~]*[!-~])?\Z')

Lease = collections.namedtuple('Lease', ['owner', 'expires_at'])
"""A lease: who holds it and until when (seconds since the epoch)."""

ObjectInfo = collections.namedtuple('ObjectInfo', ['size', 'metadata'])
"""What ``head_object`` tells: the object's size in bytes and metadata."""


class BankError(exception.SmaugException):
    message = 'The bank failed: %(reason)s'


class InvalidBankKey(exception.Invalid):
    message = 'Invalid bank key %(key)r: %(reason)s.'


class InvalidBankMetadata(exception.Invalid):
    message = 'Invalid bank object metadata %(name)r: %(reason)s.'


class BankObjectNotFound(exception.NotFound):
    message = 'Bank object %(key)s could not be found.'


class BankCorruption(BankError):
    message = 'Bank object %(key)s is corrupt: %(reason)s.'


class BankReadOnly(BankError):
    message = ('Bank section %(prefix)s is read-only: %(key)s cannot be '
               'changed.')
    code = 403


class BankUnavailable(exception.ServiceUnavailable):
    message = 'The bank %(bank)s cannot be reached: %(reason)s'


class BankConfigError(BankError):
    message = 'The bank %(bank)s is misconfigured: %(reason)s'


def validate_key(key, what='key'):
    """Check that ``key`` may name a bank object or lease.

    A key is made of ``/``-separated segments of ``A-Z a-z 0-9 _ . - @ :``;
    it neither starts nor ends with ``/``, has no empty, ``.`` or ``..``
    segment, and is at most :data:`MAX_KEY_LENGTH` characters long, each
    segment at most :data:`MAX_SEGMENT_LENGTH`.

    :returns: the key.
    :raises InvalidBankKey: naming the rule it breaks.
    """
    def invalid(reason):
        return InvalidBankKey(key=key, reason=reason)

    if not isinstance(key, str):
        raise invalid('a %s must be a string' % what)
    if not key:
        raise invalid('a %s cannot be empty' % what)
    if len(key) > MAX_KEY_LENGTH:
        raise invalid('a %s is at most %d characters long'
                      % (what, MAX_KEY_LENGTH))
    if not _KEY_CHARACTERS.match(key):
        raise invalid('a %s may only contain letters, digits and / _ . - @ :'
                      % what)
    if key.startswith('/') or key.endswith('/'):
        raise invalid('a %s may neither start nor end with /' % what)
    for segment in key.split('/'):
        if segment in ('', '.', '..'):
            raise invalid('a %s may not have an empty, . or .. segment'
                          % what)
        if len(segment) > MAX_SEGMENT_LENGTH:
            raise invalid('each segment of a %s is at most %d characters'
                          % (what, MAX_SEGMENT_LENGTH))
    return key


def validate_prefix(prefix):
    """Check a listing prefix: a key, a key and ``/``, or empty.

    :returns: the prefix.
    :raises InvalidBankKey:
    """
    if prefix == '':
        return prefix
    if not isinstance(prefix, str):
        raise InvalidBankKey(key=prefix, reason='a prefix must be a string')
    # A prefix may end in the middle of a segment ("2024-05", "a/.") or
    # after a whole one ("checkpoints/"): it is valid if a valid key starts
    # with it.
    try:
        validate_key(prefix, what='prefix')
    except InvalidBankKey:
        try:
            validate_key(prefix + 'x', what='prefix')
        except InvalidBankKey as error:
            raise InvalidBankKey(key=prefix, reason=error.kwargs['reason'])
    return prefix


def validate_metadata(metadata):
    """Check user metadata: {name: value} that every backend keeps as is.

    Names are lowercase letters, digits and ``-`` (HTTP headers lose case);
    values are printable ASCII without surrounding spaces.

    :returns: a new dict (empty for None).
    :raises InvalidBankMetadata:
    """
    metadata = dict(metadata or {})
    size = 0
    for name, value in metadata.items():
        if not isinstance(name, str) or not _METADATA_NAME.match(name):
            raise InvalidBankMetadata(
                name=name, reason='names are lowercase letters, digits and -')
        if not isinstance(value, str) or not _METADATA_VALUE.match(value):
            raise InvalidBankMetadata(
                name=name, reason='values are printable ASCII strings '
                                  'without surrounding spaces')
        if len(value) > MAX_METADATA_VALUE_LENGTH:
            raise InvalidBankMetadata(
                name=name, reason='values are at most %d characters'
                                  % MAX_METADATA_VALUE_LENGTH)
        size += len(name) + len(value)
    if size > MAX_METADATA_SIZE:
        raise InvalidBankMetadata(
            name=', '.join(sorted(metadata)),
            reason='metadata is at most %d bytes in all' % MAX_METADATA_SIZE)
    return metadata


def validate_listing(prefix, marker, limit, sort_dir):
    """Check the arguments of ``list_objects``.

    :raises InvalidBankKey: for a bad prefix.
    :raises smaug.exception.InvalidInput: for a bad limit or direction.
    """
    validate_prefix(prefix)
    if marker is not None and not isinstance(marker, str):
        raise exception.InvalidInput(reason='a marker must be a string')
    if limit is not None and (isinstance(limit, bool) or
                              not isinstance(limit, int) or limit < 0):
        raise exception.InvalidInput(
            reason='limit must be a non-negative integer, not %r' % (limit,))
    if sort_dir not in SORT_DIRS:
        raise exception.InvalidInput(
            reason='sort_dir must be asc or desc, not %r' % (sort_dir,))


def validate_ttl(ttl_seconds):
    if isinstance(ttl_seconds, bool) or not isinstance(
            ttl_seconds, (int, float)) or ttl_seconds <= 0:
        raise exception.InvalidInput(
            reason='a lease lasts a positive number of seconds, not %r'
                   % (ttl_seconds,))


def validate_owner(owner):
    if not isinstance(owner, str) or not owner or len(owner) > 255:
        raise exception.InvalidInput(
            reason='a lease owner is a string of 1 to 255 characters')


def after_marker(key, marker, sort_dir):
    """Whether ``key`` comes after ``marker`` in a listing of ``sort_dir``."""
    if marker is None:
        return True
    return key > marker if sort_dir == 'asc' else key < marker


class BankPlugin(abc.ABC):
    """An object store holding one bank, with leases.

    Plugins are stevedore entry points of the ``smaug.banks`` namespace.
    They are made with the provider's ConfigOpts, after
    :meth:`register_opts` has registered their section on it.

    Keys are checked with :func:`validate_key` and metadata with
    :func:`validate_metadata` by every method taking them. Methods may be
    called from several threads at once.
    """

    def __init__(self, conf, clock=time.time):
        """:param conf: the provider's ConfigOpts.
        :param clock: seconds since the epoch, now; tests pass a fake.
        """
        self.conf = conf
        self.clock = clock

    @classmethod
    @abc.abstractmethod
    def register_opts(cls, conf):
        """Register the plugin's section of a provider file on ``conf``."""

    @abc.abstractmethod
    def put_object(self, key, data, metadata=None):
        """Store ``data`` at ``key``, replacing what was there.

        Readers see either the old object or the new one, never a part.

        :param data: bytes.
        :param metadata: {name: value} kept with the object.
        :raises InvalidBankKey, InvalidBankMetadata: for bad arguments.
        :raises BankUnavailable: when the backend cannot be reached.
        """

    @abc.abstractmethod
    def get_object_with_metadata(self, key):
        """The object at ``key`` and its metadata, read together.

        :returns: (data, metadata) as ``put_object`` stored them.
        :raises BankObjectNotFound:
        """

    def get_object(self, key):
        """The data stored at ``key``.

        :returns: bytes.
        :raises BankObjectNotFound:
        """
        return self.get_object_with_metadata(key)[0]

    @abc.abstractmethod
    def head_object(self, key):
        """What is known of ``key`` without reading it.

        :returns: an :class:`ObjectInfo`.
        :raises BankObjectNotFound:
        """

    @abc.abstractmethod
    def delete_object(self, key):
        """Delete ``key``; deleting a missing object is not an error."""

    @abc.abstractmethod
    def list_objects(self, prefix='', marker=None, limit=None,
                     sort_dir='asc'):
        """Keys starting with ``prefix``, sorted, one page at a time.

        :param marker: the last key of the previous page: the page holds
            keys after it in the listing's order (greater for 'asc',
            smaller for 'desc'); it need not exist.
        :param limit: the most keys to return; None for all.
        :param sort_dir: 'asc' or 'desc' byte order.
        :returns: a list of keys.
        """

    @abc.abstractmethod
    def acquire_lease(self, name, owner, ttl_seconds):
        """Take lease ``name`` for ``owner`` for ``ttl_seconds``.

        It succeeds only if the lease is free, expired or already
        ``owner``'s (then its end moves to now + ``ttl_seconds``).

        :param name: a key naming what the lease protects.
        :returns: True if ``owner`` now holds the lease.
        """

    @abc.abstractmethod
    def renew_lease(self, name, owner, ttl_seconds):
        """Move the end of ``owner``'s lease to now + ``ttl_seconds``.

        :returns: False if ``owner`` does not hold the lease (any more).
        """

    @abc.abstractmethod
    def release_lease(self, name, owner):
        """Free ``owner``'s lease.

        :returns: False if ``owner`` did not hold it; nothing changes then.
        """

    @abc.abstractmethod
    def get_lease(self, name):
        """Who holds lease ``name``.

        :returns: a :class:`Lease`, or None if it is free or expired.
        """
