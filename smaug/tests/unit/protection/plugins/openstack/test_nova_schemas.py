"""The Nova plugin's parameter schemas, as the API applies them."""
import jsonschema
import pytest

from smaug import exception
from smaug.api import validation
from smaug.protection import resource_types
from smaug.protection.plugins.openstack import nova

SERVER = resource_types.SERVER
GETTERS = ('get_options_schema', 'get_restore_schema', 'get_verify_schema',
           'get_saved_info_schema')


@pytest.mark.parametrize('getter', GETTERS)
def test_every_schema_is_valid(getter):
    jsonschema.Draft202012Validator.check_schema(
        getattr(nova.NovaServerPlugin, getter)(SERVER))


@pytest.mark.parametrize('options', [
    {}, {'root_disk': 'image'}, {'root_disk': 'live_snapshot'}])
def test_the_root_disk_option_is_accepted(options):
    validation.validate(nova.NovaServerPlugin.get_options_schema(SERVER),
                        options)


@pytest.mark.parametrize('options, field', [
    ({'root_disk': 'snapshot'}, 'root_disk'),
    ({'root_disk': True}, 'root_disk'),
    ({'live_snapshot': True}, 'live_snapshot'),
])
def test_other_protect_options_are_refused_naming_the_field(options, field):
    with pytest.raises(exception.ValidationError) as error:
        validation.validate(
            nova.NovaServerPlugin.get_options_schema(SERVER), options,
            root='parameters.%s' % SERVER)

    assert field in str(error.value)

