"""The CNN of "Understanding RL Vision" (CoinRun agents), in plain TF1 ops.

Lucid built it with ``tf.layers``, which TF 2.16+ refuses under Keras 3; this version uses
``tf.nn`` ops and ``tf.get_variable`` with the same variable names (``1a/kernel``,
``1a/bias``, ..., ``dense/kernel``, ``dense_1/kernel``), so it works with any Keras and
checkpoints keep their names. Build it in a graph (``tf.Graph().as_default()``), not eagerly.
"""

import numpy as np
import tensorflow.compat.v1 as tf

_EPSILON = 1e-8
_BATCH_NORM_EPSILON = 1e-3


def _conv_layer(x, filters, kernel_size, name, batch_norm):
    with tf.variable_scope(name):
        kernel = tf.get_variable(
            "kernel",
            [kernel_size, kernel_size, x.shape[-1], filters],
            initializer=tf.glorot_uniform_initializer(),
        )
        bias = tf.get_variable("bias", [filters], initializer=tf.zeros_initializer())
        out = tf.nn.bias_add(tf.nn.conv2d(x, kernel, [1, 1, 1, 1], "SAME"), bias)
        if batch_norm:
            # Normalised with the batch's own statistics, as tf.layers did in training mode.
            mean, variance = tf.nn.moments(out, axes=[0, 1, 2])
            gamma = tf.get_variable("gamma", [filters], initializer=tf.ones_initializer())
            beta = tf.get_variable("beta", [filters], initializer=tf.zeros_initializer())
            out = tf.nn.batch_normalization(out, mean, variance, beta, gamma, _BATCH_NORM_EPSILON)
        return tf.nn.relu(out)


def _l2_pool(x, size):
    """``sqrt(avg_pool(x**2))``: an L2 pooling of ``size x size`` windows, stride ``size``."""
    pooled = tf.nn.avg_pool(x**2, [1, size, size, 1], [1, size, size, 1], "SAME")
    return tf.sqrt(pooled + _EPSILON)


def _dense(x, units):
    with tf.variable_scope(None, default_name="dense"):
        kernel = tf.get_variable(
            "kernel", [x.shape[-1], units], initializer=tf.glorot_uniform_initializer()
        )
        bias = tf.get_variable("bias", [units], initializer=tf.zeros_initializer())
        return tf.nn.relu(tf.matmul(x, kernel) + bias)


def clear_cnn(unscaled_images: tf.Tensor, batch_norm: bool = False) -> tf.Tensor:
    """The "clear" CNN: five convolutions with L2 pooling, then two dense ReLU layers.

    Args:
      unscaled_images: `[batch, h, w, c]` images with values in `[0, 255]` (e.g. uint8);
        h and w must be known statically.
      batch_norm: batch-normalise every convolution (with the batch's statistics).

    Returns:
      `[batch, 512]` float32 features (after a ReLU).
    """
    if unscaled_images.shape.ndims != 4 or not unscaled_images.shape[1:].is_fully_defined():
        raise ValueError(
            f"clear_cnn needs [batch, h, w, c] images with known h, w and c; got shape "
            f"{unscaled_images.shape}. Give the placeholder a static shape, e.g. [None, 64, 64, 3]."
        )
    out = tf.cast(unscaled_images, tf.float32) / 255.0
    out = _l2_pool(_conv_layer(out, 16, 7, "1a", batch_norm), 2)
    out = _conv_layer(out, 32, 5, "2a", batch_norm)
    out = _l2_pool(_conv_layer(out, 32, 5, "2b", batch_norm), 2)
    out = _l2_pool(_conv_layer(out, 32, 5, "3a", batch_norm), 2)
    out = _l2_pool(_conv_layer(out, 32, 5, "4a", batch_norm), 2)
    out = tf.reshape(out, [-1, int(np.prod(out.shape[1:].as_list()))])
    return _dense(_dense(out, 256), 512)
