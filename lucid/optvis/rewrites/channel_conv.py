"""Rewrite ``"channel_conv"``: a channel objective convolves for its one channel only.

An objective on one channel of a layer such as ``mixed4a_pre_relu`` reads, after
``"concat_slice"`` found the tower that produces it, one channel of that tower's output:
``BiasAdd(Conv2D(x, w), b)``. TensorFlow still computes every output channel of that
convolution, forward and backward, and the objective throws all but one away.
:func:`channel_conv` builds the same convolution with the filter and the bias sliced to that
channel (``w[..., c:c + 1]``, ``b[c:c + 1]``): the same dot products, so the same values and
gradients to float round-off (the sum over the input channels may be ordered differently),
for ``1 / depth`` of the convolution's FLOPs. For ``mixed4a_pre_relu:476`` (channel 32 of
the pool tower's 1x1 convolution, 480 -> 64) that saves ~1 % of a step; for a channel of a
3x3 or 5x5 tower, the tower's largest convolution.

Applies to a ``BiasAdd`` of a ``Conv2D``, both NHWC (InceptionV1's and most zoo models'
``*_pre_relu`` layers). Anything else (a ``Relu`` after it, a convolution computed as a
matrix product by ``"pointwise_matmul"`` at batch 1, NCHW) is left alone. The original
convolution stays in the graph, and runs only if something else needs it.

A one-channel convolution is not free: oneDNN runs it far below its usual speed (96 -> 1
channels costs ~16 % of 96 -> 204 at InceptionV1's mixed4a size, batch 16). So a convolution
gets at most ``MAX_CHANNELS`` one-channel copies per graph (asking again for a channel
already built returns the same tensor); an objective reading a third channel of it reads the
full convolution, as without the rewrite. Measured with ``benchmarks/rewrite_ab.py --without
channel_conv`` on a 2-core CPU: 1.05x per step for ``mixed4a_pre_relu:300`` (the 3x3 tower)
at batch 16 in float32, 1.02x at batch 1 in bfloat16; ~1.02x (noisy) for ``:476``.

``objectives.channel`` and ``objectives.neuron`` call it when ``rewrites.enabled
("channel_conv")``, i.e. in graphs built by the step builder with that rewrite on, and only
for objectives over the whole batch (``batch=None``): per-item objectives, as in
``render_units(objective_f=...)``, would each convolve the whole batch. The sliced
convolution is built where the objective is, outside the model import, so it gets
TensorFlow's own gradient.
"""

import weakref
from typing import Tuple

import tensorflow.compat.v1 as tf

NHWC = b"NHWC"
MAX_CHANNELS = 2  # one-channel copies per convolution and graph
_BUILT = weakref.WeakKeyDictionary()  # graph -> {BiasAdd op name: {channel: tensor}}


def _conv_of(tensor):
    """``(bias_add_op, conv_op)`` if ``tensor`` is an NHWC ``BiasAdd(Conv2D)``, else None."""
    bias_add = tensor.op
    if bias_add.type != "BiasAdd" or bias_add.get_attr("data_format") != NHWC:
        return None
    conv = bias_add.inputs[0].op
    if conv.type != "Conv2D" or conv.get_attr("data_format") != NHWC:
        return None
    return bias_add, conv


def _padding(conv):
    padding = conv.get_attr("padding").decode()
    if padding != "EXPLICIT":
        return padding
    flat = list(conv.get_attr("explicit_paddings"))
    return [flat[i : i + 2] for i in range(0, 8, 2)]


def channel_conv(tensor: tf.Tensor, channel: int) -> Tuple[tf.Tensor, int]:
    """``(source, index)`` with ``source[..., index]`` equal to ``tensor[..., channel]``.

    Args:
      tensor: activations with channels last, e.g. a tower's ``*_pre_relu`` output.
      channel: a non-negative channel index into ``tensor``'s last axis.

    Returns:
      ``(one_channel, 0)``, a one-channel ``BiasAdd(Conv2D)`` with the filter and bias sliced
      to ``channel``, if ``tensor`` is an NHWC ``BiasAdd`` of an NHWC ``Conv2D`` and fewer
      than ``MAX_CHANNELS`` other channels of it were sliced in this graph (the same channel
      again gives the same tensor); else ``(tensor, channel)`` unchanged.
    """
    ops = _conv_of(tensor)
    if ops is None:
        return tensor, channel
    built = _BUILT.setdefault(tensor.graph, {}).setdefault(tensor.op.name, {})
    if channel not in built:
        if len(built) >= MAX_CHANNELS:
            return tensor, channel
        built[channel] = _one_channel(*ops, channel)
    return built[channel], 0


def _one_channel(bias_add, conv, channel):
    x, kernel = conv.inputs
    with tf.name_scope("channel_conv"):
        one = tf.nn.conv2d(
            x,
            kernel[..., channel : channel + 1],
            strides=list(conv.get_attr("strides")),
            padding=_padding(conv),
            data_format="NHWC",
            dilations=list(conv.get_attr("dilations")),
        )
        return tf.nn.bias_add(one, bias_add.inputs[1][channel : channel + 1])
