"""Rewrite ``"concat_slice"``: a channel objective on a concatenation reads only its branch.

Inception blocks concatenate several towers along the channel axis
(``mixed4a_pre_relu`` is `[1x1 | 3x3 | 5x5 | pool]`). An objective on one channel of the
block, sliced from the concatenation, still makes TensorFlow compute every tower (forward
and backward), although only one of them feeds that channel. :func:`channel_source` finds
the tower: the tensor that holds the channel and the channel's index in it. Slicing that
tensor gives the same values and the same gradients (the other towers' gradients are zero)
while the other towers drop out of the step: ~7 % of InceptionV1's convolution FLOPs for
``mixed4a_pre_relu:476``.

Looks through ``Identity`` ops and through ``ConcatV2`` or ``Concat`` ops whose axis is the
last one (a constant), repeatedly, for nested concatenations. Stops at anything else,
including element-wise ops such as ``Relu`` (a new ``Relu`` on the branch would need the
original's gradient override) and concatenations whose inputs' depths are not known when the
graph is built.

``objectives.channel`` and ``objectives.neuron`` call it when ``rewrites.enabled
("concat_slice")``, i.e. in graphs built by the step builder with that rewrite on.
"""

from typing import Tuple

import tensorflow.compat.v1 as tf

_CONCAT_TYPES = {"ConcatV2": (slice(0, -1), -1), "Concat": (slice(1, None), 0)}


def _concat_parts(op):
    """The inputs of ``op`` if it concatenates along the last axis, else None."""
    if op.type not in _CONCAT_TYPES:
        return None
    parts_slice, axis_index = _CONCAT_TYPES[op.type]
    axis = tf.get_static_value(op.inputs[axis_index])
    rank = op.outputs[0].shape.ndims
    if axis is None or rank is None or int(axis) not in (-1, rank - 1):
        return None
    return list(op.inputs[parts_slice])


def _depth(t):
    return None if t.shape.ndims is None else tf.dimension_value(t.shape[-1])


def channel_source(tensor: tf.Tensor, channel: int) -> Tuple[tf.Tensor, int]:
    """The tensor that produces channel ``channel`` of ``tensor``, and its index there.

    Args:
      tensor: activations with channels last, e.g. `[batch, h, w, channels]`.
      channel: a non-negative channel index into ``tensor``'s last axis.

    Returns:
      ``(source, index)`` with ``source[..., index]`` equal to ``tensor[..., channel]``:
      a branch of a last-axis concatenation (followed through ``Identity`` ops and nested
      concatenations), or ``(tensor, channel)`` unchanged when ``tensor`` is not one or a
      branch's depth is unknown.
    """
    while True:
        op = tensor.op
        if op.type == "Identity":
            tensor = op.inputs[0]
            continue
        parts = _concat_parts(op)
        if parts is None:
            return tensor, channel
        depths = [_depth(part) for part in parts]
        start = 0
        for part, depth in zip(parts, depths):
            if depth is None:
                return tensor, channel
            if channel < start + depth:
                tensor, channel = part, channel - start
                break
            start += depth
        else:
            return tensor, channel
