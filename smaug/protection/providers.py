"""Providers: named sets of protection plugins and a bank, from files.

Each ``*.conf`` file in ``[protection] provider_config_dir`` defines one
provider in its ``[provider]`` section; the file's other sections configure
that provider's bank and plugins.
"""
import glob
import os

from oslo_config import cfg
from oslo_log import log as logging
from stevedore import driver

from smaug import exception
from smaug.protection import capabilities

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

PLUGIN_NAMESPACE = 'smaug.protections'
BANK_NAMESPACE = 'smaug.banks'

provider_opts = [
    cfg.StrOpt('id', required=True, help='UUID of the provider.'),
    cfg.StrOpt('name', required=True, help='Display name.'),
    cfg.StrOpt('description', default='', help='What it protects and how.'),
    cfg.BoolOpt('enabled', default=False,
                help='Disabled providers are not loaded.'),
    cfg.StrOpt('bank', required=True,
               help='Entry point name of the bank plugin (smaug.banks).'),
    cfg.MultiStrOpt('plugin', default=[],
                    help='Entry point names of protection plugins '
                         '(smaug.protections); repeat for several. For a '
                         'type several protect, the first listed wins.'),
    cfg.ListOpt('required_capabilities', default=[],
                help='Capabilities every plugin of this provider must '
                     'have (incremental, live, crash-consistent, offload, '
                     'copy); plugins without them are not used.'),
]


class Provider:
    """One provider: its identity, its bank and its plugin per type."""

    def __init__(self, conf):
        section = conf.provider
        self.id = section.id
        self.name = section.name
        self.description = section.description
        self.bank_name = section.bank
        self.config = conf
        self.required_capabilities = frozenset(
            section.required_capabilities)
        self.capabilities = capabilities.CapabilityRegistry(
            (name, driver.DriverManager(PLUGIN_NAMESPACE, name,
                                        invoke_on_load=False).driver)
            for name in section.plugin)
        self.plugins = {}
        for resource_type in self.capabilities.resource_types():
            try:
                found = self.capabilities.find(resource_type,
                                               self.required_capabilities)
            except exception.NoCapablePlugin as reason:
                LOG.warning('Provider %s: %s', self.name, reason)
                continue
            self.plugins[resource_type] = found[0][1]

    def extended_info_schema(self):
        """The per-type schemas the API publishes for this provider."""
        def per_type(getter):
            return {resource_type: getattr(plugin_class, getter)(
                resource_type)
                for resource_type, plugin_class in self.plugins.items()}
        return {
            'options_schema': per_type('get_options_schema'),
            'restore_schema': per_type('get_restore_schema'),
            'verify_schema': per_type('get_verify_schema'),
            'saved_info_schema': per_type('get_saved_info_schema'),
        }

    def plugin_for(self, resource_type):
        return self.plugins.get(resource_type)

    def protects(self, resource_type):
        """Whether any plugin of the provider handles ``resource_type``,
        whatever its capabilities."""
        return self.capabilities.missing(resource_type) is not None

    def missing_capabilities(self, resource_type, required=()):
        """What its plugins of ``resource_type`` lack of ``required`` and
        the provider's own requirements; see CapabilityRegistry.missing."""
        return self.capabilities.missing(
            resource_type, self.required_capabilities | frozenset(required))

    def plugin_with(self, resource_type, required=()):
        """The plugin for ``resource_type`` with ``required`` capabilities
        besides the provider's own.

        :raises NoCapablePlugin: when none of the provider's plugins has
            them.
        """
        wanted = self.required_capabilities | frozenset(required)
        return self.capabilities.find(resource_type, wanted)[0][1]


def _provider_dir():
    path = CONF.protection.provider_config_dir
    if not os.path.isabs(path) and CONF.config_file:
        path = os.path.join(os.path.dirname(CONF.config_file[0]), path)
    return path


def _load_provider(path):
    conf = cfg.ConfigOpts()
    conf.register_opts(provider_opts, group='provider')
    conf(args=[], default_config_files=[path], project='smaug')
    if not conf.provider.enabled:
        return None
    return Provider(conf)


class ProviderRegistry:
    """The enabled providers, keyed by id."""

    def __init__(self, directory=None):
        self._providers = {}
        directory = directory or _provider_dir()
        for path in sorted(glob.glob(os.path.join(directory, '*.conf'))):
            try:
                provider = _load_provider(path)
            except Exception:
                LOG.exception('Provider file %s is invalid; skipped', path)
                continue
            if provider is not None:
                self._providers[provider.id] = provider

    def list(self):
        return sorted(self._providers.values(), key=lambda p: p.name)

    def get(self, provider_id):
        """:raises ProviderNotFound: for an unknown or disabled provider."""
        try:
            return self._providers[provider_id]
        except KeyError:
            raise exception.ProviderNotFound(id=provider_id)


_REGISTRY = None


def get_registry():
    """The process-wide registry, loaded once."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = ProviderRegistry()
    return _REGISTRY


def reset_registry():
    global _REGISTRY
    _REGISTRY = None
