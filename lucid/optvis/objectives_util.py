"""Private helpers for ``lucid.optvis.objectives``.

``T`` below is the layer accessor an objective receives: ``T(name)`` returns a layer's
activation tensor, ``T("input")`` the image and ``T("labels")`` the model's label list.
"""

import logging
import numbers

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.misc.graph_analysis.property_inference import infer_data_format

log = logging.getLogger(__name__)

_MAX_ARG_STR_LEN = 15


def sum_to_scalar(value, description: str):
    """``value`` if it is a scalar, else the sum of its elements (logged at INFO).

    Lucid optimised a non-scalar objective (e.g. one value per batch item) as the sum of
    its elements, because ``tf.gradients`` sums; this keeps that behaviour with a scalar loss.

    Args:
      value: a tensor, a number, or anything ``tf.convert_to_tensor`` accepts.
      description: names the objective in the log message.

    Returns:
      A scalar tensor, or ``value`` itself when it is already a scalar.
    """
    if not tf.is_tensor(value):
        if np.isscalar(value) or (isinstance(value, np.ndarray) and value.ndim == 0):
            return value
        value = tf.convert_to_tensor(value)
    ndims = value.shape.ndims
    if ndims == 0:
        return value
    if ndims is not None:
        log.info(
            "Objective %r gives a tensor of shape %s; optimising the sum of its elements, as "
            "Lucid did. Reduce it inside the objective (e.g. tf.reduce_mean) to choose otherwise.",
            description,
            value.shape,
        )
    # For an unknown rank, the sum of a scalar is the scalar itself.
    return tf.reduce_sum(value)


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


def T_force_NHWC(T):
    """Wraps ``T`` so every activation it returns is NHWC (Lucid's ``_T_force_NHWC``).

    Dense `[N, C]` layers become `[N, 1, 1, C]`; rank-4 tensors that
    ``infer_data_format`` identifies as NCHW are transposed to NHWC. Anything else
    (unknown rank, other ranks, non-tensors such as ``T("labels")``) passes through.
    """

    def T2(name):
        t = T(name)
        if not tf.is_tensor(t) or t.shape.ndims is None:
            return t
        if t.shape.ndims == 2:
            return t[:, None, None, :]
        if t.shape.ndims == 4 and infer_data_format(t) == "NCHW":
            return tf.transpose(t, [0, 2, 3, 1])
        return t

    return T2


_T_force_NHWC = T_force_NHWC  # Lucid's name, for code that imports it


def _T_handle_batch(T, batch=None):
    """Wraps ``T`` so every activation is sliced to ``[batch : batch + 1]`` when ``batch`` is an int.

    Only tensors are sliced: ``T("labels")`` (a list) passes through unchanged, which fixes
    Lucid, where slicing the label list broke ``class_logit(..., batch=k)`` with a string label.
    """
    check_batch_index(batch)

    def T2(name):
        t = T(name)
        if batch is None or not tf.is_tensor(t):
            return t
        size = None if t.shape.ndims is None else tf.dimension_value(t.shape[0])
        if size is not None and batch >= size:
            # Slicing past the end gives an empty tensor, whose mean is NaN.
            raise ValueError(
                f"batch={batch} is outside the batch of {size} images of {name!r}; "
                f"use batch in 0..{size - 1}, or None for the whole batch."
            )
        return t[batch : batch + 1]

    return T2


def is_int(n):
    """True for Python and NumPy integers, False for bools and everything else."""
    return isinstance(n, (numbers.Integral, np.integer)) and not isinstance(n, bool)


def channel_depth(t):
    """Static size of the last axis, or None when unknown."""
    if t.shape.ndims is None:
        return None
    return tf.dimension_value(t.shape[-1])


def check_batch_index(batch) -> None:
    """Raises unless ``batch`` is None or a non-negative int (an index into the batch)."""
    if batch is None:
        return
    if not is_int(batch):
        raise TypeError(f"batch must be None or an int index into the batch; got {batch!r}.")
    check_non_negative(batch, "batch", "objective")


def check_non_negative(n, arg_name: str, objective: str) -> None:
    """Raises a ValueError when the int ``n`` is negative.

    Lucid indexed with Python's ``[n]``, so ``-1`` silently meant the last channel; here
    every channel, neuron, class and batch index counts from 0 and must be non-negative.
    """
    if n < 0:
        raise ValueError(
            f"{objective}: {arg_name}={n} is negative; indices count from 0 and are not "
            f"counted back from the end as in Python. Pass {arg_name} in 0..size-1 (for the "
            "last channel of a layer, its depth minus 1: model.get_layer(name).depth - 1)."
        )


def check_index(t, layer, n, what="channel"):
    """Raises a ValueError when index ``n`` is outside the static depth of ``t`` (layer ``layer``).

    Negative indices are refused (see :func:`check_non_negative`). Unknown depths are not
    checked.
    """
    depth = channel_depth(t)
    if depth is not None and not 0 <= n < depth:
        raise ValueError(
            f"{what} {n} is out of range for layer {layer!r} with depth {depth}; "
            f"use 0..{depth - 1}."
        )


def check_rank(t, layer, ranks, objective, expected):
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


