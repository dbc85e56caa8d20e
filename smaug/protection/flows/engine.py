"""A taskflow engine that compiles large flat graphs in linear time.

A protection flow holds two tasks per resource, a thousand or more in one
graph. Taskflow's stock compiler merges child graphs one at a time, copying
the growing graph on every merge, and looks every atom up in its hierarchy
by a depth-first search: both quadratic in the number of atoms (tens of
seconds for 1,000 resources). This engine keeps taskflow's execution, state
machine and persistence, and changes only those two steps: children are
merged in one pass, and the root of the hierarchy answers lookups from an
index.
"""
import networkx as nx
from taskflow import flow as flow_types
from taskflow.engines.action_engine import compiler
from taskflow.engines.action_engine import engine
from taskflow.patterns import graph_flow
from taskflow.types import graph as graph_types
from taskflow.types import tree

INVARIANT = {compiler.LINK_INVARIANT: True}


class _IndexedRoot(tree.Node):
    """A hierarchy root that finds an atom's node without a search."""

    _index = None

    def find(self, item, only_direct=False, include_self=True):
        if only_direct or not include_self:
            return super().find(item, only_direct=only_direct,
                                include_self=include_self)
        if self._index is None:
            self._index = {node.item: node for node in self.dfs_iter(
                include_self=True)}
        return self._index.get(item)


class _OnePassFlowCompiler:
    """Decomposes a flow into its execution graph, merging children once.

    The graph has the shape taskflow's runtime expects: the flow node
    before everything the flow contains, a terminator after it, and each
    link of the flow from the exits of its source to the entries of its
    target.
    """

    def __init__(self, compile_child):
        self._compile_child = compile_child

    def compile(self, flow, parent=None):
        if flow.retry is not None:
            raise TypeError('protection flows have no retry controllers')
        head = graph_types.DiGraph(name=flow.name)
        head.add_node(flow, kind=compiler.FLOW, noop=True)
        node_class = _IndexedRoot if parent is None else tree.Node
        tree_node = node_class(flow, kind=compiler.FLOW, noop=True)
        if parent is not None:
            parent.add(tree_node)
        parts = {child: self._compile_child(child, parent=tree_node)[0]
                 for child in flow}
        graphs = [head, *parts.values()]
        graph = graph_types.DiGraph(nx.compose_all(graphs), name=flow.name)
        if len(graph) != sum(len(part) for part in graphs):
            raise ValueError('an atom appears twice in flow %s' % flow.name)
        for source, target, attributes in flow.iter_links():
            compiler._add_update_edges(
                graph, parts[source].no_successors_iter(),
                list(parts[target].no_predecessors_iter()),
                attr_dict=attributes)
        compiler._add_update_edges(
            graph, [flow], [node for node in graph.no_predecessors_iter()
                            if node is not flow], attr_dict=INVARIANT)
        end = compiler.Terminator(flow)
        graph.add_node(end, kind=compiler.FLOW_END, noop=True)
        compiler._add_update_edges(
            graph, [node for node in graph.no_successors_iter()
                    if node is not end], [end], attr_dict=INVARIANT)
        return graph, tree_node


class ResourceFlowEngine(engine.ParallelActionEngine):
    """taskflow's parallel engine with the linear-time compiler."""

    def __init__(self, flow, flow_detail, backend, options):
        super().__init__(flow, flow_detail, backend, options)
        pattern_compiler = self._compiler
        pattern_compiler._matchers[0] = (
            flow_types.Flow, _OnePassFlowCompiler(pattern_compiler._compile))


class GraphFlow(graph_flow.Flow):
    """A graph flow that takes all its atoms and links in one step.

    ``add`` and ``link`` copy and re-check the whole graph on every call;
    for a thousand atoms one bulk step is the difference between
    milliseconds and minutes.
    """

    def add_graph(self, atoms, links):
        """Add atoms and (source, target) links; :raises: on a cycle."""
        graph = graph_types.DiGraph(self._graph)
        graph.add_nodes_from(atoms)
        for source, target in links:
            graph.add_edge(source, target,
                           **{flow_types.LINK_MANUAL: True})
        self._swap(graph)
        return self
