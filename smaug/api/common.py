"""Query-string conventions shared by every list route: paging, sorting,
filters and ``all_tenants``."""
from urllib import parse

from oslo_config import cfg
from oslo_utils import strutils

from smaug import exception

CONF = cfg.CONF

DEFAULT_SORT = (['created_at'], ['desc'])

_TRUTHY = {'type': 'string',
           'pattern': '(?i)^(1|0|true|false|yes|no|on|off|t|f|y|n)$'}

PAGING_PARAMETERS = {
    'marker': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'limit': {'type': 'string', 'pattern': '^[0-9]+$'},
    'sort': {'type': 'string', 'pattern': r'^[a-z_]+(:(asc|desc))?'
                                          r'(,[a-z_]+(:(asc|desc))?)*$'},
    'sort_key': {'type': 'string', 'pattern': '^[a-z_]+$'},
    'sort_dir': {'type': 'string', 'enum': ['asc', 'desc']},
    'all_tenants': _TRUTHY,
}


# The query of a route that takes no query parameter: any is an error.
NO_QUERY = {'type': 'object', 'properties': {}, 'additionalProperties': False}


def list_query_schema(filters):
    """The query schema of a list route: paging plus these filters."""
    properties = dict(PAGING_PARAMETERS)
    properties.update(filters)
    return {'type': 'object', 'properties': properties,
            'additionalProperties': False}


def string_filter(max_length=255):
    return {'type': 'string', 'maxLength': max_length}


def uuid_filter():
    return {'type': 'string', 'format': 'uuid'}


def bool_filter():
    return dict(_TRUTHY)


def paging(request, sortable, default_sort=DEFAULT_SORT):
    """Marker, limit, sort keys and directions of a list request.

    :param sortable: the sort keys this resource accepts.
    :param default_sort: (keys, directions) when the request names none;
        also the key ``sort_key`` falls back to with only ``sort_dir``.
    :raises InvalidSortKey: on a key outside ``sortable``.
    """
    params = request.GET
    limit = params.get('limit')
    limit = min(int(limit), CONF.api.max_limit) if limit else \
        CONF.api.max_limit
    keys, dirs = _sort(params, default_sort)
    for key in keys:
        if key not in sortable:
            raise exception.InvalidSortKey(key=key)
    return params.get('marker'), limit, keys, dirs


def _sort(params, default_sort=DEFAULT_SORT):
    if 'sort' in params:
        keys, dirs = [], []
        for item in params['sort'].split(','):
            key, _, direction = item.partition(':')
            keys.append(key)
            dirs.append(direction or 'desc')
        return keys, dirs
    if 'sort_key' in params or 'sort_dir' in params:
        return ([params.get('sort_key', default_sort[0][0])],
                [params.get('sort_dir', 'desc')])
    return list(default_sort[0]), list(default_sort[1])


def paginate(items, marker, limit, sort_keys, sort_dirs):
    """One page of an in-memory list of dicts, as the database pages.

    Items are ordered by ``sort_keys`` and then by ``id``; the page starts
    after the item whose id is ``marker``.

    :raises InvalidMarker: when no item has the marker's id.
    """
    ordered = sorted(items, key=lambda item: str(item['id']))
    orders = list(zip(sort_keys, sort_dirs, strict=True))
    for key, direction in reversed(orders):
        ordered.sort(key=lambda item: _sortable(item.get(key)),
                     reverse=direction == 'desc')
    if marker is not None:
        ids = [item['id'] for item in ordered]
        if marker not in ids:
            raise exception.InvalidMarker(marker=marker)
        ordered = ordered[ids.index(marker) + 1:]
    return ordered[:limit]


def _sortable(value):
    # None sorts first, as NULL does in ascending database order.
    return (value is not None, '' if value is None else str(value))


def match_filters(items, wanted):
    """The dicts of ``items`` whose values equal every ``wanted`` one."""
    return [item for item in items
            if all(item.get(key) == value for key, value in wanted.items())]


def list_records(request, get_all, sortable, filters):
    """A page of a list route's records, as its query string asks.

    :param get_all: the ``db.<record>_get_all`` to call.
    :param sortable: the sort keys the route accepts.
    :param filters: the column filters, read from the query already.
    :returns: (records, limit), what the views need for next links.
    """
    marker, limit, sort_keys, sort_dirs = paging(request, sortable)
    records = get_all(request.context, filters=filters, marker=marker,
                      limit=limit, sort_keys=sort_keys, sort_dirs=sort_dirs,
                      all_tenants=all_tenants(request))
    return records, limit


def all_tenants(request):
    """Whether an admin asked to see every project; ignored for others."""
    wanted = strutils.bool_from_string(request.GET.get('all_tenants', '0'))
    return wanted and request.context.is_admin


def filters(request, allowed):
    """The filter parameters of the request that the route accepts."""
    return {key: value for key, value in request.GET.items()
            if key in allowed}


def bool_param(value):
    return strutils.bool_from_string(value, strict=True)


def collection_links(request, collection_name, items, limit):
    """``<collection>_links`` with a next link when the page is full."""
    if not items or len(items) < limit:
        return {}
    params = {key: value for key, value in request.GET.items()
              if key != 'marker'}
    params['marker'] = items[-1]['id']
    query = parse.urlencode(sorted(params.items()))
    return {collection_name + '_links': [
        {'rel': 'next', 'href': '%s?%s' % (request.path_url, query)}]}


def isotime(value):
    """A timestamp column as ISO 8601, or None."""
    return value.isoformat() if value is not None else None
