"""Scheduled operations act as their creator through Keystone trusts, on
the test cloud's real Keystone.

The API runs in-process behind keystonemiddleware (``[api] auth_strategy
= keystone``), so requests carry the demo user's real token; the trusts
are checked in Keystone itself, and used as an engine uses them.
"""
import datetime
import pathlib
import uuid

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from keystonemiddleware import auth_token  # noqa: F401 (its options)
from oslo_config import fixture as config_fixture
import pytest

from smaug import context
from smaug import exception
from smaug.api import app as api_app
from smaug.clients import auth
from smaug.clients import factory
from smaug.conf import CONF
from smaug.db import api as db
from smaug.operationengine import clock
from smaug.operationengine import delegation
from smaug.operationengine import operations as operation_types
from smaug.operationengine import runs
from smaug.operationengine import schedule
from smaug.tests.fixtures import api as api_fixture
from smaug.tests.fixtures import cloud as cloud_fixtures
from smaug.tests.fixtures import database
from smaug.tests.fixtures import entry_points
from smaug.tests.fixtures import rpc as rpc_fixture

devcloud = cloud_fixtures.devcloud
smaug_clients = cloud_fixtures.smaug_clients
NOOP = api_fixture.NOOP_PROVIDER
REPO = pathlib.Path(__file__).resolve().parents[4]
AUTHTOKEN = 'keystone_authtoken'


def _use(request, fixture):
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)
    return fixture


def _admin():
    return context.get_admin_context()


@pytest.fixture
def keystone_api(request, smaug_clients):
    """The API in-process behind keystonemiddleware, as Smaug's service
    user, on a fresh database; a client of it sends the demo user's
    token."""
    cloud = smaug_clients
    _use(request, entry_points.SmaugEntryPoints())
    _use(request, database.Database())
    conf = _use(request, config_fixture.Config(CONF))
    CONF(args=[], project='smaug', default_config_files=[],
         default_config_dirs=[])
    request.addfinalizer(CONF.clear)
    conf.config(group='api', auth_strategy='keystone',
                api_paste_config=str(REPO / 'smaug' / 'api' /
                                     'api-paste.ini'))
    conf.config(group='protection', provider_config_dir=str(
        REPO / 'etc' / 'smaug' / 'providers.d'))
    conf.register_opts(ks_loading.get_auth_plugin_conf_options('password'),
                       group=AUTHTOKEN)
    conf.config(group=AUTHTOKEN, www_authenticate_uri=cloud.auth_url,
                region_name=cloud.region,
                **cloud.service_credentials())
    _use(request, rpc_fixture.InProcessMessaging())
    demo = cloud.session('demo')
    client = api_fixture.ApiClient(api_app.load_app())
    client.project = demo.get_project_id()
    client.headers = {'X-Auth-Token': demo.get_token()}
    return client


def _call(client, method, path, body=None):
    return client.request(method, path, body=body, project=client.project,
                          roles=None, headers=client.headers)


def _trust(cloud, trust_id):
    """The trust as its trustor sees it in Keystone, or None."""
    demo = cloud.session('demo')
    try:
        return demo.get('/OS-TRUST/trusts/%s' % trust_id,
                        endpoint_filter={'service_type': 'identity',
                                         'interface': 'public'}
                        ).json()['trust']
    except ks_exceptions.NotFound:
        return None


def _schedule(client, trigger_id, plan_id, name):
    response = _call(client, 'POST', 'scheduled_operations', {
        'scheduled_operation': {
            'name': name, 'operation_type': 'protect',
            'trigger_id': trigger_id,
            'operation_definition': {'provider_id': NOOP,
                                     'plan_id': plan_id}}})
    assert response.status == 200, response
    return response.json['scheduled_operation']['id']


