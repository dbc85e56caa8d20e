"""What a scheduled operation does each time its trigger fires.

An operation type is a :class:`ScheduledOperationType` registered in the
``smaug.operations`` entry point namespace under the name that scheduled
operations give as ``operation_type``. The API validates a new operation's
``operation_definition`` with the type's ``definition_schema``; each
engine builds every type once, with its configuration, and calls
:meth:`ScheduledOperationType.run` for each fire time it claims.
"""
import abc
from collections.abc import Callable
import dataclasses
import datetime

from smaug import context as context_module


@dataclasses.dataclass
class ScheduledRun:
    """One fire time of one scheduled operation, as its type runs it.

    :param context: acts as the operation's creator: a trust-scoped
        context behind Keystone, the stored creator's context otherwise.
    :param operation: the scheduled_operations row as a dict (id,
        project_id, user_id, trigger_id, operation_type,
        operation_definition...).
    :param definition: the operation's ``operation_definition``.
    :param expected_time: the fire time, an aware datetime in UTC.
    :param log_id: the id of the run's log row. It stays the same when
        the run is resumed on another engine after its engine died, so
        a type derives from it whatever must not be done twice.
    :param now: the engine's clock: a callable returning an aware UTC
        datetime.
    """

    context: context_module.RequestContext
    operation: dict
    definition: dict
    expected_time: datetime.datetime
    log_id: int
    now: Callable[[], datetime.datetime]


class ScheduledOperationType(abc.ABC):
    """A kind of scheduled operation.

    :param conf: the engine's configuration.
    """

    #: The entry point name, which operations give as ``operation_type``.
    name = None
    #: JSON schema of ``operation_definition``; the API answers 400
    #: naming the field a definition gets wrong.
    definition_schema = {'type': 'object'}

    def __init__(self, conf):
        self.conf = conf

    @abc.abstractmethod
    def run(self, run):
        """Do the operation once, for the fire time ``run`` describes.

        Called in one of the engine's worker threads; it may block. It is
        called again with the same ``run`` (same ``log_id``) when the
        engine that started it died before recording its end, so it must
        then finish the work instead of doing it a second time.

        :param run: a :class:`ScheduledRun`.
        :returns: a dict of JSON values, saved as the run's
            ``extend_info``; ``checkpoint_id`` names the checkpoint the
            run made, when it made one.
        :raises Exception: any error fails the run; its message is the
            run's ``error``.
        """
