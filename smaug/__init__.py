"""Smaug: data protection as a service for OpenStack clouds.

Smaug runs on native threads only. Two libraries would otherwise bring
eventlet in at import time, before any command could choose: oslo.service
settles on its eventlet backend the first time ``oslo_service.service`` is
imported (``import oslo_messaging`` does that), and futurist imports eventlet
merely to learn whether it is installed. The package's own import is the one
point every entry (commands, WSGI servers, tests) passes first, so both
choices are made here.

Tools that load several projects' entry points (oslo-config-generator)
may have imported oslo.service first; they only read option definitions,
so the choice they made stands, and :func:`smaug.service.launch` refuses
to run a service on anything but threads.
"""
import sys

from oslo_service import backend as _backend
from oslo_service.backend import exceptions as _backend_exceptions

# A None entry makes ``import eventlet`` raise ImportError, which futurist,
# oslo.utils and oslo.messaging read as "eventlet is not installed".
sys.modules.setdefault('eventlet', None)
try:
    _backend.init_backend(_backend.BackendType.THREADING)
except _backend_exceptions.BackendAlreadySelected:
    pass
