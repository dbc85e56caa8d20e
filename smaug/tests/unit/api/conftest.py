"""Fixtures of the API tests: the real paste application over a real,
freshly migrated database, with the No-Op provider of ``etc/smaug``.

* ``api``: an :class:`ApiClient` of the whole v1 pipeline (noauth); pick the
  persona per call with ``roles='reader'|'member'|'admin'`` and
  ``project=...``.
* ``db_context``: an admin RequestContext for checking the database
  directly.
* ``rpc_casts``: records the casts to smaug-protection instead of sending
  them; ``rpc_casts.fail_with(exc)`` makes the next casts raise.
* ``fake_cloud``: adds server and volume protectables that discover what
  the test puts in ``fake_cloud`` (a :class:`fakes.Cloud`), and a second
  provider, ``fakes.SCHEMA_PROVIDER``, whose plugin checks parameters.

The provider and protectable registries and the policy enforcer are
rebuilt for every test, so a test's configuration never leaks into the
next one.
"""
import pathlib
import shutil
import sqlite3

from oslo_config import cfg
from oslo_config import fixture as config_fixture
import pytest
import sqlalchemy as sa

from smaug import context
from smaug import policy
from smaug.api import app as api_app
from smaug.protection import protectable
from smaug.protection import providers
from smaug.protection import rpcapi
from smaug.tests.fixtures import api as api_fixture
from smaug.tests.fixtures import database
from smaug.tests.fixtures import entry_points
from smaug.tests.fixtures import rpc as rpc_fixture
from smaug.tests.unit.api import fakes

CONF = cfg.CONF
REPO = pathlib.Path(__file__).resolve().parents[4]
PROVIDER_DIR = REPO / 'etc' / 'smaug' / 'providers.d'
PASTE_CONFIG = REPO / 'smaug' / 'api' / 'api-paste.ini'

PROJECT = api_fixture.PROJECT
OTHER_PROJECT = api_fixture.OTHER_PROJECT
NOOP_PROVIDER = api_fixture.NOOP_PROVIDER


def use_fixture(request, fixture):
    """Set up a ``fixtures.Fixture`` for the duration of one test."""
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)
    return fixture


def _reset_registries():
    providers.reset_registry()
    protectable._REGISTRY = None
    policy.reset()


@pytest.fixture
def smaug_conf(request):
    """The options every API test runs with."""
    use_fixture(request, entry_points.SmaugEntryPoints())
    conf = use_fixture(request, config_fixture.Config(CONF))
    # Parsed with no file at all, so no configuration of the machine
    # running the tests leaks in; policy needs a parsed CONF.
    CONF(args=[], project='smaug', default_config_files=[],
         default_config_dirs=[])
    request.addfinalizer(CONF.clear)
    conf.config(group='api', auth_strategy='noauth',
                api_paste_config=str(PASTE_CONFIG))
    # No Keystone here: OpenStack resources cannot be discovered.
    conf.config(group='protection', provider_config_dir=str(PROVIDER_DIR),
                protectables=['project'])
    return conf


def _no_sync(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute('PRAGMA synchronous = OFF')


@pytest.fixture
def smaug_db(request, smaug_conf):
    """A freshly migrated SQLite database behind smaug.db.api.

    A test's database dies with it, so SQLite is spared waiting for the
    disk on every commit, which would otherwise take most of the run.
    """
    sa.event.listen(sa.engine.Engine, 'connect', _no_sync)
    request.addfinalizer(lambda: sa.event.remove(sa.engine.Engine,
                                                 'connect', _no_sync))
    return use_fixture(request, database.Database())


_APPS = {}


@pytest.fixture
def app(request, smaug_conf, smaug_db):
    """The WSGI application as smaug-api serves it.

    Loading the paste pipeline is the slowest part of a test's setup and
    its result holds no state of the test, so it is loaded once per
    process and auth strategy, the one option read at load time; the
    others are read at request time.
    """
    _reset_registries()
    request.addfinalizer(_reset_registries)
    use_fixture(request, rpc_fixture.InProcessMessaging())
    strategy = CONF.api.auth_strategy
    if strategy not in _APPS:
        _APPS[strategy] = api_app.load_app()
    return _APPS[strategy]


@pytest.fixture
def api(app):
    return api_fixture.ApiClient(app)


@pytest.fixture
def db_context(smaug_db):
    return context.get_admin_context()


class CastRecorder:
    """Stands in for the casts of :class:`rpcapi.ProtectionAPI`."""

    METHODS = {'protect': 'checkpoint_id', 'restore': 'restore_id',
               'delete_checkpoint': 'checkpoint_id',
               'verify': 'verification_id', 'copy': 'copy_id'}

    def __init__(self):
        self.casts = []
        self.error = None

    def fail_with(self, error):
        self.error = error

    def method(self, name, argument):
        recorder = self

        def cast(api, ctx, record_id):
            if recorder.error is not None:
                raise recorder.error
            recorder.casts.append((name, {argument: record_id}))
        return cast

    def __iter__(self):
        return iter(self.casts)

    def __len__(self):
        return len(self.casts)


@pytest.fixture
def rpc_casts(monkeypatch):
    recorder = CastRecorder()
    for name, argument in CastRecorder.METHODS.items():
        monkeypatch.setattr(rpcapi.ProtectionAPI, name,
                            recorder.method(name, argument))
    return recorder


@pytest.fixture
def fake_cloud(request, smaug_conf, tmp_path, monkeypatch):
    use_fixture(request, entry_points.EntryPoints(fakes.ENTRY_POINTS))
    provider_dir = tmp_path / 'providers.d'
    shutil.copytree(PROVIDER_DIR, provider_dir)
    (provider_dir / 'schema.conf').write_text(fakes.SCHEMA_PROVIDER_CONF)
    smaug_conf.config(group='protection',
                      provider_config_dir=str(provider_dir),
                      protectables=['project'] + fakes.PROTECTABLES)
    cloud = fakes.Cloud()
    monkeypatch.setattr(fakes, 'CLOUD', cloud)
    _reset_registries()
    return cloud
