"""Common ways to simplify an :class:`~lucid.misc.graph_analysis.overlay_graph.OverlayGraph`.

Each function takes an overlay and returns a new, smaller one; chain them, e.g.
``collapse_sequence(is_dynamic(cut_shapes(ops_whitelist(overlay))), ["Conv2D", "Relu"])``.
"""

from typing import Iterable
from typing import List
from typing import Sequence

from lucid.misc.graph_analysis.overlay_graph import OverlayGraph

standard_include_ops = [
    "Placeholder",
    "Relu",
    "Relu6",
    "Add",
    "Split",
    "Softmax",
    "Concat",
    "ConcatV2",
    "Conv2D",
    "MaxPool",
    "AvgPool",
    "MatMul",
    "EwZXy",
]


def ops_whitelist(
    graph: OverlayGraph, include_ops: Iterable[str] = standard_include_ops
) -> OverlayGraph:
    """Keeps the nodes whose op type is in ``include_ops`` (paths pass through the rest)."""
    include_ops = set(include_ops)
    return graph.filter([node for node in graph.nodes if node.op in include_ops])


def cut_shapes(graph: OverlayGraph) -> OverlayGraph:
    """Drops ``Shape`` nodes and the dependencies that flow through them.

    A ``Reshape`` whose target shape is computed from ``tf.shape(x)`` then no longer
    depends on ``x`` through the shape; only real data paths remain.
    """
    return graph.filter([node for node in graph.nodes if node.op != "Shape"], pass_through=False)


def is_dynamic(graph: OverlayGraph) -> OverlayGraph:
    """Keeps the first node (normally the input) and every node that depends on it."""
    if not graph.nodes:
        return graph
    first = graph.nodes[0]
    return graph.filter([first] + [node for node in graph.nodes if first in node.extended_inputs])


def collapse_sequence(graph: OverlayGraph, sequence: Sequence[str]) -> OverlayGraph:
    """Keeps only the last node of each run of ops of types ``sequence``.

    A run is a chain ``a -> b -> ...`` whose op types are ``sequence`` in order, each node
    but the last having that one consumer, e.g. ``["Conv2D", "Relu"]`` keeps just the Relu
    of each conv layer.
    """
    dropped = set()
    for node in graph.nodes:
        run = _match_run(node, list(sequence))
        if run is not None:
            dropped.update(n.name for n in run[:-1])
    return graph.filter([node for node in graph.nodes if node.name not in dropped])


def _match_run(node, sequence) -> List:
    run = []
    for i, op_type in enumerate(sequence):
        if node.op != op_type:
            return None
        run.append(node)
        if i + 1 < len(sequence):
            consumers = node.consumers
            if len(consumers) != 1:
                return None
            (node,) = consumers
    return run
