"""Request bodies of the restores routes."""
from smaug.api.schemas import parameter_types as types

# Credentials the restore may act with; stored, never shown.
_RESTORE_AUTH = {
    'type': ['object', 'null'],
    'properties': {
        'type': {'type': 'string', 'enum': ['password']},
        'username': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'password': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    },
    'required': ['type', 'username', 'password'],
    'additionalProperties': False,
}

create = {
    'type': 'object',
    'properties': {
        'restore': {
            'type': 'object',
            'properties': {
                'provider_id': types.UUID,
                'checkpoint_id': types.UUID,
                'parameters': types.PARAMETERS,
                'restore_target': {'type': ['string', 'null'],
                                   'maxLength': 255},
                'restore_auth': _RESTORE_AUTH,
            },
            'required': ['provider_id', 'checkpoint_id', 'parameters'],
            'additionalProperties': False,
        },
    },
    'required': ['restore'],
    'additionalProperties': False,
}
