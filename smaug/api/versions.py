"""Version discovery at ``/``: the list of API versions, as Karbor had."""
from oslo_config import cfg
from oslo_serialization import jsonutils
import webob
import webob.dec

from smaug.api import faults

CONF = cfg.CONF

VERSIONS = [{
    'id': 'v1.0',
    'status': 'CURRENT',
    'updated': '2026-11-22T00:00:00Z',
    'media-types': [{'base': 'application/json',
                     'type': 'application/vnd.openstack.data-protect+json;'
                             'version=1'}],
}]


class Versions:
    """``GET /`` answers 300 Multiple Choices with every version's links."""

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls()

    @webob.dec.wsgify
    def __call__(self, request):
        if request.path_info not in ('', '/'):
            return faults.error_response(404, 'No resource at %s.'
                                         % request.path)
        base = (CONF.api.public_endpoint or request.application_url)
        versions = [dict(version, links=[
            {'rel': 'self', 'href': '%s/v1/' % base.rstrip('/')}])
            for version in VERSIONS]
        response = webob.Response(status=300,
                                  content_type='application/json',
                                  charset='UTF-8')
        response.body = jsonutils.dump_as_bytes({'versions': versions})
        return response
