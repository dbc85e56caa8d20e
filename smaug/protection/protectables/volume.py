"""Cinder volumes of the caller's project as protectable resources.

A volume is a child of the project, and of every server it is attached
to (a server's boot volume included); the graph keeps it once.
"""
from smaug.clients import factory
from smaug.protection import resource
from smaug.protection import resource_types
from smaug.protection.protectables import openstack
from smaug.protection.protectables import server as server_protectable

DELETING = 'deleting'
ATTACHED_VOLUMES = 'os-extended-volumes:volumes_attached'


class VolumeProtectable(openstack.OpenStackProtectable):

    resource_type = resource_types.VOLUME
    parent_types = (resource_types.PROJECT, resource_types.SERVER)

    def _cinder(self):
        return factory.cinder(self.session())

    def _fetch(self, resource_id):
        return self._cinder().volumes.get(resource_id)

    def _list_all(self):
        volumes = self._cinder().volumes
        return openstack.all_pages(
            lambda marker, limit: volumes.list(detailed=True, marker=marker,
                                               limit=limit))

    def _owner(self, volume):
        return getattr(volume, 'os-vol-tenant-attr:tenant_id', None)

    def _is_protectable(self, volume):
        # error, error_deleting, error_restoring, error_extending...
        return volume.status != DELETING and not volume.status.startswith(
            'error')

    def _resource(self, volume):
        return resource.Resource(
            type=self.resource_type, id=volume.id, name=volume.name or '',
            extra_info={'availability_zone': volume.availability_zone})

    def _dependents_of_parent(self, parent):
        server = server_protectable.ServerProtectable(
            self._context, self.session()).server(parent.id)
        if server is None:
            return []
        attached = server.to_dict().get(ATTACHED_VOLUMES) or ()
        return self._shown(volume['id'] for volume in attached)
