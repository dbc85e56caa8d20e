"""The plan quota holds under concurrent requests to a real API."""
import concurrent.futures
import threading

import requests

from smaug.tests.functional.api import client

LIMIT = 5
REQUESTS = 20


def test_concurrent_creates_stop_at_the_quota(api, deployment, project):
    client.expect(api.put('quotas/%s' % project,
                          {'quota': {'plans': LIMIT}}, roles='admin'), 200)
    start = threading.Barrier(REQUESTS)

    def create(index):
        # A client per thread: a requests session is not thread-safe.
        own = client.ApiClient(deployment.url, project)
        start.wait()
        try:
            return own.post('plans', client.plan_body(project,
                                                       'plan-%d' % index))
        except requests.ConnectionError as error:
            return error

    with concurrent.futures.ThreadPoolExecutor(REQUESTS) as pool:
        outcomes = list(pool.map(create, range(REQUESTS)))
    answered = [outcome for outcome in outcomes
                if isinstance(outcome, requests.Response)]
    unanswered = [outcome for outcome in outcomes
                  if not isinstance(outcome, requests.Response)]

    # A request the server never took cannot count against the quota, so
    # the quota is checked on those answered before the transport is.
    created = [client.expect(response, 200)['plan']['id']
               for response in answered if response.status_code == 200]
    assert len(created) == LIMIT, [client.describe(response)
                                   for response in answered]
    for response in answered:
        if response.status_code != 200:
            assert 'plans' in client.fault(response, 413, 'overLimit')
    listed = client.expect(api.get('plans'), 200)['plans']
    assert sorted(plan['id'] for plan in listed) == sorted(created)
    detail = client.expect(api.get('quotas/%s/detail' % project), 200)
    assert detail['quota']['plans'] == {'limit': LIMIT, 'in_use': LIMIT,
                                        'reserved': 0}
    assert not unanswered, '%d of %d concurrent requests got no answer: %s' \
        % (len(unanswered), REQUESTS, unanswered[0])
