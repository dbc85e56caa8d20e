"""An HTTP client of a running smaug-api under noauth, and its checks.

``ApiClient(url, project)`` sends ``/v1/<project>/<path>`` with the noauth
identity headers; the persona is chosen per call
(``roles='reader'|'member'|'admin'``, ``project=...``). ``expect`` checks
a response's status and hands back its JSON, naming the request and the
answer when the status is not the expected one.
"""
import json
import time

import requests

NOOP_PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'
PROJECT_TYPE = 'OS::Keystone::Project'
UNKNOWN = '9d1c6a4e-0000-4000-8000-000000000000'
REQUEST_ID = 'x-openstack-request-id'
TIMEOUT = 30


class ApiClient:

    def __init__(self, url, project, user='user-1'):
        self.url = url.rstrip('/')
        self.project = project
        self.user = user
        self.session = requests.Session()

    def request(self, method, path, body=None, project=None, roles='member',
                data=None, headers=None):
        """``method`` on ``/v1/<project>/<path>``, or on ``path`` itself
        when it is absolute (``/``, ``/healthcheck``) or a whole URL.

        :param data: bytes sent as the body instead of ``body`` as JSON.
        """
        project = project or self.project
        if path.startswith('http'):
            url = path
        elif path.startswith('/'):
            url = self.url + path
        else:
            url = '%s/v1/%s/%s' % (self.url, project, path)
        sent = self.identity_headers(project, roles)
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            sent['Content-Type'] = 'application/json'
        sent.update(headers or {})
        return self.session.request(method, url, data=data, headers=sent,
                                    timeout=TIMEOUT)

    def identity_headers(self, project, roles):
        """The headers that say who sends a request."""
        headers = {'X-Auth-Token': '%s:%s' % (self.user, project)}
        if roles is not None:
            headers['X-Roles'] = roles
        return headers

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request('POST', path, body=body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request('PUT', path, body=body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)


def describe(response):
    """The request and its answer, as a failure message shows them."""
    request = response.request
    body = request.body.decode() if isinstance(request.body, bytes) \
        else request.body
    return '%s %s\n  X-Roles: %s\n  body: %s\n-> %s %s' % (
        request.method, request.url, request.headers.get('X-Roles'),
        (body or '')[:500], response.status_code, response.text[:500])


def expect(response, status, request_id=True):
    """:returns: the JSON of ``response`` (None when it has no body).

    :param request_id: False not to check the request id header.
    :raises AssertionError: when its status is not ``status`` (or one of
        them, given a tuple) or it carries no request id.
    """
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, 'expected %s:\n%s' % (
        status, describe(response))
    if request_id:
        assert has_request_id(response), 'no %s:\n%s' % (
            REQUEST_ID, describe(response))
    return response.json() if response.content else None


def has_request_id(response):
    return response.headers.get(REQUEST_ID, '').startswith('req-')


def fault(response, status, name):
    """:returns: the message of an OpenStack JSON fault ``name``.

    :raises AssertionError: unless ``response`` is exactly
        ``{name: {"code": status, "message": ...}}``.
    """
    body = expect(response, status)
    assert list(body) == [name] and body[name]['code'] == status and \
        isinstance(body[name]['message'], str), describe(response)
    return body[name]['message']


def wait_for(read, done, what, timeout=TIMEOUT):
    """Poll ``read()`` until ``done(value)``; :returns: the last value.

    :raises AssertionError: naming ``what`` and the last value read.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError('%s within %ss; last seen: %s'
                                 % (what, timeout, value))
        time.sleep(0.2)


# Shortcuts for records the tests build on.


def plan_body(project, name='nightly', provider=NOOP_PROVIDER):
    return {'plan': {
        'name': name, 'description': 'the whole project',
        'provider_id': provider, 'parameters': {},
        'resources': [{'id': project, 'type': PROJECT_TYPE,
                       'name': 'the project'}]}}


def make_plan(api, name='nightly', **kwargs):
    """A new plan of the project's only resource, as the API shows it."""
    response = api.post('plans', plan_body(api.project, name), **kwargs)
    return expect(response, 200)['plan']


def trigger_body(name='nightly', pattern='0 2 * * *'):
    return {'trigger_info': {'name': name, 'type': 'time', 'properties': {
        'format': 'crontab', 'pattern': pattern}}}


def make_trigger(api, name='nightly'):
    return expect(api.post('triggers', trigger_body(name)),
                  200)['trigger_info']
