"""Private helpers for ``lucid.optvis.objectives``.

``T`` below is the layer accessor an objective receives: ``T(name)`` returns a layer's
activation tensor, ``T("input")`` the image and ``T("labels")`` the model's label list.
"""

import numbers

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.misc.graph_analysis.property_inference import infer_data_format

_MAX_ARG_STR_LEN = 15


def _make_arg_str(arg):
    """Formats one argument for an objective's description; long ones become ``...``."""
    arg = str(arg)
    too_big = len(arg) > _MAX_ARG_STR_LEN or "\n" in arg
    return "..." if too_big else arg


def _extract_act_pos(acts, x=None, y=None):
    """The activations at one spatial position: `[N, H, W, C]` -> `[N, 1, 1, C]`.

    As in Lucid, ``x`` indexes axis 1 and ``y`` axis 2. The default is the centre,
    ``H // 2`` and ``W // 2``: for even sizes that is the bottom-right cell of the centre 2x2.
    """
    shape = tf.shape(acts)
    x_ = shape[1] // 2 if x is None else x
    y_ = shape[2] // 2 if y is None else y
    return acts[:, x_ : x_ + 1, y_ : y_ + 1]


def _dot(x, y):
    """Dot product over the last axis (broadcasting the others)."""
    return tf.reduce_sum(x * y, -1)


def _dot_cossim(x, y, cossim_pow=0):
    """Mean over positions of ``<x, y>``, optionally weighted by the cosine similarity.

    With ``cossim_pow == 0`` this is ``mean(<x, y>)``. Otherwise each dot product is
    multiplied by ``max(0.1, cossim(x, y)) ** cossim_pow``, which favours activations that
    point along ``y`` rather than ones that are merely large.
    """
    eps = 1e-4
    xy_dot = _dot(x, y)
    if cossim_pow == 0:
        return tf.reduce_mean(xy_dot)
    x_mags = tf.sqrt(_dot(x, x))
    y_mags = tf.sqrt(_dot(y, y))
    cossims = xy_dot / (eps + x_mags) / (eps + y_mags)
    floored_cossims = tf.maximum(cossims, 0.1)
    return tf.reduce_mean(xy_dot * floored_cossims**cossim_pow)


def _T_force_NHWC(T):
    """Wraps ``T`` so every activation it returns is NHWC.

    Dense `[N, C]` layers become `[N, 1, 1, C]`; rank-4 tensors that
    ``infer_data_format`` identifies as NCHW are transposed to NHWC. Anything else
    (unknown rank, other ranks, non-tensors such as ``T("labels")``) passes through.
    """

    def T2(name):
        t = T(name)
        if not isinstance(t, (tf.Tensor, tf.Variable)) or t.shape.ndims is None:
            return t
        if t.shape.ndims == 2:
            return t[:, None, None, :]
        if t.shape.ndims == 4 and infer_data_format(t) == "NCHW":
            return tf.transpose(t, [0, 2, 3, 1])
        return t

    return T2


def _T_handle_batch(T, batch=None):
    """Wraps ``T`` so every activation is sliced to ``[batch : batch + 1]`` when ``batch`` is an int.

    Only tensors are sliced: ``T("labels")`` (a list) passes through unchanged, which fixes
    Lucid, where slicing the label list broke ``class_logit(..., batch=k)`` with a string label.
    """
    if batch is not None and not _is_int(batch):
        raise TypeError(f"batch must be None or an int index into the batch; got {batch!r}.")

    def T2(name):
        t = T(name)
        if batch is None or not isinstance(t, (tf.Tensor, tf.Variable)):
            return t
        return t[batch : batch + 1]

    return T2


def _is_int(n):
    return isinstance(n, (numbers.Integral, np.integer)) and not isinstance(n, bool)


def _depth(t):
    """Static size of the last axis, or None when unknown."""
    if t.shape.ndims is None:
        return None
    return tf.dimension_value(t.shape[-1])


def _check_index(t, layer, n, what="channel"):
    """Raises a ValueError when index ``n`` is outside the static depth of ``t`` (layer ``layer``).

    Negative indices count from the end, as in Python. Unknown depths are not checked.
    """
    depth = _depth(t)
    if depth is not None and not -depth <= n < depth:
        raise ValueError(
            f"{what} {n} is out of range for layer {layer!r} with depth {depth}; "
            f"use 0..{depth - 1}."
        )


def _check_rank(t, layer, ranks, objective, expected):
    """Raises a ValueError when the static rank of ``t`` is known and not in ``ranks``."""
    if t.shape.ndims is not None and t.shape.ndims not in ranks:
        raise ValueError(
            f"{objective} needs layer {layer!r} to be {expected}; its activations have shape "
            f"{t.shape}."
        )


def _static_batch(t, layer, objective):
    """The static batch size of ``t``; a clear error when it is unknown."""
    n = None if t.shape.ndims is None else tf.dimension_value(t.shape[0])
    if n is None:
        raise ValueError(
            f"{objective} needs a static batch size, but layer {layer!r} has shape {t.shape}. "
            "Build the image with a fixed batch, e.g. param.image(128, batch=4)."
        )
    return n
