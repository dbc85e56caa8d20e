"""The types of scheduled operations, found through their entry points.

See :mod:`smaug.operationengine.operations.base` for what a type is.
"""
import functools

from stevedore import driver
from stevedore import exception as stevedore_exception
from stevedore import extension

NAMESPACE = 'smaug.operations'


class UnknownOperationType(ValueError):
    """No operation type is registered under the name."""


@functools.cache
def type_class(name):
    """The ScheduledOperationType registered as ``name``.

    :raises UnknownOperationType: when none is.
    """
    try:
        manager = driver.DriverManager(NAMESPACE, name, invoke_on_load=False)
    except stevedore_exception.NoMatches:
        raise UnknownOperationType(
            '%r is not an operation type; known types: %s'
            % (name, ', '.join(names()))) from None
    return manager.driver


def names():
    """The names of the registered operation types, sorted."""
    return sorted(extension.ExtensionManager(NAMESPACE).names())


def load_all(conf):
    """One instance of every registered type: {name: instance}."""
    manager = extension.ExtensionManager(NAMESPACE, invoke_on_load=True,
                                         invoke_args=(conf,))
    return {ext.name: ext.obj for ext in manager}
