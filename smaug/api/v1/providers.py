"""/v1/{project_id}/providers: the protection providers this cloud offers.

Providers come from configuration files, so lists are filtered, sorted and
paged in memory, with the same query parameters as database lists.
"""
from smaug import policy
from smaug.api import common
from smaug.api import validation
from smaug.api.views import providers as views
from smaug.protection import providers

SORT_KEYS = ('id', 'name', 'description')
DEFAULT_SORT = (['name'], ['asc'])
FILTERS = {
    'name': common.string_filter(),
    'description': common.string_filter(),
}


class ProvidersController:

    @validation.query_schema(common.list_query_schema(FILTERS))
    def index(self, request):
        policy.authorize(request.context, 'provider:get_all')
        marker, limit, sort_keys, sort_dirs = common.paging(
            request, SORT_KEYS, default_sort=DEFAULT_SORT)
        items = common.match_filters(
            [views.as_dict(provider)
             for provider in providers.get_registry().list()],
            common.filters(request, FILTERS))
        page = common.paginate(items, marker, limit, sort_keys, sort_dirs)
        return views.collection(request, page, limit)

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, id):
        policy.authorize(request.context, 'provider:get')
        return views.detail(providers.get_registry().get(id))


def create_controller():
    return ProvidersController()
