"""Policy-in-code: every rule Smaug enforces, with its default."""
import itertools

from smaug.policies import base
from smaug.policies import resources


def list_rules():
    return list(itertools.chain(base.list_rules(), resources.list_rules()))
