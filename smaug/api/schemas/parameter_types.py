"""Schema fragments shared by several request bodies."""
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255}
DESCRIPTION = {'type': ['string', 'null'], 'maxLength': 255}
UUID = {'type': 'string', 'format': 'uuid'}
RESOURCE_TYPE = {'type': 'string', 'minLength': 1, 'maxLength': 64}

# {"<Type>": {...}, "<Type>#<id>": {...}}: per-type parameters, overridden
# by per-resource ones.
PARAMETERS = {
    'type': 'object',
    'propertyNames': {'pattern': r'^[A-Za-z0-9:]+(#[^#\s]{1,255})?$'},
    'additionalProperties': {'type': 'object'},
}

EXTRA_INFO = {
    'type': ['object', 'null'],
    'maxProperties': 64,
    'propertyNames': {'maxLength': 255},
    'additionalProperties': {'type': ['string', 'number', 'boolean',
                                      'null'], 'maxLength': 1024},
}

# What a protectable plugin is asked to discover with, e.g. a region name.
INSTANCE_PARAMETERS = {
    'type': 'object',
    'maxProperties': 64,
    'propertyNames': {'minLength': 1, 'maxLength': 255},
    'additionalProperties': {'type': ['string', 'number', 'boolean',
                                      'null'], 'maxLength': 1024},
}
