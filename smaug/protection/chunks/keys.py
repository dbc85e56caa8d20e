"""The keys of an encrypted chunk store.

The configured key (``[chunk_store] encryption_key``) encrypts no data: it
wraps one random data key per scope (a project), kept in the bank at
``chunks/keys/<scope>``. So the bank alone, with the configured key, is
enough to read it back: a new deployment given the same key restores what
an old one protected. Each data key yields, through HKDF, the AES-256-GCM
key that seals chunks and the HMAC key that names them, so a chunk's name
says nothing of its content (a plain hash would let anyone holding a file
check whether the bank has it). Scopes do not share chunks: two projects
storing the same bytes store them twice, which is the price of one not
learning what the other holds. Banks may share a scope's key: a bank whose
first chunks of a scope come from a copy takes the source bank's data key
for it, wrapped by its own configured key (see
:func:`data_key_for_writing`), so that both name chunks alike and later
copies read from the source only the chunks the destination lacks.

The configured key can be changed without touching the data (see
:class:`WrappingKeys`): the keys it replaced stay configured in
``previous_encryption_keys`` and still unwrap what they wrapped, until
:func:`rewrap` has wrapped every data key again with the current one.
Each wrapped form records the id of the key that wrapped it
(:func:`key_id`), so the right key is used at once.
"""
import base64
import binascii
import contextlib
import dataclasses
import hmac
import os
import time
import uuid

from cryptography import exceptions as crypto_exceptions
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import aead
from cryptography.hazmat.primitives.kdf import hkdf

from smaug.protection.bank import base
from smaug.protection.chunks import errors
from smaug.protection.chunks import layout

KEY_BYTES = 32
NONCE_BYTES = 12
DOCUMENT_VERSION = 1
CREATE_WAIT_SECONDS = 30


@dataclasses.dataclass(frozen=True)
class DataKey:
    """What one scope's data key yields.

    Two are equal when they seal and name the scope's chunks alike,
    whichever configured key unwrapped them: chunks stored with one read
    with the other.
    """

    scope: str
    #: The id of the configured key that unwrapped it.
    key_id: str = dataclasses.field(compare=False)
    encryption_key: bytes = dataclasses.field(repr=False)
    address_key: bytes = dataclasses.field(repr=False)
    #: The random bytes the two keys derive from, which another bank's key
    #: for the scope can be made of (see :func:`data_key_for_writing`).
    secret: bytes = dataclasses.field(repr=False, compare=False)


def configured_key(text, option='encryption_key'):
    """A configured key: 32 bytes, given base64-encoded.

    :param option: the ``[chunk_store]`` option it comes from, for errors.
    :returns: bytes, or None when ``text`` is empty (no encryption).
    :raises ChunkKeyError: for anything but 32 bytes in base64.
    """
    if not text:
        return None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = None
    if key is None or len(key) != KEY_BYTES:
        raise errors.ChunkKeyError(
            scope='the configuration',
            reason='[chunk_store] %s must hold %d random bytes, '
                   'base64-encoded (e.g. from "openssl rand -base64 32")'
                   % (option, KEY_BYTES))
    return key


def key_id(wrapping_key):
    """A name of the configured key that tells keys apart and reveals
    nothing of them."""
    return hmac.new(wrapping_key, b'smaug chunk store key id',
                    'sha256').hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class WrappingKeys:
    """The configured keys: the current one wraps every data key made or
    re-wrapped; the previous ones only unwrap those they wrapped.

    :ivar current: ``[chunk_store] encryption_key``, as bytes.
    :ivar previous: ``previous_encryption_keys``, as bytes, in order.
    """

    current: bytes = dataclasses.field(repr=False)
    previous: tuple = dataclasses.field(default=(), repr=False)

    @classmethod
    def from_conf(cls, section):
        """The keys of a ``[chunk_store]`` section, or None when it sets
        no ``encryption_key`` (no encryption).

        :raises ChunkKeyError: for a malformed key, or previous keys
            without a current one (they could be read, but a bank's keys
            could never be moved off them).
        """
        current = configured_key(section.encryption_key)
        previous = tuple(
            configured_key(text, 'previous_encryption_keys')
            for text in section.previous_encryption_keys or ())
        if current is None:
            if previous:
                raise errors.ChunkKeyError(
                    scope='the configuration',
                    reason='[chunk_store] previous_encryption_keys needs '
                           'an encryption_key to re-wrap data keys with')
            return None
        return cls(current, tuple(key for key in previous
                                  if key not in (None, current)))

    @property
    def current_id(self):
        return key_id(self.current)

    def in_order(self):
        """(id, key) of every configured key, the current one first."""
        return [(key_id(key), key) for key in (self.current,) + self.previous]

    def describe(self):
        """Which ids the options have, for error messages."""
        return 'encryption_key has id %s, previous_encryption_keys %s' % (
            self.current_id, ', '.join(key_id(key) for key in self.previous)
            or 'none')


