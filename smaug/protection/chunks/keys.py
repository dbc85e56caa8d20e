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
learning what the other holds.
"""
import base64
import binascii
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
    """What one scope's data key yields."""

    scope: str
    #: The id of the configured key that wrapped it.
    key_id: str
    encryption_key: bytes = dataclasses.field(repr=False)
    address_key: bytes = dataclasses.field(repr=False)


def configured_key(text):
    """The configured key: 32 bytes, given base64-encoded.

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
            reason='[chunk_store] encryption_key must be %d random bytes, '
                   'base64-encoded (e.g. from "openssl rand -base64 32")'
                   % KEY_BYTES)
    return key


def key_id(wrapping_key):
    """A name of the configured key that tells keys apart and reveals
    nothing of them."""
    return hmac.new(wrapping_key, b'smaug chunk store key id',
                    'sha256').hexdigest()[:16]


def _derive(secret, scope, wrapping_key_id):
    material = hkdf.HKDF(algorithm=hashes.SHA256(), length=2 * KEY_BYTES,
                         salt=None,
                         info=b'smaug chunk store ' + scope.encode()
                         ).derive(secret)
    return DataKey(scope, wrapping_key_id, material[:KEY_BYTES],
                   material[KEY_BYTES:])


def _associated_data(scope):
    # Binds a wrapped key to its scope: a key object copied to another
    # scope's name does not unwrap.
    return b'smaug chunk data key ' + scope.encode()


def _wrap(secret, scope, wrapping_key):
    nonce = os.urandom(NONCE_BYTES)
    sealed = aead.AESGCM(wrapping_key).encrypt(nonce, secret,
                                               _associated_data(scope))
    return {'version': DOCUMENT_VERSION, 'scope': scope,
            'algorithm': 'aes-256-gcm', 'key_id': key_id(wrapping_key),
            'nonce': base64.b64encode(nonce).decode(),
            'wrapped': base64.b64encode(sealed).decode()}


def _unwrap(document, scope, wrapping_key):
    wanted = key_id(wrapping_key)
    if document.get('key_id') != wanted:
        raise errors.ChunkKeyError(
            scope=scope,
            reason='it was wrapped by the key with id %s, and the '
                   'configured [chunk_store] encryption_key has id %s'
                   % (document.get('key_id'), wanted))
    try:
        secret = aead.AESGCM(wrapping_key).decrypt(
            base64.b64decode(document['nonce']),
            base64.b64decode(document['wrapped']), _associated_data(scope))
    except (crypto_exceptions.InvalidTag, KeyError, TypeError,
            binascii.Error, ValueError):
        raise errors.ChunkKeyError(
            scope=scope, reason='its wrapped form in the bank is damaged')
    return _derive(secret, scope, wanted)


def _read(bank, scope):
    try:
        document = bank.get_json(layout.data_key_key(scope))
    except base.BankObjectNotFound:
        return None
    if not isinstance(document, dict):
        raise base.BankCorruption(key=layout.data_key_key(scope),
                                  reason='it is not a JSON object')
    return document


def read_data_key(bank, scope, wrapping_key):
    """The data key of ``scope``, for reading.

    :raises ChunkKeyError: when no key is configured, the bank has none
        for the scope, or the configured key is not the one that wrapped
        it.
    """
    if wrapping_key is None:
        raise errors.ChunkKeyError(
            scope=scope, reason='the data is encrypted and no '
                                '[chunk_store] encryption_key is configured')
    document = _read(bank, scope)
    if document is None:
        raise errors.ChunkKeyError(scope=scope,
                                   reason='the bank holds no data key for it')
    return _unwrap(document, scope, wrapping_key)


def data_key_for_writing(bank, scope, wrapping_key, lease_seconds):
    """The data key of ``scope``, created on first use.

    Creation holds the lease ``chunks/keys/<scope>`` and reads again under
    it: two agents creating the same scope's key at once would otherwise
    each seal chunks with a key the other overwrites.

    :raises ChunkKeyError: as :func:`read_data_key`, or when another
        agent holds the creation lease for too long.
    """
    document = _read(bank, scope)
    if document is None:
        document = _create(bank, scope, wrapping_key, lease_seconds)
    return _unwrap(document, scope, wrapping_key)


def _create(bank, scope, wrapping_key, lease_seconds):
    name = layout.data_key_key(scope)
    owner = uuid.uuid4().hex
    deadline = time.monotonic() + max(CREATE_WAIT_SECONDS, 2 * lease_seconds)
    while True:
        if bank.acquire_lease(name, owner, lease_seconds):
            try:
                document = _read(bank, scope)
                if document is None:
                    document = _wrap(os.urandom(KEY_BYTES), scope,
                                     wrapping_key)
                    bank.put_json(name, document)
                return document
            finally:
                bank.release_lease(name, owner)
        document = _read(bank, scope)
        if document is not None:
            return document
        if time.monotonic() > deadline:
            raise errors.ChunkKeyError(
                scope=scope, reason='another agent has been creating it '
                                    'for too long')
        time.sleep(0.2)
