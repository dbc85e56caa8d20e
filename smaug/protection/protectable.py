"""The interface of protectable plugins and their registry.

A protectable plugin knows one resource type: how to list and show its
instances and which of them depend on a parent resource. The registry
loads one plugin per type from the ``smaug.protectables`` entry points:
those named in ``[protection] protectables``, or every installed one.
"""
import abc

from oslo_config import cfg
from stevedore import extension
from stevedore import named

from smaug import exception

CONF = cfg.CONF
NAMESPACE = 'smaug.protectables'


class ProtectablePlugin(abc.ABC):
    """One resource type's discovery.

    :param context: the caller's RequestContext; plugins act as the caller.
    """

    #: The resource type this plugin discovers.
    resource_type = None
    #: Types whose instances may have instances of this type as children.
    parent_types = ()

    def __init__(self, context):
        self._context = context

    @abc.abstractmethod
    def list_resources(self, parameters=None):
        """:returns: the visible instances, as Resource objects."""

    @abc.abstractmethod
    def show_resource(self, resource_id, parameters=None):
        """:raises ProtectableInstanceNotFound: when it does not exist."""

    @abc.abstractmethod
    def get_dependent_resources(self, parent):
        """:returns: this type's instances that ``parent`` depends on."""


class ProtectableRegistry:
    """The protectable plugins, by resource type."""

    def __init__(self):
        self._plugins = {ext.plugin.resource_type: ext.plugin
                         for ext in _extensions()}

    def types(self):
        return sorted(self._plugins)

    def plugin_class(self, resource_type):
        """:raises ProtectableTypeNotFound: for an unknown type."""
        try:
            return self._plugins[resource_type]
        except KeyError:
            raise exception.ProtectableTypeNotFound(id=resource_type)

    def plugin(self, context, resource_type):
        return self.plugin_class(resource_type)(context)

    def dependent_types(self, resource_type):
        """The types whose instances can be children of ``resource_type``."""
        self.plugin_class(resource_type)
        return sorted(t for t, plugin in self._plugins.items()
                      if resource_type in plugin.parent_types)

    def dependents_of(self, context, parent):
        """The direct children of ``parent`` across every type."""
        children = []
        for child_type in self.dependent_types(parent.type):
            children.extend(self.plugin(context, child_type)
                            .get_dependent_resources(parent))
        return children


def _extensions():
    """The enabled plugins' extensions.

    :raises SmaugException: when an enabled name is not installed.
    """
    names = CONF.protection.protectables
    if names is None:
        return extension.ExtensionManager(NAMESPACE, invoke_on_load=False)

    def missing(unknown):
        raise exception.SmaugException(
            '[protection] protectables names %s, which no installed '
            'package provides (%s)' % (', '.join(sorted(unknown)),
                                       NAMESPACE))
    return named.NamedExtensionManager(
        NAMESPACE, names, invoke_on_load=False,
        on_missing_entrypoints_callback=missing)


_REGISTRY = None


def get_registry():
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = ProtectableRegistry()
    return _REGISTRY
