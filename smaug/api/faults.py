"""JSON error bodies in the shape OpenStack clients parse.

``{"itemNotFound": {"code": 404, "message": "Plan x could not be found."}}``
"""
from oslo_serialization import jsonutils
import webob
import webob.exc

_FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    406: 'notAcceptable',
    409: 'conflictingRequest',
    413: 'overLimit',
    415: 'badMediaType',
    424: 'failedDependency',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}


def fault_name(code):
    return _FAULT_NAMES.get(code, 'computeFault' if code >= 500
                            else 'badRequest')


def error_response(code, message, headers=None):
    """A webob response carrying ``message`` as an OpenStack JSON fault."""
    body = {fault_name(code): {'code': code, 'message': message}}
    response = webob.Response(status=code, content_type='application/json',
                              charset='UTF-8')
    response.body = jsonutils.dump_as_bytes(body)
    # webob.Response(headers=None) fails, and headers= would replace the
    # content type: add them one by one.
    response.headers.update(headers or {})
    return response


def from_http_exception(exc):
    """The JSON form of a webob HTTP error raised below the API layer."""
    return error_response(exc.code, exc.explanation or exc.title,
                          headers=_allow_header(exc))


def _allow_header(exc):
    allow = exc.headers.get('Allow') if isinstance(
        exc, webob.exc.HTTPMethodNotAllowed) else None
    return {'Allow': allow} if allow else None
