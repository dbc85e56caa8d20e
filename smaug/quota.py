"""Per-project quotas of plans and checkpoints.

A project's limit of a resource is its own if an admin set one, else the
``default`` quota class's, else the [quota] option's; -1 means unlimited.
A request reserves what it is about to create and commits the reservation
once the records exist, or rolls it back when they do not (``reserved``
does both), so concurrent requests cannot together exceed a limit.
"""
import contextlib
import datetime

from smaug import exception
from smaug.conf import CONF
from smaug.db import models
from smaug.db import quotas as db

RESOURCES = ('plans', 'checkpoints')
DEFAULT_CLASS = 'default'


def _check_resource(resource):
    if resource not in RESOURCES:
        raise exception.InvalidInput(
            reason='%s is not a quota resource; known: %s'
                   % (resource, ', '.join(RESOURCES)))


def _check_limit(limit):
    if not isinstance(limit, int) or limit < -1:
        raise exception.InvalidInput(
            reason='a quota limit is an integer of at least -1, not %r'
                   % (limit,))


class QuotaEngine:
    """Limits, usages and reservations of the quota resources."""

    def get_defaults(self, context):
        """The limits of a project that has none of its own.

        :returns: {resource: limit}.
        """
        return self.get_class_quotas(context, DEFAULT_CLASS)

    def get_class_quotas(self, context, class_name):
        """The limits of a quota class, completed by the default class's.

        :returns: {resource: limit}.
        """
        limits = {resource: getattr(CONF.quota, resource)
                  for resource in RESOURCES}
        for name in dict.fromkeys((DEFAULT_CLASS, class_name)):
            for resource, limit in db.get_class_limits(context,
                                                       name).items():
                if resource in limits:
                    limits[resource] = limit
        return limits

    def get_project_quotas(self, context, project_id, usages=True,
                           defaults=True):
        """A project's limits, and its usage if asked.

        :param usages: add ``in_use`` and ``reserved`` to each resource.
        :param defaults: report the default limit of a resource the project
            has no limit of its own for; when False such a resource is left
            out.
        :returns: {resource: {'limit': n[, 'in_use': n, 'reserved': n]}}.
        """
        own = db.get_project_limits(context, project_id)
        fallback = self.get_defaults(context)
        used = db.get_usages(context, project_id) if usages else {}
        quotas = {}
        for resource in RESOURCES:
            if resource in own:
                quota = {'limit': own[resource]}
            elif defaults:
                quota = {'limit': fallback[resource]}
            else:
                continue
            if usages:
                usage = used.get(resource, {})
                quota['in_use'] = usage.get('in_use', 0)
                quota['reserved'] = usage.get('reserved', 0)
            quotas[resource] = quota
        return quotas

    def set_project_quota(self, context, project_id, resource, limit):
        """Give a project its own limit of a resource.

        :raises: InvalidInput for an unknown resource or a limit below -1.
        """
        _check_resource(resource)
        _check_limit(limit)
        db.set_project_limit(context, project_id, resource, limit)

    def delete_project_quotas(self, context, project_id):
        """Drop a project's own limits: the defaults apply again."""
        db.delete_project_limits(context, project_id)

    def set_class_quota(self, context, class_name, resource, limit):
        """Set a quota class's limit; class ``default`` overrides [quota].

        :raises: InvalidInput for an unknown resource or a limit below -1.
        """
        _check_resource(resource)
        _check_limit(limit)
        db.set_class_limit(context, class_name, resource, limit)

    def reserve(self, context, project_id=None, **deltas):
        """Reserve changes of resources, e.g. ``plans=1``.

        :param project_id: the project charged; the context's by default.
        :returns: the reservations' uuids, for ``commit`` or ``rollback``.
        :raises: OverQuota if a limit would be exceeded; InvalidInput for an
            unknown resource.
        """
        project_id = project_id or context.project_id
        if project_id is None:
            raise exception.InvalidInput(reason='quota is reserved for a '
                                                'project; none was given')
        for resource in deltas:
            _check_resource(resource)
        limits = {resource: quota['limit'] for resource, quota in
                  self.get_project_quotas(context, project_id,
                                          usages=False).items()}
        expires_at = models.utcnow() + datetime.timedelta(
            seconds=CONF.quota.reservation_expire)
        return db.reserve(context, limits, deltas, expires_at,
                          CONF.quota.until_refresh, CONF.quota.max_age,
                          project_id)

    def commit(self, context, reservations, project_id=None):
        """Turn reservations into usage once their records exist."""
        db.commit(context, reservations, project_id or context.project_id)

    def rollback(self, context, reservations, project_id=None):
        """Release reservations whose records were not made."""
        db.rollback(context, reservations, project_id or context.project_id)

    def expire(self, context):
        """Roll back reservations older than [quota] reservation_expire.

        :returns: how many expired.
        """
        return db.expire(context)


QUOTAS = QuotaEngine()


@contextlib.contextmanager
def reserved(context, project_id=None, **deltas):
    """Reserve ``deltas`` for the body of a ``with`` statement.

    The reservation is committed when the body succeeds and rolled back
    when it raises.

    :raises: OverQuota before the body runs, if a limit would be exceeded.
    """
    reservations = QUOTAS.reserve(context, project_id=project_id, **deltas)
    try:
        yield reservations
    except BaseException:
        QUOTAS.rollback(context, reservations, project_id=project_id)
        raise
    QUOTAS.commit(context, reservations, project_id=project_id)
