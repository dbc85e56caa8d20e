"""The chunk store: a bank's data layer for large objects (images,
volumes).

An object written through :class:`ChunkStore` is cut into fixed-size
chunks stored once per bank under their content address (see
:mod:`layout`), and described by a manifest written where the caller
asks, usually in a resource's section of a checkpoint. Writing the same
data again (an unchanged image protected again) stores only a new
manifest; deleting a manifest frees its chunks at the next garbage
collection, once no other manifest needs them. Copying an object into
another checkpoint, in the same bank or another, stores the chunks the
destination lacks and a manifest of its own (:mod:`copier`).
"""
import contextlib
import dataclasses
import threading

from oslo_config import cfg

from smaug.protection.bank import bank as bank_module
from smaug.protection.bank import base
from smaug.protection.chunks import codec as codec_module
from smaug.protection.chunks import copier
from smaug.protection.chunks import gc
from smaug.protection.chunks import keys
from smaug.protection.chunks import layout
from smaug.protection.chunks import leases
from smaug.protection.chunks import manifest as manifest_module
from smaug.protection.chunks import reader
from smaug.protection.chunks import writer

SHARED_SCOPE = 'shared'
"""The encryption scope of a store made without a project."""


@dataclasses.dataclass(frozen=True)
class StoreOptions:
    """The ``[chunk_store]`` options a store works with."""

    chunk_size: int = 4 * 1024 * 1024
    chunks_in_flight: int = 8
    threads: int = 4
    compression_level: int = codec_module.DEFAULT_COMPRESSION_LEVEL
    lease_seconds: int = 60
    writer_wait_seconds: int = 3600
    gc_writer_wait_seconds: int = 300
    gc_settle_seconds: float = 5.0
    gc_min_age_seconds: int = 900

    @classmethod
    def from_conf(cls, conf):
        section = conf.chunk_store
        return cls(**{field.name: section[field.name]
                      for field in dataclasses.fields(cls)})


