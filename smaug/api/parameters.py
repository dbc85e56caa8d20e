"""Check plan, restore and verify parameters against a provider's schemas.

Parameters map ``<Type>`` or ``<Type>#<id>`` to a dict; each dict must fit
the schema the provider's plugin for that type publishes.
"""
from smaug import exception
from smaug.api import validation

OPTIONS = 'options_schema'
RESTORE = 'restore_schema'
VERIFY = 'verify_schema'


def validate(provider, parameters, kind, field):
    """:raises ValidationError: naming the first key that does not fit."""
    schemas = provider.extended_info_schema()[kind]
    for key, value in parameters.items():
        resource_type = key.partition('#')[0]
        if resource_type not in schemas:
            raise exception.ValidationError(
                detail="Invalid input for field '%s': provider %s has no "
                       "plugin for resource type %s." % (
                           field, provider.id, resource_type))
        validation.validate(schemas[resource_type], value,
                            root='%s.%s' % (field, key))
