"""Smaug's messaging: transports, RPC clients and servers, the notifier.

``init`` runs once per process after the configuration is parsed; every
client, server and notifier of the process then shares its transports. That
sharing is what lets the ``fake://`` transport carry a whole single-node
deployment inside one process.
"""
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher
from oslo_utils import versionutils

from smaug import context
from smaug import exception
from smaug import liveness
from smaug.conf import CONF

LOG = logging.getLogger(__name__)

TRANSPORT = None
NOTIFICATION_TRANSPORT = None
NOTIFIER = None

# Errors of these modules reach an RPC caller as themselves, not as a
# RemoteError: Smaug's own, which the API maps to HTTP answers, and the
# dispatcher's (UnsupportedVersion, NoSuchMethod), which tell a caller that
# the service runs older code.
ALLOWED_EXMODS = [exception.__name__, dispatcher.__name__]


def init(conf):
    """Create the process's transports and notifier from ``conf``."""
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    TRANSPORT = messaging.get_rpc_transport(
        conf, allowed_remote_exmods=ALLOWED_EXMODS)
    NOTIFICATION_TRANSPORT = messaging.get_notification_transport(
        conf, allowed_remote_exmods=ALLOWED_EXMODS)
    NOTIFIER = messaging.Notifier(
        NOTIFICATION_TRANSPORT,
        serializer=RequestContextSerializer(messaging.JsonPayloadSerializer()))


def cleanup():
    """Close the transports ``init`` opened."""
    global TRANSPORT, NOTIFICATION_TRANSPORT, NOTIFIER
    for transport in (TRANSPORT, NOTIFICATION_TRANSPORT):
        if transport is not None:
            transport.cleanup()
    TRANSPORT = NOTIFICATION_TRANSPORT = NOTIFIER = None


def get_transport():
    """The RPC transport.

    :raises ServiceUnavailable: when ``init`` has not run.
    """
    return _initialized(TRANSPORT)


def get_notification_transport():
    """The notification transport.

    :raises ServiceUnavailable: when ``init`` has not run.
    """
    return _initialized(NOTIFICATION_TRANSPORT)


def _initialized(transport):
    if transport is None:
        raise exception.ServiceUnavailable(
            reason='messaging is not initialised; smaug.rpc.init() must run '
                   'first')
    return transport


class RequestContextSerializer(messaging.Serializer):
    """Carries a :class:`smaug.context.RequestContext` across RPC.

    Entities (the message arguments and results) go through ``base``.
    """

    def __init__(self, base=None):
        self._base = base or messaging.NoOpSerializer()

    def serialize_entity(self, ctx, entity):
        return self._base.serialize_entity(ctx, entity)

    def deserialize_entity(self, ctx, entity):
        return self._base.deserialize_entity(ctx, entity)

    def serialize_context(self, ctx):
        return ctx.to_dict()

    def deserialize_context(self, values):
        return context.RequestContext.from_dict(values)


def get_client(target, version_cap=None):
    """An RPC client of ``target`` that sends no version above the cap."""
    return messaging.get_rpc_client(
        get_transport(), target, version_cap=version_cap,
        serializer=RequestContextSerializer())


def get_server(target, endpoints):
    """An RPC server of ``target`` dispatching to ``endpoints``.

    Messages are handled by a pool of native threads: oslo.messaging's
    threading executor, its choice whenever eventlet is absent. Only
    methods decorated with ``oslo_messaging.expose`` can be called, so an
    endpoint's helpers stay out of reach of the bus.
    """
    return messaging.get_rpc_server(
        get_transport(), target, endpoints,
        serializer=RequestContextSerializer(),
        access_policy=dispatcher.ExplicitRPCAccessPolicy)


def get_notifier(publisher_id):
    """A notifier that signs its notifications with ``publisher_id``.

    :raises ServiceUnavailable: when ``init`` has not run.
    """
    return _initialized(NOTIFIER).prepare(publisher_id=publisher_id)


def _version_key(version):
    return versionutils.convert_version_to_tuple(version)


class RPCAPI:
    """Base of Smaug's versioned RPC clients.

    A subclass names the ``BINARY`` it talks to (also its topic), the
    ``[upgrade_levels]`` option that may pin its cap (``UPGRADE_LEVEL``),
    and ``RPC_API_VERSION``, the newest version it can send. Methods gate
    each newer argument on ``self.client.can_send_version``.

    The cap is chosen when the client is built, so a process keeps it until
    it builds a new client: the pinned option if set, else the lowest
    ``rpc_current_version`` among the live services of ``BINARY``, else
    (when none has recorded one) ``RPC_API_VERSION``.
    """

    BINARY = None
    UPGRADE_LEVEL = None
    RPC_API_VERSION = None

    def __init__(self, conf=CONF):
        self.conf = conf
        self.version_cap = self._determine_version_cap()
        target = messaging.Target(topic=self.BINARY,
                                  version=self.RPC_API_VERSION)
        self.client = get_client(target, version_cap=self.version_cap)

    def _determine_version_cap(self):
        pinned = self.conf.upgrade_levels[self.UPGRADE_LEVEL]
        if pinned:
            LOG.info('RPC API of %s pinned at %s by [upgrade_levels] %s.',
                     self.BINARY, pinned, self.UPGRADE_LEVEL)
            return pinned
        ctx = context.get_admin_context()
        recorded = [service.rpc_current_version for service in
                    liveness.live_services(ctx, self.BINARY, self.conf)
                    if service.rpc_current_version]
        if not recorded:
            return self.RPC_API_VERSION
        cap = min(min(recorded, key=_version_key), self.RPC_API_VERSION,
                  key=_version_key)
        LOG.info('RPC API of %s capped at %s, the lowest of its live '
                 'services.', self.BINARY, cap)
        return cap
