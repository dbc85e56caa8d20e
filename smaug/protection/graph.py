"""The dependency graph of the resources a plan protects.

A plan names some resources; each of them may depend on others (a server
on its volumes and boot image, a project on everything in it). The graph
holds every resource once, however many parents share it, with edges from
parent to child. It is saved with each checkpoint so that restore, delete
and verify act on exactly what was protected.
"""
from smaug import exception
from smaug.protection import resource as resource_module


class ResourceGraph:
    """A DAG of Resources, parent -> children."""

    def __init__(self):
        self._children = {}
        self._parents = {}

    def add(self, resource):
        if resource not in self._children:
            self._children[resource] = []
            self._parents[resource] = []
        return resource

    def link(self, parent, child):
        self.add(parent)
        self.add(child)
        if child not in self._children[parent]:
            self._children[parent].append(child)
            self._parents[child].append(parent)

    def __len__(self):
        return len(self._children)

    def __iter__(self):
        return iter(self._children)

    def __contains__(self, resource):
        return resource in self._children

    def children_of(self, resource):
        return list(self._children[resource])

    def parents_of(self, resource):
        return list(self._parents[resource])

    def roots(self):
        return [r for r, parents in self._parents.items() if not parents]

    def children_first(self):
        """Every resource after all of its children (a post-order).

        :raises ResourceGraphCycle: when dependencies loop.
        """
        order, done, active = [], set(), set()
        # Roots first, for a natural order; then anything a cycle hides.
        for start in self.roots() + list(self._children):
            if start not in done:
                self._visit(start, order, done, active)
        return order

    def _visit(self, start, order, done, active):
        stack = [(start, iter(self._children[start]))]
        active.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                active.discard(node)
                done.add(node)
                order.append(node)
            elif child in active:
                raise exception.ResourceGraphCycle(resource=child.key())
            elif child not in done:
                active.add(child)
                stack.append((child, iter(self._children[child])))

    def to_primitive(self):
        """A JSON-friendly form: resources in post-order, edges by index."""
        order = self.children_first()
        index = {resource: i for i, resource in enumerate(order)}
        return {
            'resources': [r.to_dict() for r in order],
            'edges': [[index[parent], [index[c] for c in children]]
                      for parent, children in self._children.items()
                      if children],
        }

    @classmethod
    def from_primitive(cls, primitive):
        graph = cls()
        resources = [graph.add(resource_module.Resource(
            type=item['type'], id=item['id'], name=item.get('name', ''),
            extra_info=item.get('extra_info')))
            for item in primitive['resources']]
        for parent, children in primitive['edges']:
            for child in children:
                graph.link(resources[parent], resources[child])
        graph.children_first()
        return graph


def build(context, registry, plan_resources):
    """Expand a plan's resources into their full dependency graph.

    :param registry: the ProtectableRegistry that knows each type's
        dependents.
    :param plan_resources: Resource objects named by the plan.
    :raises ResourceGraphCycle: when dependencies loop.
    """
    graph = ResourceGraph()
    pending = []
    for resource in plan_resources:
        if resource not in graph:
            graph.add(resource)
            pending.append(resource)
    expanded = set()
    while pending:
        parent = pending.pop()
        if parent in expanded:
            continue
        expanded.add(parent)
        for child in registry.dependents_of(context, parent):
            known = child in graph
            graph.link(parent, child)
            if not known:
                pending.append(child)
    graph.children_first()
    return graph
