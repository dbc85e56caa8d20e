"""The personas every Smaug rule is written in.

Keystone's default roles imply one another (admin > member > reader), so
a rule naming the reader role admits members and admins of that project.
"""
from oslo_policy import policy

PROJECT_READER = 'role:reader and project_id:%(project_id)s'
PROJECT_MEMBER = 'role:member and project_id:%(project_id)s'
ADMIN = 'role:admin'

RULE_ADMIN_API = 'rule:admin_api'
RULE_PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'
RULE_PROJECT_MEMBER_OR_ADMIN = 'rule:project_member_or_admin'

rules = [
    policy.RuleDefault('admin_api', ADMIN,
                       description='Cloud administrators.'),
    policy.RuleDefault('project_reader_or_admin',
                       '(%s) or %s' % (PROJECT_READER, ADMIN),
                       description='Readers of the owning project, or '
                                   'administrators.'),
    policy.RuleDefault('project_member_or_admin',
                       '(%s) or %s' % (PROJECT_MEMBER, ADMIN),
                       description='Members of the owning project, or '
                                   'administrators.'),
]


def operations(resource, operations_by_verb):
    """DocumentedRuleDefaults for one API resource.

    :param operations_by_verb: {action: (check_str, description,
        [(method, path), ...])}
    """
    return [
        policy.DocumentedRuleDefault(
            name='%s:%s' % (resource, action),
            check_str=check_str,
            description=description,
            operations=[{'method': method, 'path': path}
                        for method, path in paths],
            scope_types=['project'])
        for action, (check_str, description, paths)
        in operations_by_verb.items()
    ]


def list_rules():
    return rules
