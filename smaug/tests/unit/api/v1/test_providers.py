"""/v1/{project_id}/providers."""
import pytest

from smaug.tests.unit.api import conftest
from smaug.tests.unit.api import fakes

NOOP = conftest.NOOP_PROVIDER
SCHEMA = fakes.SCHEMA_PROVIDER
SCHEMA_KINDS = {'options_schema', 'restore_schema', 'verify_schema',
                'saved_info_schema'}


@pytest.mark.parametrize('roles', ['reader', 'member', 'admin'])
def test_list_is_open_to_every_persona(api, roles):
    response = api.get('providers', roles=roles)
    assert response.status == 200, response
    [provider] = response.json['providers']
    assert provider['id'] == NOOP
    assert provider['name'] == 'No-Op Provider'
    assert set(provider['extended_info_schema']) == SCHEMA_KINDS


def test_list_needs_a_role(api):
    response = api.get('providers', roles='')
    assert response.status == 403
    assert 'provider:get_all' in response.json['forbidden']['message']


def test_show_publishes_verify_schema(api):
    response = api.get('providers/%s' % NOOP, roles='reader')
    assert response.status == 200
    schemas = response.json['provider']['extended_info_schema']
    assert set(schemas) == SCHEMA_KINDS
    assert 'OS::Nova::Server' in schemas['verify_schema']


def test_show_unknown_is_404(api):
    response = api.get('providers/9d1c6a4e-0000-4000-8000-000000000000')
    assert response.status == 404
    assert 'itemNotFound' in response.json


def test_show_needs_a_role(api):
    response = api.get('providers/%s' % NOOP, roles='')
    assert response.status == 403


def test_schemas_of_the_provider_plugins(api, fake_cloud):
    response = api.get('providers/%s' % SCHEMA)
    restore = response.json['provider']['extended_info_schema'][
        'restore_schema']
    assert set(restore) == {'OS::Nova::Server', 'OS::Cinder::Volume'}
    assert 'restore_name' in restore['OS::Nova::Server']['properties']


def _names(response):
    assert response.status == 200, response
    return [provider['name'] for provider in response.json['providers']]


def test_default_order_is_by_name(api, fake_cloud):
    assert _names(api.get('providers')) == ['No-Op Provider',
                                            'Schema Provider']


@pytest.mark.parametrize('query, expected', [
    ('sort=name:desc', ['Schema Provider', 'No-Op Provider']),
    ('sort=name:asc', ['No-Op Provider', 'Schema Provider']),
    ('sort_key=id&sort_dir=asc', ['Schema Provider', 'No-Op Provider']),
    ('sort_key=id&sort_dir=desc', ['No-Op Provider', 'Schema Provider']),
])
def test_sorting(api, fake_cloud, query, expected):
    assert _names(api.get('providers?' + query)) == expected


def test_bad_sort_key_is_400(api):
    response = api.get('providers?sort=created_at:asc')
    assert response.status == 400
    assert 'created_at' in response.json['badRequest']['message']


def test_bad_sort_direction_is_400(api):
    response = api.get('providers?sort_dir=sideways')
    assert response.status == 400
    assert 'query.sort_dir' in response.json['badRequest']['message']


@pytest.mark.parametrize('query, expected', [
    ('name=Schema%20Provider', ['Schema Provider']),
    ('description=Protects%20every%20resource%20type%20without%20moving'
     '%20any%20data.', ['No-Op Provider']),
    ('name=nothing', []),
])
def test_filters(api, fake_cloud, query, expected):
    assert _names(api.get('providers?' + query)) == expected


def test_unknown_query_parameter_is_400(api):
    response = api.get('providers?colour=red')
    assert response.status == 400
    message = response.json['badRequest']['message']
    assert 'query' in message and 'colour' in message


def test_paging_follows_next_links(api, fake_cloud):
    first = api.get('providers?limit=1')
    assert _names(first) == ['No-Op Provider']
    [link] = first.json['providers_links']
    assert link['rel'] == 'next'
    assert 'marker=%s' % NOOP in link['href']
    assert 'limit=1' in link['href']
    second = api.get(link['href'].split('/v1/', 1)[1].split('/', 1)[1])
    assert _names(second) == ['Schema Provider']
    third = api.get('providers?limit=1&marker=%s' % SCHEMA)
    assert _names(third) == []
    assert 'providers_links' not in third.json


def test_short_page_has_no_next_link(api, fake_cloud):
    response = api.get('providers?limit=5')
    assert len(response.json['providers']) == 2
    assert 'providers_links' not in response.json


def test_unknown_marker_is_400(api):
    response = api.get('providers?marker=nope')
    assert response.status == 400
    assert 'nope' in response.json['badRequest']['message']


def test_bad_limit_is_400(api):
    response = api.get('providers?limit=-1')
    assert response.status == 400
    assert 'query.limit' in response.json['badRequest']['message']



def test_show_takes_no_query(api):
    response = api.get('providers/%s?detail=1' % NOOP)
    assert response.status == 400
    assert 'detail' in response.json['badRequest']['message']
