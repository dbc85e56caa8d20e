"""Names and metadata that tie what a plugin creates to its operation.

Everything a plugin creates in the cloud (a temporary snapshot, a backup,
a restored volume, image or server) carries the operation id in its
metadata and a recognisable name, so that a revert can find what a dead
agent started, and an operator can find anything left behind.
"""
OPERATION_KEY = 'smaug_operation_id'
RESOURCE_KEY = 'smaug_resource'
NAME_PREFIX = 'smaug'


def metadata(ctx):
    """Metadata of an object created for ``ctx``'s resource."""
    return {OPERATION_KEY: ctx.operation_id,
            RESOURCE_KEY: ctx.resource.key()}


def name(ctx, purpose):
    """``smaug-<purpose>-<operation id>-<resource id>``, within 255."""
    return ('%s-%s-%s-%s' % (NAME_PREFIX, purpose, ctx.operation_id,
                             ctx.resource.id))[:255]


def is_tagged(found_metadata, ctx):
    """True when an object's metadata says ``ctx``'s resource made it."""
    found_metadata = found_metadata or {}
    return (found_metadata.get(OPERATION_KEY) == ctx.operation_id and
            found_metadata.get(RESOURCE_KEY) == ctx.resource.key())
