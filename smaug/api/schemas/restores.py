"""Request bodies of the restores routes."""
from smaug.api.schemas import parameter_types as types

_ID = {'type': 'string', 'minLength': 1, 'maxLength': 64}
_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255}

# Credentials the restore acts with in its target; stored, never shown.
# The project keys are an extension: without them Keystone scopes the
# user's token to the user's default project.
_RESTORE_AUTH = {
    'type': ['object', 'null'],
    'properties': {
        'type': {'type': 'string', 'enum': ['password']},
        'username': _NAME,
        'password': _NAME,
        'user_domain_id': _ID,
        'project_id': _ID,
        'project_name': _NAME,
        'project_domain_id': _ID,
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
