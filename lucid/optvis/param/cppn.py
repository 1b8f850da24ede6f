"""Compositional Pattern Producing Network (CPPN) image parameterisation.

The image is the output of a small network of 1x1 convolutions applied to the (x, y)
coordinates of each pixel, so it is smooth and resolution independent. Same architecture,
initialisation and defaults as Lucid's, written with plain ``tf.nn.conv2d`` and
``tf.get_variable`` instead of ``tensorflow.contrib.slim`` (gone in TF2); variable names
follow slim's (``Conv/weights``, ``Conv/biases``, ``InstanceNorm/beta``, ...).

References: Mordvintsev et al., "Differentiable Image Parameterizations", Distill 2018.
"""

from typing import Callable

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis.param.lowres import _as_positive_int
from lucid.optvis.param.lowres import _is_int
from lucid.optvis.param.lowres import check_image_memory

_INSTANCE_NORM_EPSILON = 1e-6  # slim.instance_norm's default


def _composite_activation(x, biased=True):
    """``atan(x)`` and ``atan(x)**2``, each normalised to unit RMS; doubles the channels.

    Coefficients: for ``a = atan(N(0, 1))``, ``rms(a) ~ 0.67``; ``rms(a*a) ~ 0.6`` and
    ``rms(a*a - 0.45) ~ 0.396`` (``mean(a*a) ~ 0.45``).
    """
    x = tf.atan(x)
    if biased:
        coeffs = (0.67, 0.396)
        means = (0.0, 0.45)
    else:
        coeffs = (0.67, 0.6)
        means = (0.0, 0.0)
    composite = [(x - means[0]) / coeffs[0], (x * x - means[1]) / coeffs[1]]
    return tf.concat(composite, -1)


def _relu_normalized_activation(x):
    """ReLU shifted and scaled to zero mean, unit variance for ``N(0, 1)`` inputs."""
    x = tf.nn.relu(x)
    # For x ~ N(0, 1): mean(relu(x)) ~ 0.40, std(relu(x)) ~ 0.58.
    return (x - 0.40) / 0.58


def _conv1x1(net, num_outputs, weights_initializer, activation_fn=None):
    """``slim.conv2d(net, num_outputs, [1, 1])`` with biases drawn from ``N(0, 0.1)``."""
    with tf.variable_scope(None, default_name="Conv"):
        num_inputs = net.shape[-1]
        weights = tf.get_variable(
            "weights", [1, 1, num_inputs, num_outputs], initializer=weights_initializer
        )
        biases = tf.get_variable(
            "biases", [num_outputs], initializer=tf.initializers.random_normal(0.0, 0.1)
        )
        out = tf.nn.conv2d(net, weights, strides=[1, 1, 1, 1], padding="SAME") + biases
        return out if activation_fn is None else activation_fn(out)


def _instance_norm(x):
    """``slim.instance_norm`` defaults: per-image, per-channel spatial normalisation + beta."""
    with tf.variable_scope(None, default_name="InstanceNorm"):
        beta = tf.get_variable("beta", [x.shape[-1]], initializer=tf.zeros_initializer())
        mean, variance = tf.nn.moments(x, axes=[1, 2], keep_dims=True)
        return (x - mean) * tf.rsqrt(variance + _INSTANCE_NORM_EPSILON) + beta


def cppn(
    width: int,
    batch: int = 1,
    num_output_channels: int = 3,
    num_hidden_channels: int = 24,
    num_layers: int = 8,
    activation_func: Callable = _composite_activation,
    normalize: bool = False,
):
    """A CPPN image: a 1x1-conv network of the pixel coordinates.

    Args:
      width: width and height of the (square) image.
      batch: batch size; every batch item shares the same weights, so they are identical.
      num_output_channels: channels of the output image.
      num_hidden_channels: channels of each hidden layer (before the activation).
      num_layers: number of hidden layers.
      activation_func: activation after each hidden layer (default ``atan`` and ``atan**2``,
        which doubles the channels).
      normalize: apply instance normalisation before each activation.

    Returns:
      float32 ``[batch, width, width, num_output_channels]`` in ``[0, 1]`` (sigmoid output;
      the last layer's weights start at zero). Weights use variance-scaling initialisation,
      biases ``N(0, 0.1)``; all are trainable variables in the default graph.
    """
    width = _as_positive_int("width", width)
    batch = _as_positive_int("batch", batch)
    num_output_channels = _as_positive_int("num_output_channels", num_output_channels)
    num_hidden_channels = _as_positive_int("num_hidden_channels", num_hidden_channels)
    if not _is_int(num_layers) or num_layers < 0:
        raise ValueError(f"num_layers must be a non-negative int; got num_layers={num_layers!r}.")
    if not callable(activation_func):
        raise TypeError(f"activation_func must be a function of a tensor; got {activation_func!r}.")

    # Each layer's activations are kept for the gradient: about one image per hidden channel.
    hidden_values = max(num_layers, 1) * 2 * num_hidden_channels + num_output_channels
    check_image_memory([batch, width, width, hidden_values], f"cppn(width={width})")
    r = 3.0**0.5  # std(coord_range) == 1
    coord_range = np.linspace(-r, r, width, dtype=np.float32)
    y, x = np.meshgrid(coord_range, coord_range, indexing="ij")
    # Every batch item is the same image (shared weights, same coordinates): compute it once
    # and tile it, which also makes the items bit-identical (a batched convolution need not be).
    net = tf.constant(np.stack([x, y], -1)[None])

    weights_initializer = tf.initializers.variance_scaling()
    for _ in range(num_layers):
        x = _conv1x1(net, num_hidden_channels, weights_initializer)
        if normalize:
            x = _instance_norm(x)
        net = activation_func(x)
    image = _conv1x1(
        net,
        num_output_channels,
        weights_initializer=tf.zeros_initializer(),
        activation_fn=tf.nn.sigmoid,
    )
    return image if batch == 1 else tf.tile(image, [batch, 1, 1, 1])
