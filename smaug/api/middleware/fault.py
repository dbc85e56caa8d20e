"""Catch what escaped the controllers and answer with a JSON fault."""
from oslo_log import log as logging
from oslo_middleware import base
import webob.dec
import webob.exc

from smaug import exception
from smaug.api import faults

LOG = logging.getLogger(__name__)


class FaultWrapper(base.ConfigurableMiddleware):
    """No stack trace or HTML error page ever reaches a client."""

    @webob.dec.wsgify
    def __call__(self, request):
        try:
            return request.get_response(self.application)
        except exception.SmaugException as exc:
            return faults.error_response(exc.code, exc.msg)
        except webob.exc.HTTPException as exc:
            return faults.from_http_exception(exc)
        except Exception:
            LOG.exception('Unexpected error serving %s %s', request.method,
                          request.path)
            return faults.error_response(
                500, 'The server had an unexpected error; the request id '
                     'in the response headers identifies it in the logs.')
