"""The JSON form of protectable types and instances."""
from smaug.api import common


def types(request, names, limit):
    """Karbor's list of type names; the next link is an extension."""
    result = {'protectable_type': list(names)}
    result.update(common.collection_links(
        request, 'protectable_type', [{'id': name} for name in names],
        limit))
    return result


def type_detail(name, dependent_types):
    return {'protectable_type': {'name': name,
                                 'dependent_types': list(dependent_types)}}


def instance(resource, dependents=None):
    """A resource, with its direct dependents when they are given."""
    item = {
        'id': resource.id,
        'type': resource.type,
        'name': resource.name,
        'extra_info': resource.extra_info or {},
    }
    if dependents is not None:
        item['dependent_resources'] = [instance(dependent)
                                       for dependent in dependents]
    return item


def instance_detail(item):
    return {'instance': item}


def instance_collection(request, items, limit):
    result = {'instances': items}
    result.update(common.collection_links(request, 'instances', items, limit))
    return result
