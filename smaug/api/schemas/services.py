"""Request bodies of the os-services routes."""
ENABLED = 'enabled'
DISABLED = 'disabled'

update = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string', 'enum': [ENABLED, DISABLED]},
        'disabled_reason': {'type': ['string', 'null'], 'maxLength': 255},
    },
    'required': ['status'],
    'additionalProperties': False,
}
