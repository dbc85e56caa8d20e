"""The rules of every v1 route, named as Karbor named them.

Reads need the project's reader role, writes its member role; cloud-wide
views and quota or service changes are for administrators.
"""
from smaug.policies import base

READ = base.RULE_PROJECT_READER_OR_ADMIN
WRITE = base.RULE_PROJECT_MEMBER_OR_ADMIN
ADMIN = base.RULE_ADMIN_API

P = '/v1/{project_id}'

_RULES = {
    'plan': {
        'create': (WRITE, 'Create a plan.', [('POST', P + '/plans')]),
        'update': (WRITE, 'Update a plan.', [('PUT', P + '/plans/{id}')]),
        'delete': (WRITE, 'Delete a plan.',
                   [('DELETE', P + '/plans/{id}')]),
        'get': (READ, 'Show a plan.', [('GET', P + '/plans/{id}')]),
        'get_all': (READ, 'List plans.', [('GET', P + '/plans')]),
    },
    'provider': {
        'get': (READ, 'Show a provider.',
                [('GET', P + '/providers/{id}')]),
        'get_all': (READ, 'List providers.', [('GET', P + '/providers')]),
        'checkpoint_get': (READ, 'Show a checkpoint.', [
            ('GET', P + '/providers/{provider_id}/checkpoints/{id}')]),
        'checkpoint_get_all': (READ, 'List checkpoints.', [
            ('GET', P + '/providers/{provider_id}/checkpoints')]),
        'checkpoint_create': (WRITE, 'Create a checkpoint.', [
            ('POST', P + '/providers/{provider_id}/checkpoints')]),
        'checkpoint_delete': (WRITE, 'Delete a checkpoint.', [
            ('DELETE', P + '/providers/{provider_id}/checkpoints/{id}')]),
        'checkpoint_update': (ADMIN, 'Reset the state of a checkpoint.', [
            ('PUT', P + '/providers/{provider_id}/checkpoints/{id}')]),
    },
    'copy': {
        'create': (WRITE, 'Copy the checkpoints of a plan.', [
            ('POST', P + '/providers/{provider_id}/checkpoints/action')]),
    },
    'restore': {
        'create': (WRITE, 'Restore a checkpoint.',
                   [('POST', P + '/restores')]),
        'get': (READ, 'Show a restore.', [('GET', P + '/restores/{id}')]),
        'get_all': (READ, 'List restores.', [('GET', P + '/restores')]),
    },
    'verification': {
        'create': (WRITE, 'Verify a checkpoint.',
                   [('POST', P + '/verifications')]),
        'get': (READ, 'Show a verification.',
                [('GET', P + '/verifications/{id}')]),
        'get_all': (READ, 'List verifications.',
                    [('GET', P + '/verifications')]),
    },
    'protectable': {
        'get': (READ, 'Show a protectable type.',
                [('GET', P + '/protectables/{type}')]),
        'get_all': (READ, 'List protectable types.',
                    [('GET', P + '/protectables')]),
        'instance_get': (READ, 'Show a protectable instance.', [
            ('GET', P + '/protectables/{type}/instances/{id}')]),
        'instance_get_all': (READ, 'List protectable instances.', [
            ('GET', P + '/protectables/{type}/instances')]),
    },
    'trigger': {
        'create': (WRITE, 'Create a trigger.', [('POST', P + '/triggers')]),
        'update': (WRITE, 'Update a trigger.',
                   [('PUT', P + '/triggers/{id}')]),
        'delete': (WRITE, 'Delete a trigger.',
                   [('DELETE', P + '/triggers/{id}')]),
        'get': (READ, 'Show a trigger.', [('GET', P + '/triggers/{id}')]),
        'list': (READ, 'List triggers.', [('GET', P + '/triggers')]),
    },
    'scheduled_operation': {
        'create': (WRITE, 'Create a scheduled operation.',
                   [('POST', P + '/scheduled_operations')]),
        'update': (WRITE, 'Suspend or resume a scheduled operation.',
                   [('PUT', P + '/scheduled_operations/{id}')]),
        'delete': (WRITE, 'Delete a scheduled operation.',
                   [('DELETE', P + '/scheduled_operations/{id}')]),
        'get': (READ, 'Show a scheduled operation.',
                [('GET', P + '/scheduled_operations/{id}')]),
        'list': (READ, 'List scheduled operations.',
                 [('GET', P + '/scheduled_operations')]),
    },
    'operation_log': {
        'get': (READ, 'Show an operation log.',
                [('GET', P + '/operation_logs/{id}')]),
        'list': (READ, 'List operation logs.',
                 [('GET', P + '/operation_logs')]),
    },
    'service': {
        'get_all': (ADMIN, 'List Smaug services.',
                    [('GET', P + '/os-services')]),
        'update': (ADMIN, 'Enable or disable a service.',
                   [('PUT', P + '/os-services/{id}')]),
    },
    'quota': {
        'get': (READ, 'Show the quotas of a project.', [
            ('GET', P + '/quotas/{id}'), ('GET', P + '/quotas/{id}/detail')]),
        'get_default': (READ, 'Show the default quotas.',
                        [('GET', P + '/quotas/{id}/defaults')]),
        'update': (ADMIN, 'Set the quotas of a project.',
                   [('PUT', P + '/quotas/{id}')]),
        'delete': (ADMIN, 'Reset the quotas of a project to defaults.',
                   [('DELETE', P + '/quotas/{id}')]),
    },
    'quota_class': {
        'get': (READ, 'Show a quota class.',
                [('GET', P + '/quota_classes/{id}')]),
        'update': (ADMIN, 'Set a quota class.',
                   [('PUT', P + '/quota_classes/{id}')]),
    },
}


def list_rules():
    return [rule for resource, actions in _RULES.items()
            for rule in base.operations(resource, actions)]
