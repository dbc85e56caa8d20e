"""Composing providers from plugins by the capabilities they declare."""
import os

import fixtures
import testtools

from smaug import exception
from smaug.protection import capabilities
from smaug.protection import plugin
from smaug.protection import providers
from smaug.protection import resource_types
from smaug.tests.fixtures import entry_points
from smaug.tests.plugins import synthetic
from smaug.tests.unit.protection.flows import harness


class _Full(plugin.ProtectionPlugin):
    supported_resource_types = ('T::A', 'T::B')
    capabilities = frozenset({'incremental', 'live'})


class _Plain(plugin.ProtectionPlugin):
    supported_resource_types = ('T::A',)


class CapabilityRegistryTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.registry = capabilities.CapabilityRegistry(
            [('plain', _Plain), ('full', _Full)])

    def test_finds_plugins_of_a_type_in_preference_order(self):
        self.assertEqual([('plain', _Plain), ('full', _Full)],
                         self.registry.find('T::A'))

    def test_keeps_only_plugins_with_every_capability(self):
        self.assertEqual([('full', _Full)],
                         self.registry.find('T::A', {'incremental', 'live'}))

    def test_says_which_type_and_capabilities_nobody_offers(self):
        error = self.assertRaises(exception.NoCapablePlugin,
                                  self.registry.find, 'T::A', {'copy'})
        self.assertIn('T::A', str(error))
        self.assertIn('copy', str(error))
        self.assertEqual(404, error.code)


class ProviderCapabilitiesTest(testtools.TestCase):

    def _provider(self, extra):
        self.useFixture(entry_points.SmaugEntryPoints())
        self.useFixture(entry_points.EntryPoints(harness.TEST_ENTRY_POINTS))
        directory = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(directory, 'p.conf')
        with open(path, 'w') as f:
            f.write('[provider]\nid = p\nname = P\nenabled = true\n'
                    'bank = file-system\nplugin = recording\nplugin = noop\n'
                    '%s\n[recording_plugin]\njournal = %s\n'
                    % (extra, os.path.join(directory, 'journal')))
        return providers.ProviderRegistry(directory).get('p')

    def test_first_listed_plugin_wins_without_requirements(self):
        provider = self._provider('')
        self.assertEqual('RecordingPlugin',
                         provider.plugin_for(synthetic.NODE).__name__)

    def test_required_capabilities_skip_plugins_without_them(self):
        provider = self._provider('required_capabilities = incremental')
        # The recording plugin declares no capability: its type is not
        # offered rather than protected some weaker way.
        self.assertIsNone(provider.plugin_for(synthetic.NODE))
        self.assertEqual('NoopProtectionPlugin', provider.plugin_for(
            resource_types.VOLUME).__name__)
        self.assertNotIn(synthetic.NODE,
                         provider.extended_info_schema()['options_schema'])

    def test_a_flow_can_ask_for_more_than_the_provider(self):
        provider = self._provider('')
        self.assertEqual('NoopProtectionPlugin', provider.plugin_with(
            resource_types.VOLUME, {'offload'}).__name__)
        self.assertRaises(exception.NoCapablePlugin, provider.plugin_with,
                          synthetic.NODE, {'offload'})
