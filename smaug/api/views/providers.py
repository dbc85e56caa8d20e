"""The JSON form of providers.

``extended_info_schema`` carries ``verify_schema`` too, which Karbor left
out, so clients can build verification parameters.
"""
from smaug.api import common


def as_dict(provider):
    """The listing form of a provider; lists are paged over these dicts."""
    return {
        'id': provider.id,
        'name': provider.name,
        'description': provider.description,
        'extended_info_schema': provider.extended_info_schema(),
    }


def detail(provider):
    return {'provider': as_dict(provider)}


def collection(request, items, limit):
    result = {'providers': items}
    result.update(common.collection_links(request, 'providers', items, limit))
    return result
