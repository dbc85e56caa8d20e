"""A Networking (Neutron) API that owns nothing.

The test cloud runs no Neutron. Nova still asks the ``network`` endpoint
for ports and security groups on every server read, so this application
answers the read calls of the v2.0 API with empty collections and refuses
every write. Servers are booted with ``networks='none'``.

GET /                       -> version document
GET /v2.0/<collection>      -> {"<collection with _>": []}
GET /v2.0/<collection>/<id> -> 404
anything else               -> 404 (reads) or 405 (writes)
"""
import json

VERSIONS = {
    'versions': [{
        'id': 'v2.0',
        'status': 'CURRENT',
        'links': [{'rel': 'self', 'href': 'http://127.0.0.1:9696/v2.0/'}],
    }],
}


def _reply(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(data)))])
    return [data]


def _not_found(start_response, what):
    return _reply(start_response, '404 Not Found', {
        'NeutronError': {'type': 'NotFound', 'detail': '',
                         'message': '%s not found (no networking here)'
                         % what}})


def application(environ, start_response):
    method = environ['REQUEST_METHOD']
    parts = [p for p in environ.get('PATH_INFO', '/').split('/') if p]
    if parts and parts[-1].endswith('.json'):
        parts[-1] = parts[-1][:-len('.json')]
    if method not in ('GET', 'HEAD'):
        return _reply(start_response, '405 Method Not Allowed', {
            'NeutronError': {'type': 'HTTPMethodNotAllowed', 'detail': '',
                             'message': 'this cloud has no networking'}})
    if not parts:
        return _reply(start_response, '200 OK', VERSIONS)
    if parts[0] != 'v2.0':
        return _not_found(start_response, '/'.join(parts))
    if len(parts) == 1:
        return _reply(start_response, '200 OK', {'resources': []})
    if len(parts) == 2:
        return _reply(start_response, '200 OK',
                      {parts[1].replace('-', '_'): []})
    return _not_found(start_response, '/'.join(parts[1:]))
