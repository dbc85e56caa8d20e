"""The manifest of a stored object: its chunks in order, size and digest.

A manifest is a JSON object in the bank (so the bank's checksum covers
it)::

    {"format": "smaug-chunk-manifest", "version": 1,
     "size": 10485760, "chunk_size": 4194304,
     "sha256": "<hex of the whole object>",
     "encryption": null,
     "chunks": [["<address>", 4194304], [null, 4194304], ...]}

``null`` marks a chunk of zeros, which is never stored. With encryption,
``encryption`` is ``{"scope", "key_id", "algorithm"}`` and the whole
object's SHA-256 is sealed (``sealed_sha256``) rather than written out: a
known file's digest would otherwise tell who holds it. Addresses are then
HMACs and reveal nothing, so garbage collection reads any manifest without
a key.

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
VERSION = 1
ALGORITHM = 'aes-256-gcm'
SHA256_CONTEXT = b'smaug chunk manifest sha256'

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
    :ivar sha256: hex digest of the whole object; None while sealed.
    :ivar scope, key_id: the encryption's, or None.
    :ivar key: the bank key it is stored at.
    :ivar stats: the :class:`WriteStats` of the write that returned it.
    """

    chunks: tuple
    size: int
    sha256: str
    chunk_size: int
    scope: str = None
    key_id: str = None
    sealed_sha256: bytes = dataclasses.field(default=None, repr=False)
    key: str = None
    stats: WriteStats = dataclasses.field(default=None, compare=False)

    @property
    def encrypted(self):
        return self.scope is not None

    def addresses(self):
        """The addresses of the stored (non-zero) chunks."""
        return {address for address, _ in self.chunks if address}


def to_document(manifest):
    document = {'format': FORMAT_NAME, 'version': VERSION,
                'size': manifest.size, 'chunk_size': manifest.chunk_size,
                'chunks': [list(entry) for entry in manifest.chunks],
                'encryption': None}
    if manifest.encrypted:
        document['encryption'] = {'scope': manifest.scope,
                                  'key_id': manifest.key_id,
                                  'algorithm': ALGORITHM}
        document['sealed_sha256'] = base64.b64encode(
            manifest.sealed_sha256).decode()
    else:
        document['sha256'] = manifest.sha256
    return document


def from_document(document, key):
    """:raises BankCorruption: naming ``key`` and what is wrong."""
    def corrupt(reason):
        return base.BankCorruption(key=key, reason=reason)

    if not isinstance(document, dict) or document.get(
            'format') != FORMAT_NAME:
        raise corrupt('it is not a chunk manifest')
    if document.get('version', 0) > VERSION:
        raise base.BankError(
            reason='manifest %s has version %s; this Smaug reads up to %d'
                   % (key, document.get('version'), VERSION))
    try:
        chunks = tuple(_entry(item) for item in document['chunks'])
        size = document['size']
        fields = {'chunks': chunks, 'size': size,
                  'chunk_size': document['chunk_size'], 'key': key,
                  'sha256': None}
        encryption = document.get('encryption')
        if encryption:
            if encryption.get('algorithm') != ALGORITHM:
                raise ValueError('unknown encryption %r'
                                 % (encryption.get('algorithm'),))
            fields.update(scope=encryption['scope'],
                          key_id=encryption['key_id'],
                          sealed_sha256=base64.b64decode(
                              document['sealed_sha256'], validate=True))
        else:
            fields['sha256'] = document['sha256']
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
