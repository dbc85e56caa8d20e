"""How a chunk is named and stored: its address, zstd, AES-256-GCM.

A stored chunk is::

    byte 0     format (1)
    byte 1     flags: 1 = zstd-compressed, 2 = encrypted
    [12 bytes  AES-GCM nonce, when encrypted]
    payload    the chunk, compressed when that made it smaller, then
               sealed when encrypted (the tag at its end)

The address is the SHA-256 of the chunk's bytes, or with encryption their
HMAC-SHA-256 under the scope's address key. Decoding checks everything
that can be checked: the format, the seal (whose associated data is the
header and the address, so a chunk stored under another address does not
open), the decompressed size, and finally the address itself, so that a
chunk that decodes is the chunk the manifest asked for.
"""
import hashlib
import hmac
import os
import threading

from cryptography import exceptions as crypto_exceptions
from cryptography.hazmat.primitives.ciphers import aead
import zstandard

from smaug.protection.chunks import digests

FORMAT = 1
COMPRESSED = 1
ENCRYPTED = 2
NONCE_BYTES = 12
HEADER_BYTES = 2
DEFAULT_COMPRESSION_LEVEL = 1


class CodecError(Exception):
    """A stored chunk that does not decode; the text says why."""


class ChunkCodec:
    """Names, encodes and decodes the chunks of one scope.

    :param compression_level: zstd's level (1 is its fastest standard
        level; higher is smaller and slower).
    :param data_key: a :class:`~smaug.protection.chunks.keys.DataKey` to
        encrypt with, or None.
    """

    def __init__(self, compression_level=DEFAULT_COMPRESSION_LEVEL,
                 data_key=None):
        self.compression_level = compression_level
        self.data_key = data_key
        self._sealer = (aead.AESGCM(data_key.encryption_key)
                        if data_key else None)
        # zstd contexts are not thread-safe; making one per chunk would
        # cost more than compressing a small one.
        self._local = threading.local()

    @property
    def encrypted(self):
        return self.data_key is not None

    def address(self, data):
        """The chunk's name: 64 hex digits."""
        if self.data_key is not None:
            return hmac.new(self.data_key.address_key, data,
                            'sha256').hexdigest()
        return hashlib.sha256(data).hexdigest()

    def content_sha256(self, data, address):
        """The SHA-256 of chunk ``data`` (32 bytes), for the object's
        digest: its ``address`` when that is the SHA-256 already (no
        encryption), else computed.
        """
        if self.data_key is None:
            return bytes.fromhex(address)
        return digests.chunk_sha256(data)

    def _compressor(self):
        compressor = getattr(self._local, 'compressor', None)
        if compressor is None:
            compressor = zstandard.ZstdCompressor(
                level=self.compression_level, write_content_size=True)
            self._local.compressor = compressor
        return compressor

    def encode(self, data, address):
        """The bytes to store for chunk ``data`` named ``address``."""
        flags = 0
        payload = self._compressor().compress(data)
        if len(payload) < len(data):
            flags |= COMPRESSED
        else:
            payload = data  # incompressible: reads need not decompress
        if self._sealer is None:
            return bytes((FORMAT, flags)) + payload
        flags |= ENCRYPTED
        header = bytes((FORMAT, flags))
        nonce = os.urandom(NONCE_BYTES)
        return header + nonce + self._sealer.encrypt(
            nonce, payload, header + address.encode())

    def decode(self, stored, address, size):
        """The chunk in ``stored``, checked against ``address`` and
        ``size``.

        :raises CodecError: saying what does not match.
        """
        if len(stored) < HEADER_BYTES or stored[0] != FORMAT:
            raise CodecError('it is not in chunk format %d' % FORMAT)
        flags = stored[1]
        if flags & ~(COMPRESSED | ENCRYPTED):
            raise CodecError('its header has unknown flags %#x' % flags)
        payload = memoryview(stored)[HEADER_BYTES:]
        if bool(flags & ENCRYPTED) != self.encrypted:
            raise CodecError('it is encrypted and its manifest is not'
                             if flags & ENCRYPTED else
                             'it is not encrypted and its manifest is')
        if flags & ENCRYPTED:
            try:
                payload = self._sealer.decrypt(
                    payload[:NONCE_BYTES], payload[NONCE_BYTES:],
                    bytes(stored[:HEADER_BYTES]) + address.encode())
            except crypto_exceptions.InvalidTag:
                raise CodecError('its seal does not open: it was changed, '
                                 'or sealed with another key')
        if flags & COMPRESSED:
            payload = self._decompress(payload, size)
        data = bytes(payload)
        if len(data) != size:
            raise CodecError('it holds %d bytes where its manifest says %d'
                             % (len(data), size))
        if not hmac.compare_digest(self.address(data), address):
            raise CodecError('its content does not match its address')
        return data

    @staticmethod
    def _decompress(payload, size):
        try:
            declared = zstandard.frame_content_size(payload)
        except zstandard.ZstdError as error:
            raise CodecError('its zstd frame is damaged (%s)' % error)
        # Checked before decompressing: a damaged header must not make
        # the reader allocate whatever size it claims.
        if declared != size:
            raise CodecError('its zstd frame holds %s bytes where its '
                             'manifest says %d' % (declared, size))
        try:
            return zstandard.ZstdDecompressor().decompress(payload)
        except zstandard.ZstdError as error:
            raise CodecError('it does not decompress (%s)' % error)

    def seal(self, data, context):
        """``data`` sealed with the scope's key (for manifest fields)."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._sealer.encrypt(nonce, data, context)

    def unseal(self, sealed, context):
        """:raises CodecError: when the seal does not open."""
        try:
            return self._sealer.decrypt(sealed[:NONCE_BYTES],
                                        sealed[NONCE_BYTES:], context)
        except crypto_exceptions.InvalidTag:
            raise CodecError('its seal does not open')
