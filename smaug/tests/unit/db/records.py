"""Valid values of each kind of record, and the contexts that make them."""
import uuid

from smaug import context
from smaug.db import api as db

PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'
PROVIDER = 'b766f37c-d011-4026-8228-28730d734a3f'


def member(project=PROJECT):
    return context.RequestContext(user_id='user-of-' + project,
                                  project_id=project, is_admin=False)


def admin(project='admin-project'):
    return context.RequestContext(user_id='admin', project_id=project,
                                  is_admin=True)


def _plan(ctx):
    return {'name': 'plan', 'provider_id': PROVIDER, 'status': 'suspended',
            'parameters': {'OS::Nova::Server': {'backup_mode': 'full'}},
            'resources': [{'resource_id': 'server-1',
                           'resource_type': 'OS::Nova::Server',
                           'resource_name': 'web',
                           'resource_extra_info': {'az': 'nova'}}]}


def _checkpoint(ctx):
    return {'provider_id': PROVIDER, 'plan_id': str(uuid.uuid4()),
            'status': 'protecting',
            'protection_plan': {'id': 'plan', 'resources': []},
            'extra_info': {'created_by': 'test'}}


def _restore(ctx):
    return {'provider_id': PROVIDER, 'checkpoint_id': str(uuid.uuid4()),
            'parameters': {}, 'status': 'in_progress',
            'restore_target': 'http://keystone/v3'}


def _verification(ctx):
    return {'provider_id': PROVIDER, 'checkpoint_id': str(uuid.uuid4()),
            'parameters': {'deep': True}, 'status': 'in_progress'}


def _copy(ctx):
    return {'provider_id': PROVIDER, 'plan_id': str(uuid.uuid4()),
            'parameters': {}, 'status': 'wait_copying'}


def _operation_log(ctx):
    return {'operation_type': 'protect', 'status': 'in_progress',
            'plan_id': str(uuid.uuid4()), 'extra_info': {'attempt': 1}}


def _trigger(ctx):
    return {'name': 'nightly', 'type': 'time',
            'properties': {'pattern': '0 2 * * *', 'format': 'crontab'}}


def _scheduled_operation(ctx):
    trigger = db.trigger_create(ctx, _trigger(ctx))
    return {'name': 'backup', 'operation_type': 'protect',
            'trigger_id': trigger.id,
            'operation_definition': {'plan_id': str(uuid.uuid4())}}


# The values of a new record of each kind; a function as some records
# need others to exist first.
VALUES = {
    'plan': _plan,
    'checkpoint': _checkpoint,
    'restore': _restore,
    'verification': _verification,
    'copy': _copy,
    'operation_log': _operation_log,
    'trigger': _trigger,
    'scheduled_operation': _scheduled_operation,
}

# Kinds whose records have a status to compare and swap.
WITH_STATUS = ('plan', 'checkpoint', 'restore', 'verification', 'copy',
               'operation_log')


def create(kind, ctx, **values):
    """A new record of ``kind`` made by ``ctx``."""
    return getattr(db, kind + '_create')(ctx, dict(VALUES[kind](ctx),
                                                   **values))


def function(kind, action):
    """The db.api function ``<kind>_<action>``."""
    return getattr(db, '%s_%s' % (kind, action))
