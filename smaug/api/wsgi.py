"""The small WSGI framework under the v1 controllers.

A ``Resource`` wraps a controller: it finds the action Routes matched,
decodes the JSON body, calls the controller method, and turns the result or
a ``SmaugException`` into a JSON response. Controllers return plain dicts and
never touch webob responses.
"""
import functools

from oslo_log import log as logging
from oslo_serialization import jsonutils
import routes.middleware
import webob.dec
import webob.exc

from smaug import exception
from smaug.api import faults

LOG = logging.getLogger(__name__)

CONTEXT_KEY = 'smaug.context'


class Request(webob.Request):
    """A webob request that knows Smaug's context and project URL prefix."""

    @property
    def context(self):
        return self.environ[CONTEXT_KEY]


def response(status):
    """Declare the success status of a controller action (200 otherwise)."""
    def decorator(func):
        func.wsgi_status = status
        return func
    return decorator


class Resource:
    """Dispatches Routes matches to one controller's methods."""

    def __init__(self, controller):
        self.controller = controller

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, request):
        args = dict(request.environ['wsgiorg.routing_args'][1])
        action = args.pop('action')
        args.pop('controller', None)
        args.pop('format', None)
        method = getattr(self.controller, action)
        try:
            _check_project(request, args.pop('project_id', None))
            body = _decode_body(request)
            if body is not None:
                args['body'] = body
            result = method(request, **args)
        except exception.SmaugException as exc:
            if exc.code >= 500:
                LOG.exception('%s failed', action)
            return faults.error_response(exc.code, exc.msg)
        except webob.exc.HTTPException as exc:
            return faults.from_http_exception(exc)
        return _encode(result, getattr(method, 'wsgi_status', 200))


def _check_project(request, url_project_id):
    ctx = request.context
    if url_project_id not in (None, ctx.project_id) and not ctx.is_admin:
        raise exception.Invalid(
            "Malformed request URL: project %s in the URL is not the "
            "authenticated project." % url_project_id)


def _decode_body(request):
    if not request.body:
        return None
    content_type = request.content_type or 'application/json'
    if content_type != 'application/json':
        raise webob.exc.HTTPUnsupportedMediaType(
            explanation='Request bodies must be application/json, not %s.'
                        % content_type)
    try:
        return jsonutils.loads(request.body)
    except ValueError as exc:
        raise exception.Invalid(
            'The request body is not valid JSON: %s' % exc)


def _encode(result, status):
    resp = webob.Response(status=status)
    if result is None or status == 204:
        resp.status = status
        return resp
    resp.content_type = 'application/json'
    resp.charset = 'UTF-8'
    resp.body = jsonutils.dump_as_bytes(result)
    return resp


class Router:
    """A WSGI app that routes through a Routes mapper to Resources."""

    def __init__(self, mapper):
        self.map = mapper
        self._router = routes.middleware.RoutesMiddleware(self._dispatch,
                                                          self.map)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, request):
        return self._router

    @staticmethod
    @webob.dec.wsgify(RequestClass=Request)
    def _dispatch(request):
        match = request.environ['wsgiorg.routing_args'][1]
        if not match:
            return faults.error_response(
                404, 'No resource at %s %s.' % (request.method,
                                                request.path))
        return match['controller']


def method_not_allowed(allowed):
    """A Resource-like app answering 405 with the allowed methods."""
    @webob.dec.wsgify(RequestClass=Request)
    def app(request):
        return faults.error_response(
            405, 'Method %s is not allowed here.' % request.method,
            headers={'Allow': ', '.join(allowed)})
    return app


def expects_body(func):
    """Fail with a 400 when a write action is called with no body."""
    @functools.wraps(func)
    def wrapper(self, request, *args, body=None, **kwargs):
        if body is None:
            raise exception.Invalid('A JSON request body is required.')
        return func(self, request, *args, body=body, **kwargs)
    return wrapper
