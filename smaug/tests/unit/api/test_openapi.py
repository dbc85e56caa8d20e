"""The OpenAPI document kept in the repository is the one the code makes."""
import json
import pathlib

from smaug.api import openapi
from smaug.api.v1 import router

DOCUMENT = (pathlib.Path(__file__).resolve().parents[4] / 'doc' / 'source'
            / 'api' / 'openapi.json')


def test_committed_document_matches_the_routes():
    assert DOCUMENT.read_text() == openapi.render(), (
        'doc/source/api/openapi.json is stale: run '
        '"python -m smaug.cmd.openapi doc/source/api/openapi.json"')


def test_every_route_and_method_is_documented():
    paths = json.loads(openapi.render())['paths']
    for path, _module, actions in router.ROUTES:
        documented = paths['/v1/{project_id}' + path]
        assert set(documented) == {method.lower() for method in actions}


def test_request_bodies_carry_the_validation_schemas():
    paths = json.loads(openapi.render())['paths']
    create_plan = paths['/v1/{project_id}/plans']['post']
    schema = create_plan['requestBody']['content']['application/json'][
        'schema']
    assert schema['required'] == ['plan']
