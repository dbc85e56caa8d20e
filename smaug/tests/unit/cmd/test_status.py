"""smaug-status upgrade check: the schema and the policy file."""
import os

import fixtures
from oslo_config import fixture as config_fixture
from oslo_upgradecheck import upgradecheck
import testtools

from smaug import policy
from smaug.cmd import status
from smaug.conf import CONF
from smaug.db import migration
from smaug.tests.fixtures import database


class TestDatabaseSchema(testtools.TestCase):

    def test_schema_at_head_passes(self):
        self.useFixture(database.Database())

        result = status.Checks()._check_database_schema()

        self.assertEqual(upgradecheck.Code.SUCCESS, result.code)

    def test_unmigrated_schema_fails_and_says_what_to_run(self):
        self.useFixture(database.Database(migrate=False))

        result = status.Checks()._check_database_schema()

        self.assertEqual(upgradecheck.Code.FAILURE, result.code)
        self.assertIn('revision none', result.details)
        self.assertIn(migration.head(), result.details)
        self.assertIn('smaug-manage db sync', result.details)


class TestPolicyRules(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        # Parsed without files, so no policy file of this machine is read.
        CONF(args=[], project='smaug', default_config_files=[],
             default_config_dirs=[])
        self.addCleanup(CONF.clear)
        self.addCleanup(policy.reset)
        self.directory = self.useFixture(fixtures.TempDir()).path

    def _policy_file(self, text):
        path = os.path.join(self.directory, 'policy.yaml')
        with open(path, 'w') as f:
            f.write(text)
        self.conf.config(group='oslo_policy', policy_file=path)

    def test_no_policy_file_passes(self):
        self.conf.config(group='oslo_policy',
                         policy_file=os.path.join(self.directory, 'none'))

        result = status.Checks()._check_policy_rules()

        self.assertEqual(upgradecheck.Code.SUCCESS, result.code)

    def test_overrides_of_known_rules_and_used_aliases_pass(self):
        self._policy_file('admin_api: "rule:cloud_admins"\n'
                          'cloud_admins: "role:admin and '
                          'project_id:a8b5c3d1"\n')

        result = status.Checks()._check_policy_rules()

        self.assertEqual(upgradecheck.Code.SUCCESS, result.code)

    def test_unknown_rules_are_named(self):
        self._policy_file('admin_api: "role:admin"\n'
                          'checkpoint:teleport: "role:admin"\n'
                          'plan:frobnicate: ""\n')

        result = status.Checks()._check_policy_rules()

        self.assertEqual(upgradecheck.Code.WARNING, result.code)
        self.assertIn('checkpoint:teleport, plan:frobnicate', result.details)
