"""Query parameters of the protectable instance routes."""
from smaug.api import common

INSTANCE_FILTERS = {
    'type': common.string_filter(64),
    'name': common.string_filter(),
}

# A JSON object, given as text in the query string.
_PARAMETERS = common.string_filter(8192)

instances_query = common.list_query_schema(
    dict(INSTANCE_FILTERS, parameters=_PARAMETERS))

instance_query = {
    'type': 'object',
    'properties': {'parameters': _PARAMETERS},
    'additionalProperties': False,
}
