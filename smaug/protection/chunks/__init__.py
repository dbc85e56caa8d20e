"""The chunk store: content-addressed, deduplicated, compressed and
optionally encrypted storage of large objects in a bank.

See :class:`~smaug.protection.chunks.store.ChunkStore` and
``doc/source/contributor/chunk-store.rst``.
"""
from smaug.protection.chunks.errors import ChunkCorruption  # noqa: F401
from smaug.protection.chunks.errors import ChunkKeyError  # noqa: F401
from smaug.protection.chunks.errors import ChunkLeaseLost  # noqa: F401
from smaug.protection.chunks.errors import ChunkStoreBusy  # noqa: F401
from smaug.protection.chunks.gc import GCReport  # noqa: F401
from smaug.protection.chunks.manifest import Manifest  # noqa: F401
from smaug.protection.chunks.manifest import WriteStats  # noqa: F401
from smaug.protection.chunks.store import ChunkStore  # noqa: F401
from smaug.protection.chunks.store import StoreOptions  # noqa: F401