def _constant_value(value):
    """NumPy value of an eager tensor or variable, or of a graph constant; else None."""
    try:
        return value.numpy()
    except (AttributeError, NotImplementedError):
        pass
    try:
        return tf.get_static_value(value)
    except (TypeError, ValueError):
        return None


def _direction_arg(vec, ranks, objective):
    """``vec`` as float32: NumPy when its value is known now, else the symbolic tensor.

    Accepts NumPy arrays, lists, eager tensors and graph tensors; a graph tensor whose value
    is not constant is kept and used in the objective's graph (see ``in_graph``).
    """
    if tf.is_tensor(vec):
        value = _constant_value(vec)
        if value is None:
            if vec.shape.ndims not in ranks:
                raise ValueError(_rank_message(objective, ranks, vec.shape))
            return vec
        vec = value
    vec = np.asarray(vec, dtype=np.float32)
    if vec.ndim not in ranks:
        raise ValueError(_rank_message(objective, ranks, vec.shape))
    return vec


def _rank_message(objective, ranks, shape):
    ranks_str = " or ".join(map(str, ranks))
    return f"{objective}: vec must have a static rank of {ranks_str}; got shape {shape}."


def in_graph(value, like, arg_name, objective):
    """``value`` ready to combine with tensor ``like``: float32, and from ``like``'s graph."""
    if not tf.is_tensor(value):
        return value
    graph = getattr(value, "graph", None)
    if graph is not None and graph is not like.graph:
        raise ValueError(
            f"{objective}: {arg_name} is a tensor of another graph than the model's "
            "activations (render_vis builds a fresh graph). Pass a NumPy array, or build "
            "the tensor inside param_f or the objective, or use make_vis_T in your own graph."
        )
    return tf.cast(value, like.dtype) if value.dtype.is_floating else value


def static_dim(t, axis):
    """Static size of ``t``'s ``axis`` (NumPy array or tensor), or None when unknown."""
    if isinstance(t, np.ndarray):
        return t.shape[axis]
    if t.shape.ndims is None:
        return None
    return tf.dimension_value(t.shape[axis])


def _channel_arg(n, arg_name, objective):
    """A channel index: an int, or an integer scalar tensor whose value is only known later.

    Accepts Python and NumPy integers, 0-d integer arrays, and integer scalar tensors
    (eager or graph constants become ints).
    """
    if tf.is_tensor(n):
        value = _constant_value(n)
        if value is None:
            if not n.dtype.is_integer or n.shape.ndims not in (None, 0):
                raise TypeError(
                    f"{objective}: {arg_name} must be an integer scalar; got a tensor of "
                    f"dtype {n.dtype.name} and shape {n.shape}."
                )
            return n
        n = value
    if isinstance(n, np.ndarray) and n.ndim == 0:
        n = n[()]
    if not is_int(n):
        raise TypeError(f"{objective}: {arg_name} must be an int; got {type(n).__name__} {n!r}.")
    check_non_negative(n, arg_name, objective)
    return int(n)


def checked_channel_tensor(n, arg_name: str, objective: str):
    """An integer scalar tensor channel, with a run-time check that it is non-negative."""
    check = tf.debugging.assert_non_negative(
        n, message=f"{objective}: {arg_name} must be non-negative (channels count from 0)"
    )
    with tf.control_dependencies([check]):
        return tf.identity(n)


# Marks a position outside a layer in the message of the run-time assertion below, so that
# render can turn TensorFlow's InvalidArgumentError into a ValueError (render_util.run_step).
POSITION_ERROR = "is outside layer"


def check_position_args(x, y, objective: str) -> None:
    """Raises unless ``x`` and ``y`` are each None or a non-negative int."""
    for arg_name, pos in (("x", x), ("y", y)):
        if pos is None:
            continue
        if not is_int(pos):
            raise TypeError(
                f"{objective}: {arg_name} must be an int or None; got {type(pos).__name__} {pos!r}."
            )
        check_non_negative(pos, arg_name, objective)


def checked_position(acts, layer, x, y, objective: str):
    """``acts`` (`[N, H, W, C]`), checked to contain position ``(x, y)`` (x on H, y on W).

    A static size is checked now (ValueError); an unknown one, as under render_vis where the
    transforms change the size, by an assertion that fails when the step runs, naming the
    position, the layer and its size at that step. Without it the slice outside the layer
    is empty and the objective NaN.
    """
    checks = []
    for arg_name, pos, axis in (("x", x, 1), ("y", y, 2)):
        if pos is None:
            continue
        size = tf.dimension_value(acts.shape[axis])
        message = f"{objective}: {arg_name}={pos} {POSITION_ERROR} {layer!r}"
        if size is not None:
            if pos >= size:
                raise ValueError(
                    f"{message}, whose spatial size (height, width) is {tuple(acts.shape[1:3])}; "
                    f"use {arg_name} in 0..{size - 1}, or None for the centre."
                )
            continue
        shape = tf.shape(acts)
        condition = tf.less(pos, shape[axis])
        message += ", whose spatial size (height, width) at this step is"
        checks.append(tf.debugging.Assert(condition, [message, shape[1], shape[2]]))
    if not checks:
        return acts
    with tf.control_dependencies(checks):
        return tf.identity(acts)
