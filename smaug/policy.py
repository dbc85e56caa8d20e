"""The policy enforcer and the one call every controller makes."""
import threading

from oslo_config import cfg
from oslo_policy import opts as policy_opts
from oslo_policy import policy

from smaug import exception
from smaug import policies

CONF = cfg.CONF
_ENFORCER = None
_LOCK = threading.Lock()

policy_opts.set_defaults(CONF, 'policy.yaml')


def reset():
    global _ENFORCER
    with _LOCK:
        if _ENFORCER:
            _ENFORCER.clear()
            _ENFORCER = None


def get_enforcer():
    """The enforcer with Smaug's rules registered (also for oslopolicy-*).

    Built under a lock and published only once its rules are in: the API's
    and the engines' threads may ask for it at the same moment.
    """
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is None:
            enforcer = policy.Enforcer(CONF)
            enforcer.register_defaults(policies.list_rules())
            enforcer.load_rules()
            _ENFORCER = enforcer
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
