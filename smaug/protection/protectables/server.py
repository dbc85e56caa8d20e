"""Nova servers of the caller's project as protectable resources.

A server's children are the volumes attached to it (its boot volume
among them) and the image it was booted from; those plugins find them
through :meth:`ServerProtectable.server`.
"""
from smaug.clients import errors
from smaug.clients import factory
from smaug.protection import resource
from smaug.protection import resource_types
from smaug.protection.protectables import openstack

#: Servers that are gone, going, or whose state Nova does not know.
UNPROTECTABLE_STATUSES = frozenset(
    {'DELETED', 'SOFT_DELETED', 'ERROR', 'UNKNOWN'})
DELETING_TASK = 'deleting'


class ServerProtectable(openstack.OpenStackProtectable):

    resource_type = resource_types.SERVER
    parent_types = (resource_types.PROJECT,)

    def server(self, server_id):
        """The caller's server ``server_id`` as Nova shows it, or None
        when it is not a protectable server of the caller's project."""
        try:
            server = self._fetch(server_id)
        except Exception as error:
            if errors.not_found(error):
                return None
            raise
        return server if self._is_visible(server) else None

    def _nova(self):
        return factory.nova(self.session())

    def _fetch(self, resource_id):
        return self._nova().servers.get(resource_id)

    def _list_all(self):
        servers = self._nova().servers
        return openstack.all_pages(
            lambda marker, limit: servers.list(detailed=True, marker=marker,
                                               limit=limit))

    def _owner(self, server):
        return getattr(server, 'tenant_id', None)

    def _is_protectable(self, server):
        info = server.to_dict()
        return (server.status.upper() not in UNPROTECTABLE_STATUSES and
                info.get('OS-EXT-STS:task_state') != DELETING_TASK)

    def _resource(self, server):
        return resource.Resource(
            type=self.resource_type, id=server.id, name=server.name or '',
            extra_info={'availability_zone': server.to_dict().get(
                'OS-EXT-AZ:availability_zone')})
