"""Request bodies of the plans routes."""
from smaug import states
from smaug.api.schemas import parameter_types as types
from smaug.protection import plugin

_RESOURCE = {
    'type': 'object',
    'properties': {
        'id': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'type': types.RESOURCE_TYPE,
        'name': {'type': 'string', 'maxLength': 255},
        'extra_info': {'type': ['object', 'null']},
    },
    'required': ['id', 'type', 'name'],
    'additionalProperties': False,
}

_RESOURCES = {'type': 'array', 'items': _RESOURCE, 'minItems': 1,
              'maxItems': 10000}

# What every plugin protecting the plan must offer (a Smaug extension).
_CAPABILITIES = {'type': 'array', 'uniqueItems': True,
                 'items': {'type': 'string',
                           'enum': list(plugin.Capability.ALL)}}

create = {
    'type': 'object',
    'properties': {
        'plan': {
            'type': 'object',
            'properties': {
                'name': types.NAME,
                'description': types.DESCRIPTION,
                'provider_id': types.UUID,
                'parameters': types.PARAMETERS,
                'resources': _RESOURCES,
                'required_capabilities': _CAPABILITIES,
            },
            'required': ['name', 'provider_id', 'parameters', 'resources'],
            'additionalProperties': False,
        },
    },
    'required': ['plan'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'plan': {
            'type': 'object',
            'properties': {
                'name': types.NAME,
                'description': types.DESCRIPTION,
                'resources': _RESOURCES,
                'required_capabilities': _CAPABILITIES,
                'status': {'type': 'string',
                           'enum': list(states.PlanStatus.ALL)},
            },
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['plan'],
    'additionalProperties': False,
}
