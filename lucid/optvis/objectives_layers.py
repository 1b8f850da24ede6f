"""Reading and checking layer activations for the objectives in ``lucid.optvis.objectives``.

The channel, neuron and direction objectives share these steps: check an index argument,
fetch ``T(layer)`` as rank-4 NHWC activations, find the tensor that computes one channel (with
the ``concat_slice`` and ``channel_conv`` rewrites) and check a direction vector against the
layer's depth. :func:`label_index` turns ``class_logit``'s label name into a class index.
"""

import tensorflow.compat.v1 as tf

from lucid.optvis import rewrites
from lucid.optvis.objectives_util import _T_handle_batch
from lucid.optvis.objectives_util import channel_depth
from lucid.optvis.objectives_util import check_index
from lucid.optvis.objectives_util import check_non_negative
from lucid.optvis.objectives_util import check_rank
from lucid.optvis.objectives_util import in_graph
from lucid.optvis.objectives_util import is_int
from lucid.optvis.objectives_util import static_dim
from lucid.optvis.rewrites.channel_conv import channel_conv
from lucid.optvis.rewrites.concat_slice import channel_source


def require_index(n, arg_name, objective):
    """Raises unless ``n`` is a non-negative int (a channel or class index)."""
    if not is_int(n):
        raise TypeError(f"{objective}: {arg_name} must be an int; got {type(n).__name__} {n!r}.")
    check_non_negative(n, arg_name, objective)


def nhwc_acts(T, layer, objective):
    """``T(layer)`` (already NHWC-forced), checked to be rank 4."""
    acts = T(layer)
    check_rank(acts, layer, (4,), objective, "[batch, h, w, channels] or [batch, channels]")
    return acts


def channel_acts(T, layer, n, batch, objective):
    """``(acts, index)`` with ``acts[..., index]`` channel ``n`` of ``T(layer)``, sliced to ``batch``.

    With the ``concat_slice`` rewrite on (graphs built by the step builder), ``acts`` is the
    branch of a channel concatenation that produces channel ``n``, so the other branches are
    not computed; with ``channel_conv`` on and ``batch`` None, a convolution's output is
    recomputed for channel ``n`` alone. The batch is sliced after finding the branch, which
    it would hide.
    """
    acts = nhwc_acts(T, layer, objective)
    check_index(acts, layer, n)
    if tf.is_tensor(acts) and rewrites.enabled(rewrites.CONCAT_SLICE, acts.graph):
        acts, n = channel_source(acts, n)
    whole_batch = batch is None  # per-item objectives would each convolve the whole batch
    if whole_batch and tf.is_tensor(acts) and rewrites.enabled(rewrites.CHANNEL_CONV, acts.graph):
        acts, n = channel_conv(acts, n)
    return _T_handle_batch(lambda _: acts, batch)(layer), n


def direction_in_graph(vec, acts, layer, objective):
    """``vec`` checked against ``acts``' depth and made ready to combine with them."""
    depth, vec_depth = channel_depth(acts), static_dim(vec, -1)
    if depth is not None and vec_depth is not None and vec_depth != depth:
        raise ValueError(
            f"{objective}: vec has {vec_depth} channels but layer {layer!r} has depth {depth}."
        )
    return in_graph(vec, acts, "vec", objective)


def label_index(labels, label):
    """The index of label name ``label`` in ``labels`` (``T("labels")``), for ``class_logit``."""
    if labels is None or label not in labels:
        raise ValueError(
            f"class_logit: label {label!r} is not among the model's labels (T('labels')). "
            "Pass the class index as an int instead, or check model.labels."
        )
    return list(labels).index(label)
