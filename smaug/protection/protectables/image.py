"""Glance images owned by the caller's project as protectable resources.

Images the project may use but does not own (public, shared or community
images of other projects) are not its resources: they are neither listed
nor shown, nor children of the servers booted from them.
"""
from smaug.clients import factory
from smaug.protection import resource
from smaug.protection import resource_types
from smaug.protection.protectables import openstack
from smaug.protection.protectables import server as server_protectable

#: Images without data, or whose data may not be read.
UNPROTECTABLE_STATUSES = frozenset(
    {'killed', 'deleted', 'pending_delete', 'deactivated'})


class ImageProtectable(openstack.OpenStackProtectable):

    resource_type = resource_types.IMAGE
    parent_types = (resource_types.PROJECT, resource_types.SERVER)

    def _glance(self):
        return factory.glance(self.session())

    def _fetch(self, resource_id):
        return self._glance().images.get(resource_id)

    def _list_all(self):
        # glanceclient follows the service's next links to the end.
        return self._glance().images.list(
            filters={'owner': self._context.project_id,
                     'visibility': 'all'},
            page_size=openstack.CONF.clients.list_page_size)

    def _owner(self, image):
        return image.get('owner')

    def _is_protectable(self, image):
        return image.get('status') not in UNPROTECTABLE_STATUSES

    def _resource(self, image):
        return resource.Resource(
            type=self.resource_type, id=image['id'],
            name=image.get('name') or '',
            extra_info={'disk_format': image.get('disk_format'),
                        'container_format': image.get('container_format')})

    def _dependents_of_parent(self, parent):
        server = server_protectable.ServerProtectable(
            self._context, self.session()).server(parent.id)
        # A server booted from a volume has no image ('').
        image = server.image if server is not None else None
        if not image:
            return []
        return self._shown([image['id']])