class ChunkStore:
    """The chunk store of one bank, writing for one project.

    :param bank: a :class:`~smaug.protection.bank.bank.Bank`.
    :param options: :class:`StoreOptions`.
    :param wrapping_keys: the configured keys that wrap data keys
        (:class:`~smaug.protection.chunks.keys.WrappingKeys`); None to
        write unencrypted (encrypted manifests then cannot be read).
    :param project_id: whose data key encrypts what this store writes.
    """

    def __init__(self, bank, options=None, wrapping_keys=None,
                 project_id=None):
        if isinstance(bank, bank_module.BankSection):
            bank = bank.bank
        self.bank = bank
        self.options = options or StoreOptions()
        self.wrapping_keys = wrapping_keys
        self.scope = project_id or SHARED_SCOPE
        self._codecs = {}
        self._codecs_lock = threading.Lock()

    @classmethod
    def for_bank(cls, bank, conf=None, project_id=None):
        """The store of ``bank``, configured by ``[chunk_store]``.

        :param conf: a ConfigOpts with the options of
            :mod:`smaug.conf.protection`; the global one by default.
        :raises ChunkKeyError: for a malformed configured key.
        """
        conf = cfg.CONF if conf is None else conf
        return cls(bank, StoreOptions.from_conf(conf),
                   keys.WrappingKeys.from_conf(conf.chunk_store),
                   project_id)

    # Codecs: one per encryption scope, its data key loaded once.

    def _codec(self, scope=None, for_writing=False, seed=None):
        with self._codecs_lock:
            if scope not in self._codecs:
                data_key = None
                if scope is not None and for_writing:
                    data_key = keys.data_key_for_writing(
                        self.bank, scope, self.wrapping_keys,
                        self.options.lease_seconds, seed)
                elif scope is not None:
                    data_key = keys.read_data_key(self.bank, scope,
                                                  self.wrapping_keys)
                self._codecs[scope] = codec_module.ChunkCodec(
                    self.options.compression_level, data_key)
            return self._codecs[scope]

    def _writing_codec(self, seed=None):
        """:param seed: the source's DataKey, when copying (see
        :func:`~smaug.protection.chunks.keys.data_key_for_writing`)."""
        if self.wrapping_keys is None:
            return self._codec()
        return self._codec(self.scope, for_writing=True, seed=seed)

    # Objects

    def write(self, stream, section, name, progress=None, size=None):
        """Store ``stream`` as the object ``name`` of ``section``.

        :param stream: a file-like object with ``read(n)``; its length
            need not be known.
        :param section: a writable
            :class:`~smaug.protection.bank.bank.BankSection`; the manifest
            is written at ``name`` in it.
        :param progress: called as ``progress(done_bytes, size)`` as
            chunks are stored.
        :param size: the expected length, if known: reported to
            ``progress`` and checked at the end.
        :returns: the :class:`Manifest` written, its ``stats`` set.
        :raises BankReadOnly: for a read-only section.
        :raises smaug.exception.InvalidInput: when ``size`` is wrong.
        :raises ChunkStoreBusy: when a garbage collection held the bank
            for longer than ``writer_wait_seconds``.
        :raises ChunkLeaseLost: when the write could not keep its lease
            (no manifest is written then).
        """
        with self._writing(section, name) as (manifest_key, lease):
            codec = self._writing_codec()
            chunks, total, digest, stats = writer.ChunkWriter(
                self.bank, codec, self.options, lease).store(
                    stream, progress, size)
            return self._commit(section, name, codec, lease,
                                manifest_module.Manifest(
                                    chunks=chunks, size=total, digest=digest,
                                    chunk_size=self.options.chunk_size,
                                    key=manifest_key, stats=stats))

    def copy(self, source_section, name, section, source=None,
             progress=None):
        """Store in ``section`` the object stored at ``name`` in
        ``source_section``, so that ``section``'s bank alone holds it.

        The destination gets the chunks it lacks, encoded as this store
        encodes them (see :mod:`copier`); when it has no data key for the
        project yet, it takes the source's, so that both store chunks
        alike. The manifest comes last, as for :meth:`write`: a copy that
        fails writes none, and the chunks it uploaded go at the next
        collection.

        :param source_section: a BankSection (read-only will do).
        :param name: the object's name, the same in both sections.
        :param section: a writable BankSection.
        :param source: the ChunkStore of the source's bank; by default
            this store in the same bank, else one with its options and
            configured key.
        :param progress: called as ``progress(done_bytes, size)``.
        :returns: the :class:`Manifest` written, its ``stats`` saying what
            was uploaded.
        :raises BankObjectNotFound: when the source holds no such object.
        :raises ChunkCorruption: naming the source's manifest and chunk,
            when a chunk is missing or damaged.
        :raises ChunkKeyError: when the source is encrypted and its store
            has not the key.
        :raises BankReadOnly, ChunkStoreBusy, ChunkLeaseLost: as
            :meth:`write`.
        """
        if source is None:
            source = self if source_section.bank is self.bank else (
                ChunkStore(source_section.bank, self.options,
                           self.wrapping_keys))
        with self._writing(section, name) as (manifest_key, lease):
            # Read under the lease: in a shared bank, no collection can
            # then free the source's chunks before the copy's manifest
            # holds them too.
            chunk_reader = source._reader(source_section, name)
            # Only now, with the source's data key known: a bank without
            # one for the project takes it, and then needs no re-encoding.
            codec = self._writing_codec(seed=chunk_reader.codec.data_key)
            chunks, stats = copier.ChunkCopier(
                chunk_reader, writer.ChunkWriter(self.bank, codec,
                                                 self.options, lease),
                self.options).copy(progress)
            original = chunk_reader.manifest
            return self._commit(section, name, codec, lease,
                                manifest_module.Manifest(
                                    chunks=chunks, size=original.size,
                                    digest=original.digest,
                                    version=original.version,
                                    chunk_size=original.chunk_size,
                                    key=manifest_key, stats=stats))

    @contextlib.contextmanager
    def _writing(self, section, name):
        """Hold what a write of ``name`` in ``section`` needs from before
        its first chunk until its manifest is written.

        :returns: (the manifest's key, the WriterLease), once the
            manifest's reference is written.
        """
        manifest_key = section.prefix + '/' + base.validate_key(name)
        if not section.writable:
            raise base.BankReadOnly(prefix=section.prefix, key=name)
        with leases.WriterLease(self.bank, self.options.lease_seconds,
                                self.options.writer_wait_seconds) as lease:
            # The reference first: a manifest is never without one, or a
            # collection would not see its chunks.
            self.bank.put_object(layout.ref_key(manifest_key), b'')
            yield manifest_key, lease

    @staticmethod
    def _commit(section, name, codec, lease, manifest):
        """Write ``manifest``, its digest sealed when encrypted, unless the
        lease was lost; :returns: it as written."""
        if codec.encrypted:
            manifest = dataclasses.replace(
                manifest, scope=codec.data_key.scope,
                key_id=codec.data_key.key_id,
                sealed_digest=codec.seal(manifest.digest.encode(),
                                         manifest.seal_context()))
        lease.check()
        section.put_json(name, manifest_module.to_document(manifest))
        return manifest

    def manifest(self, section, name):
        """The manifest of ``name`` in ``section``, its digest unsealed.

        :raises BankObjectNotFound:
        :raises BankCorruption: for a damaged manifest.
        :raises ChunkKeyError: for an encrypted one without its key.
        """
        key = section.prefix + '/' + base.validate_key(name)
        manifest = manifest_module.from_document(section.get_json(name),
                                                 key)
        if not manifest.encrypted:
            return manifest
        try:
            digest = self._codec(manifest.scope).unseal(
                manifest.sealed_digest, manifest.seal_context()).decode()
        except codec_module.CodecError as error:
            raise base.BankCorruption(key=key, reason='its digest: %s'
                                      % error)
        return dataclasses.replace(manifest, digest=digest)

    def _reader(self, section, name):
        manifest = self.manifest(section, name)
        return reader.ChunkReader(self.bank, self._codec(manifest.scope),
                                  self.options, manifest)

    def read(self, section, name):
        """The object's bytes, in order, a chunk at a time.

        :raises BankObjectNotFound: when there is no such manifest.
        :raises ChunkCorruption: naming the manifest and the chunk, when a
            chunk is missing or damaged.
        """
        return self._reader(section, name).blocks()

    def open_reader(self, section, name):
        """The object as a binary file (``read(n)``, ``close``)."""
        return reader.open_reader(self.read(section, name))

    def verify(self, section, name):
        """Read and check every chunk and the object's digest, keeping
        nothing.

        :returns: the Manifest.
        :raises ChunkCorruption: naming the manifest and the chunk.
        :raises BankCorruption: when the chunks are sound but do not make
            up the object the manifest describes.
        """
        chunk_reader = self._reader(section, name)
        manifest = chunk_reader.manifest
        actual = chunk_reader.digest()
        if actual != manifest.digest:
            raise base.BankCorruption(
                key=manifest.key,
                reason='its chunks make an object with %s %s, not the %s it '
                       'was written with' % (manifest.digest_field, actual,
                                             manifest.digest))
        return manifest

    def delete(self, section, name):
        """Delete the manifest; its chunks go at the next collection."""
        manifest_key = section.prefix + '/' + base.validate_key(name)
        # The manifest before its reference: a manifest left without a
        # reference would lose its chunks to the next collection.
        section.delete_object(name)
        self.bank.delete_object(layout.ref_key(manifest_key))

    def collect_garbage(self):
        """Remove the chunks no manifest references; see :mod:`gc`.

        :returns: a :class:`~smaug.protection.chunks.gc.GCReport`.
        """
        return gc.GarbageCollector(self.bank, self.options).run()
