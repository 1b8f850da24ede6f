"""Replica of Lucid's AlexNet graph (``gs://modelzoo/vision/other_models/AlexNet.pb``).

The real file is the original two-tower AlexNet (the caffe weights ported by guerzhoy and
huanzhang12) frozen from a TF1 script that relied on TensorFlow's automatic op names. Lucid
names its layers after those ops, so the replica builds the same ops in the same order in a
fresh graph, which reproduces the names exactly:

===========  ==================================================  ==================
layer        ops (in creation order)                             Lucid layer names
===========  ==================================================  ==================
conv1        11x11/4 VALID, 96                                   ``Conv2D``
norm1/pool1  LRN, max pool 3x3/2 VALID
conv2        5x5, 2 groups of 128 (split, conv, conv, concat)    ``Conv2D_1``, ``_2``
norm2/pool2  LRN, max pool 3x3/2 VALID
conv3        3x3, 384                                            ``Conv2D_3``
conv4        3x3, 2 groups of 192                                ``Conv2D_4``, ``_5``
conv5        3x3, 2 groups of 128                                ``Conv2D_6``, ``_7``
pool5        max pool 3x3/2 VALID -> `[batch, 6, 6, 256]`
fc6, fc7     xw_plus_b then ``tf.nn.relu`` (4096 each)           ``Relu``, ``Relu_1``
fc8          xw_plus_b (1000) then ``tf.nn.softmax``             ``Softmax``
===========  ==================================================  ==================

Every convolution is followed by ``BiasAdd``, a ``Reshape`` to its own dynamic shape and a
Relu named after the layer (``conv1`` ... ``conv5``), so the conv Relus do not take the
automatic names ``Relu``/``Relu_1`` that the fully connected layers get.

Input ``Placeholder``: `[batch, 227, 227, 3]` float32, BGR, ImageNet-mean subtracted (the
``AlexNet`` Model class converts Lucid's RGB `[0, 1]` images). Only 227x227 works end to end:
``fc6`` flattens a fixed 6x6x256 map.

The fully connected weights of the real file are ~230 MB. The replica stores each as a small
random ``Const`` block (``fcN/tile``, 64 rows) that a ``Tile`` op (``fcN/weights``) repeats to
the full `[in, out]` shape, which keeps the file about 12 MB. Every op Lucid names, and every
shape, is as in the real graph.

References: Krizhevsky, Sutskever and Hinton, "ImageNet Classification with Deep
Convolutional Neural Networks", NIPS 2012.
"""

import numpy as np
import tensorflow.compat.v1 as tf

INPUT_NAME = "Placeholder"
IMAGE_SIZE = 227
NUM_CLASSES = 1000
_LRN = {"depth_radius": 2, "alpha": 2e-05, "beta": 0.75, "bias": 1.0}
_TILE_ROWS = 64
# He gain of fc8 (2.0 elsewhere): keeps the logits within a few units.
_CLASSIFIER_GAIN = 1e-2


class _Builder:
    """Adds AlexNet layers, as the TF1 ports of the caffe model write them, to the default graph, drawing weights from ``rng``."""

    def __init__(self, rng):
        self.rng = rng

    def normal(self, shape, fan_in, gain=2.0):
        std = np.float32(np.sqrt(gain / fan_in))
        return self.rng.standard_normal(shape, dtype=np.float32) * std

    def biases(self, name, depth):
        return tf.constant(self.rng.uniform(0.0, 0.05, depth).astype(np.float32), name=name)

    def conv(self, x, name, ksize, depth, stride=1, padding="SAME", groups=1):
        """Grouped convolution as in the caffe-tensorflow ``conv``: one Conv2D op per group."""
        in_depth = int(x.shape[-1])
        fan_in = ksize * ksize * in_depth // groups
        kernel = self.normal([ksize, ksize, in_depth // groups, depth], fan_in)
        weights = tf.constant(kernel, name=f"{name}/weights")
        biases = self.biases(f"{name}/biases", depth)
        strides = [1, stride, stride, 1]
        if groups == 1:
            conv = tf.nn.conv2d(x, weights, strides, padding)
        else:
            input_groups = tf.split(x, groups, 3)
            weight_groups = tf.split(weights, groups, 3)
            outputs = [
                tf.nn.conv2d(i, k, strides, padding) for i, k in zip(input_groups, weight_groups)
            ]
            conv = tf.concat(outputs, 3)
        bias = tf.reshape(tf.nn.bias_add(conv, biases), tf.shape(conv))
        return tf.nn.relu(bias, name=name)

    def fc_weights(self, name, in_depth, depth, gain):
        # Row i of the tiled matrix is row i % 64 of the block, so each block row multiplies
        # the sum of in_depth / 64 (positive) inputs: scale by that factor more than He does.
        fan_in = in_depth * in_depth / _TILE_ROWS
        tile = tf.constant(self.normal([_TILE_ROWS, depth], fan_in, gain), name=f"{name}/tile")
        return tf.tile(tile, [in_depth // _TILE_ROWS, 1], name=f"{name}/weights")

    def fc(self, x, name, depth, gain=2.0):
        """``xw_plus_b`` named ``name/name`` (MatMul + BiasAdd); no activation."""
        weights = self.fc_weights(name, int(x.shape[-1]), depth, gain)
        biases = self.biases(f"{name}/biases", depth)
        return tf.nn.xw_plus_b(x, weights, biases, name=f"{name}/{name}")

    @staticmethod
    def max_pool(x, name):
        return tf.nn.max_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "VALID", name=name)


def build_alexnet(seed: int = 0) -> tf.GraphDef:
    """Builds the AlexNet replica.

    Args:
      seed: numpy seed of the random weights; the same seed (and numpy version) gives
        byte-identical output.

    Returns:
      A frozen ``tf.GraphDef``. Feed ``Placeholder`` with `[batch, 227, 227, 3]` float32,
      BGR, mean-subtracted (roughly `[-124, 152]`); ``Softmax`` is `[batch, 1000]`.
    """
    build = _Builder(np.random.default_rng(seed))
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
        x = build.conv(x, "conv1", 11, 96, stride=4, padding="VALID")
        x = tf.nn.local_response_normalization(x, name="norm1", **_LRN)
        x = build.max_pool(x, "pool1")
        x = build.conv(x, "conv2", 5, 256, groups=2)
        x = tf.nn.local_response_normalization(x, name="norm2", **_LRN)
        x = build.max_pool(x, "pool2")
        x = build.conv(x, "conv3", 3, 384)
        x = build.conv(x, "conv4", 3, 384, groups=2)
        x = build.conv(x, "conv5", 3, 256, groups=2)
        x = build.max_pool(x, "pool5")
        x = tf.reshape(x, [-1, 6 * 6 * 256])
        x = tf.nn.relu(build.fc(x, "fc6", 4096))
        x = tf.nn.relu(build.fc(x, "fc7", 4096))
        tf.nn.softmax(build.fc(x, "fc8", NUM_CLASSES, gain=_CLASSIFIER_GAIN))
    return graph.as_graph_def()
