"""Small tools for the rewrites that edit a frozen model's ``GraphDef`` before it is imported.

``fast_lrn`` replaces each ``LRN`` node by a few ops that it builds in a fresh graph on
placeholders (:func:`subgraph_nodes` wires the placeholders to the node's inputs);
``pointwise_matmul`` writes its few ``NodeDef`` s directly (cheaper for its ~40 nodes). Both
splice theirs in with :func:`replace_nodes` and read kernel shapes with :func:`kernel_shape`.
"""

from typing import Callable
from typing import Optional
from typing import Sequence

import tensorflow.compat.v1 as tf

from lucid.modelzoo.util import node_name

_INPUT_PREFIX = "lucid_subgraph_input_"


def data_inputs(node) -> list:
    """The node's data inputs (its inputs without the ``"^name"`` control inputs)."""
    return [name for name in node.input if not name.startswith("^")]


def control_inputs(node) -> list:
    """The node's ``"^name"`` control inputs."""
    return [name for name in node.input if name.startswith("^")]


def const_shape(node) -> Optional[tuple]:
    """The shape of a ``Const`` node's value, or None for anything else."""
    if node is None or node.op != "Const":
        return None
    return tuple(d.size for d in node.attr["value"].tensor.tensor_shape.dim)


def kernel_shape(nodes: dict, tensor_name: str) -> Optional[tuple]:
    """The shape of a constant kernel, or of one part of a ``Split`` of one (grouped
    convolutions, as in AlexNet), else None.

    Args:
      nodes: node name -> ``NodeDef`` of the graph.
      tensor_name: the kernel input of a convolution or matrix product.
    """
    node = nodes.get(node_name(tensor_name))
    if node is not None and node.op == "Split" and len(node.input) == 2:
        axis = nodes.get(node_name(node.input[0]))
        shape = const_shape(nodes.get(node_name(node.input[1])))
        if const_shape(axis) != () or not shape:
            return None
        axis = int(tf.make_ndarray(axis.attr["value"].tensor)) % len(shape)
        parts = node.attr["num_split"].i
        if parts < 1 or shape[axis] % parts:
            return None
        return shape[:axis] + (shape[axis] // parts,) + shape[axis + 1 :]
    return const_shape(node)


def subgraph_nodes(build: Callable[..., tf.Tensor], inputs: Sequence[tuple]) -> tuple:
    """The ``NodeDef`` s of the ops ``build`` makes, wired to tensors of another graph.

    Args:
      build: called in a fresh graph with one placeholder per input; returns a tensor.
      inputs: ``(tensor name in the target graph, dtype, static shape)`` per placeholder.

    Returns:
      ``(nodes, output tensor name)``: the placeholders are left out and every use of one
      reads the target graph's tensor instead.
    """
    graph = tf.Graph()
    with graph.as_default():
        placeholders = [
            tf.placeholder(dtype, shape, name=f"{_INPUT_PREFIX}{index}")
            for index, (_, dtype, shape) in enumerate(inputs)
        ]
        output = build(*placeholders)
    sources = {p.op.name: source for p, (source, _, _) in zip(placeholders, inputs)}
    nodes = []
    for node in graph.as_graph_def().node:
        if node.name in sources:
            continue
        rewired = [sources.get(node_name(name), name) for name in node.input]
        del node.input[:]
        node.input.extend(rewired)
        nodes.append(node)
    return nodes, output.name


def replace_nodes(graph_def: tf.GraphDef, replacements: dict) -> tf.GraphDef:
    """A copy of ``graph_def`` with each node ``name`` in ``replacements`` replaced by the
    list of ``NodeDef`` s ``replacements[name]``, in its place."""
    out = tf.GraphDef()
    out.versions.CopyFrom(graph_def.versions)
    out.library.CopyFrom(graph_def.library)
    for node in graph_def.node:
        if node.name in replacements:
            out.node.extend(replacements[node.name])
        else:
            out.node.add().CopyFrom(node)
    return out


__all__ = [
    "node_name",
    "data_inputs",
    "control_inputs",
    "const_shape",
    "kernel_shape",
    "subgraph_nodes",
    "replace_nodes",
]
