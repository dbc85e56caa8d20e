"""The resource graph: expansion, order, cycles and its saved form."""
import testtools

from smaug import exception
from smaug.protection import graph as graph_module
from smaug.protection import resource


def _r(name):
    return resource.Resource(type='T', id=name, name=name)


class _Registry:
    """Dependents from a dict of id -> child ids."""

    def __init__(self, children):
        self.children = children
        self.asked = []

    def dependents_of(self, context, parent):
        self.asked.append(parent.id)
        return [_r(child) for child in self.children.get(parent.id, ())]


class ResourceGraphTest(testtools.TestCase):

    def test_build_expands_dependents_and_shares_nodes(self):
        registry = _Registry({'p': ['s1', 's2', 'v'], 's1': ['v', 'i'],
                              's2': ['v']})
        graph = graph_module.build(None, registry, [_r('p')])
        self.assertEqual({'p', 's1', 's2', 'v', 'i'}, {r.id for r in graph})
        self.assertEqual({'p', 's1', 's2'},
                         {r.id for r in graph.parents_of(_r('v'))})
        # Each resource is expanded once, however many parents share it.
        self.assertEqual(sorted(set(registry.asked)), sorted(registry.asked))

    def test_children_first_orders_every_child_before_its_parents(self):
        registry = _Registry({'a': ['b', 'c'], 'b': ['d'], 'c': ['d']})
        graph = graph_module.build(None, registry, [_r('a')])
        order = [r.id for r in graph.children_first()]
        for parent, children in registry.children.items():
            for child in children:
                self.assertLess(order.index(child), order.index(parent))

    def test_a_cycle_is_an_error(self):
        registry = _Registry({'a': ['b'], 'b': ['c'], 'c': ['a']})
        self.assertRaises(exception.ResourceGraphCycle, graph_module.build,
                          None, registry, [_r('a')])

    def test_primitive_round_trip(self):
        registry = _Registry({'a': ['b', 'c'], 'c': ['b']})
        graph = graph_module.build(None, registry, [_r('a'), _r('x')])
        copy = graph_module.ResourceGraph.from_primitive(
            graph.to_primitive())
        self.assertEqual(set(graph), set(copy))
        for node in graph:
            self.assertEqual(set(graph.children_of(node)),
                             set(copy.children_of(node)))

    def test_roots_are_the_resources_without_parents(self):
        registry = _Registry({'a': ['b']})
        graph = graph_module.build(None, registry, [_r('a'), _r('b'),
                                                    _r('z')])
        self.assertEqual({'a', 'z'}, {r.id for r in graph.roots()})
