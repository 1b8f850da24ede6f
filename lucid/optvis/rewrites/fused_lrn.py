"""Rewrite ``"fused_lrn"``: local response normalisation as one compiled kernel each way.

``LRN`` computes, for channel ``j`` of each pixel, ``s_j = bias + alpha * sum_{|k - j| <= r}
x_k ** 2`` and ``y_j = x_j * s_j ** -beta``. ``"fast_lrn"`` writes it with TensorFlow ops
(a band convolution and ~10 element-wise passes over memory each way); this rewrite runs it
as two small C++ kernels (``rewrites/kernels/lucid_lrn.cc``): ``LucidLRN`` (``x -> y``) and
``LucidLRNGrad`` (``dy, x -> dx``, recomputing ``s`` in registers instead of storing it),
each one pass over its inputs, vectorised, on TensorFlow's CPU threads. They are compiled at
first use (:mod:`rewrites.custom_ops`: ~5-20 s once for all the port's kernels, then cached).

Measured on a 2-core AVX-512 CPU at InceptionV1's sizes (forward + gradient, batch 16,
35x35): 9.4 -> 3.7 ms at 192 channels, 2.1 -> 1.0 ms at 64, against ``"fast_lrn"``; in
whole render steps (InceptionV1 replica, ``mixed4a_pre_relu:476``, two graphs alternating,
``benchmarks/rewrite_ab.py --without fused_lrn``): 1.12x at batch 16 and 1.07x at batch 1 in
float32, 1.06x and 1.09x in bfloat16. Values and gradients equal TensorFlow's
``LRN`` and ``LRNGrad`` to float round-off (the tests compare them on random inputs over
depths, radii, biases, alphas and betas).

:func:`rewrite_graph_def` replaces each float32 ``LRN`` node by a ``LucidLRN`` node of the
same name, inputs and attributes. The step builder applies it before ``"fast_lrn"`` (which
then finds no ``LRN`` left) when the rewrite is on, no GPU is visible (``helps_here``) and
the kernels load; when they cannot be built (no C++ compiler), one warning says so and
``"fast_lrn"`` takes the LRNs as before. ``LucidLRNGrad`` has no gradient of its own (no
second derivatives through a rewritten LRN).
"""

import functools

import tensorflow.compat.v1 as tf

from lucid.optvis.rewrites import custom_ops
from lucid.optvis.rewrites import fast_lrn

OP_TYPE = "LucidLRN"
ATTRS = ("depth_radius", "bias", "alpha", "beta")


@functools.cache
def kernels():
    """The loaded op module (``lucid_lrn`` and ``lucid_lrn_grad``), or None if unavailable.

    Builds the kernels on first use (module docstring) and registers ``LucidLRN``'s gradient.
    """
    module = custom_ops.load()
    if module is not None:

        @tf.RegisterGradient(OP_TYPE)
        def _gradient(op, dy):
            attrs = {key: op.get_attr(key) for key in ATTRS}
            return module.lucid_lrn_grad(dy, op.inputs[0], **attrs)

    return module


def available() -> bool:
    """Whether the kernels are built and loaded (building them now if needed)."""
    return kernels() is not None


def lrn(x, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name=None) -> tf.Tensor:
    """``tf.nn.lrn`` (float32, NHWC) as the fused kernel, with its gradient.

    Raises:
      RuntimeError: the kernels are unavailable (:func:`available` is False).
    """
    module = kernels()
    if module is None:
        raise RuntimeError(
            "The fused LRN kernels are unavailable (see the warning above); use tf.nn.lrn "
            "or fast_lrn.lrn instead, or install a C++ compiler."
        )
    attrs = dict(depth_radius=depth_radius, bias=bias, alpha=alpha, beta=beta)
    return module.lucid_lrn(x, name=name, **attrs)


def helps_here() -> bool:
    """True unless TensorFlow sees a GPU (where ``LRN`` is one cuDNN kernel each way)."""
    return fast_lrn.helps_here()


def _lrn_nodes(graph_def: tf.GraphDef) -> list:
    float32 = tf.float32.as_datatype_enum
    return [node for node in graph_def.node if node.op == "LRN" and node.attr["T"].type == float32]


def rewrite_graph_def(graph_def: tf.GraphDef) -> tf.GraphDef:
    """A copy of ``graph_def`` with its float32 ``LRN`` nodes as ``LucidLRN`` nodes.

    Returns ``graph_def`` itself when it has no such node (without building the kernels),
    or when the kernels are unavailable.
    """
    targets = {node.name for node in _lrn_nodes(graph_def)}
    if not targets or not available():
        return graph_def
    rewritten = tf.GraphDef()
    rewritten.CopyFrom(graph_def)
    for node in rewritten.node:
        if node.name in targets:
            node.op = OP_TYPE
            for key in list(node.attr):
                if key not in ATTRS:
                    del node.attr[key]  # "T": LucidLRN is float32 only
    return rewritten


__all__ = [
    "OP_TYPE",
    "ATTRS",
    "kernels",
    "available",
    "lrn",
    "helps_here",
    "rewrite_graph_def",
]
