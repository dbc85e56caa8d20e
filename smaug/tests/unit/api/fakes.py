"""Plugins of a pretend cloud for the API tests.

``CLOUD`` holds what the protectable plugins discover; a test fills it.
The ``schema`` protection plugin publishes real option, restore and verify
schemas, so parameter validation has something to check against.
"""
from smaug import exception
from smaug.protection import plugin
from smaug.protection import protectable
from smaug.protection import resource_types

SCHEMA_PROVIDER = '3f8b0c7e-6a52-4d1e-9a57-2c1d5e0b7a11'
SCHEMA_PROVIDER_CONF = """[provider]
id = %s
name = Schema Provider
description = Protects servers and volumes with checked parameters.
enabled = true
bank = file-system
plugin = schema
""" % SCHEMA_PROVIDER


class Cloud:
    """What the fake protectables see, and what they were asked."""

    def __init__(self):
        self.resources = {}
        self.children = {}
        self.parameters = []

    def add(self, resource, parent=None):
        self.resources.setdefault(resource.type, []).append(resource)
        if parent is not None:
            self.children.setdefault((parent.type, parent.id),
                                     []).append(resource)
        return resource


CLOUD = Cloud()


class _FakeProtectable(protectable.ProtectablePlugin):

    def list_resources(self, parameters=None):
        CLOUD.parameters.append(parameters)
        return list(CLOUD.resources.get(self.resource_type, ()))

    def show_resource(self, resource_id, parameters=None):
        CLOUD.parameters.append(parameters)
        for resource in CLOUD.resources.get(self.resource_type, ()):
            if resource.id == resource_id:
                return resource
        raise exception.ProtectableInstanceNotFound(id=resource_id)

    def get_dependent_resources(self, parent):
        return [child for child in CLOUD.children.get((parent.type,
                                                       parent.id), ())
                if child.type == self.resource_type]


class ServerProtectable(_FakeProtectable):
    resource_type = resource_types.SERVER
    parent_types = (resource_types.PROJECT,)


class VolumeProtectable(_FakeProtectable):
    resource_type = resource_types.VOLUME
    parent_types = (resource_types.PROJECT, resource_types.SERVER)


def _object(**properties):
    return {'type': 'object', 'properties': properties,
            'additionalProperties': False}


class SchemaProtectionPlugin(plugin.ProtectionPlugin):
    supported_resource_types = (resource_types.SERVER,
                                resource_types.VOLUME)

    @classmethod
    def get_options_schema(cls, resource_type):
        return _object(backup_mode={'enum': ['full', 'incremental']})

    @classmethod
    def get_restore_schema(cls, resource_type):
        return _object(restore_name={'type': 'string', 'maxLength': 64})

    @classmethod
    def get_verify_schema(cls, resource_type):
        return _object(deep={'type': 'boolean'})


PROTECTABLES = ['fake-server', 'fake-volume']
ENTRY_POINTS = {
    'smaug.protectables': [
        'fake-server = %s:ServerProtectable' % __name__,
        'fake-volume = %s:VolumeProtectable' % __name__,
    ],
    'smaug.protections': ['schema = %s:SchemaProtectionPlugin' % __name__],
}
