"""What the chunk store raises, beyond the bank's own errors."""
from smaug.protection.bank import base


class ChunkCorruption(base.BankCorruption):
    """A chunk a manifest needs is missing or does not hold what it
    should; names the manifest and the chunk so that the damaged resource
    is known."""

    message = ('Chunk %(index)s (%(chunk)s) of manifest %(manifest)s is '
               'corrupt: %(reason)s.')


class ChunkKeyError(base.BankError):
    """An encrypted manifest or chunk cannot be read or written with the
    configured key."""

    message = 'The chunk data key of %(scope)s cannot be used: %(reason)s.'


class ChunkStoreBusy(base.BankError):
    """A write waited too long for a garbage collection to finish."""

    message = 'The chunk store of bank %(bank)s is busy: %(reason)s.'


class ChunkLeaseLost(base.BankError):
    """A lease that kept a write or a garbage collection safe ran out."""

    message = ('The chunk store lease %(lease)s was lost: %(reason)s; the '
               'operation stopped rather than risk losing chunks.')
