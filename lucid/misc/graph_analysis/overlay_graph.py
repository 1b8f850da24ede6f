"""A simplified view of a TensorFlow graph: a chosen subset of its tensors, and the paths between them.

How it works: an :class:`OverlayGraph` keeps some tensors of a ``tf.Graph`` (its *nodes*,
named by tensor name such as ``"import/conv2d0:0"``) and connects ``a -> b`` whenever the real
graph has a path from ``a`` to ``b`` whose intermediate tensors are all dropped. Dropping the
``Identity``, ``BiasAdd`` and ``Const`` tensors of a conv net therefore leaves a clean
``Conv2D -> Relu -> MaxPool`` picture with the same connectivity. ``filter`` makes a coarser
overlay from an overlay; with ``pass_through=False`` the dropped nodes cut paths instead of
carrying them (this is what ``filter_overlay.cut_shapes`` relies on). Control inputs are
ignored. Nodes are kept in graph order (``tf.Graph.get_operations()``, which is topological),
and ``gcd``/``lcm`` find where branches split and merge.

``lucid.misc.graph_analysis.parse_overlay`` builds on this to recover a network's
sequence/branch structure.
"""

from typing import Any
from typing import Callable
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Union

import tensorflow.compat.v1 as tf


def pass_through_edges(
    order: Iterable[str],
    inputs_of: Callable[[str], Iterable[str]],
    keep: Iterable[str],
    blocked: Iterable[str] = (),
) -> Dict[str, List[str]]:
    """Connects kept nodes through dropped ones.

    Args:
      order: every node name, inputs before consumers (a topological order).
      inputs_of: ``name -> names of its direct inputs``.
      keep: the names to keep.
      blocked: dropped names that do not let paths through.

    Returns:
      ``{kept name: [kept names it depends on through dropped, unblocked names]}``, each
      list in first-seen order without repeats.
    """
    keep, blocked = set(keep), set(blocked)
    reach = {}  # dropped name -> kept names that reach it through dropped names
    edges = {}
    for name in order:
        found = {}
        for inp in inputs_of(name):
            if inp in keep:
                found[inp] = None
            elif inp in reach and inp not in blocked:
                found.update(reach[inp])
        if name in keep:
            edges[name] = list(found)
        else:
            reach[name] = found
    return edges


