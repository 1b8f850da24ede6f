"""A small node-level graph of a ``GraphDef``, and the filters that simplify it for drawing.

``Graph.from_graphdef`` makes one :class:`Node` per ``NodeDef`` (op names, not tensor names)
with an edge per data input (control inputs are ignored). The filters return new graphs in
which kept nodes are connected through the dropped ones, as
``lucid.misc.graph_analysis.overlay_graph`` does for a ``tf.Graph``; ``format_graph`` lays
the result out as SVG.
"""

from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Sequence
from typing import Union

import tensorflow.compat.v1 as tf

from lucid.misc.graph_analysis import filter_overlay
from lucid.misc.graph_analysis.overlay_graph import dot_source
from lucid.misc.graph_analysis.overlay_graph import pass_through_edges
from lucid.misc.graph_analysis.overlay_graph import reachable

# Lucid's twelve: graph_analysis's list without its placeholder op type "EwZXy".
standard_include_ops = [op for op in filter_overlay.standard_include_ops if op != "EwZXy"]
GROUP_OPS = ("Concat", "ConcatV2", "Add")


class Node:
    """A graph node: ``name`` (the op name), ``op`` (its type), ``inputs`` and ``consumers``."""

    def __init__(self, name: str, op: str, graph: "Graph", pretty_name: Optional[str] = None):
        self.name = name
        self.op = op
        self.graph = graph
        self.pretty_name = name if pretty_name is None else pretty_name
        self.inputs: List[Node] = []
        self.consumers: List[Node] = []

    def __repr__(self):
        return f"<{self.name}: {self.op}>"

    def _transitive(self, direction):
        nodes = reachable(self, lambda node: getattr(node, direction))
        return {node.name for node in nodes}

    @property
    def extended_inputs(self) -> set:
        """Names of every node this one depends on."""
        return self._transitive("inputs")

    @property
    def extended_consumers(self) -> set:
        """Names of every node that depends on this one."""
        return self._transitive("consumers")


NodeLike = Union[str, Node]


class Graph:
    """Nodes in insertion order (a topological order for graphs from ``from_graphdef``)."""

    def __init__(self):
        self.nodes: Dict[str, Node] = {}

    def add_node(self, name: str, op: str, pretty_name: Optional[str] = None) -> Node:
        if name in self.nodes:
            raise ValueError(f"The graph already has a node named {name!r}.")
        self.nodes[name] = Node(name, op, self, pretty_name)
        return self.nodes[name]

    def add_edge(self, node1: NodeLike, node2: NodeLike) -> None:
        """Adds the edge ``node1 -> node2`` (``node2`` consumes ``node1``)."""
        node1, node2 = self[node1], self[node2]
        if node1 not in node2.inputs:
            node2.inputs.append(node1)
            node1.consumers.append(node2)

    def __getitem__(self, key: NodeLike) -> Node:
        name = key.name if isinstance(key, Node) else key
        if name not in self.nodes:
            raise KeyError(
                f"{name!r} is not a node of this graph ({len(self.nodes)} nodes: graph.nodes)."
            )
        return self.nodes[name]

    def __contains__(self, key: NodeLike) -> bool:
        return (key.name if isinstance(key, Node) else key) in self.nodes

    def __len__(self):
        return len(self.nodes)

    def graphviz(self, groups: Optional[Dict[NodeLike, Iterable[NodeLike]]] = None) -> str:
        """Returns the graph in Graphviz DOT; ``groups`` (``{root: nodes}``) become clusters."""
        named_groups = {
            self[root].name: [self[n].name for n in members]
            for root, members in (groups or {}).items()
        }
        edges = {name: [inp.name for inp in node.inputs] for name, node in self.nodes.items()}
        return dot_source(edges, named_groups)

    @staticmethod
    def from_graphdef(graphdef: tf.GraphDef) -> "Graph":
        """One node per ``NodeDef``, one edge per data input."""
        graph = Graph()
        for node_def in graphdef.node:
            graph.add_node(node_def.name, node_def.op)
        for node_def in graphdef.node:
            for inp in node_def.input:
                if not inp.startswith("^"):
                    graph.add_edge(inp.split(":")[0], node_def.name)
        return graph


