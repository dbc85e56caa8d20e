"""The manifest of a stored object: its chunks in order, size and digest.

A manifest is a JSON object in the bank (so the bank's checksum covers
it)::

    {"format": "smaug-chunk-manifest", "version": 2,
     "size": 10485760, "chunk_size": 4194304,
     "chunks_sha256": "<hex of the SHA-256 of the chunk list>",
     "encryption": null,
     "chunks": [["<address>", 4194304], [null, 4194304], ...]}

``null`` marks a chunk of zeros, which is never stored. ``chunks_sha256``
is the object's digest as :mod:`digests` defines it. With encryption,
``encryption`` is ``{"scope", "key_id", "algorithm"}`` and the digest is
sealed (``sealed_chunks_sha256``) rather than written out: a known file's
digest would otherwise tell who holds it. Addresses are then HMACs and
reveal nothing, so garbage collection reads any manifest without a key.

Manifests of version 1 recorded the SHA-256 of the whole object instead,
as ``sha256`` (or ``sealed_sha256``); they are read, copied and verified
as they are.

A manifest of 262,144 chunks (1 TiB at 4 MiB) takes about 20 MB; the Swift
bank stores objects above its ``segment_size`` as static large objects, so
no image size makes one too large to store.
"""
import base64
import binascii
import dataclasses
import re

from smaug.protection.bank import base

FORMAT_NAME = 'smaug-chunk-manifest'
VERSION = 2
ALGORITHM = 'aes-256-gcm'
#: The document's field with the object's digest, by manifest version:
#: what the digest covers changed with version 2 (see :mod:`digests`).
DIGEST_FIELDS = {1: 'sha256', 2: 'chunks_sha256'}
#: The version whose digest is the SHA-256 of the object's bytes.
WHOLE_SHA256_VERSION = 1
SEALED_PREFIX = 'sealed_'

_ADDRESS = re.compile(r'[0-9a-f]{64}\Z')


@dataclasses.dataclass(frozen=True)
class WriteStats:
    """What one write stored, for progress reports and benchmarks."""

    chunks: int = 0
    zero_chunks: int = 0
    new_chunks: int = 0
    reused_chunks: int = 0
    #: Bytes sent to the bank for new chunks (compressed, sealed).
    bytes_written: int = 0


@dataclasses.dataclass(frozen=True)
class Manifest:
    """A stored object.

    :ivar chunks: ((address or None for zeros, size), ...) in order.
    :ivar digest: the object's digest, hex, as its ``version`` defines
        it (:data:`DIGEST_FIELDS`): for version 2, the SHA-256 of its
        chunk list (:mod:`digests`), not of its bytes. None while sealed.
    :ivar scope, key_id: the encryption's, or None.
    :ivar key: the bank key it is stored at.
    :ivar stats: the :class:`WriteStats` of the write that returned it.
    :ivar version: the manifest's format version.
    """

    chunks: tuple
    size: int
    digest: str
    chunk_size: int
    scope: str = None
    key_id: str = None
    sealed_digest: bytes = dataclasses.field(default=None, repr=False)
    key: str = None
    stats: WriteStats = dataclasses.field(default=None, compare=False)
    version: int = VERSION

    @property
    def encrypted(self):
        return self.scope is not None

    @property
    def digest_field(self):
        """The document's field holding :attr:`digest` in this manifest's
        version."""
        return DIGEST_FIELDS[self.version]

    def seal_context(self):
        """The associated data sealing the digest: its field and the
        manifest's key, so that a sealed digest moved to another manifest
        or field does not open."""
        return b'smaug chunk manifest %s %s' % (
            self.digest_field.encode(), self.key.encode())

    def addresses(self):
        """The addresses of the stored (non-zero) chunks."""
        return {address for address, _ in self.chunks if address}


def to_document(manifest):
    document = {'format': FORMAT_NAME, 'version': manifest.version,
                'size': manifest.size, 'chunk_size': manifest.chunk_size,
                'chunks': [list(entry) for entry in manifest.chunks],
                'encryption': None}
    if manifest.encrypted:
        document['encryption'] = {'scope': manifest.scope,
                                  'key_id': manifest.key_id,
                                  'algorithm': ALGORITHM}
        document[SEALED_PREFIX + manifest.digest_field] = base64.b64encode(
            manifest.sealed_digest).decode()
    else:
        document[manifest.digest_field] = manifest.digest
    return document


def from_document(document, key):
    """:raises BankCorruption: naming ``key`` and what is wrong."""
    def corrupt(reason):
        return base.BankCorruption(key=key, reason=reason)

    if not isinstance(document, dict) or document.get(
            'format') != FORMAT_NAME:
        raise corrupt('it is not a chunk manifest')
    version = document.get('version')
    if type(version) is int and version > VERSION:
        raise base.BankError(
            reason='manifest %s has version %s; this Smaug reads up to %d'
                   % (key, version, VERSION))
    if type(version) is not int or version not in DIGEST_FIELDS:
        raise corrupt('it has no known version (%r)' % (version,))
    digest_field = DIGEST_FIELDS[version]
    try:
        chunks = tuple(_entry(item) for item in document['chunks'])
        size = document['size']
        fields = {'chunks': chunks, 'size': size,
                  'chunk_size': document['chunk_size'], 'key': key,
                  'digest': None, 'version': version}
        encryption = document.get('encryption')
        if encryption:
            if encryption.get('algorithm') != ALGORITHM:
                raise ValueError('unknown encryption %r'
                                 % (encryption.get('algorithm'),))
            fields.update(scope=encryption['scope'],
                          key_id=encryption['key_id'],
                          sealed_digest=base64.b64decode(
                              document[SEALED_PREFIX + digest_field],
                              validate=True))
        else:
            fields['digest'] = document[digest_field]
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise corrupt('it is malformed (%s)' % error)
    if sum(length for _, length in chunks) != size:
        raise corrupt('its chunks do not add up to its size %s' % (size,))
    return Manifest(**fields)


def _entry(item):
    address, size = item
    if address is not None and not _ADDRESS.match(address):
        raise ValueError('bad chunk address %r' % (address,))
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise ValueError('bad chunk size %r' % (size,))
    return address, size
