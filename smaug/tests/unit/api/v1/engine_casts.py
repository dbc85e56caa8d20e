"""Record the casts to the operation engines instead of sending them.

``EngineCasts.install(monkeypatch)`` replaces the methods of
:class:`rpcapi.OperationEngineAPI`; each cast is then kept as
``(method, {argument: value})``, and ``fail_with(exc)`` makes the next
casts raise ``exc``.
"""
import inspect

from smaug.operationengine import rpcapi

METHODS = ('scheduled_operation_created', 'scheduled_operation_deleted',
           'scheduled_operation_state_changed', 'trigger_changed',
           'trigger_deleted')


class EngineCasts:

    def __init__(self):
        self.casts = []
        self.error = None

    @classmethod
    def install(cls, monkeypatch):
        recorder = cls()
        for name in METHODS:
            monkeypatch.setattr(rpcapi.OperationEngineAPI, name,
                                recorder._method(name))
        return recorder

    def fail_with(self, error):
        self.error = error

    def _method(self, name):
        signature = inspect.signature(getattr(rpcapi.OperationEngineAPI,
                                              name))
        recorder = self

        def cast(api, ctx, *args, **kwargs):
            if recorder.error is not None:
                raise recorder.error
            arguments = signature.bind(api, ctx, *args, **kwargs)
            arguments.apply_defaults()
            recorded = dict(arguments.arguments)
            del recorded['self'], recorded['ctx']
            recorder.casts.append((name, recorded))
        return cast

    def __iter__(self):
        return iter(self.casts)

    def __len__(self):
        return len(self.casts)
