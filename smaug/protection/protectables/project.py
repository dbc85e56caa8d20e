"""The caller's Keystone project as a protectable resource."""
from smaug import exception
from smaug.protection import protectable
from smaug.protection import resource
from smaug.protection import resource_types


class ProjectProtectable(protectable.ProtectablePlugin):
    """A project is the root of its servers, volumes and images.

    Its children are found by the plugins of those types, which name the
    project among their ``parent_types`` and list the caller's instances
    for it; a project depends on no other project.
    """

    resource_type = resource_types.PROJECT

    def _project(self):
        return resource.Resource(
            type=self.resource_type, id=self._context.project_id,
            name=self._context.project_name or self._context.project_id)

    def list_resources(self, parameters=None):
        return [self._project()]

    def show_resource(self, resource_id, parameters=None):
        if resource_id != self._context.project_id:
            raise exception.ProtectableInstanceNotFound(id=resource_id)
        return self._project()

    def get_dependent_resources(self, parent):
        return []
