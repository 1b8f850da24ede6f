"""The blur that ``blur_input_each_step``, ``blur_alpha_each_step`` and
``penalize_boundary_complexity`` (in ``lucid.optvis.objectives``) compare the image with.
"""

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis.objectives_util import channel_depth


def tf_blur(x, w=3):
    """Per-channel blur of `[N, H, W, C]` ``x`` with a ``w`` x ``w`` kernel.

    The kernel weighs its border 0.5 and its interior 1, as in Lucid; dividing by the blur of
    ones keeps image borders unbiased. Lucid built a dense `[w, w, C, C]` diagonal kernel; a
    depthwise convolution computes the same thing.
    """
    depth = channel_depth(x)
    if depth is None:
        raise ValueError(f"tf_blur needs a static channel count; got shape {x.shape}.")
    kernel = np.full([w, w, depth, 1], 0.5, np.float32)
    kernel[1:-1, 1:-1] = 1.0

    def conv_k(t):
        return tf.nn.depthwise_conv2d(t, kernel, [1, 1, 1, 1], "SAME")

    return conv_k(x) / conv_k(tf.ones_like(x))


def blur_penalty(t):
    """``0.5 * sum((t - stop_gradient(tf_blur(t))) ** 2)``: how far ``t`` is from its blur."""
    return 0.5 * tf.reduce_sum((t - tf.stop_gradient(tf_blur(t))) ** 2)