def filter_graph(graph: Graph, keep_nodes: Iterable[NodeLike], pass_through: bool = True) -> Graph:
    """A new graph of ``keep_nodes`` (in ``graph``'s order), connected through dropped nodes.

    With ``pass_through=False`` dropped nodes cut the paths through them instead.
    """
    keep = {graph[node].name for node in keep_nodes}
    blocked = () if pass_through else [name for name in graph.nodes if name not in keep]
    edges = pass_through_edges(
        graph.nodes, lambda name: [inp.name for inp in graph.nodes[name].inputs], keep, blocked
    )
    new_graph = Graph()
    for name, node in graph.nodes.items():
        if name in keep:
            new_graph.add_node(name, node.op, node.pretty_name)
            for inp in edges[name]:
                new_graph.add_edge(inp, name)
    return new_graph


def filter_graph_ops(graph: Graph, include_ops: Iterable[str] = standard_include_ops) -> Graph:
    """Keeps the nodes whose op type is in ``include_ops``."""
    include_ops = set(include_ops)
    return filter_graph(graph, [n for n in graph.nodes.values() if n.op in include_ops])


def filter_graph_cut_shapes(graph: Graph) -> Graph:
    """Drops ``Shape`` nodes, cutting the dependencies that flow through them."""
    return filter_graph(
        graph, [n for n in graph.nodes.values() if n.op != "Shape"], pass_through=False
    )


def filter_graph_dynamic(graph: Graph) -> Graph:
    """Keeps the inputs (``Placeholder`` nodes; the first node if there are none) and what depends on them.

    Lucid started from the first node only.
    """
    sources = [n for n in graph.nodes.values() if n.op == "Placeholder"] or list(
        graph.nodes.values()
    )[:1]
    keep = {source.name for source in sources}
    for source in sources:
        keep |= source.extended_consumers
    return filter_graph(graph, keep)


def filter_graph_collapse_sequence(graph: Graph, sequence: Sequence[str]) -> Graph:
    """Keeps only the last node of each single-consumer run of op types ``sequence``."""
    dropped = set()
    for node in graph.nodes.values():
        run = [node]
        for i, op_type in enumerate(sequence):
            current = run[-1]
            if current.op != op_type:
                break
            if i + 1 == len(sequence):
                dropped.update(n.name for n in run[:-1])
            elif len(current.consumers) == 1:
                run.append(current.consumers[0])
            else:
                break
    return filter_graph(graph, [name for name in graph.nodes if name not in dropped])


def clip_node_names(graph: Graph, prefix: str) -> Graph:
    """Drops ``prefix`` from the front of every node's ``pretty_name`` (in place); returns ``graph``."""
    for node in graph.nodes.values():
        if node.pretty_name.startswith(prefix):
            node.pretty_name = node.pretty_name[len(prefix) :]
    return graph


def _order(graph):
    return {name: i for i, name in enumerate(graph.nodes)}


def gcd(graph: Graph, nodes: Iterable[NodeLike]) -> Optional[Node]:
    """The latest node that all ``nodes`` are or depend on; None if there is none."""
    sets = [{graph[n].name} | graph[n].extended_inputs for n in nodes]
    shared = set.intersection(*sets) if sets else set()
    order = _order(graph)
    return graph[max(shared, key=order.__getitem__)] if shared else None


def lcm(graph: Graph, nodes: Iterable[NodeLike]) -> Optional[Node]:
    """The earliest node that is or depends on all ``nodes``; None if there is none."""
    sets = [{graph[n].name} | graph[n].extended_consumers for n in nodes]
    shared = set.intersection(*sets) if sets else set()
    order = _order(graph)
    return graph[min(shared, key=order.__getitem__)] if shared else None


def find_groups(graph: Graph) -> Dict[Node, set]:
    """``{Concat/Add node: the nodes of its branches}``, between it and where they split."""
    groups = {}
    for node in graph.nodes.values():
        if node.op not in GROUP_OPS or len(node.inputs) < 2:
            continue
        split = gcd(graph, node.inputs)
        if split is not None:
            between = node.extended_inputs & split.extended_consumers
            groups[node] = {graph[name] for name in between}
    return groups
