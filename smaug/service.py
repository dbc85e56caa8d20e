"""The long-running parts of Smaug's processes, for oslo.service to launch.

A :class:`Service` puts a manager behind an RPC topic and keeps the
service's row in the services table alive; a :class:`WSGIService` serves
the REST API; a :class:`CombinedService` runs several of them in one
process. All of them run on native threads.
"""
import threading

from cheroot import wsgi
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_service import backend
from oslo_service import loopingcall
from oslo_service import service

from smaug import context
from smaug import exception
from smaug import rpc
from smaug.conf import CONF
from smaug.db import api as db

LOG = logging.getLogger(__name__)

# Where a client on this host reaches a server listening on every address.
_LOOPBACK = {'0.0.0.0': '127.0.0.1', '::': '::1'}


class Service(service.ServiceBase):
    """A manager serving its RPC topic, with heartbeats and periodic tasks.

    Built before the launcher forks and started in the worker process, so
    the constructor opens nothing: connections and threads are made in
    :meth:`start`.
    """

    def __init__(self, host, binary, topic, manager, conf=CONF):
        """:param manager: a :class:`smaug.manager.Manager`."""
        self.host = host
        self.binary = binary
        self.topic = topic
        self.manager = manager
        self.conf = conf
        self.service_id = None
        self._server = None
        self._timers = []
        self._stopped = threading.Event()

    def start(self):
        ctx = context.get_admin_context()
        self.service_id = self._register(ctx)
        self.manager.init_host()
        target = messaging.Target(topic=self.topic, server=self.host,
                                  version=self.manager.RPC_API_VERSION)
        self._server = rpc.get_server(target, [self.manager])
        self._server.start()
        self._timers = [
            self._every(self.conf.report_interval, self.report_state),
            self._every(self.conf.periodic_interval, self.run_periodic_tasks),
        ]
        LOG.info('%s on %s serves topic %s at RPC API %s.', self.binary,
                 self.host, self.topic, self.manager.RPC_API_VERSION)

    @staticmethod
    def _every(interval, func):
        # A failed run is logged and the next one still happens: a database
        # outage must not silence the heartbeat for good.
        timer = loopingcall.FixedIntervalLoopingCall(func)
        timer.start(interval=interval, initial_delay=interval,
                    stop_on_exception=False)
        return timer

    def _register(self, ctx):
        """Create or refresh this service's row; the refresh is a beat."""
        version = self.manager.RPC_API_VERSION
        values = {'topic': self.topic,
                  'rpc_current_version': version,
                  'rpc_available_version': version}
        try:
            row = db.service_get_by_host_and_binary(ctx, self.host,
                                                    self.binary)
        except exception.ServiceNotFound:
            row = db.service_create(ctx, dict(values, host=self.host,
                                              binary=self.binary,
                                              report_count=0))
            return row.id
        db.service_update(ctx, row.id, values)
        return row.id

    def report_state(self):
        """Beat: count one more report, which also moves ``updated_at``."""
        ctx = context.get_admin_context()
        try:
            row = db.service_get(ctx, self.service_id)
        except exception.ServiceNotFound:
            LOG.warning('The services row of %s on %s is gone; registering '
                        'again.', self.binary, self.host)
            self.service_id = self._register(ctx)
            return
        db.service_update(ctx, self.service_id,
                          {'report_count': row.report_count + 1})

    def run_periodic_tasks(self):
        self.manager.run_periodic_tasks(context.get_admin_context())

    def stop(self):
        """Take no more messages, finish those in hand, stop beating."""
        if self._server is not None:
            self._server.stop()
            self._server.wait()
        for timer in self._timers:
            timer.stop()
        self.manager.cleanup_host()
        for timer in self._timers:
            timer.wait()
        self._stopped.set()
        LOG.info('%s on %s stopped.', self.binary, self.host)

    def wait(self):
        self._stopped.wait()

    def reset(self):
        """Nothing to reload: options are read where they are used."""


class WSGIService(service.ServiceBase):
    """The REST API, served by cheroot's pool of worker threads."""

    def __init__(self, conf=CONF):
        self.conf = conf
        self._server = None
        self._thread = None

    def start(self):
        # Every Smaug process imports this module; only the API's needs the
        # application and the middleware it pulls in.
        from smaug.api import app

        self._server = wsgi.Server(
            (self.conf.api.bind_host, self.conf.api.bind_port),
            app.load_app(), numthreads=self.conf.api.threads,
            request_queue_size=self.conf.api.backlog,
            server_name='smaug-api')
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve,
                                        name='smaug-api')
        self._thread.start()
        LOG.info('smaug-api listens on %s:%s with %d threads.',
                 self.conf.api.bind_host, self.port, self.conf.api.threads)

    @property
    def port(self):
        """The port listened on; the one chosen when bind_port is 0."""
        return self._server.bind_addr[1]

    @property
    def url(self):
        """The API's base URL, as a client on this host reaches it."""
        host = _LOOPBACK.get(self.conf.api.bind_host,
                             self.conf.api.bind_host)
        if ':' in host:
            host = '[%s]' % host
        return 'http://%s:%d/' % (host, self.port)

    def stop(self):
        if self._server is not None:
            self._server.stop()

    def wait(self):
        if self._thread is not None:
            self._thread.join()

    def reset(self):
        """Nothing to reload: a new pipeline needs a restart."""


class CombinedService(service.ServiceBase):
    """Several services run as one, in a single process.

    They start in the given order and stop in the reverse one, so a
    front end listed last stops taking requests before what serves them.
    """

    def __init__(self, services):
        self.services = list(services)

    def start(self):
        for member in self.services:
            member.start()

    def stop(self):
        for member in reversed(self.services):
            member.stop()

    def wait(self):
        for member in self.services:
            member.wait()

    def reset(self):
        for member in self.services:
            member.reset()


def launch(conf, server):
    """Run ``server`` under oslo.service until a signal stops it.

    :returns: the exit status for the command.
    :raises RuntimeError: when oslo.service was set up on another backend
        than threads before Smaug was imported.
    """
    if backend.get_backend_type() != backend.BackendType.THREADING:
        raise RuntimeError('Smaug services run on oslo.service\'s threading '
                           'backend only; something chose %s first.'
                           % backend.get_backend_type())
    launcher = service.launch(conf, server, restart_method='mutate')
    return launcher.wait()
