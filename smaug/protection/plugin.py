"""The interface of protection plugins, as providers and the API see it.

A plugin protects one or more resource types. Its schemas describe the
parameters a plan (options), a restore and a verification may pass for each
type, and the metadata it saves; its capabilities say how it protects.
"""
from smaug.protection import activity

EMPTY_SCHEMA = {'type': 'object', 'properties': {},
                'additionalProperties': False}


class Capability:
    """What a plugin can promise about the way it protects."""

    INCREMENTAL = 'incremental'
    LIVE = 'live'
    CRASH_CONSISTENT = 'crash-consistent'
    OFFLOAD = 'offload'
    COPY = 'copy'

    ALL = (INCREMENTAL, LIVE, CRASH_CONSISTENT, OFFLOAD, COPY)


class ProtectionPlugin:
    """A vendor plugin, configured per provider.

    :param config: the provider's own ConfigOpts, so the same plugin can be
        set up differently in two providers.
    """

    #: Resource types the plugin protects.
    supported_resource_types = ()
    #: Capabilities from :class:`Capability`.
    capabilities = frozenset()

    def __init__(self, config=None):
        self._config = config

    @classmethod
    def get_supported_resources_types(cls):
        return tuple(cls.supported_resource_types)

    #: JSON schemas shared by every supported type: protect parameters
    #: (options), restore and verify parameters, and what the plugin saves.
    #: Override the get_*_schema class methods to vary them by type.
    options_schema = EMPTY_SCHEMA
    restore_schema = EMPTY_SCHEMA
    verify_schema = EMPTY_SCHEMA
    saved_info_schema = EMPTY_SCHEMA

    @classmethod
    def get_options_schema(cls, resource_type):
        """JSON schema of the protect parameters of ``resource_type``."""
        return cls.options_schema

    @classmethod
    def get_restore_schema(cls, resource_type):
        """JSON schema of the restore parameters of ``resource_type``."""
        return cls.restore_schema

    @classmethod
    def get_verify_schema(cls, resource_type):
        """JSON schema of the verify parameters of ``resource_type``."""
        return cls.verify_schema

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        """JSON schema of what the plugin saves about ``resource_type``."""
        return cls.saved_info_schema

    # The work per operation: each returns an activity.ResourceWork, empty
    # when the plugin has nothing to do for that resource.

    def get_protect_work(self, resource):
        return activity.ResourceWork()

    def get_restore_work(self, resource):
        return activity.ResourceWork()

    def get_delete_work(self, resource):
        return activity.ResourceWork()

    def get_verify_work(self, resource):
        return activity.ResourceWork()

    def get_copy_work(self, resource):
        """The copy of a resource into another checkpoint.

        The engine has already copied what the plugin saved in the bank
        (``ctx.bank`` is the copy's section, writable; ``ctx.source`` the
        source's, read-only, maybe in another bank), but for chunk store
        manifests: the plugin copies each of them here with
        ``ChunkStore.copy``, or the copy fails. A plugin whose data lives
        outside the bank copies it here too, and records in the section
        what a restore of the copy must use. Only plugins that declare
        :attr:`Capability.COPY` are asked.
        """
        return activity.ResourceWork()
