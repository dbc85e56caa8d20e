"""Request bodies of the checkpoints routes, copy included."""
from smaug import states
from smaug.api.schemas import parameter_types as types
from smaug.protection import operations

# Checkpoint metadata; the operation engine names the scheduled operation
# that made the checkpoint, and its operation log keeps that id.
_EXTRA_INFO = dict(types.EXTRA_INFO, properties={
    'created_by': {'type': 'string', 'maxLength': 255},
    'scheduled_operation_id': types.UUID,
})

create = {
    'type': 'object',
    'properties': {
        'checkpoint': {
            'type': 'object',
            'properties': {
                'plan_id': types.UUID,
                'extra_info': _EXTRA_INFO,
                # Karbor's documented spelling; it then ignored it.
                'extra-info': _EXTRA_INFO,
            },
            'required': ['plan_id'],
            'additionalProperties': False,
        },
    },
    'required': ['checkpoint'],
    'additionalProperties': False,
}

reset_state = {
    'type': 'object',
    'properties': {
        'os-resetState': {
            'type': 'object',
            'properties': {
                'state': {'type': 'string', 'enum': list(
                    states.CheckpointStatus.RESETTABLE_TO)},
            },
            'required': ['state'],
            'additionalProperties': False,
        },
    },
    'required': ['os-resetState'],
    'additionalProperties': False,
}

# Per-type parameters, plus where the copies go (a Smaug extension).
_COPY_PARAMETERS = dict(types.PARAMETERS, properties={
    operations.COPY_DESTINATION: {
        'type': 'object',
        'properties': {'provider_id': types.UUID},
        'required': ['provider_id'],
        'additionalProperties': False,
    },
})

copy = {
    'type': 'object',
    'properties': {
        'copy': {
            'type': 'object',
            'properties': {
                'plan_id': types.UUID,
                'parameters': _COPY_PARAMETERS,
            },
            'required': ['plan_id'],
            'additionalProperties': False,
        },
    },
    'required': ['copy'],
    'additionalProperties': False,
}
