"""Small hand-built TF graphs for the graph_analysis tests."""

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.misc.graph_analysis.overlay_graph import OverlayGraph

ONES_1x1 = np.ones([1, 1, 2, 2], np.float32)


def conv_relu(x, name):
    """``<name>_conv`` (Conv2D, 1x1) -> ``<name>`` (Relu)."""
    return tf.nn.relu(
        tf.nn.conv2d(x, ONES_1x1, [1, 1, 1, 1], "SAME", name=name + "_conv"), name=name
    )


def inception_graph():
    """input -> stem, then four branches into ``mixed`` (Concat), then a classifier::

    stem -> a                 (one conv)
    stem -> b1 -> b2          (two convs)
    stem -> pool              (MaxPool)
    stem                      (skip connection)
    mixed -> flat (Reshape to [batch, -1] through tf.shape) -> logits -> softmax
    """
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [1, 4, 4, 2], name="input")
        stem = conv_relu(x, "stem")
        a = conv_relu(stem, "a")
        b2 = conv_relu(conv_relu(stem, "b1"), "b2")
        pool = tf.nn.max_pool(stem, [1, 3, 3, 1], [1, 1, 1, 1], "SAME", name="pool")
        mixed = tf.concat([a, b2, pool, stem], -1, name="mixed")
        shape = tf.shape(mixed, name="shape")
        flat = tf.reshape(mixed, tf.stack([shape[0], -1]), name="flat")
        logits = tf.matmul(flat, np.ones([128, 3], np.float32), name="logits")
        tf.nn.softmax(logits, name="softmax")
    return graph


def overlay(graph):
    return OverlayGraph(graph)


def edges(overlay):
    """``{node name: sorted input names}`` of an overlay."""
    return {node.name: sorted(inp.name for inp in node.inputs) for node in overlay.nodes}
