"""What the OpenStack protectables share: acting as the caller, whole
listings, and the rule that a project sees only its own resources.

A protectable discovers with the caller's token (and Smaug's service
token, see :mod:`smaug.clients.auth`), so it sees what the caller may see.
An administrator may see other projects' resources too; those are still
left out, because a plan protects one project.
"""
import abc

from oslo_config import cfg

from smaug import exception
from smaug.clients import auth
from smaug.clients import errors
from smaug.protection import protectable
from smaug.protection import resource_types

CONF = cfg.CONF


def all_pages(fetch_page):
    """Every item of a marker-paged listing, page after page.

    A service answers with at most its own maximum page, which may be
    smaller than the size asked for, so only an empty page ends the
    listing.

    :param fetch_page: ``fetch_page(marker=..., limit=...)`` returns one
        page of items that have an ``id``.
    """
    marker = None
    while True:
        page = fetch_page(marker=marker, limit=CONF.clients.list_page_size)
        if not page:
            return
        yield from page
        marker = page[-1].id


class OpenStackProtectable(protectable.ProtectablePlugin):
    """A type whose instances live in an OpenStack service.

    Subclasses implement :meth:`_fetch` (one instance by id, raising the
    client's not-found error), :meth:`_list_all`, :meth:`_owner`,
    :meth:`_is_protectable` and :meth:`_resource`, and
    :meth:`_dependents_of_parent` for their parent types other than the
    project.
    """

    def __init__(self, context, session=None):
        """:param session: a session of ``context`` to share, since each
            new one asks Keystone for Smaug's service token again."""
        super().__init__(context)
        self._session = session

    def session(self):
        """:raises OpenStackAccessUnavailable: when the caller has no
        token or catalog."""
        if self._session is None:
            self._session = auth.session_for(self._context)
        return self._session

    def list_resources(self, parameters=None):
        return [self._resource(item) for item in self._list_all()
                if self._is_visible(item)]

    def show_resource(self, resource_id, parameters=None):
        """:raises ProtectableInstanceNotFound: when it does not exist,
        belongs to another project or is in a status that cannot be
        protected (being deleted, failed)."""
        try:
            item = self._fetch(resource_id)
        except Exception as error:
            if errors.not_found(error):
                raise exception.ProtectableInstanceNotFound(id=resource_id)
            raise
        if not self._is_visible(item):
            raise exception.ProtectableInstanceNotFound(id=resource_id)
        return self._resource(item)

    def get_dependent_resources(self, parent):
        if parent.type == resource_types.PROJECT:
            if parent.id != self._context.project_id:
                return []
            return self.list_resources()
        return self._dependents_of_parent(parent)

    def _shown(self, resource_ids):
        """The instances among ``resource_ids`` that show_resource finds,
        in that order."""
        found = []
        for resource_id in resource_ids:
            try:
                found.append(self.show_resource(resource_id))
            except exception.ProtectableInstanceNotFound:
                continue
        return found

    def _is_visible(self, item):
        owner = self._owner(item)
        # A service hides the owner from callers who can only see their
        # own project's objects anyway.
        return ((owner is None or owner == self._context.project_id) and
                self._is_protectable(item))

    def _dependents_of_parent(self, parent):
        """This type's children of a parent that is not the project."""
        return []

    @abc.abstractmethod
    def _fetch(self, resource_id):
        """One instance by id, as the client returns it.

        :raises: the client's not-found error.
        """

    @abc.abstractmethod
    def _list_all(self):
        """Every instance the caller sees, across all pages."""

    @abc.abstractmethod
    def _owner(self, item):
        """The project owning ``item``, or None when it is not shown."""

    @abc.abstractmethod
    def _is_protectable(self, item):
        """Whether ``item``'s status lets it be protected."""

    @abc.abstractmethod
    def _resource(self, item):
        """``item`` as a Resource, with its extra_info."""
