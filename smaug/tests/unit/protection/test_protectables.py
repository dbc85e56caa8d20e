"""Which protectables a deployment loads, and whole listings of pages."""
import dataclasses

from oslo_config import fixture as config_fixture
import pytest

from smaug import exception
from smaug.conf import CONF
from smaug.protection import protectable
from smaug.protection import resource_types
from smaug.protection.protectables import openstack
from smaug.tests.fixtures import entry_points
from smaug.tests.unit.protection.flows import harness

OPENSTACK = ['project', 'server', 'volume', 'image']


@pytest.fixture
def conf():
    with entry_points.SmaugEntryPoints(), entry_points.EntryPoints(
            harness.TEST_ENTRY_POINTS), config_fixture.Config(CONF) as conf:
        yield conf


def test_named_protectables_only(conf):
    conf.config(group='protection', protectables=['project'])
    assert protectable.ProtectableRegistry().types() == [
        resource_types.PROJECT]


def test_openstack_protectables_and_their_children(conf):
    conf.config(group='protection', protectables=OPENSTACK)
    registry = protectable.ProtectableRegistry()

    assert registry.types() == sorted([
        resource_types.PROJECT, resource_types.SERVER,
        resource_types.VOLUME, resource_types.IMAGE])
    assert registry.dependent_types(resource_types.PROJECT) == sorted([
        resource_types.SERVER, resource_types.VOLUME, resource_types.IMAGE])
    assert registry.dependent_types(resource_types.SERVER) == sorted([
        resource_types.VOLUME, resource_types.IMAGE])
    assert registry.dependent_types(resource_types.VOLUME) == []


def test_every_installed_protectable_when_none_is_named(conf):
    types = protectable.ProtectableRegistry().types()
    assert {resource_types.PROJECT, resource_types.SERVER,
            resource_types.VOLUME, resource_types.IMAGE,
            'Smaug::Test::Node'} <= set(types)


def test_a_name_nothing_provides_is_an_error(conf):
    conf.config(group='protection', protectables=['project', 'tape'])
    with pytest.raises(exception.SmaugException) as caught:
        protectable.ProtectableRegistry()
    assert 'tape' in str(caught.value)


@dataclasses.dataclass
class Item:
    id: int


class CappedService:
    """Answers marker-paged lists with at most ``cap`` items a page."""

    def __init__(self, count, cap):
        self.items = [Item(i) for i in range(count)]
        self.cap = cap
        self.requests = []

    def list(self, marker=None, limit=None):
        self.requests.append((marker, limit))
        start = 0 if marker is None else marker + 1
        return self.items[start:start + min(limit, self.cap)]


@pytest.mark.parametrize('count, page_size, cap, requests', [
    (7, 3, 100, 4),
    (6, 3, 100, 3),
    (7, 5, 2, 5),   # the service's own limit is below the page size
    (0, 3, 100, 1),
])
def test_all_pages_follows_markers_to_an_empty_page(conf, count, page_size,
                                                    cap, requests):
    conf.config(group='clients', list_page_size=page_size)
    service = CappedService(count, cap)

    assert list(openstack.all_pages(service.list)) == service.items
    assert len(service.requests) == requests
    assert all(limit == page_size for _, limit in service.requests)
    assert service.requests[0][0] is None
