"""The policy enforcer and the one call every controller makes."""
from oslo_config import cfg
from oslo_policy import opts as policy_opts
from oslo_policy import policy

from smaug import exception
from smaug import policies

CONF = cfg.CONF
_ENFORCER = None

policy_opts.set_defaults(CONF, 'policy.yaml')


def reset():
    global _ENFORCER
    if _ENFORCER:
        _ENFORCER.clear()
        _ENFORCER = None


def get_enforcer():
    """The enforcer with Smaug's rules registered (also for oslopolicy-*)."""
    global _ENFORCER
    if _ENFORCER is None:
        _ENFORCER = policy.Enforcer(CONF)
        _ENFORCER.register_defaults(policies.list_rules())
        _ENFORCER.load_rules()
    return _ENFORCER


def authorize(context, action, target=None):
    """Check ``action`` for ``context`` on ``target`` (a project dict).

    :raises PolicyNotAuthorized: when the rule denies it.
    """
    target = target if target is not None else {
        'project_id': context.project_id, 'user_id': context.user_id}
    try:
        return get_enforcer().authorize(action, target, context,
                                        do_raise=True,
                                        exc=exception.PolicyNotAuthorized,
                                        action=action)
    except policy.InvalidScope:
        raise exception.PolicyNotAuthorized(action=action)
