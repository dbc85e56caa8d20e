"""Request bodies of the triggers routes.

The schemas check shapes; the time formats check what the pattern and
times mean (``smaug.operationengine.triggers.time_trigger``).
"""
from smaug.api.schemas import parameter_types as types
from smaug.operationengine.triggers import time_trigger

_TIME = {'type': 'string', 'minLength': 1, 'maxLength': 64}

PROPERTIES = {
    'type': 'object',
    'properties': {
        'format': {'type': 'string', 'minLength': 1, 'maxLength': 64},
        # Crontab and calendar patterns are strings; an interval may be a
        # number of seconds.
        'pattern': {'type': ['string', 'integer'], 'minLength': 1,
                    'maxLength': 4096},
        'start_time': _TIME,
        'end_time': {'type': ['string', 'null'], 'minLength': 1,
                     'maxLength': 64},
        # Karbor's API reference sends the window as a string: "3600".
        'window': {'type': ['integer', 'string'],
                   'pattern': '^[0-9]{1,9}$'},
    },
    'required': ['format', 'pattern'],
    'additionalProperties': False,
}

_TYPE = {'type': 'string', 'enum': [time_trigger.TYPE]}

create = {
    'type': 'object',
    'properties': {
        'trigger_info': {
            'type': 'object',
            'properties': {
                'name': types.NAME,
                'type': _TYPE,
                'properties': PROPERTIES,
            },
            'required': ['name', 'type', 'properties'],
            'additionalProperties': False,
        },
    },
    'required': ['trigger_info'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'trigger_info': {
            'type': 'object',
            'properties': {
                'name': types.NAME,
                # A trigger keeps its type; sending it back is allowed.
                'type': _TYPE,
                'properties': PROPERTIES,
            },
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['trigger_info'],
    'additionalProperties': False,
}
