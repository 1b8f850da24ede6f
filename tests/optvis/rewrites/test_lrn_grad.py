"""lrn_grad: the rewritten LRN gradient equals TensorFlow's LRNGrad."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis.overrides import gradient_override_map
from lucid.optvis.rewrites import lrn_grad

# (shape, depth_radius, bias, alpha, beta)
CASES = [
    ((2, 6, 5, 64), 2, 1.0, 2e-5, 0.75),  # InceptionV1's settings
    ((1, 4, 4, 192), 2, 1.0, 2e-5, 0.75),
    ((2, 3, 3, 16), 2, 1.5, 0.1, 0.75),  # large alpha: the second term matters
    ((1, 3, 5, 9), 5, 2.0, 0.3, 0.5),  # window wider than the depth
    ((1, 4, 4, 3), 1, 1.0, 0.2, 1.0),
    ((2, 3, 3, 7), 2, 1.0, 0.05, 0.6),  # a beta without a special form
    ((1, 2, 2, 1), 2, 1.0, 0.5, 0.75),  # one channel
]


def _input_gradient(case, overrides):
    shape, radius, bias, alpha, beta = case
    rng = np.random.default_rng(0)
    x_value = 3 * rng.normal(size=shape).astype(np.float32)
    weights = rng.normal(size=shape).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant(x_value)
        with gradient_override_map(overrides):
            y = tf.nn.lrn(x, radius, bias, alpha, beta)
        (gradient,) = tf.gradients(tf.reduce_sum(y * weights), [x])
        ops = {op.type for op in tf.get_default_graph().get_operations()}
        return sess.run(gradient), ops


@pytest.mark.parametrize("case", CASES, ids=str)
def test_gradient_equals_tensorflows(case):
    expected, ops = _input_gradient(case, {})
    assert "LRNGrad" in ops
    gradient, ops = _input_gradient(case, lrn_grad.gradient_overrides())
    assert "LRNGrad" not in ops
    np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-6 * np.abs(expected).max())


def test_other_dtypes_keep_lrngrad():
    with tf.Graph().as_default():
        x = tf.zeros([1, 2, 2, 4], tf.bfloat16)
        with gradient_override_map(lrn_grad.gradient_overrides()):
            y = tf.nn.lrn(x)
        tf.gradients(y, [x])
        assert "LRNGrad" in {op.type for op in tf.get_default_graph().get_operations()}


def test_refuses_other_ops():
    with tf.Graph().as_default():
        op = tf.nn.relu(tf.zeros([1, 2])).op
        with pytest.raises(TypeError, match="for LRN ops"):
            lrn_grad.lrn_grad(op, tf.zeros([1, 2]))
