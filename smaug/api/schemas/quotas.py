"""Request bodies of the quotas and quota_classes routes."""
from smaug import quota

# -1 means unlimited. Karbor read limits from strings as well.
LIMIT = {'type': ['integer', 'string'], 'minimum': -1,
         'maximum': 999999999,
         'pattern': '^(-1|[0-9]{1,9})$'}

_LIMITS = {
    'type': 'object',
    'properties': {resource: LIMIT for resource in quota.RESOURCES},
    'minProperties': 1,
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {'quota': _LIMITS},
    'required': ['quota'],
    'additionalProperties': False,
}

update_class = {
    'type': 'object',
    'properties': {'quota_class': _LIMITS},
    'required': ['quota_class'],
    'additionalProperties': False,
}