def reachable(start, neighbours: Callable[[Any], Iterable[Any]]) -> set:
    """Everything reachable from ``start`` in one or more ``neighbours`` steps (hashable items)."""
    seen, stack = set(), [start]
    while stack:
        for nxt in neighbours(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


NodeLike = Union[str, "OverlayNode", tf.Tensor]


class OverlayNode:
    """One tensor of an :class:`OverlayGraph`; equal to any node of the same name."""

    def __init__(self, name: str, overlay_graph: "OverlayGraph"):
        self.name = name
        self.overlay_graph = overlay_graph
        self.tf_graph = overlay_graph.tf_graph
        try:
            self.tf_node = self.tf_graph.get_tensor_by_name(name)
        except (KeyError, ValueError, TypeError):
            self.tf_node = None
        self.sub_structure = None
        self._extended = {}

    @staticmethod
    def as_name(node: NodeLike) -> str:
        """The tensor name of a str, an :class:`OverlayNode` or a ``tf.Tensor``."""
        if isinstance(node, str):
            return node
        if isinstance(node, (OverlayNode, tf.Tensor)):
            return node.name
        raise NotImplementedError(
            f"An overlay node is named by a str, an OverlayNode or a tf.Tensor; got "
            f"{type(node).__name__}: {node!r}."
        )

    def __repr__(self):
        return f"<{self.name}: {self.op}>"

    def __eq__(self, other):
        return isinstance(other, OverlayNode) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    @property
    def op(self) -> Optional[str]:
        """The type of the op producing this tensor (``"Conv2D"``), None if not in the graph."""
        return None if self.tf_node is None else self.tf_node.op.type

    @property
    def inputs(self) -> set:
        """Overlay nodes this one depends on directly (through dropped tensors)."""
        return self.overlay_graph.nodes_named(self.overlay_graph.node_to_inputs[self.name])

    @property
    def consumers(self) -> set:
        """Overlay nodes depending directly on this one."""
        return self.overlay_graph.nodes_named(self.overlay_graph.node_to_consumers[self.name])

    def _transitive(self, direction):
        if direction not in self._extended:
            self._extended[direction] = reachable(self, lambda node: getattr(node, direction))
        return set(self._extended[direction])

    @property
    def extended_inputs(self) -> set:
        """Every overlay node this one depends on, directly or not."""
        return self._transitive("inputs")

    @property
    def extended_consumers(self) -> set:
        """Every overlay node that depends on this one, directly or not."""
        return self._transitive("consumers")

    @property
    def gcd(self) -> Optional["OverlayNode"]:
        """The latest node all of this node's inputs depend on (where its branches split)."""
        return self.overlay_graph.gcd(self.inputs)

    @property
    def lcm(self) -> Optional["OverlayNode"]:
        """The earliest node depending on all of this node's consumers (where they merge)."""
        return self.overlay_graph.lcm(self.consumers)


class OverlayStructure:
    """A group of overlay nodes collapsed into one, e.g. a ``"Sequence"`` or ``"HeadBranch"``.

    Args:
      structure_type: the kind of structure (``"Sequence"``, ``"HeadBranch"``, ...).
      structure: ``{role: node, None, or list of those}``, e.g. ``{"sequence": [a, b, c]}``.
    """

    def __init__(self, structure_type: str, structure: dict):
        self.structure_type = structure_type
        self.structure = structure
        self.children = []
        for value in structure.values():
            values = value if isinstance(value, (list, tuple)) else [value]
            self.children.extend(v for v in values if v is not None)

    def __contains__(self, item: NodeLike) -> bool:
        name = OverlayNode.as_name(item)
        return any(child.name == name for child in self.children)

    def __repr__(self):
        return f"OverlayStructure({self.structure_type!r}, {self.structure!r})"


class OverlayGraph:
    """A subset of a graph's tensors, connected by the paths between them.

    Args:
      tf_graph: the ``tf.Graph``.
      nodes: the tensors to keep (names, tensors or overlay nodes; kept in graph order);
        all op outputs of ``tf_graph`` when None.
      no_pass_through: names of dropped nodes that cut the paths through them.
      prev_overlay: take the paths from this overlay instead of from ``tf_graph``.
    """

    def __init__(
        self,
        tf_graph: tf.Graph,
        nodes: Optional[Iterable[NodeLike]] = None,
        no_pass_through: Optional[Iterable[NodeLike]] = None,
        prev_overlay: Optional["OverlayGraph"] = None,
    ):
        self.tf_graph = tf_graph
        if prev_overlay is not None:
            order = [node.name for node in prev_overlay.nodes]
            inputs_of = prev_overlay.node_to_inputs.__getitem__
        else:
            ops = tf_graph.get_operations()
            order = [t.name for op in ops for t in op.outputs]
            op_inputs = {t.name: [i.name for i in op.inputs] for op in ops for t in op.outputs}
            inputs_of = op_inputs.__getitem__
        if nodes is None:
            nodes = order
        position = {name: i for i, name in enumerate(order)}
        names = list(dict.fromkeys(OverlayNode.as_name(node) for node in nodes))
        unknown = [name for name in names if name not in position]
        if unknown:
            raise ValueError(
                f"OverlayGraph nodes must be tensors of the graph (names like 'conv:0'); "
                f"{unknown[:5]} are not. Name op outputs as '<op name>:<index>'."
            )
        self.nodes = [OverlayNode(name, self) for name in sorted(names, key=position.__getitem__)]
        self.name_map = {node.name: node for node in self.nodes}
        self._index = {node.name: i for i, node in enumerate(self.nodes)}
        blocked = [OverlayNode.as_name(node) for node in (no_pass_through or ())]
        edges = pass_through_edges(order, inputs_of, self.name_map, blocked)
        self.node_to_inputs = {name: edges.get(name, []) for name in self.name_map}
        self.node_to_consumers = {name: [] for name in self.name_map}
        for name in self.sorted_names(self.name_map):
            for inp in self.node_to_inputs[name]:
                self.node_to_consumers[inp].append(name)

    def sorted_names(self, names: Iterable[str]) -> List[str]:
        """Node names in graph order."""
        return sorted(names, key=self._index.__getitem__)

    def nodes_named(self, names: Iterable[str]) -> set:
        """The set of this overlay's nodes with these names."""
        return {self.name_map[name] for name in names}

    def __getitem__(self, index: NodeLike) -> OverlayNode:
        name = OverlayNode.as_name(index)
        if name not in self.name_map:
            raise KeyError(
                f"{name!r} is not a node of this overlay ({len(self.nodes)} nodes; see "
                f"overlay.nodes). Tensor names end in ':<output index>'."
            )
        return self.name_map[name]

    def __contains__(self, item: NodeLike) -> bool:
        return OverlayNode.as_name(item) in self.name_map

    def __repr__(self):
        return f"<OverlayGraph of {len(self.nodes)} nodes>"

    def get_tf_node(self, node: NodeLike) -> tf.Tensor:
        """The ``tf.Tensor`` of ``node``."""
        return self.tf_graph.get_tensor_by_name(OverlayNode.as_name(node))

    def sorted(self, items: Iterable[NodeLike]) -> List[OverlayNode]:
        """``items`` as nodes of this overlay, in graph order."""
        return [self.name_map[name] for name in self.sorted_names({self[i].name for i in items})]

    def _common(self, branches, direction, pick):
        nodes = [self[node] for node in branches]
        if not nodes:
            return None
        shared = set.intersection(*[{n} | getattr(n, direction) for n in nodes])
        return pick(self.sorted(shared)) if shared else None

    def gcd(self, branches: Iterable[NodeLike]) -> Optional[OverlayNode]:
        """The latest node that every branch is or depends on; None if there is none."""
        return self._common(branches, "extended_inputs", lambda nodes: nodes[-1])

    def lcm(self, branches: Iterable[NodeLike]) -> Optional[OverlayNode]:
        """The earliest node that is or depends on every branch; None if there is none."""
        return self._common(branches, "extended_consumers", lambda nodes: nodes[0])

    def filter(self, keep_nodes: Iterable[NodeLike], pass_through: bool = True) -> "OverlayGraph":
        """A coarser overlay with only ``keep_nodes`` (kept in graph order).

        Args:
          keep_nodes: the nodes to keep.
          pass_through: connect kept nodes through the dropped ones (True), or let dropped
            nodes cut those paths (False). Lucid raised ``TypeError`` for False.

        Returns:
          The new :class:`OverlayGraph`; kept nodes keep their ``sub_structure``.
        """
        keep_names = self.sorted_names({self[node].name for node in keep_nodes})
        keep_set = set(keep_names)
        dropped = [] if pass_through else [n for n in self.name_map if n not in keep_set]
        new_overlay = OverlayGraph(self.tf_graph, keep_names, dropped, prev_overlay=self)
        for node in new_overlay.nodes:
            node.sub_structure = self.name_map[node.name].sub_structure
        return new_overlay

    def collapse_structures(
        self, structure_map: Dict[NodeLike, OverlayStructure]
    ) -> "OverlayGraph":
        """Replaces each structure by its key node, whose ``sub_structure`` it becomes."""
        keys = {OverlayNode.as_name(key) for key in structure_map}
        absorbed = {
            child.name
            for structure in structure_map.values()
            for child in structure.children
            if child.name not in keys
        }
        new_overlay = self.filter([name for name in self.name_map if name not in absorbed])
        for key, structure in structure_map.items():
            new_overlay[key].sub_structure = structure
        return new_overlay

    def graphviz(self, groups: Optional[Dict[NodeLike, Iterable[NodeLike]]] = None) -> str:
        """Prints and returns the overlay in Graphviz DOT.

        Args:
          groups: ``{root node: nodes}``; each becomes a labelled cluster.
        """
        named_groups = {
            OverlayNode.as_name(root): [OverlayNode.as_name(n) for n in members]
            for root, members in (groups or {}).items()
        }
        dot = dot_source(self.node_to_inputs, named_groups)
        print(dot)
        return dot


def dot_source(
    node_to_inputs: Dict[str, Iterable[str]], groups: Optional[Dict[str, Iterable[str]]] = None
) -> str:
    """Graphviz DOT of a graph given as ``{node name: input names}`` (in drawing order).

    Args:
      node_to_inputs: every node, with the names of the nodes it depends on.
      groups: ``{root name: member names}``; each becomes a cluster labelled by its root.
    """
    lines = ["digraph G {"]
    for i, (root, members) in enumerate((groups or {}).items()):
        lines.append(f"  subgraph cluster_{i} {{")
        lines.append(f"    label = {_dot_quote(root)};")
        lines.extend(f"    {_dot_quote(name)};" for name in members)
        lines.append("  }")
    for name, inputs in node_to_inputs.items():
        lines.append(f"  {_dot_quote(name)};")
        lines.extend(f"  {_dot_quote(inp)} -> {_dot_quote(name)};" for inp in inputs)
    lines.append("}")
    return "\n".join(lines)


def _dot_quote(name):
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
