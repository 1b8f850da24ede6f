"""Tests for lucid.misc.graph_analysis.property_inference."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.misc.graph_analysis.property_inference import as_tensor
from lucid.misc.graph_analysis.property_inference import infer_data_format


def _nchw_activation():
    """An NCHW conv block, `[1, 2, 3, 4]`: BiasAdd(NCHW) -> Relu -> Identity."""
    x = tf.placeholder(tf.float32, [1, 2, 3, 4], name="x")
    pre = tf.nn.bias_add(x, np.ones(2, np.float32), data_format="NCHW", name="pre")
    return tf.identity(tf.nn.relu(pre), name="acts")


def test_as_tensor_accepts_tensor_op_and_names(graph):
    t = tf.nn.relu(tf.placeholder(tf.float32, [None, 3]), name="act")
    assert as_tensor(t) is t
    assert as_tensor(t.op) is t
    assert as_tensor("act") is t
    assert as_tensor("act:0") is t


def test_as_tensor_errors(graph):
    with pytest.raises(TypeError, match="got int: 3"):
        as_tensor(3)
    with pytest.raises(ValueError, match="has no outputs"):
        as_tensor(tf.no_op(name="nothing"))
    with pytest.raises(KeyError):
        as_tensor("missing")


def test_infers_nhwc_through_activation_ops(graph):
    x = tf.placeholder(tf.float32, [1, 8, 8, 3])
    conv = tf.nn.conv2d(x, np.ones([3, 3, 3, 2], np.float32), [1, 1, 1, 1], "SAME")
    acts = tf.nn.relu(tf.identity(conv))
    assert infer_data_format(acts) == "NHWC"
    assert infer_data_format(acts.op) == "NHWC"


def test_infers_nchw(graph):
    acts = _nchw_activation()
    assert infer_data_format(acts) == "NCHW"
    assert infer_data_format("acts") == "NCHW"


def test_infers_nchw_conv_even_if_it_cannot_run_on_cpu(graph):
    x = tf.placeholder(tf.float32, [1, 3, 8, 8])
    conv = tf.nn.conv2d(
        x, np.ones([1, 1, 3, 2], np.float32), [1, 1, 1, 1], "SAME", data_format="NCHW"
    )
    assert infer_data_format(tf.nn.relu(conv)) == "NCHW"


def test_unknown_format_is_none(graph):
    x = tf.placeholder(tf.float32, [1, 8, 8, 3])
    assert infer_data_format(x) is None
    assert infer_data_format(tf.nn.relu(x * 2.0)) is None


def test_stops_at_layout_changing_ops(graph):
    acts = _nchw_activation()
    transposed = tf.nn.relu(tf.transpose(acts, [0, 2, 3, 1]))
    assert infer_data_format(transposed) is None


def test_max_depth_limits_the_walk(graph):
    acts = _nchw_activation()  # BiasAdd is 2 ops above the Identity
    assert infer_data_format(acts, max_depth=3) == "NCHW"
    assert infer_data_format(acts, max_depth=2) is None
    assert infer_data_format(acts, max_depth=0) is None


def test_ignores_inputs_of_other_rank(graph):
    # The NCHW BiasAdd feeds the rank-2 tensor only through a reduction, so the walk,
    # which follows same-rank inputs only, must not report its format for a dense tensor.
    dense = tf.nn.relu(tf.reduce_mean(_nchw_activation(), axis=[2, 3]))
    assert infer_data_format(dense) is None
