"""Whether a service is alive, as its heartbeats in the services table say.

A service writes its row every ``report_interval`` seconds; one that has
not written for ``service_down_time`` seconds is taken to be down.
"""
from oslo_utils import timeutils

from smaug.conf import CONF
from smaug.db import api as db


def is_up(service, conf=CONF):
    """Whether ``service`` (a services row) beat recently enough.

    A row never updated since its creation counts from ``created_at``.
    """
    last_beat = service.updated_at or service.created_at
    elapsed = timeutils.utcnow() - last_beat
    return elapsed.total_seconds() <= conf.service_down_time


def live_services(ctx, binary, conf=CONF):
    """The rows of ``binary`` whose heartbeats are current.

    :returns: a list of services rows, disabled ones included: a disabled
        service still runs and still answers RPC.
    """
    return [service for service in db.service_get_all(ctx, {'binary': binary})
            if is_up(service, conf)]
