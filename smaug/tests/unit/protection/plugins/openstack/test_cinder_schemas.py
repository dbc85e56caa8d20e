"""The Cinder plugins' parameter schemas, as the API applies them."""
import jsonschema
import pytest

from smaug import exception
from smaug.api import validation
from smaug.protection import resource_types
from smaug.protection.plugins.openstack import cinder_backup
from smaug.protection.plugins.openstack import cinder_snapshot

VOLUME = resource_types.VOLUME
PLUGINS = (cinder_backup.CinderBackupPlugin,
           cinder_snapshot.CinderSnapshotPlugin)
GETTERS = ('get_options_schema', 'get_restore_schema', 'get_verify_schema',
           'get_saved_info_schema')


@pytest.mark.parametrize('plugin', PLUGINS)
@pytest.mark.parametrize('getter', GETTERS)
def test_every_schema_is_valid(plugin, getter):
    jsonschema.Draft202012Validator.check_schema(
        getattr(plugin, getter)(VOLUME))


@pytest.mark.parametrize('getter, parameters', [
    ('get_options_schema', {'backup_mode': 'incremental',
                            'container': 'backups', 'force': True}),
    ('get_restore_schema', {'name': 'again', 'description': '',
                            'volume_type': 'fast',
                            'availability_zone': 'nova'}),
    ('get_verify_schema', {'test_restore': True}),
])
def test_backup_parameters_are_accepted(getter, parameters):
    validation.validate(
        getattr(cinder_backup.CinderBackupPlugin, getter)(VOLUME),
        parameters)


@pytest.mark.parametrize('getter, parameters', [
    ('get_options_schema', {'backup_mode': 'differential'}),
    ('get_options_schema', {'container': ''}),
    ('get_options_schema', {'snapshot': True}),
    ('get_restore_schema', {'volume_type': ''}),
    ('get_restore_schema', {'size': 2}),
    ('get_verify_schema', {'test_restore': 'yes'}),
])
def test_bad_backup_parameters_are_refused(getter, parameters):
    with pytest.raises(exception.ValidationError):
        validation.validate(
            getattr(cinder_backup.CinderBackupPlugin, getter)(VOLUME),
            parameters)


def test_snapshot_plugin_takes_no_protect_or_verify_parameters():
    for getter in ('get_options_schema', 'get_verify_schema'):
        with pytest.raises(exception.ValidationError):
            validation.validate(getattr(cinder_snapshot.CinderSnapshotPlugin,
                                        getter)(VOLUME), {'force': True})
