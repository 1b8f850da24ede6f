"""Helpers for frozen GraphDefs."""

import tensorflow.compat.v1 as tf


def forget_xy(t):
    """Forgets the static height and width of an NHWC tensor, so other sizes can be fed."""
    shape = (t.shape[0], None, None, t.shape[3])
    return tf.placeholder_with_default(t, shape)


def load_graphdef(model_url, reset_device=True):
    """Loads a frozen GraphDef from a local path or URL."""
    with tf.io.gfile.GFile(model_url, "rb") as f:
        graph_def = tf.GraphDef.FromString(f.read())
    if reset_device:
        for node in graph_def.node:
            node.device = ""
    return graph_def
