"""Errors Smaug raises, each carrying the HTTP status the API maps it to."""


class SmaugException(Exception):
    """Base error: a message template filled from keyword arguments."""

    message = 'An unknown error occurred.'
    code = 500

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            message = self.message % kwargs if kwargs else self.message
        self.msg = message
        super().__init__(message)


class Invalid(SmaugException):
    message = 'Invalid input: %(reason)s'
    code = 400


class ValidationError(Invalid):
    message = '%(detail)s'


class InvalidInput(Invalid):
    message = 'Invalid input received: %(reason)s'


class InvalidSortKey(Invalid):
    message = 'Sort key %(key)s is not supported.'


class InvalidMarker(Invalid):
    message = 'Marker %(marker)s was not found.'


class NotAuthorized(SmaugException):
    message = 'Not authorized.'
    code = 403


class PolicyNotAuthorized(NotAuthorized):
    message = 'Policy does not allow %(action)s to be performed.'


class NotFound(SmaugException):
    message = 'Resource could not be found.'
    code = 404


def _not_found(name):
    return type(name.title().replace('_', '') + 'NotFound', (NotFound,),
                {'message': name.replace('_', ' ').capitalize() +
                 ' %(id)s could not be found.'})


PlanNotFound = _not_found('plan')
ProviderNotFound = _not_found('provider')
CheckpointNotFound = _not_found('checkpoint')
RestoreNotFound = _not_found('restore')
VerificationNotFound = _not_found('verification')
CopyNotFound = _not_found('copy')
TriggerNotFound = _not_found('trigger')
ScheduledOperationNotFound = _not_found('scheduled_operation')
ScheduledOperationStateNotFound = _not_found('scheduled_operation_state')
ScheduledOperationLogNotFound = _not_found('scheduled_operation_log')
OperationLogNotFound = _not_found('operation_log')
ServiceNotFound = _not_found('service')
ProtectableTypeNotFound = _not_found('protectable_type')
ProtectableInstanceNotFound = _not_found('protectable_instance')
QuotaClassNotFound = _not_found('quota_class')
ProjectQuotaNotFound = _not_found('project_quota')


class Conflict(SmaugException):
    message = 'The request conflicts with the current state: %(reason)s'
    code = 409


class InvalidState(Conflict):
    message = ('%(object)s %(id)s is %(state)s; this needs one of: '
               '%(allowed)s.')


class OperationClaimed(Conflict):
    """Another agent holds the operation, or the caller's claim was lost."""

    message = ('%(object)s %(id)s is held by %(holder)s until %(until)s, '
               'not by %(owner)s.')


class DependencyInUse(SmaugException):
    """Karbor answered 424 when a trigger still has operations; so do we."""

    message = '%(object)s %(id)s is used by %(users)s.'
    code = 424


class OverQuota(SmaugException):
    message = ('Quota exceeded for %(resource)s: requested %(requested)s, '
               'in use %(in_use)s, reserved %(reserved)s, limit %(limit)s.')
    code = 413


class ServiceUnavailable(SmaugException):
    message = 'The service is unavailable: %(reason)s'
    code = 503


class DBError(SmaugException):
    message = 'A database error occurred: %(reason)s'


class ResourceGraphCycle(Invalid):
    message = ('The resources depend on each other in a loop through '
               '%(resource)s.')


class NoCapablePlugin(NotFound):
    message = ('No protection plugin protects %(type)s with the '
               'capabilities %(capabilities)s.')


class PluginLacksCapability(Invalid):
    message = ('The protection plugin %(plugin)s of %(type)s does not '
               'declare the %(capability)s capability.')


class OpenStackAccessUnavailable(SmaugException):
    message = 'OpenStack cannot be reached on behalf of %(who)s: %(reason)s'
    code = 503


class WaitTimeout(SmaugException):
    message = ('%(what)s did not become %(goal)s within %(timeout)s s '
               '(last status: %(status)s).')
    code = 504


class ResourceFailed(SmaugException):
    message = '%(what)s went to status %(status)s: %(reason)s'
