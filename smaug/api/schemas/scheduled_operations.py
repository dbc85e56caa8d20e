"""Request bodies of the scheduled operations routes."""
from smaug.api.schemas import parameter_types as types

PROTECT = 'protect'
RETENTION_PROTECT = 'retention_protect'
OPERATION_TYPES = (PROTECT, RETENTION_PROTECT)

# Karbor's client sends every value of a definition as a string.
_COUNT = {'type': ['integer', 'string'], 'minimum': -1,
          'maximum': 999999999,
          'pattern': '^(-1|[0-9]{1,9})$'}
# Grandfather-father-son retention: how many of the newest checkpoints of
# each hour, day, week, month and year to keep.
GFS_KEYS = ('keep_hourly', 'keep_daily', 'keep_weekly', 'keep_monthly',
            'keep_yearly')
COUNT_KEYS = ('max_backups', 'retention_duration') + GFS_KEYS

_DEFINITION = {
    'type': 'object',
    'properties': dict({'provider_id': types.UUID, 'plan_id': types.UUID},
                       **{key: _COUNT for key in COUNT_KEYS}),
    'required': ['provider_id', 'plan_id'],
    'additionalProperties': False,
}

create = {
    'type': 'object',
    'properties': {
        'scheduled_operation': {
            'type': 'object',
            'properties': {
                'name': types.NAME,
                'description': types.DESCRIPTION,
                'operation_type': {'type': 'string',
                                   'enum': list(OPERATION_TYPES)},
                'trigger_id': types.UUID,
                'operation_definition': _DEFINITION,
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
