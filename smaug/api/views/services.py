"""The JSON form of Smaug's services, as Karbor showed them."""
from smaug import liveness
from smaug.api import common
from smaug.api.schemas import services as schemas


def _service(service):
    return {
        'id': service.id,
        'binary': service.binary,
        'host': service.host,
        'status': schemas.DISABLED if service.disabled else schemas.ENABLED,
        'state': 'up' if liveness.is_up(service) else 'down',
        'updated_at': common.isotime(service.updated_at),
        'disabled_reason': service.disabled_reason,
    }


def detail(service):
    return {'service': _service(service)}


def collection(services):
    return {'services': [_service(service) for service in services]}
