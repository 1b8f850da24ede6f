"""Tests for lucid.scratch.rl_util.attribution on the hand-weighted toy model.

The toy model (tests/toy_models.py): ``color_pre_relu = x @ W`` per pixel with
W = 2I - 1 (3x3), ``color = relu(color_pre_relu)``, ``logits`` = spatial means of ``color``
(then of ``stripes``), and ``const_pre_relu = 1 + 0.1 * (r + g + b)`` in 4 channels.
"""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.misc.gradient_override import gradient_override_map
from lucid.scratch.rl_util import attribution
from lucid.scratch.rl_util.nmf import LayerNMF
from tests.toy_models import toy_model

COLOR_W = 2 * np.eye(3) - 1
H = W = 8


@pytest.fixture(scope="module")
def obses():
    return np.random.RandomState(0).uniform(size=[2, H, W, 3]).astype(np.float32)


@pytest.fixture(scope="module")
def model():
    return toy_model()


def color(obses):
    return np.maximum(0, obses @ COLOR_W)


def test_get_acts(model, obses):
    np.testing.assert_allclose(attribution.get_acts(model, "color", obses), color(obses), atol=1e-6)


def test_get_grad_of_a_1x1_conv(model, obses):
    # d/dx of sum over 4 channels of (1 + 0.1 * (r + g + b)) is 0.4 for every input value.
    grad = attribution.get_grad(model, "const_pre_relu", obses)
    np.testing.assert_allclose(grad, np.full(obses.shape, 0.4), rtol=1e-6)


def test_get_grad_at_one_position(model, obses):
    grad = attribution.get_grad(model, "const_pre_relu", obses, act_poses=[[0, 0], [1, 2]])
    expected = np.zeros(obses.shape)
    expected[0, 0, 0] = expected[1, 1, 2] = 0.4
    np.testing.assert_allclose(grad, expected, rtol=1e-6)


def test_get_attr_is_acts_times_grad(model, obses):
    # Every logit is the mean of one channel over H * W positions: d(sum logits)/d(color) = 1/64.
    attr = attribution.get_attr(model, "logits", "color", obses)
    np.testing.assert_allclose(attr, color(obses) / (H * W), rtol=1e-5, atol=1e-7)
    red_only = attribution.get_attr(model, "logits", "color", obses, act_dir=np.eye(5)[0])
    np.testing.assert_allclose(red_only, color(obses) * [1, 0, 0] / (H * W), rtol=1e-5, atol=1e-7)


def test_integrate_steps_average_the_gradient(model, obses):
    # score = sum((x W)^2): its gradient 2 x W W^T is linear in x, so averaging it over
    # x * (1/4, 2/4, 3/4, 1) scales it by 0.625.
    def squares(t):
        return tf.reduce_sum(t**2, axis=[1, 2, 3])

    grad = 2 * obses @ COLOR_W @ COLOR_W.T
    plain = attribution.get_attr(model, "color_pre_relu", None, obses, score_fn=squares)
    np.testing.assert_allclose(plain, obses * grad, rtol=1e-5)
    integrated = attribution.get_attr(
        model, "color_pre_relu", None, obses, score_fn=squares, integrate_steps=4
    )
    np.testing.assert_allclose(integrated, 0.625 * obses * grad, rtol=1e-5)


def test_default_score_fn_keeps_the_batch_axis(graph):
    t = tf.constant(np.arange(12.0).reshape(2, 3, 2))
    np.testing.assert_array_equal(graph.sess.run(attribution.default_score_fn(t)), [15, 51])


def test_errors(model, obses):
    with pytest.raises(ValueError, match="grad_or_attr must be one of"):
        attribution.get_grad_or_attr(model, "color", None, obses, grad_or_attr="both")
    with pytest.raises(ValueError, match="must keep the batch axis"):
        attribution.get_grad(model, "color", obses, score_fn=tf.reduce_sum)
    with pytest.raises(ValueError, match=r"obses must be \[N, H, W, C\]"):
        attribution.get_acts(model, "color", obses[0])


def test_maxpool_override_gradient(graph):
    x_value = np.array([1.0, 2.0, 3.0, 4.0], np.float32).reshape(1, 2, 2, 1)
    x = tf.constant(x_value)
    with gradient_override_map(attribution.maxpool_override()):
        pooled = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    (grad,) = graph.sess.run(tf.gradients(pooled, [x]))
    # d/dx_i of mean(x^2) / (0.01 + mean(|x|)) with mean(x^2) = 7.5, mean(|x|) = 2.5.
    denominator = 0.01 + 2.5
    expected = (x_value / 2 * denominator - 7.5 / 4) / denominator**2
    np.testing.assert_allclose(grad, expected, rtol=1e-5)


class IdentityNMF:
    features = 2

    @staticmethod
    def transform(acts):
        return acts

    @staticmethod
    def inverse_transform(acts):
        return acts


def test_get_paths():
    acts = np.array([[4.0, 8.0]])
    paths = list(attribution.get_paths(acts, IdentityNMF, max_paths=None, integrate_steps=2))
    assert len(paths) == 2  # feature 0 first, then feature 1 first
    (half_a, end_a), (half_b, end_b) = paths
    np.testing.assert_allclose(half_a, [[4 * 0.75, 8 * 0.25]])
    np.testing.assert_allclose(half_b, [[4 * 0.25, 8 * 0.75]])
    np.testing.assert_allclose(end_a, acts)
    np.testing.assert_allclose(end_b, acts)
    assert len(list(attribution.get_paths(acts, IdentityNMF, max_paths=1, integrate_steps=2))) == 1


def test_multi_path_attr_of_a_linear_layer_is_acts_times_grad(model, obses):
    prev_nmf = LayerNMF(model, "color", obses, features=None)
    attr = attribution.get_multi_path_attr(
        model, "logits", "color", obses, prev_nmf, integrate_steps=3
    )
    np.testing.assert_allclose(attr, color(obses) / (H * W), rtol=1e-5, atol=1e-7)
