"""A plugin that protects every resource type by doing nothing.

It lets plans, checkpoints and the orchestration be exercised end to end
without an OpenStack cloud.
"""
from smaug.protection import plugin
from smaug.protection import resource_types


class NoopProtectionPlugin(plugin.ProtectionPlugin):
    supported_resource_types = resource_types.ALL
    capabilities = frozenset(plugin.Capability.ALL)