def _derive(secret, scope, wrapping_key_id):
    material = hkdf.HKDF(algorithm=hashes.SHA256(), length=2 * KEY_BYTES,
                         salt=None,
                         info=b'smaug chunk store ' + scope.encode()
                         ).derive(secret)
    return DataKey(scope, wrapping_key_id, material[:KEY_BYTES],
                   material[KEY_BYTES:], secret)


def _associated_data(scope):
    # Binds a wrapped key to its scope: a key object copied to another
    # scope's name does not unwrap.
    return b'smaug chunk data key ' + scope.encode()


# The document of a data key in the bank:
#
#   {"version": 1, "scope": ..., "algorithm": "aes-256-gcm",
#    "key_id": ..., "nonce": ..., "wrapped": ...,
#    "previous_wraps": [{"key_id": ..., "nonce": ..., "wrapped": ...}]}
#
# The top-level wrap is the newest. ``previous_wraps``, of the same secret
# under older keys, exists only while a re-wrap is half done. Documents
# written before key ids were recorded have no ``key_id``: every
# configured key is tried on them, the current one first (AES-GCM tells a
# wrong key from the right one).
WRAP_FIELDS = ('key_id', 'nonce', 'wrapped')


def _wrap(secret, scope, wrapping_key):
    nonce = os.urandom(NONCE_BYTES)
    sealed = aead.AESGCM(wrapping_key).encrypt(nonce, secret,
                                               _associated_data(scope))
    return {'version': DOCUMENT_VERSION, 'scope': scope,
            'algorithm': 'aes-256-gcm', 'key_id': key_id(wrapping_key),
            'nonce': base64.b64encode(nonce).decode(),
            'wrapped': base64.b64encode(sealed).decode()}


def _wraps(document):
    """Every wrapped form the document holds, the newest first."""
    previous = document.get('previous_wraps') or []
    return [document] + [wrap for wrap in previous
                         if isinstance(wrap, dict)]


def _open(wrap, scope, wrapping_key):
    """The secret of one wrapped form; None when ``wrapping_key`` does not
    open it (a wrong key and a damaged form look alike)."""
    try:
        return aead.AESGCM(wrapping_key).decrypt(
            base64.b64decode(wrap['nonce']),
            base64.b64decode(wrap['wrapped']), _associated_data(scope))
    except (crypto_exceptions.InvalidTag, KeyError, TypeError,
            binascii.Error, ValueError):
        return None


def _configured(keys, scope):
    """:raises ChunkKeyError: when no key is configured."""
    if keys is None:
        raise errors.ChunkKeyError(
            scope=scope, reason='the data is encrypted and no '
                                '[chunk_store] encryption_key is configured')
    return keys


def _unwrap_secret(document, scope, keys):
    """(secret, id of the key that opened it) of a data key document.

    :raises ChunkKeyError: when no configured key opens it: naming the
        ids it was wrapped by and the option to set when they are not
        configured, else saying it is damaged.
    """
    configured = _configured(keys, scope).in_order()
    unconfigured, damaged = [], []
    for wrap in _wraps(document):
        wanted = wrap.get('key_id')
        candidates = [(found, key) for found, key in configured
                      if wanted in (None, found)]
        for found, key in candidates:
            secret = _open(wrap, scope, key)
            if secret is not None:
                return secret, found
        (damaged if candidates else unconfigured).append(
            wanted or 'unrecorded')
    if unconfigured:
        reason = ('it was wrapped by the key with id %s, which is not '
                  'configured ([chunk_store] %s): add that key to '
                  '[chunk_store] previous_encryption_keys'
                  % (' or '.join(unconfigured), keys.describe()))
    elif damaged == ['unrecorded']:
        reason = ('no configured key unwraps it ([chunk_store] %s): it is '
                  'damaged, or was wrapped, before key ids were recorded, '
                  'by a key that must be added to [chunk_store] '
                  'previous_encryption_keys' % keys.describe())
    else:
        reason = ('its wrapped form in the bank, by the key with id %s, is '
                  'damaged' % ' and '.join(damaged))
    raise errors.ChunkKeyError(scope=scope, reason=reason)


def _unwrap(document, scope, keys):
    secret, found = _unwrap_secret(document, scope, keys)
    return _derive(secret, scope, found)


def _read(bank, scope):
    try:
        document = bank.get_json(layout.data_key_key(scope))
    except base.BankObjectNotFound:
        return None
    if not isinstance(document, dict):
        raise base.BankCorruption(key=layout.data_key_key(scope),
                                  reason='it is not a JSON object')
    return document


