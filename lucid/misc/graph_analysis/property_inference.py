"""Infer properties of graph tensors that TensorFlow does not record on the tensor itself.

The one property Lucid needs is the data format of a rank-4 activation ("NHWC" or "NCHW"):
``objectives_util.T_force_NHWC`` uses it to hand NHWC activations to every objective, whatever
layout the frozen model was exported with.
"""

from typing import Optional
from typing import Union

import tensorflow.compat.v1 as tf

from lucid.misc.graph_analysis.overlay_graph import OverlayNode

_DATA_FORMATS = ("NHWC", "NCHW")
# Ops after which the data_format of their inputs says nothing about their output's layout.
_LAYOUT_CHANGING_OPS = frozenset(
    {"Transpose", "Reshape", "Squeeze", "ExpandDims", "DepthToSpace", "SpaceToDepth"}
)


def as_tensor(t: Union[tf.Tensor, tf.Operation, OverlayNode, str]) -> tf.Tensor:
    """Returns the tensor that ``t`` refers to.

    Args:
      t: a ``tf.Tensor`` (returned as is), a ``tf.Operation`` (its first output), an
        ``OverlayNode`` (its tensor, in the overlay's graph), or a name in the default
        graph: a tensor name (``"conv/Relu:0"``) or an op name (``"conv/Relu"``, meaning
        its first output).

    Returns:
      A ``tf.Tensor``.

    Raises:
      TypeError: ``t`` is none of the above.
      ValueError: ``t`` is an operation without outputs.
      KeyError: the name is not in the default graph.
    """
    if isinstance(t, tf.Tensor):
        return t
    if isinstance(t, OverlayNode):
        return t.overlay_graph.get_tf_node(t)
    if isinstance(t, tf.Operation):
        if not t.outputs:
            raise ValueError(f"Operation {t.name!r} has no outputs, so it has no tensor.")
        return t.outputs[0]
    if isinstance(t, str):
        name = t if ":" in t else t + ":0"
        return tf.get_default_graph().get_tensor_by_name(name)
    raise TypeError(
        f"as_tensor expected a tf.Tensor, a tf.Operation or a tensor name (str); "
        f"got {type(t).__name__}: {t!r}."
    )


def _data_format_attr(op):
    if "data_format" not in op.node_def.attr:
        return None
    value = op.node_def.attr["data_format"].s.decode("ascii")
    return value if value in _DATA_FORMATS else None


def infer_data_format(t: Union[tf.Tensor, tf.Operation, str], max_depth: int = 20) -> Optional[str]:
    """Infers the layout of a conv-net activation by walking up the graph.

    Looks at the op producing ``t`` and then at its ancestors (breadth first, up to
    ``max_depth`` ops away) for a ``data_format`` attribute, as carried by Conv2D,
    BiasAdd, MaxPool, FusedBatchNorm and friends. The walk follows only inputs of the same
    rank as ``t`` and stops at ops that change layout (Transpose, Reshape, ...), so a
    transposed activation is never reported with its source's format.

    Args:
      t: the activation: a tensor, an op, or a name (see :func:`as_tensor`).
      max_depth: how many ops up the graph to look.

    Returns:
      ``"NHWC"``, ``"NCHW"``, or ``None`` when no format can be found.
    """
    t = as_tensor(t)
    rank = t.shape.ndims
    frontier, seen = [t.op], {t.op.name}
    for _ in range(max_depth):
        next_frontier = []
        for op in frontier:
            data_format = _data_format_attr(op)
            if data_format is not None:
                return data_format
            if op.type in _LAYOUT_CHANGING_OPS:
                continue
            for inp in op.inputs:
                same_rank = rank is None or inp.shape.ndims in (None, rank)
                if same_rank and inp.op.name not in seen:
                    seen.add(inp.op.name)
                    next_frontier.append(inp.op)
        if not next_frontier:
            return None
        frontier = next_frontier
    return None
