"""Rewrite ``"pointwise_matmul"``: 1x1 convolutions as matrix products, at batch 1 on CPUs.

A stride-1 ``1 x 1`` convolution of a `[N, H, W, C]` tensor with a `[1, 1, C, K]` kernel
is the product of the `[N * H * W, C]` matrix of its pixels' channel vectors with the
`[C, K]` kernel matrix. TensorFlow's gradient of that ``MatMul`` is again a ``MatMul``
(with the transposed kernel). At batch 1, oneDNN's matrix product is much faster than its
convolution on the small images of a render (the convolution splits its work poorly over
the cores): at InceptionV1's 1x1 shapes (128 px input, 2-core AVX512-BF16 CPU, per op)
bfloat16 154 -> 69 us at 32x32x64 -> 64 and 285 -> 75 us at 8x8x480 -> 192, float32
61 -> 25 us at 16x16x16 -> 192 and level at 16x16x128 -> 256. From batch 2 on the two are
level or the convolution is faster, and a whole render step was slower (0.87-0.98x at
batches 2-16 in bfloat16), so the step builder applies the rewrite at batch 1 only
(:func:`helps_here`), where a whole InceptionV1 step gains ~5 % in float32 and bfloat16.

:func:`rewrite_graph_def` replaces each float32, NHWC, stride-1 ``Conv2D`` node of a frozen
graph whose kernel is a constant `[1, 1, C, K]` (or a ``Split`` part of one) by
``Reshape -> MatMul -> Reshape``; the last ``Reshape`` keeps the node's name, so every
layer keeps its name and shape. Values and gradients equal the convolution's to float
round-off (tests). :func:`conv1x1` is the same product for graphs built in Python
(``fast_lrn``'s window sums use it under this rewrite).
"""

from typing import Optional

import tensorflow.compat.v1 as tf

from lucid.optvis.rewrites import graph_defs

# The largest static batch at which the step builder applies the rewrite.
MAX_BATCH = 1
_SCOPE_SUFFIX = "/pointwise"


def conv1x1(x: tf.Tensor, kernel, bias=None) -> tf.Tensor:
    """``conv2d(x, kernel, strides 1)`` for a `[1, 1, C, K]` (or `[C, K]`) kernel, as a
    matrix product.

    Args:
      x: `[..., C]` float tensor (NHWC for a convolution); C must be known.
      kernel: `[1, 1, C, K]` or `[C, K]` tensor or array.
      bias: optional `[K]` values added to the product (``bias_add``, which Grappler fuses
        into the ``MatMul``).

    Returns:
      `[..., K]`: ``x``'s shape with the last axis ``K``.
    """
    kernel = tf.convert_to_tensor(kernel, dtype=x.dtype)
    channels, outputs = kernel.shape.as_list()[-2:]
    flat = tf.matmul(tf.reshape(x, [-1, channels]), tf.reshape(kernel, [channels, outputs]))
    if bias is not None:
        flat = tf.nn.bias_add(flat, tf.convert_to_tensor(bias, dtype=x.dtype))
    out = tf.reshape(flat, tf.concat([tf.shape(x)[:-1], [outputs]], 0))
    out.set_shape(x.shape[:-1].concatenate([outputs]))
    return out


def helps_here(batch: Optional[int]) -> bool:
    """Whether the rewrite is worth applying to a render of static batch size ``batch``:
    at most ``MAX_BATCH`` (None, unknown: no) and no GPU visible to TensorFlow (where cuDNN
    fuses the convolution with its bias and activation)."""
    if batch is None or batch > MAX_BATCH:
        return False
    return not tf.config.list_physical_devices("GPU")


def pointwise_kernel_shape(nodes: dict, node) -> Optional[tuple]:
    """The `(C, K)` of a ``Conv2D`` node that :func:`rewrite_graph_def` rewrites, else None."""
    attrs = node.attr
    if node.op != "Conv2D" or attrs["T"].type != tf.float32.as_datatype_enum:
        return None
    if attrs["data_format"].s not in (b"", b"NHWC") or attrs["padding"].s not in (
        b"SAME",
        b"VALID",
    ):
        return None
    if list(attrs["strides"].list.i) != [1, 1, 1, 1]:
        return None
    inputs = graph_defs.data_inputs(node)
    shape = graph_defs.kernel_shape(nodes, inputs[1]) if len(inputs) == 2 else None
    if not shape or len(shape) != 4 or shape[:2] != (1, 1):
        return None
    return shape[2], shape[3]


def _node(name, op, inputs=(), **attrs):
    node = tf.NodeDef(name=name, op=op)
    node.input.extend(inputs)
    for key, value in attrs.items():
        if isinstance(value, tf.DType):
            node.attr[key].type = value.as_datatype_enum
        elif isinstance(value, bool):
            node.attr[key].b = value
        else:
            node.attr[key].i = value
    return node


def _matmul_nodes(node, channels: int, outputs: int, scope: str) -> list:
    """``Reshape -> MatMul -> Reshape`` for ``Conv2D`` node ``node`` (the ops :func:`conv1x1`
    makes), the last ``Reshape`` named as the node. Written as NodeDefs directly: building
    them with TensorFlow ops costs ~3 ms per node, ~0.15 s for InceptionV1's 39."""
    x, kernel = graph_defs.data_inputs(node)
    f32, i32 = tf.float32, tf.int32

    def const(name, value):
        node = _node(f"{scope}/{name}", "Const", dtype=i32)
        node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value, i32))
        return node

    def name(op):
        return f"{scope}/{op}"

    return [
        const("flat_shape", [-1, channels]),
        _node(name("flat"), "Reshape", [x, name("flat_shape")], T=f32, Tshape=i32),
        const("kernel_shape", [channels, outputs]),
        _node(name("kernel"), "Reshape", [kernel, name("kernel_shape")], T=f32, Tshape=i32),
        _node(name("MatMul"), "MatMul", [name("flat"), name("kernel")], T=f32,
              transpose_a=False, transpose_b=False),  # fmt: skip
        _node(name("Shape"), "Shape", [x], T=f32, out_type=i32),
        const("begin", [0]),
        const("end", [-1]),
        const("stride", [1]),
        _node(name("leading"), "StridedSlice",
              [name("Shape"), name("begin"), name("end"), name("stride")], T=i32, Index=i32,
              begin_mask=1, end_mask=0, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0),
        const("outputs", [outputs]),
        const("axis", 0),
        _node(name("out_shape"), "ConcatV2", [name("leading"), name("outputs"), name("axis")],
              N=2, T=i32, Tidx=i32),
        _node(node.name, "Reshape", [name("MatMul"), name("out_shape")]
              + graph_defs.control_inputs(node), T=f32, Tshape=i32),
    ]  # fmt: skip


def rewrite_graph_def(graph_def: tf.GraphDef) -> tf.GraphDef:
    """A copy of ``graph_def`` with its 1x1 convolutions as matrix products (module
    docstring), or ``graph_def`` itself when it has none."""
    nodes = {node.name: node for node in graph_def.node}
    replacements = {}
    for node in graph_def.node:
        shape = pointwise_kernel_shape(nodes, node)
        scope = node.name + _SCOPE_SUFFIX
        if shape is None or any(name.startswith(scope + "/") for name in nodes):
            continue
        replacements[node.name] = _matmul_nodes(node, *shape, scope)
    if not replacements:
        return graph_def
    return graph_defs.replace_nodes(graph_def, replacements)


__all__ = ["MAX_BATCH", "conv1x1", "helps_here", "pointwise_kernel_shape", "rewrite_graph_def"]
