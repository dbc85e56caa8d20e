"""/v1/{project_id}/protectables."""
import json
from urllib import parse

import pytest

from smaug.protection import resource
from smaug.tests.unit.api import conftest

PROJECT_TYPE = 'OS::Keystone::Project'
SERVER = 'OS::Nova::Server'
VOLUME = 'OS::Cinder::Volume'


@pytest.fixture
def cloud(fake_cloud):
    """A project with three servers; the first has two volumes."""
    project = resource.Resource(PROJECT_TYPE, conftest.PROJECT, 'project')
    servers = [fake_cloud.add(resource.Resource(SERVER, 'srv-%d' % i, name,
                                                {'az': 'nova'}), project)
               for i, name in enumerate(['web', 'db', 'cache'])]
    for i in range(2):
        fake_cloud.add(resource.Resource(VOLUME, 'vol-%d' % i, 'v%d' % i),
                       servers[0])
    return fake_cloud


def _ids(response):
    assert response.status == 200, response
    return [item['id'] for item in response.json['instances']]


@pytest.mark.parametrize('roles', ['reader', 'member', 'admin'])
def test_list_types(api, roles):
    response = api.get('protectables', roles=roles)
    assert response.status == 200
    assert response.json == {'protectable_type': [PROJECT_TYPE]}


def test_list_types_needs_a_role(api):
    assert api.get('protectables', roles='').status == 403


def test_list_types_with_plugins(api, cloud):
    response = api.get('protectables')
    assert response.json['protectable_type'] == sorted(
        [PROJECT_TYPE, SERVER, VOLUME])


def test_show_type_names_its_dependent_types(api, cloud):
    response = api.get('protectables/%s' % PROJECT_TYPE, roles='reader')
    assert response.status == 200
    assert response.json == {'protectable_type': {
        'name': PROJECT_TYPE, 'dependent_types': [VOLUME, SERVER]}}
    response = api.get('protectables/%s' % SERVER)
    assert response.json['protectable_type']['dependent_types'] == [VOLUME]
    response = api.get('protectables/%s' % VOLUME)
    assert response.json['protectable_type']['dependent_types'] == []


def test_show_unknown_type_is_404(api):
    response = api.get('protectables/OS::Nova::Nothing')
    assert response.status == 404
    assert 'OS::Nova::Nothing' in response.json['itemNotFound']['message']


def test_show_type_needs_a_role(api):
    assert api.get('protectables/%s' % PROJECT_TYPE, roles='').status == 403


def test_list_instances_of_the_project(api):
    response = api.get('protectables/%s/instances' % PROJECT_TYPE,
                       roles='reader')
    assert response.status == 200
    assert response.json['instances'] == [{
        'id': conftest.PROJECT, 'type': PROJECT_TYPE,
        'name': conftest.PROJECT, 'extra_info': {},
        'dependent_resources': []}]


def test_list_instances_acts_as_the_caller(api):
    response = api.get('protectables/%s/instances' % PROJECT_TYPE,
                       project=conftest.OTHER_PROJECT)
    assert _ids(response) == [conftest.OTHER_PROJECT]


def test_list_instances_with_dependents(api, cloud):
    response = api.get('protectables/%s/instances' % SERVER)
    by_id = {item['id']: item for item in response.json['instances']}
    assert by_id['srv-0'] == {
        'id': 'srv-0', 'type': SERVER, 'name': 'web',
        'extra_info': {'az': 'nova'},
        'dependent_resources': [
            {'id': 'vol-0', 'type': VOLUME, 'name': 'v0', 'extra_info': {}},
            {'id': 'vol-1', 'type': VOLUME, 'name': 'v1', 'extra_info': {}},
        ]}
    assert by_id['srv-1']['dependent_resources'] == []


def test_list_instances_of_unknown_type_is_404(api):
    response = api.get('protectables/OS::Nova::Nothing/instances')
    assert response.status == 404


def test_list_instances_needs_a_role(api, cloud):
    response = api.get('protectables/%s/instances' % SERVER, roles='')
    assert response.status == 403


def test_instances_default_order_is_by_name(api, cloud):
    assert _ids(api.get('protectables/%s/instances' % SERVER)) == [
        'srv-2', 'srv-1', 'srv-0']


@pytest.mark.parametrize('query, expected', [
    ('sort=name:desc', ['srv-0', 'srv-1', 'srv-2']),
    ('sort=id:asc', ['srv-0', 'srv-1', 'srv-2']),
    ('sort_key=id&sort_dir=desc', ['srv-2', 'srv-1', 'srv-0']),
    ('name=db', ['srv-1']),
    ('type=%s' % SERVER, ['srv-2', 'srv-1', 'srv-0']),
    ('type=%s' % VOLUME, []),
])
def test_instances_sorting_and_filters(api, cloud, query, expected):
    response = api.get('protectables/%s/instances?%s' % (SERVER, query))
    assert _ids(response) == expected


def test_instances_bad_sort_key_is_400(api, cloud):
    response = api.get('protectables/%s/instances?sort=created_at' % SERVER)
    assert response.status == 400
    assert 'created_at' in response.json['badRequest']['message']


