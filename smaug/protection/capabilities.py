"""Which protection plugins protect a resource type in a required way.

Plugins declare capabilities (``plugin.Capability``: incremental, live,
crash-consistent, offload, copy). A provider, and a plan, may require some
of them; flows are then composed only from plugins that have them all, and
a type no such plugin protects is refused with a clear error instead of
being protected some weaker way.
"""
from smaug import exception


class CapabilityRegistry:
    """Plugin classes by name, queried by type and capabilities.

    :param plugins: {entry point name: plugin class}, in preference order.
    """

    def __init__(self, plugins):
        self._plugins = dict(plugins)

    def find(self, resource_type, capabilities=()):
        """The (name, class) pairs that protect ``resource_type`` with
        every capability in ``capabilities``, in preference order.

        :raises NoCapablePlugin: when there is none.
        """
        wanted = frozenset(capabilities)
        found = [(name, plugin_class)
                 for name, plugin_class in self._plugins.items()
                 if resource_type in
                 plugin_class.get_supported_resources_types()
                 and wanted <= frozenset(plugin_class.capabilities)]
        if not found:
            raise exception.NoCapablePlugin(
                type=resource_type,
                capabilities=', '.join(sorted(wanted)) or 'none')
        return found

    def missing(self, resource_type, capabilities=()):
        """What the plugins of ``resource_type`` lack of ``capabilities``.

        :returns: the capabilities missing from the plugin of the type that
            lacks the fewest (sorted; empty when one has them all), or None
            when no plugin protects the type.
        """
        wanted = frozenset(capabilities)
        gaps = [wanted - frozenset(plugin_class.capabilities)
                for plugin_class in self._plugins.values()
                if resource_type in
                plugin_class.get_supported_resources_types()]
        if not gaps:
            return None
        return sorted(min(gaps, key=len))

    def resource_types(self):
        return sorted({resource_type
                       for plugin_class in self._plugins.values()
                       for resource_type
                       in plugin_class.get_supported_resources_types()})
