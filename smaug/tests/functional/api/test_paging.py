"""Paging and sorting of lists through HTTP: limit, marker, the next
link, and sort keys in both directions."""
from urllib import parse

import pytest

from smaug.tests.functional.api import client

expect = client.expect

# collection, the list key, how to add a named record
COLLECTIONS = {
    'plans': lambda api, name: client.make_plan(api, name=name),
    'triggers': lambda api, name: client.make_trigger(api, name=name),
}


def _names(response, collection):
    return [item['name'] for item in expect(response, 200)[collection]]


@pytest.fixture(params=sorted(COLLECTIONS))
def named(request, api):
    """(collection, the ids of records named a, b and c)."""
    collection = request.param
    return collection, [COLLECTIONS[collection](api, name)['id']
                        for name in 'abc']


def test_sort_both_ways(api, named):
    collection, _ids = named
    for query, expected in (('sort=name:asc', 'abc'),
                            ('sort=name:desc', 'cba'),
                            ('sort_key=name&sort_dir=asc', 'abc'),
                            ('sort_key=name&sort_dir=desc', 'cba'),
                            ('sort=created_at:desc,name:desc', 'cba')):
        assert _names(api.get('%s?%s' % (collection, query)),
                      collection) == list(expected), query


def test_pages_follow_the_next_link(api, deployment, named):
    collection, ids = named
    first = expect(api.get('%s?limit=2&sort=name:asc' % collection), 200)
    assert [item['id'] for item in first[collection]] == ids[:2]
    [link] = first[collection + '_links']
    assert link['rel'] == 'next'
    assert link['href'].startswith(deployment.url + '/v1/')
    query = dict(parse.parse_qsl(parse.urlsplit(link['href']).query))
    assert query == {'limit': '2', 'sort': 'name:asc', 'marker': ids[1]}

    second = expect(api.get(link['href']), 200)
    assert [item['id'] for item in second[collection]] == ids[2:]
    assert collection + '_links' not in second

    after = expect(api.get('%s?sort=name:desc&marker=%s'
                           % (collection, ids[2])), 200)
    assert [item['id'] for item in after[collection]] == ids[1::-1]


def test_unknown_marker_and_sort_key_are_400(api, named):
    collection, _ids = named
    message = client.fault(api.get('%s?marker=%s' % (collection,
                                                     client.UNKNOWN)),
                           400, 'badRequest')
    assert client.UNKNOWN in message
    message = client.fault(api.get('%s?sort=colour:asc' % collection), 400,
                           'badRequest')
    assert 'colour' in message
