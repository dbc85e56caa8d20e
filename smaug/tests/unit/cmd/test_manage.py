"""smaug-manage's commands and their command line, in-process."""
import datetime

from oslo_config import cfg
import pytest

from smaug import context
from smaug.cmd import manage
from smaug.db import api as db
from smaug.db import migration
from smaug.db import models
from smaug.tests.fixtures import database
from smaug.tests.fixtures import log_setup


def _use(request, fixture):
    fixture.setUp()
    request.addfinalizer(fixture.cleanUp)
    return fixture


@pytest.fixture
def sqlite(request):
    return _use(request, database.Database())


def _parse(*argv):
    conf = cfg.ConfigOpts()
    conf.register_cli_opt(manage.category_opt)
    conf(list(argv), default_config_files=[], default_config_dirs=[])
    return conf.category


@pytest.mark.parametrize('argv,method,arguments', [
    (['db', 'sync'], manage.DbCommands.sync, {'version': 'head'}),
    (['db', 'sync', '0001'], manage.DbCommands.sync, {'version': '0001'}),
    (['db', 'version'], manage.DbCommands.version, {}),
    (['db', 'purge', '--age-in-days', '7'], manage.DbCommands.purge,
     {'age_in_days': 7}),
    (['service', 'list'], manage.ServiceCommands.list, {}),
    (['bank', 'rewrap_keys', '--provider-id', 'p'],
     manage.BankCommands.rewrap_keys, {'provider_id': 'p'}),
])
def test_command_line_names_an_action_and_its_arguments(argv, method,
                                                        arguments):
    chosen = _parse(*argv)

    assert chosen.action_method is method
    assert {name: getattr(chosen, 'action_kwarg_' + name)
            for name in chosen.action_args} == arguments


@pytest.mark.parametrize('argv', [['db'], ['db', 'purge'],
                                  ['db', 'purge', '--age-in-days', 'old'],
                                  ['nothing']])
def test_incomplete_command_lines_are_refused(argv):
    with pytest.raises(SystemExit):
        _parse(*argv)


def test_db_sync_migrates_to_head_and_version_says_so(request, capsys):
    empty = _use(request, database.Database(migrate=False))
    commands = manage.DbCommands()

    commands.version()
    commands.sync('head')
    commands.version()

    assert capsys.readouterr().out.splitlines() == ['none', migration.head()]
    assert migration.version(empty.engine) == migration.head()


def test_db_purge_reports_what_it_removed(sqlite, capsys):
    member = context.RequestContext(user_id='u', project_id='p',
                                    is_admin=False)
    plan = db.plan_create(member, {
        'name': 'old', 'provider_id': 'provider', 'status': 'suspended',
        'parameters': {}, 'resources': [
            {'resource_id': 'r', 'resource_type': 'OS::Nova::Server'}]})
    db.plan_destroy(member, plan.id)
    with sqlite.engine.begin() as connection:
        for model in (models.Plan, models.PlanResource):
            connection.execute(model.__table__.update().values(
                deleted_at=models.utcnow() - datetime.timedelta(days=3)))

    manage.DbCommands().purge(5)
    kept = capsys.readouterr().out
    manage.DbCommands().purge(2)
    purged = capsys.readouterr().out

    assert kept == '0 rows purged in total.\n'
    assert purged.splitlines() == ['plan_resources: 1 rows purged',
                                   'plans: 1 rows purged',
                                   '2 rows purged in total.']


def test_db_purge_refuses_a_negative_age(sqlite, capsys):
    assert manage.DbCommands().purge(-1) == 1

    assert '--age-in-days must be 0 or more' in capsys.readouterr().err


def test_service_list_shows_status_and_state(sqlite, capsys):
    ctx = context.get_admin_context()
    stale = models.utcnow() - datetime.timedelta(hours=1)
    db.service_create(ctx, {'host': 'node-1', 'binary': 'smaug-protection',
                            'topic': 'smaug-protection'})
    db.service_create(ctx, {'host': 'node-2', 'binary': 'smaug-protection',
                            'topic': 'smaug-protection', 'disabled': True,
                            'created_at': stale})

    manage.ServiceCommands().list()

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ['Binary', 'Host', 'Status', 'State',
                                'Updated_At']
    assert [line.split()[:4] for line in lines[1:]] == [
        ['smaug-protection', 'node-1', 'enabled', 'up'],
        ['smaug-protection', 'node-2', 'disabled', 'down']]


def _scheduled_operation():
    ctx = context.get_admin_context()
    trigger = db.trigger_create(ctx, {
        'name': 'hourly', 'type': 'time', 'project_id': 'p',
        'properties': {'format': 'crontab', 'pattern': '0 * * * *'}})
    return db.scheduled_operation_create(ctx, {
        'name': 'op', 'project_id': 'p', 'operation_type': 'protect',
        'trigger_id': trigger.id, 'operation_definition': {},
        'enabled': True})


def test_scheduled_operation_suspend_and_resume(sqlite, capsys):
    operation = _scheduled_operation()
    ctx = context.get_admin_context()
    commands = manage.ScheduledOperationCommands()
    assert _parse('scheduled_operation', 'suspend', operation.id
                  ).action_method is manage.ScheduledOperationCommands.suspend

    commands.suspend(operation.id)
    assert db.scheduled_operation_get(ctx, operation.id).enabled is False
    assert db.scheduled_operation_state_get(
        ctx, operation.id).state == 'suspended'
    commands.resume(operation.id)

    assert db.scheduled_operation_get(ctx, operation.id).enabled is True
    assert db.scheduled_operation_state_get(
        ctx, operation.id).state == 'scheduled'
    assert capsys.readouterr().out.splitlines() == [
        'Scheduled operation %s suspended.' % operation.id,
        'Scheduled operation %s resumed.' % operation.id]


def test_scheduled_operation_runs_lists_the_latest_first(sqlite, capsys):
    operation = _scheduled_operation()
    ctx = context.get_admin_context()
    for hour, state, error in ((1, 'success', None),
                               (2, 'dropped', 'no engine started it')):
        db.scheduled_operation_log_create(ctx, {
            'operation_id': operation.id, 'state': state, 'error': error,
            'expect_start_time': datetime.datetime(2030, 1, 1, hour)})

    manage.ScheduledOperationCommands().runs(operation.id, limit=1)

    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split()[:2] == ['Fire', 'time']
    assert [row.split(None, 7) for row in rows] == [[
        '2030-01-01', '02:00:00', '-', '-', 'dropped', '-', 'no', 'engine '
        'started it']]


def test_scheduled_operation_commands_report_an_unknown_operation(
        sqlite, capsys, monkeypatch):
    monkeypatch.setattr('sys.argv', ['smaug-manage', 'scheduled_operation',
                                     'suspend', 'nothing'])
    monkeypatch.setattr(manage, 'CONF', cfg.ConfigOpts())

    with log_setup.LogSetup():
        assert manage.main() == 1
    assert 'nothing' in capsys.readouterr().err