def test_operations_share_one_trust_deleted_with_the_last(keystone_api,
                                                          smaug_clients):
    client, cloud = keystone_api, smaug_clients
    plan = db.plan_create(_admin(), {
        'name': 'plan', 'provider_id': NOOP, 'project_id': client.project,
        'status': 'suspended', 'parameters': {}, 'resources': []})
    response = _call(client, 'POST', 'triggers', {'trigger_info': {
        'name': 'nightly', 'type': 'time', 'properties': {
            'format': 'crontab', 'pattern': '0 2 * * *'}}})
    assert response.status == 200, response
    trigger_id = response.json['trigger_info']['id']

    first = _schedule(client, trigger_id, plan.id, 'first')
    second = _schedule(client, trigger_id, plan.id, 'second')

    trust_id = db.scheduled_operation_state_get(_admin(), first).trust_id
    assert trust_id
    assert db.scheduled_operation_state_get(_admin(), second).trust_id == \
        trust_id
    # The creator's token is not kept: the trust replaces it.
    assert db.scheduled_operation_get(_admin(), first).request_context is \
        None
    trust = _trust(cloud, trust_id)
    demo_user = cloud.session('demo').get_user_id()
    assert trust['trustor_user_id'] == demo_user
    assert trust['trustee_user_id'] == \
        cloud.session('smaug').get_user_id()
    assert trust['project_id'] == client.project
    assert trust['impersonation'] is True
    assert {role['name'] for role in trust['roles']} >= {'member'}
    # A run of the operation acts as demo through the trust.
    runner = runs.Runner('engine-a:1', clock.system_clock,
                         operation_types.load_all(CONF),
                         delegation.RunContexts(),
                         runs.EngineLiveness(CONF, 'engine-a', 'engine-a:1'))
    fire_time = clock.system_clock().replace(microsecond=0)
    runner.run_due(schedule.Due(first, fire_time, datetime.timedelta(
        seconds=900), fire_time))
    [run] = db.scheduled_operation_log_get_all(
        _admin(), filters={'operation_id': first})
    assert run.state == 'success', run.error
    checkpoint = db.checkpoint_get(_admin(), run.checkpoint_id)
    assert (checkpoint.user_id, checkpoint.project_id) == (
        demo_user, client.project)
    # The agent that protects it acts with the trust's token.
    stored = context.RequestContext.from_dict(checkpoint.request_context)
    assert _token_scope(cloud, stored.auth_token) == (demo_user,
                                                      client.project)

    assert _call(client, 'DELETE',
                 'scheduled_operations/%s' % first).status == 202
    assert _trust(cloud, trust_id) is not None
    assert _call(client, 'DELETE',
                 'scheduled_operations/%s' % second).status == 202
    assert _trust(cloud, trust_id) is None


def test_a_run_acts_as_the_creator_until_the_trust_goes(smaug_clients):
    cloud = smaug_clients
    creator = cloud.user_context('demo')
    trust_id = delegation.create_trust(creator)
    try:
        operation = Record(user_id=creator.user_id,
                              project_id=creator.project_id)
        run_context = delegation.RunContexts().context_for(
            operation, Record(trust_id=trust_id))

        assert (run_context.user_id, run_context.project_id) == (
            creator.user_id, creator.project_id)
        assert run_context.auth_token != creator.auth_token
        assert 'member' in run_context.roles
        assert not run_context.is_admin
        # Plugins reach OpenStack with it, as the creator.
        session = auth.session_for(run_context)
        assert all(image.id for image in
                   factory.glance(session).images.list())
        assert _token_scope(cloud, run_context.auth_token) == (
            creator.user_id, creator.project_id)
    finally:
        delegation.delete_trust(creator, trust_id, creator.user_id)

    with pytest.raises(exception.OpenStackAccessUnavailable,
                       match=trust_id):
        delegation.RunContexts().context_for(
            Record(user_id=creator.user_id,
                      project_id=creator.project_id,
                      request_context=None),
            Record(trust_id=trust_id))
    # Deleting it again is harmless.
    delegation.delete_trust(creator, trust_id, creator.user_id)


def _token_scope(cloud, token):
    """(user, project) of ``token``, as Keystone validates it."""
    smaug = cloud.session('smaug')
    response = smaug.get('/auth/tokens', headers={'X-Subject-Token': token},
                         endpoint_filter={'service_type': 'identity',
                                          'interface': 'public'})
    validated = response.json()['token']
    return validated['user']['id'], validated['project']['id']


class Record:
    """A record with only the attributes the delegation reads."""

    def __init__(self, **values):
        self.trust_id = values.pop('trust_id', None)
        self.request_context = values.pop('request_context', None)
        self.user_id = values.pop('user_id', None)
        self.project_id = values.pop('project_id', None)


def test_a_trust_for_an_unknown_user_is_refused_clearly(smaug_clients):
    creator = smaug_clients.user_context('demo')
    creator.user_id = uuid.uuid4().hex

    with pytest.raises(exception.OpenStackAccessUnavailable,
                       match='did not make a trust'):
        delegation.create_trust(creator)
