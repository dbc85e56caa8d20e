"""Request bodies of the verifications routes."""
from smaug.api.schemas import parameter_types as types

create = {
    'type': 'object',
    'properties': {
        'verification': {
            'type': 'object',
            'properties': {
                'provider_id': types.UUID,
                'checkpoint_id': types.UUID,
                'parameters': types.PARAMETERS,
            },
            'required': ['provider_id', 'checkpoint_id'],
            'additionalProperties': False,
        },
    },
    'required': ['verification'],
    'additionalProperties': False,
}
