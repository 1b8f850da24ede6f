"""Rewrite ``"fast_lrn"``: local response normalisation as a few fast ops, gradient by hand.

``LRN`` computes, for channel ``j`` of each pixel,

    s_j = bias + alpha * sum_{|k - j| <= r} x_k ** 2,      y_j = x_j * s_j ** -beta.

TensorFlow's CPU kernel forms the window sums as a dense ``depth x depth`` band-matrix
product (O(depth**2) per pixel) followed by ``exp(-beta * log(s))``, and ``LRNGrad`` is a
scalar loop: on InceptionV1 (``localresponsenorm0/1``, 64 and 192 channels) the two took
13-18 % of a render step. The same values, computed with ops that run fast on a CPU:

* the window sum is a convolution with a constant 0/1 band kernel: a ``[1, 1, depth,
  depth]`` one up to 64 channels; beyond, the channels are cut into blocks of 16 and each
  block's sum, which only reaches into its two neighbouring blocks, is a ``[1, 3, 16, 16]``
  convolution along the blocks (48 multiply-adds per value instead of ``depth``);
  under ``"pointwise_matmul"`` (batch 1) the dense one is a matrix product instead;
* ``s ** -beta`` is ``rsqrt(s) * sqrt(rsqrt(s))`` for beta 0.75 (Caffe's, AlexNet's and
  InceptionV1's), ``rsqrt`` for 0.5, ``1 / s`` for 1, ``exp(-beta * log(s))`` otherwise;
* the gradient, from ``dy``: ``dx_k = dy_k p_k - 2 alpha beta x_k sum_{|j - k| <= r}
  (dy_j y_j / s_j)`` with ``p = s ** -beta``: the same window sum, applied once.

Measured alone at InceptionV1's sizes (2-core CPU, forward + gradient, batch 16):
41.4 -> 14.2 ms at 35x35x192 and 13.8 -> 3.6 ms at 35x35x64; batch 1: 3.2 -> 1.0 ms and
1.1 -> 0.6 ms. Values and gradients equal TensorFlow's to float round-off (the tests
compare them on random inputs, several depths, radii and betas).

:func:`rewrite_graph_def` replaces each float32 ``LRN`` node whose channel count it can
read from the graph (through the ops that keep it, back to a convolution, a matrix product
or a concatenation with constant-shaped inputs) by these ops and an ``IdentityN`` that
carries the node's name and the hand-written gradient; an ``LRN`` whose depth it cannot
tell stays as it is. The step builder applies it to the model's ``GraphDef`` before the
import when ``rewrites.enabled("fast_lrn")`` and :func:`helps_here` (no GPU visible: on a
GPU, TensorFlow's ``LRN`` and ``LRNGrad`` are one cuDNN kernel each, where the rewrite
would launch about eight).
"""

import functools
from typing import Optional

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis.rewrites import graph_defs
from lucid.optvis.rewrites import pointwise_conv

GRADIENT_NAME = "LucidFastLRN"
# Name scope of the window-sum convolutions (forward and gradient), so that profilers can tell
# them from the model's own convolutions (benchmarks/flops.py does).
WINDOW_SCOPE = "fast_lrn_window"
_SCOPE_SUFFIX = "/fast_lrn"
_BLOCK = 16  # channels per block of the blocked window sum
_DENSE_MAX_DEPTH = 64  # up to this depth the window sum is one dense band convolution
_ATTRS = {
    "radius": "_lucid_lrn_radius",
    "alpha": "_lucid_lrn_alpha",
    "beta": "_lucid_lrn_beta",
    "matmul": "_lucid_lrn_matmul",
}


def _band(size: int, radius: int) -> np.ndarray:
    index = np.arange(size)
    return (np.abs(index[:, None] - index[None, :]) <= radius).astype(np.float32)


def window_sum(
    t: tf.Tensor,
    depth: int,
    radius: int,
    scale: float = 1.0,
    offset: float = 0.0,
    matmul: bool = False,
) -> tf.Tensor:
    """``offset + scale * sum_{|k - j| <= radius} t[..., k]`` for every channel ``j`` of ``t``.

    Args:
      t: float32 `[batch, height, width, depth]` (NHWC).
      depth: ``t``'s channel count (known when the graph is built).
      radius: half-width of the window (``depth_radius`` of ``LRN``), >= 0.
      scale: a constant factor folded into the kernel.
      offset: a constant added as the convolution's bias (fused into it by Grappler).
      matmul: compute the dense (up to 64 channels) window sum as a matrix product of the
        pixels' channel vectors with the band matrix instead of a 1x1 convolution (faster
        at batch 1 on CPUs, see ``rewrites.pointwise_conv``); the blocked sum is unchanged.

    Returns:
      A tensor shaped like ``t``, built under the name scope ``WINDOW_SCOPE``.
    """
    with tf.name_scope(WINDOW_SCOPE):
        return _window_sum(t, depth, radius, scale, offset, matmul)


