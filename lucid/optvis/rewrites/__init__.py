"""Graph rewrites that make a render step faster without changing what it computes.

The step builder (``lucid.optvis.step``, used by ``render.render_vis``, ``render.make_vis_T``
and ``batch.render_units``) decides which rewrites a render uses from its ``rewrites``
argument (see :func:`resolve`) and records them in the graph it builds
(:func:`enable_in_graph`). The code that applies a rewrite (a parameterisation, an
objective, a gradient override) asks :func:`enabled` while the graph is being built, so a
graph the user builds without the step builder is never rewritten.

Every rewrite keeps the gradients equal to TensorFlow's own (or, for ``relu_schedule``, to
the redirected ReLU gradient it replaces) to float tolerance; the tests compare each one on
random inputs. The names, one line each:

* ``"relu_schedule"``: the redirected ReLU gradient is computed only while the global step
  is at most 16 (the steps where it can differ from the true gradient); afterwards the
  native ``ReluGrad``. The choice is made inside the graph, once per step.
* ``"split_spectrum"``: the Fourier image parameterisation keeps its real and imaginary
  parts in two variables instead of slicing one ``[2, ...]`` variable each step.
* ``"strided_conv_grad"``: the input gradient of a strided convolution is computed as a
  stride-1 convolution followed by ``depth_to_space``, and that of a stride-1 convolution as
  a forward convolution with the flipped kernel (``rewrites.strided_conv``).
* ``"concat_slice"``: a channel or neuron objective on a channel concatenation reads the
  branch that produces the channel, so the other branches are never computed
  (``rewrites.concat_slice``).
* ``"channel_conv"``: a channel or neuron objective on a convolution's output (such as the
  tower ``"concat_slice"`` found) convolves for its one channel only, with the filter and
  bias sliced to it (``rewrites.channel_conv``).
* ``"fused_lrn"``: local response normalisation (``LRN``) and its gradient as one compiled
  kernel each (a C++ custom op built at first use with the system's compiler and cached,
  ``rewrites.fused_lrn``); applied to the model's ``GraphDef`` before it is imported. Where
  the kernel cannot be built (no C++ compiler), one warning, and ``"fast_lrn"`` applies.
* ``"fast_lrn"``: local response normalisation (``LRN``) as a band-kernel convolution and
  element-wise ops, with its gradient written by hand, instead of TensorFlow's dense
  band-matrix product and scalar-loop gradient (``rewrites.fast_lrn``); applied to the
  model's ``GraphDef`` before it is imported.
* ``"pointwise_matmul"``: at batch 1 on a CPU, each 1x1 convolution of the model (and
  ``fast_lrn``'s dense window sums) is computed as a matrix product, which oneDNN runs
  several times faster than a convolution on a single small image
  (``rewrites.pointwise_conv``); applied to the model's ``GraphDef`` before it is imported.
* ``"gather_rotate"``: from batch 8 up on a CPU, ``transform.random_rotate``'s
  nearest-neighbour rotation of the batch as one index map and a gather, bit for bit the same
  (``rewrites.gather_rotate``).
* ``"image_kernels"``: on a CPU, the rotations ``"gather_rotate"`` does not take
  (``random_rotate`` below batch 8 or bilinear, ``render_units``' per-item transforms)
  through a compiled kernel doing ``ImageProjectiveTransformV3``'s arithmetic once per pixel
  instead of once per value, bit for bit the same (``rewrites.image_kernels``; compiled at
  first use like ``"fused_lrn"``).
"""

from typing import Iterable
from typing import Optional
from typing import Union

import tensorflow.compat.v1 as tf

RELU_SCHEDULE = "relu_schedule"
SPLIT_SPECTRUM = "split_spectrum"
STRIDED_CONV_GRAD = "strided_conv_grad"
CONCAT_SLICE = "concat_slice"
CHANNEL_CONV = "channel_conv"
FUSED_LRN = "fused_lrn"
FAST_LRN = "fast_lrn"
POINTWISE_MATMUL = "pointwise_matmul"
GATHER_ROTATE = "gather_rotate"
IMAGE_KERNELS = "image_kernels"

NAMES = (
    RELU_SCHEDULE,
    SPLIT_SPECTRUM,
    STRIDED_CONV_GRAD,
    CONCAT_SLICE,
    CHANNEL_CONV,
    FUSED_LRN,
    FAST_LRN,
    POINTWISE_MATMUL,
    GATHER_ROTATE,
    IMAGE_KERNELS,
)
# What rewrites=None means: every rewrite that is on unless switched off.
DEFAULT_NAMES = NAMES

# The graph collection holding the names of the rewrites a graph was built with.
COLLECTION = "lucid_optvis_rewrites"


def resolve(spec: Union[None, bool, str, Iterable[str]]) -> frozenset:
    """The set of rewrite names that a ``rewrites`` argument asks for.

    Args:
      spec: None (or True) for ``DEFAULT_NAMES``; ``()``, ``[]`` or False for none; one
        name or an iterable of names from ``NAMES``.

    Returns:
      A frozenset of names from ``NAMES``.

    Raises:
      ValueError: an unknown name (the message lists ``NAMES``).
      TypeError: ``spec`` is neither None, a bool, a name nor an iterable of names.
    """
    if spec is None or spec is True:
        return frozenset(DEFAULT_NAMES)
    if spec is False:
        return frozenset()
    if isinstance(spec, str):
        spec = (spec,)
    try:
        names = tuple(spec)
    except TypeError:
        raise TypeError(
            f"rewrites must be None (the defaults), () (none) or a list of names from "
            f"{NAMES}; got {type(spec).__name__} {spec!r:.80}."
        ) from None
    not_names = [name for name in names if not isinstance(name, str)]
    if not_names:
        raise TypeError(
            f"rewrites must be names (str) from {NAMES}; got {not_names[0]!r} in rewrites."
        )
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        raise ValueError(
            f"rewrites: unknown name(s) {unknown}; the rewrites are {NAMES}. Pass None for the "
            "defaults or () for none."
        )
    return frozenset(names)


def enable_in_graph(names: Iterable[str], graph: Optional[tf.Graph] = None) -> frozenset:
    """Records ``names`` as the rewrites of ``graph`` (default: the default graph).

    Replaces any set recorded before, so the latest build decides. Returns the set.
    """
    names = resolve(tuple(names))
    graph = tf.get_default_graph() if graph is None else graph
    graph.clear_collection(COLLECTION)
    for name in sorted(names):
        graph.add_to_collection(COLLECTION, name)
    return names


def enabled(name: str, graph: Optional[tf.Graph] = None) -> bool:
    """Whether rewrite ``name`` is on in ``graph`` (default: the default graph).

    False in graphs that the step builder did not build (nothing recorded).

    Raises:
      ValueError: ``name`` is not one of ``NAMES``.
    """
    if name not in NAMES:
        raise ValueError(f"rewrites.enabled: unknown rewrite {name!r}; the rewrites are {NAMES}.")
    graph = tf.get_default_graph() if graph is None else graph
    return name in graph.get_collection(COLLECTION)


__all__ = [
    "RELU_SCHEDULE",
    "SPLIT_SPECTRUM",
    "STRIDED_CONV_GRAD",
    "CONCAT_SLICE",
    "CHANNEL_CONV",
    "FUSED_LRN",
    "FAST_LRN",
    "POINTWISE_MATMUL",
    "GATHER_ROTATE",
    "IMAGE_KERNELS",
    "NAMES",
    "DEFAULT_NAMES",
    "COLLECTION",
    "resolve",
    "enable_in_graph",
    "enabled",
]
