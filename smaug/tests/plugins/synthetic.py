"""Protectables of a synthetic resource graph, for engine tests.

A node's id says the whole graph: ``<size>.<branching>.<index>``. Node i's
children are b*i+1 .. b*i+b (those below ``size``), and every fifth node
also depends on the first child of the next node, so some nodes have two
parents (the graph is a DAG, not a tree). Node 0 of a graph is its root.
"""
from smaug import exception
from smaug.protection import protectable
from smaug.protection import resource

NODE = 'Smaug::Test::Node'


def node(size, branching, index):
    return resource.Resource(type=NODE, id='%d.%d.%d' % (size, branching,
                                                           index),
                             name='node-%d' % index)


def parse(resource_id):
    size, branching, index = (int(part) for part in resource_id.split('.'))
    return size, branching, index


def children(size, branching, index):
    found = [j for j in range(branching * index + 1,
                              branching * index + branching + 1)
             if j < size]
    shared = branching * (index + 1) + 1
    if index % 5 == 0 and index + 1 < size and shared < size:
        if shared not in found:
            found.append(shared)
    return found


class NodeProtectable(protectable.ProtectablePlugin):
    resource_type = NODE
    parent_types = (NODE,)

    def list_resources(self, parameters=None):
        return []

    def show_resource(self, resource_id, parameters=None):
        try:
            parse(resource_id)
        except ValueError:
            raise exception.ProtectableInstanceNotFound(id=resource_id)
        return resource.Resource(type=NODE, id=resource_id)

    def get_dependent_resources(self, parent):
        size, branching, index = parse(parent.id)
        return [node(size, branching, j)
                for j in children(size, branching, index)]