def _window_sum(t, depth, radius, scale, offset, matmul):
    blocked = depth > _DENSE_MAX_DEPTH and depth % _BLOCK == 0 and radius <= _BLOCK
    if matmul and not blocked:
        kernel = (scale * _band(depth, radius)).astype(np.float32)
        bias = np.full(depth, offset, np.float32) if offset else None
        return pointwise_conv.conv1x1(t, kernel, bias)
    if blocked:
        full = _band(3 * _BLOCK, radius)
        kernel = np.stack(
            [full[i * _BLOCK : (i + 1) * _BLOCK, _BLOCK : 2 * _BLOCK] for i in range(3)]
        )
        kernel = kernel[None]  # [1, 3, block, block]: a block and its two neighbours
        rows = tf.reshape(t, [-1, 1, depth // _BLOCK, _BLOCK])
    else:
        kernel = _band(depth, radius)[None, None]  # [1, 1, depth, depth]
        rows = t
    kernel = (scale * kernel).astype(np.float32)
    summed = tf.nn.conv2d(rows, kernel, [1, 1, 1, 1], "SAME")
    if offset:
        summed = tf.nn.bias_add(summed, np.full(kernel.shape[-1], offset, np.float32))
    return tf.reshape(summed, tf.shape(t)) if blocked else summed


def negative_power(s: tf.Tensor, beta: float) -> tf.Tensor:
    """``s ** -beta`` for positive ``s``, with the cheapest ops for the usual betas."""
    if beta == 0.75:
        root = tf.math.rsqrt(s)
        return root * tf.sqrt(root)
    if beta == 0.5:
        return tf.math.rsqrt(s)
    if beta == 1.0:
        return tf.math.reciprocal(s)
    return tf.exp(-beta * tf.math.log(s))


def lrn(x, depth: int, radius: int, bias: float, alpha: float, beta: float, matmul=False):
    """The forward pass: ``(y, s, p)`` with ``y`` equal to ``tf.nn.lrn(x, radius, bias,
    alpha, beta)``, ``s`` the normaliser and ``p = s ** -beta`` (``matmul``: see
    :func:`window_sum`)."""
    s = window_sum(tf.square(x), depth, radius, scale=alpha, offset=bias, matmul=matmul)
    p = negative_power(s, beta)
    return x * p, s, p


def lrn_gradient(dy, x, y, s, p, depth, radius, alpha, beta, matmul=False):
    """The gradient of ``lrn``'s ``y`` with respect to ``x``, given ``dy``."""
    spread = window_sum(dy * y / s, depth, radius, scale=2.0 * alpha * beta, matmul=matmul)
    return dy * p - x * spread


@functools.cache
def register_gradient() -> str:
    """Registers the gradient of the rewritten nodes with TensorFlow (once); returns its name."""

    @tf.RegisterGradient(GRADIENT_NAME)
    def _gradient(op, dy, *unused):
        y, x, s, p = op.inputs
        if dy is None:
            return [None] * 4
        depth = tf.dimension_value(x.shape[-1])
        radius, alpha, beta = (op.get_attr(_ATTRS[key]) for key in ("radius", "alpha", "beta"))
        matmul = _ATTRS["matmul"] in op.node_def.attr and op.get_attr(_ATTRS["matmul"])
        gradient = lrn_gradient(dy, x, y, s, p, depth, radius, alpha, beta, matmul)
        return [None, gradient, None, None]

    return GRADIENT_NAME


def helps_here() -> bool:
    """Whether the rewrite is worth applying on this machine: True unless TensorFlow sees a
    GPU (where ``LRN`` runs as one cuDNN kernel each way, and ~8 kernels would be slower)."""
    return not tf.config.list_physical_devices("GPU")


# --------------------------------------------------------------------------- the GraphDef rewrite

_SAME_DEPTH = frozenset(
    "Relu Relu6 Elu Selu Identity BiasAdd MaxPool AvgPool LRN Add AddV2 Sub Mul "
    "FusedBatchNorm FusedBatchNormV3 Sigmoid Tanh".split()
)
_LAYOUT_OPS = frozenset(("Conv2D", "MaxPool", "AvgPool", "BiasAdd"))  # depth last only in NHWC
_CONCATS = frozenset(("ConcatV2", "Concat"))
_MAX_WALK = 256  # nodes looked at before giving up (LRNs sit a few layers from a convolution)


def static_depth(nodes: dict, tensor_name: str, _memo=None) -> Optional[int]:
    """The channel count (last axis) of ``tensor_name`` in a frozen graph, or None.

    Follows the ops that keep the channel count (and reshapes to the shape of another
    tensor) back to a ``Conv2D`` or ``MatMul`` with a constant kernel (or a ``Split`` part of
    one), or sums a last-axis concatenation. Each node is looked at once.
    """
    memo = {} if _memo is None else _memo
    name = graph_defs.node_name(tensor_name)
    if name not in memo:
        memo[name] = None  # a cycle (there are none in frozen graphs) ends here
        memo[name] = _depth_of(nodes, nodes.get(name), memo)
    return memo[name]


def _depth_of(nodes, node, memo):
    if node is None or len(memo) > _MAX_WALK:
        return None
    if node.op in _LAYOUT_OPS and node.attr["data_format"].s not in (b"", b"NHWC"):
        return None
    if node.op in ("Conv2D", "MatMul") and len(node.input) == 2:
        shape = graph_defs.kernel_shape(nodes, node.input[1])
        return shape[-1] if shape else None
    if node.op in _CONCATS:
        # ConcatV2 has its axis last, the old Concat (InceptionV1's) first.
        axis_at = -1 if node.op == "ConcatV2" else 0
        parts = node.input[:-1] if axis_at == -1 else node.input[1:]
        axis = nodes.get(graph_defs.node_name(node.input[axis_at]))
        if graph_defs.const_shape(axis) != () or tf.make_ndarray(axis.attr["value"].tensor) not in (
            -1,
            3,
        ):
            return None
        depths = [static_depth(nodes, part, memo) for part in parts]
        return None if None in depths else sum(depths)
    if node.op == "Reshape" and len(node.input) == 2:
        # Reshape(x, Shape(z)) has z's shape (AlexNet's graph reshapes each layer so).
        shape_of = nodes.get(graph_defs.node_name(node.input[1]))
        if shape_of is not None and shape_of.op == "Shape" and shape_of.input:
            return static_depth(nodes, shape_of.input[0], memo)
        return None
    if node.op in _SAME_DEPTH and node.input:
        return static_depth(nodes, node.input[0], memo)
    return None


def _forward_nodes(node, depth: int, scope: str, matmul: bool) -> list:
    """NodeDefs computing the forward pass of ``node`` under ``scope``, and its IdentityN."""
    attrs = node.attr
    radius, bias = attrs["depth_radius"].i, attrs["bias"].f
    alpha, beta = attrs["alpha"].f, attrs["beta"].f
    x_name = graph_defs.data_inputs(node)[0]
    outputs = []

    def build(x):
        with tf.name_scope(scope + "/"):
            outputs.extend(lrn(x, depth, radius, bias, alpha, beta, matmul=matmul))
        return outputs[0]

    nodes, _ = graph_defs.subgraph_nodes(build, [(x_name, tf.float32, [None, None, None, depth])])
    y, s, p = (t.name for t in outputs)
    identity = tf.NodeDef(name=node.name, op="IdentityN")
    identity.input.extend([y, x_name, s, p] + graph_defs.control_inputs(node))
    identity.attr["T"].list.type.extend([tf.float32.as_datatype_enum] * 4)
    identity.attr["_gradient_op_type"].s = GRADIENT_NAME.encode()
    identity.attr[_ATTRS["radius"]].i = radius
    identity.attr[_ATTRS["alpha"]].f = alpha
    identity.attr[_ATTRS["beta"]].f = beta
    identity.attr[_ATTRS["matmul"]].b = matmul
    return nodes + [identity]


def rewrite_graph_def(graph_def: tf.GraphDef, matmul: bool = False) -> tf.GraphDef:
    """A copy of ``graph_def`` with its float32 ``LRN`` nodes rewritten (module docstring).

    Returns ``graph_def`` itself when it has no ``LRN`` node to rewrite. Registers the
    gradient (:func:`register_gradient`) when it rewrites one. ``matmul``: dense window sums
    as matrix products, forward and gradient (see :func:`window_sum`).
    """
    nodes = {node.name: node for node in graph_def.node}
    replacements = {}
    for node in graph_def.node:
        if node.op != "LRN" or node.attr["T"].type != tf.float32.as_datatype_enum:
            continue
        depth = static_depth(nodes, node.input[0])
        scope = node.name + _SCOPE_SUFFIX
        taken = any(name.startswith(scope + "/") for name in nodes)
        if depth is None or taken:
            continue
        replacements[node.name] = _forward_nodes(node, depth, scope, bool(matmul))
    if not replacements:
        return graph_def
    register_gradient()
    return graph_defs.replace_nodes(graph_def, replacements)


__all__ = [
    "GRADIENT_NAME",
    "WINDOW_SCOPE",
    "window_sum",
    "negative_power",
    "lrn",
    "lrn_gradient",
    "register_gradient",
    "helps_here",
    "static_depth",
    "rewrite_graph_def",
]
