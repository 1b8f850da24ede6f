"""Tiny hand-weighted frozen graphs whose activations can be computed by hand.

``toy_model()`` has input ``input`` (`[N, H, W, 3]`, any size, value range (0, 1)) and:

* ``const_pre_relu`` / ``const``: 1x1 conv, 4 channels, every weight 0.1, bias 1.0, so
  ``const_pre_relu = 1 + 0.1 * (r + g + b)`` at every pixel (1.0 for a black image).
* ``color_pre_relu`` / ``color``: 1x1 conv, 3 channels: red minus the other two, green minus
  the other two, blue minus the other two. Channel 0 is a red detector.
* ``stripes_pre_relu`` / ``stripes``: 8x8 VALID conv on grey level, 2 channels: channel 0
  matches vertical stripes of period 4 (varies along x), channel 1 horizontal stripes.
* ``pool``: spatial mean of ``concat([color, stripes])`` (`[N, 5]`); ``logits`` = pool @ W with
  W the 5x5 identity (so logit k is the mean of feature k); ``Softmax``.

Labels: ``["red", "green", "blue", "vertical", "horizontal"]``.
"""

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts

LABELS = ["red", "green", "blue", "vertical", "horizontal"]
STRIPE_PERIOD = 4
STRIPE_SIZE = 8


def stripe_kernels():
    """`[8, 8, 1, 2]`: zero-mean cosine patterns, vertical stripes then horizontal."""
    x = np.arange(STRIPE_SIZE)
    wave = np.cos(2 * np.pi * x / STRIPE_PERIOD)
    vertical = np.tile(wave[None, :], (STRIPE_SIZE, 1))  # varies along x (columns)
    horizontal = vertical.T
    kernels = np.stack([vertical, horizontal], axis=-1)[:, :, None, :] / STRIPE_SIZE**2
    return kernels.astype(np.float32)


def build_toy_graph(t_input):
    """Builds the toy network on `t_input` in the default graph (names as in the docstring)."""
    const_w = np.full([1, 1, 3, 4], 0.1, np.float32)
    const_pre = tf.nn.bias_add(
        tf.nn.conv2d(t_input, const_w, [1, 1, 1, 1], "SAME"),
        np.ones(4, np.float32),
        name="const_pre_relu",
    )
    tf.nn.relu(const_pre, name="const")
    color_w = (2 * np.eye(3, dtype=np.float32) - 1)[None, None]  # 1 on the diagonal, -1 elsewhere
    color_pre = tf.nn.conv2d(t_input, color_w, [1, 1, 1, 1], "SAME", name="color_pre_relu")
    color = tf.nn.relu(color_pre, name="color")
    grey = tf.reduce_mean(t_input, axis=-1, keepdims=True)
    stripes_pre = tf.nn.conv2d(
        grey, stripe_kernels(), [1, 1, 1, 1], "VALID", name="stripes_pre_relu"
    )
    stripes = tf.nn.relu(stripes_pre, name="stripes")
    pooled = tf.concat(
        [tf.reduce_mean(color, axis=[1, 2]), tf.reduce_mean(stripes, axis=[1, 2])],
        axis=-1,
        name="pool",
    )
    logits = tf.matmul(pooled, np.eye(5, dtype=np.float32), name="logits")
    tf.nn.softmax(logits, name="Softmax")


def toy_graph_def():
    with tf.Graph().as_default() as graph:
        t_input = tf.placeholder(tf.float32, [None, None, None, 3], name="input")
        build_toy_graph(t_input)
    return graph.as_graph_def()


TOY_LAYERS = [
    {"name": "const_pre_relu", "depth": 4, "tags": ["conv", "pre_relu"]},
    {"name": "const", "depth": 4, "tags": ["conv"]},
    {"name": "color_pre_relu", "depth": 3, "tags": ["conv", "pre_relu"]},
    {"name": "color", "depth": 3, "tags": ["conv"]},
    {"name": "stripes_pre_relu", "depth": 2, "tags": ["conv", "pre_relu"]},
    {"name": "stripes", "depth": 2, "tags": ["conv"]},
    {"name": "logits", "depth": 5, "tags": ["dense"]},
    {"name": "Softmax", "depth": 5, "tags": ["dense"]},
]


class ToyModel(Model):
    """The toy network as a Lucid Model (graph built in memory, no file or network)."""

    model_path = "toy_model.pb"
    image_shape = [32, 32, 3]
    image_value_range = (0, 1)
    input_name = "input"

    def __init__(self):
        self._graph_def = toy_graph_def()
        self._labels = list(LABELS)
        self.layers = _layers_from_list_of_dicts(self, TOY_LAYERS)

    @property
    def labels(self):
        return self._labels


def toy_model():
    return ToyModel()