def test_instances_unknown_query_parameter_is_400(api, cloud):
    response = api.get('protectables/%s/instances?zone=a' % SERVER)
    assert response.status == 400
    assert 'zone' in response.json['badRequest']['message']


def test_instances_paging(api, cloud):
    first = api.get('protectables/%s/instances?limit=2&sort=id:asc'
                    % SERVER)
    assert _ids(first) == ['srv-0', 'srv-1']
    [link] = first.json['instances_links']
    query = dict(parse.parse_qsl(parse.urlsplit(link['href']).query))
    assert query == {'limit': '2', 'sort': 'id:asc', 'marker': 'srv-1'}
    second = api.get('protectables/%s/instances?%s'
                     % (SERVER, parse.urlencode(query)))
    assert _ids(second) == ['srv-2']
    assert 'instances_links' not in second.json


def test_instances_unknown_marker_is_400(api, cloud):
    response = api.get('protectables/%s/instances?marker=srv-9' % SERVER)
    assert response.status == 400
    assert 'srv-9' in response.json['badRequest']['message']


@pytest.mark.parametrize('text', [
    json.dumps({'region_name': 'RegionTwo'}),
    # What python-karborclient sends: a dict's repr.
    str({'region_name': 'RegionTwo'}),
])
def test_instances_parameters_reach_the_plugin(api, cloud, text):
    response = api.get('protectables/%s/instances?%s' % (
        SERVER, parse.urlencode({'parameters': text})))
    assert response.status == 200, response
    assert cloud.parameters == [{'region_name': 'RegionTwo'}]


@pytest.mark.parametrize('text', [
    'not json', '[1, 2]', '"region"', json.dumps({'region': ['a']}),
    json.dumps({'': 'x'}), "{[1]: 2}",
])
def test_instances_bad_parameters_are_400(api, cloud, text):
    response = api.get('protectables/%s/instances?%s' % (
        SERVER, parse.urlencode({'parameters': text})))
    assert response.status == 400, response
    assert 'query.parameters' in response.json['badRequest']['message']
    assert cloud.parameters == []


def test_show_instance(api, cloud):
    response = api.get('protectables/%s/instances/srv-0' % SERVER,
                       roles='reader')
    assert response.status == 200
    instance = response.json['instance']
    assert instance['id'] == 'srv-0'
    assert instance['name'] == 'web'
    assert [dep['id'] for dep in instance['dependent_resources']] == [
        'vol-0', 'vol-1']


def test_show_instance_with_parameters(api, cloud):
    response = api.get('protectables/%s/instances/srv-1?%s' % (
        SERVER, parse.urlencode({'parameters': '{"region_name": "r2"}'})))
    assert response.status == 200
    assert cloud.parameters == [{'region_name': 'r2'}]


def test_show_instance_bad_parameters_is_400(api, cloud):
    response = api.get('protectables/%s/instances/srv-1?parameters=%%7B'
                       % SERVER)
    assert response.status == 400
    assert 'query.parameters' in response.json['badRequest']['message']


def test_show_instance_unknown_query_parameter_is_400(api, cloud):
    response = api.get('protectables/%s/instances/srv-1?limit=1' % SERVER)
    assert response.status == 400
    assert 'limit' in response.json['badRequest']['message']


def test_show_unknown_instance_is_404(api, cloud):
    response = api.get('protectables/%s/instances/srv-9' % SERVER)
    assert response.status == 404
    assert 'srv-9' in response.json['itemNotFound']['message']


def test_show_another_projects_instance_is_404(api):
    response = api.get('protectables/%s/instances/%s'
                       % (PROJECT_TYPE, conftest.OTHER_PROJECT))
    assert response.status == 404


def test_show_instance_of_unknown_type_is_404(api):
    response = api.get('protectables/OS::X::Y/instances/a')
    assert response.status == 404


def test_show_instance_needs_a_role(api, cloud):
    response = api.get('protectables/%s/instances/srv-0' % SERVER,
                       roles='')
    assert response.status == 403


def test_list_types_paging_and_sorting(api, cloud):
    first = api.get('protectables?limit=2&sort=name:desc')
    assert first.status == 200
    assert first.json['protectable_type'] == [SERVER, PROJECT_TYPE]
    [link] = first.json['protectable_type_links']
    query = dict(parse.parse_qsl(parse.urlsplit(link['href']).query))
    assert query['marker'] == PROJECT_TYPE
    second = api.get('protectables?' + parse.urlencode(query))
    assert second.json == {'protectable_type': [VOLUME]}


@pytest.mark.parametrize('query, field', [
    ('sort=created_at', 'created_at'),
    ('marker=OS::X::Y', 'OS::X::Y'),
    ('colour=red', 'colour'),
])
def test_list_types_bad_query_is_400(api, query, field):
    response = api.get('protectables?' + query)
    assert response.status == 400
    assert field in response.json['badRequest']['message']


def test_show_type_takes_no_query(api):
    response = api.get('protectables/%s?limit=1' % PROJECT_TYPE)
    assert response.status == 400
    assert 'limit' in response.json['badRequest']['message']