def read_data_key(bank, scope, keys):
    """The data key of ``scope``, for reading.

    :param keys: the :class:`WrappingKeys`, or None (none configured).
    :raises ChunkKeyError: when no key is configured, the bank has none
        for the scope, or none of the configured keys wrapped it.
    """
    _configured(keys, scope)
    document = _read(bank, scope)
    if document is None:
        raise errors.ChunkKeyError(scope=scope,
                                   reason='the bank holds no data key for it')
    return _unwrap(document, scope, keys)


def data_key_for_writing(bank, scope, keys, lease_seconds, seed=None):
    """The data key of ``scope``, created on first use.

    Only a scope whose key object does not exist gets a new key: one that
    exists and cannot be unwrapped is an error, since a new key would leave
    the scope's stored chunks unreadable. The new key is random, or made of
    ``seed``'s secret.

    :param seed: the :class:`DataKey` of a copy's source in another bank,
        or None. When it is of the same scope, a key created here is the
        same key (wrapped by this bank's current configured key), so that
        both banks name and seal the scope's chunks alike and copies
        between them keep chunks' addresses. Another scope's key is never
        taken: projects do not share keys.
    :raises ChunkKeyError: as :func:`read_data_key`, or when another
        agent holds the key's lease for too long.
    """
    document = _read(bank, scope)
    if document is None:
        with _key_lease(bank, scope, lease_seconds):
            # Read again under the lease: two agents creating the same
            # scope's key at once would otherwise each seal chunks with a
            # key the other overwrites.
            document = _read(bank, scope)
            if document is None:
                secret = (seed.secret if seed is not None and
                          seed.scope == scope else os.urandom(KEY_BYTES))
                document = _wrap(secret, scope, keys.current)
                bank.put_json(layout.data_key_key(scope), document)
    return _unwrap(document, scope, keys)


def rewrap(bank, scope, keys, lease_seconds):
    """Wrap the data key of ``scope`` with the current configured key, and
    drop its older wrapped forms once the new one reads back.

    The new form is written next to the old ones first, so that the key
    object always holds a form a configured key opens; a run stopped at any
    point is finished by the next.

    :returns: False when it was wrapped by the current key alone already.
    :raises ChunkKeyError: as :func:`read_data_key`.
    :raises BankCorruption: when the new form does not read back.
    """
    name = layout.data_key_key(scope)
    with _key_lease(bank, scope, lease_seconds):
        document = _read(bank, scope)
        if document is None or (document.get('key_id') == keys.current_id and
                                not document.get('previous_wraps')):
            return False
        secret, _ = _unwrap_secret(document, scope, keys)
        if (document.get('key_id') != keys.current_id or
                _open(document, scope, keys.current) != secret):
            bank.put_json(name, dict(
                _wrap(secret, scope, keys.current),
                previous_wraps=[{field: wrap.get(field)
                                 for field in WRAP_FIELDS}
                                for wrap in _wraps(document)]))
        written = _read(bank, scope) or {}
        if (written.get('key_id') != keys.current_id or
                _open(written, scope, keys.current) != secret):
            raise base.BankCorruption(
                key=name, reason='its data key, wrapped again, does not '
                                 'read back; the older wrapped forms are '
                                 'kept')
        written.pop('previous_wraps', None)
        bank.put_json(name, written)
    return True


def rewrap_all(bank, keys, lease_seconds):
    """:func:`rewrap` the data key of every scope of the bank; one that
    fails does not stop the others.

    :returns: {'rewrapped': [scope], 'skipped': [scope] (wrapped by the
        current key already), 'failed': {scope: the BankError}}.
    """
    report = {'rewrapped': [], 'skipped': [], 'failed': {}}
    for page in layout.pages(bank, layout.KEYS):
        for name in page:
            scope = name[len(layout.KEYS):]
            try:
                done = rewrap(bank, scope, keys, lease_seconds)
            except base.BankError as error:
                report['failed'][scope] = error
                continue
            report['rewrapped' if done else 'skipped'].append(scope)
    return report


@contextlib.contextmanager
def _key_lease(bank, scope, lease_seconds):
    """Hold the lease ``chunks/keys/<scope>``: one creation or re-wrap of
    the scope's key at a time.

    :raises ChunkKeyError: when another agent holds it for too long.
    """
    name = layout.data_key_key(scope)
    owner = uuid.uuid4().hex
    deadline = time.monotonic() + max(CREATE_WAIT_SECONDS, 2 * lease_seconds)
    while not bank.acquire_lease(name, owner, lease_seconds):
        if time.monotonic() > deadline:
            raise errors.ChunkKeyError(
                scope=scope, reason='another agent has held its lease for '
                                    'too long')
        time.sleep(0.2)
    try:
        yield
    finally:
        bank.release_lease(name, owner)
