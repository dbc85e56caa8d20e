"""/v1/{project_id}/protectables: what can be protected, and its instances.

Instances are discovered live by the type's protectable plugin acting as
the caller, so lists are filtered, sorted and paged in memory; dependents
are looked up for the page's instances only.

``parameters`` tells the plugin where to look (a region, say). It arrives
in the query string as a JSON object; the Python-literal form that
python-karborclient sends (``{'region_name': 'r1'}``) is read too.
"""
import ast

from oslo_serialization import jsonutils

from smaug import exception
from smaug import policy
from smaug.api import common
from smaug.api import validation
from smaug.api.schemas import parameter_types as types
from smaug.api.schemas import protectables as schemas
from smaug.api.views import protectables as views
from smaug.protection import protectable

SORT_KEYS = ('id', 'name', 'type')
DEFAULT_SORT = (['name'], ['asc'])
# Types are names: their id is their name.
TYPE_SORT_KEYS = ('id', 'name')
TYPE_DEFAULT_SORT = (['name'], ['asc'])


def _parameters(request):
    """The ``parameters`` query parameter as a dict, None when absent.

    :raises ValidationError: when it is not an object of scalar values.
    """
    text = request.GET.get('parameters')
    if text is None:
        return None
    try:
        value = jsonutils.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, TypeError, SyntaxError, MemoryError,
                RecursionError):
            raise exception.ValidationError(
                detail="Invalid input for field 'query.parameters': it "
                       "is not a JSON object.")
    validation.validate(types.INSTANCE_PARAMETERS, value,
                        root='query.parameters')
    return value


class ProtectablesController:

    @validation.query_schema(common.list_query_schema({}))
    def index(self, request):
        policy.authorize(request.context, 'protectable:get_all')
        marker, limit, sort_keys, sort_dirs = common.paging(
            request, TYPE_SORT_KEYS, default_sort=TYPE_DEFAULT_SORT)
        page = common.paginate(
            [{'id': name, 'name': name}
             for name in protectable.get_registry().types()],
            marker, limit, sort_keys, sort_dirs)
        return views.types(request, [item['id'] for item in page], limit)

    @validation.query_schema(common.NO_QUERY)
    def show(self, request, protectable_type):
        policy.authorize(request.context, 'protectable:get')
        registry = protectable.get_registry()
        return views.type_detail(protectable_type,
                                 registry.dependent_types(protectable_type))

    @validation.query_schema(schemas.instances_query)
    def instances_index(self, request, protectable_type):
        context = request.context
        policy.authorize(context, 'protectable:instance_get_all')
        registry = protectable.get_registry()
        plugin = registry.plugin(context, protectable_type)
        marker, limit, sort_keys, sort_dirs = common.paging(
            request, SORT_KEYS, default_sort=DEFAULT_SORT)
        resources = {resource.id: resource for resource in
                     plugin.list_resources(parameters=_parameters(request))}
        items = common.match_filters(
            [views.instance(resource) for resource in resources.values()],
            common.filters(request, schemas.INSTANCE_FILTERS))
        page = [views.instance(resources[item['id']],
                               registry.dependents_of(context,
                                                      resources[item['id']]))
                for item in common.paginate(items, marker, limit, sort_keys,
                                            sort_dirs)]
        return views.instance_collection(request, page, limit)

    @validation.query_schema(schemas.instance_query)
    def instances_show(self, request, protectable_type, protectable_id):
        context = request.context
        policy.authorize(context, 'protectable:instance_get')
        registry = protectable.get_registry()
        resource = registry.plugin(context, protectable_type).show_resource(
            protectable_id, parameters=_parameters(request))
        return views.instance_detail(views.instance(
            resource, registry.dependents_of(context, resource)))


def create_controller():
    return ProtectablesController()
