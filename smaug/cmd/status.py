"""smaug-status: is this deployment ready to run the installed code?

``smaug-status upgrade check`` runs after the new code is installed and
before its services start.
"""
import re
import sys

from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from smaug import policy
from smaug.conf import CONF
from smaug.conf import opts
from smaug.db import migration

# Rule names a policy check string refers to, as in "rule:admin_api".
_RULE_REFERENCE = re.compile(r'rule:([^\s()]+)')


class Checks(upgradecheck.UpgradeCommands):
    """The checks of ``smaug-status upgrade check``."""

    def _check_database_schema(self):
        current, head = migration.version(), migration.head()
        if current == head:
            return upgradecheck.Result(upgradecheck.Code.SUCCESS)
        return upgradecheck.Result(
            upgradecheck.Code.FAILURE,
            'The database schema is at revision %s; this code needs %s. '
            'Run "smaug-manage db sync".' % (current or 'none', head))

    def _check_policy_rules(self):
        enforcer = policy.get_enforcer()
        overridden = enforcer.file_rules
        if not overridden:
            return upgradecheck.Result(upgradecheck.Code.SUCCESS)
        # A name other rules refer to is an operator's alias, not a stray.
        referenced = {name for rule in overridden.values()
                      for name in _RULE_REFERENCE.findall(rule.check_str)}
        unknown = sorted(set(overridden) - set(enforcer.registered_rules) -
                         referenced)
        if not unknown:
            return upgradecheck.Result(upgradecheck.Code.SUCCESS)
        return upgradecheck.Result(
            upgradecheck.Code.WARNING,
            'The policy file sets rules Smaug does not have, so they have '
            'no effect (renamed or removed?): %s' % ', '.join(unknown))

    _upgrade_checks = (
        ('Database schema', _check_database_schema),
        ('Policy file rules', _check_policy_rules),
        ('Policy file format',
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def main():
    opts.set_defaults(CONF)
    return upgradecheck.main(CONF, project='smaug', upgrade_command=Checks(),
                             argv=sys.argv[1:])


if __name__ == '__main__':
    sys.exit(main())
