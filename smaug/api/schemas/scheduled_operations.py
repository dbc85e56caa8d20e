"""Request bodies of the scheduled operations routes."""
from smaug.api.schemas import parameter_types as types

# The operation types are plugins (smaug.operationengine.operations): the
# controller checks the name and validates the definition with the type's
# own schema.
OPERATION_TYPE = {'type': 'string', 'minLength': 1, 'maxLength': 64}

create = {
    'type': 'object',
    'properties': {
        'scheduled_operation': {
            'type': 'object',
            'properties': {
                'name': types.NAME,
                'description': types.DESCRIPTION,
                'operation_type': OPERATION_TYPE,
                'trigger_id': types.UUID,
                'operation_definition': {'type': 'object'},
            },
            'required': ['name', 'operation_type', 'trigger_id',
                         'operation_definition'],
            'additionalProperties': False,
        },
    },
    'required': ['scheduled_operation'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'scheduled_operation': {
            'type': 'object',
            'properties': {
                'name': types.NAME,
                'description': types.DESCRIPTION,
                'enabled': {'type': 'boolean'},
            },
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['scheduled_operation'],
    'additionalProperties': False,
}
