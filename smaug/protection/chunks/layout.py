"""Where the chunk store keeps its objects in a bank.

::

    chunks/data/<aa>/<address>    one object per stored chunk; <aa> is the
                                  address's first two hex digits, so that
                                  no directory of a file-system bank grows
                                  past a few thousand entries
    chunks/refs/<manifest key>    an empty object per manifest, written
                                  before its chunks: garbage collection
                                  finds every manifest by listing these
    chunks/keys/<scope>           a project's data key, wrapped by the
                                  configured key
    chunks/writers/<id>           one object per write in progress, next
                                  to a lease of the same name

Leases: ``chunks/gc`` (one garbage collection at a time),
``chunks/writers/<id>`` (one per write) and ``chunks/keys/<scope>``
(creating a data key).
"""
from smaug.protection.bank import base

ROOT = 'chunks/'
DATA = 'chunks/data/'
REFS = 'chunks/refs/'
KEYS = 'chunks/keys/'
WRITERS = 'chunks/writers/'
GC_LEASE = 'chunks/gc'


def chunk_key(address):
    return '%s%s/%s' % (DATA, address[:2], address)


def address_of(chunk_key):
    return chunk_key.rpartition('/')[2]


def ref_key(manifest_key):
    """:raises InvalidBankKey: when the manifest's key is too long to be
    referenced."""
    return base.validate_key(REFS + manifest_key)


def manifest_key_of(ref):
    return ref[len(REFS):]


def data_key_key(scope):
    return base.validate_key(KEYS + scope)


def writer_key(writer_id):
    return WRITERS + writer_id

LISTING_PAGE = 1000


def pages(bank, prefix):
    """Every key under ``prefix``, one listing page (a list) at a time."""
    marker = None
    while True:
        keys = bank.list_objects(prefix, marker, LISTING_PAGE)
        if keys:
            yield keys
        if len(keys) < LISTING_PAGE:
            return
        marker = keys[-1]


def manifests_under(bank, prefix):
    """The keys of the manifests under ``prefix``, from their references:
    listings only, without reading an object. A write that failed may
    leave a reference whose manifest does not exist."""
    return {manifest_key_of(ref) for page in pages(bank, REFS + prefix)
            for ref in page}
