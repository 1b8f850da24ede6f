"""lucid.optvis.param.cppn: shapes, initialisation, activations and trainability."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis.param.cppn import _composite_activation
from lucid.optvis.param.cppn import _instance_norm
from lucid.optvis.param.cppn import _relu_normalized_activation
from lucid.optvis.param.cppn import cppn
from tests.optvis.param.helpers import build_and_run


def _variables(name):
    return [v for v in tf.trainable_variables() if v.name.endswith(name + ":0")]


def test_shape_range_and_variables(graph):
    t = cppn(10, batch=2, num_output_channels=4, num_layers=3)
    assert t.shape.as_list() == [2, 10, 10, 4]
    weights = [v.shape.as_list() for v in _variables("weights")]
    biases = [v.shape.as_list() for v in _variables("biases")]
    # Input: (x, y); the composite activation doubles 24 hidden channels to 48.
    assert weights == [[1, 1, 2, 24], [1, 1, 48, 24], [1, 1, 48, 24], [1, 1, 48, 4]]
    assert biases == [[24], [24], [24], [4]]
    assert len(tf.trainable_variables()) == 8
    graph.sess.run(tf.global_variables_initializer())
    value = graph.sess.run(t)
    assert value.min() >= 0.0 and value.max() <= 1.0


def test_initial_image_is_sigmoid_of_last_biases(graph):
    t = cppn(6, batch=2)
    graph.sess.run(tf.global_variables_initializer())
    last_weights, last_biases = _variables("weights")[-1], _variables("biases")[-1]
    np.testing.assert_array_equal(graph.sess.run(last_weights), 0.0)
    value, bias = graph.sess.run([t, last_biases])
    expected = np.broadcast_to(1 / (1 + np.exp(-bias)), value.shape)
    np.testing.assert_allclose(value, expected, rtol=1e-6)


def test_initialisation_statistics(graph):
    cppn(4, num_layers=8, num_hidden_channels=24)
    graph.sess.run(tf.global_variables_initializer())
    hidden = np.concatenate([graph.sess.run(v).ravel() for v in _variables("weights")[1:-1]])
    biases = np.concatenate([graph.sess.run(v).ravel() for v in _variables("biases")])
    # Variance scaling (fan_in=48): std sqrt(1/48); biases N(0, 0.1).
    assert abs(hidden.std() - np.sqrt(1 / 48)) < 0.01
    assert abs(biases.std() - 0.1) < 0.015


def test_trainable_and_gradient_reaches_every_variable(graph):
    t = cppn(8, num_layers=2, normalize=True)
    graph.sess.run(tf.global_variables_initializer())
    rng = np.random.RandomState(0)
    last = _variables("weights")[-1]
    last.load(rng.randn(*last.shape.as_list()).astype(np.float32), graph.sess)
    variables = tf.trainable_variables()
    grads = tf.gradients(tf.reduce_sum(t * rng.randn(1, 8, 8, 3).astype(np.float32)), variables)
    for var, grad in zip(variables, grads):
        assert np.abs(graph.sess.run(grad)).max() > 0, var.name


def test_gradient_reaches_last_layer_from_zero_init(graph):
    t = cppn(4, num_layers=1)
    last_vars = _variables("weights")[-1:] + _variables("biases")[-1:]
    grads = tf.gradients(tf.reduce_sum(t[..., 0] * np.arange(16.0).reshape(1, 4, 4)), last_vars)
    graph.sess.run(tf.global_variables_initializer())
    assert all(np.abs(g).max() > 0 for g in graph.sess.run(grads))


def test_training_makes_a_spatial_pattern(graph):
    t = cppn(8, num_layers=2)
    left_minus_right = tf.reduce_mean(t[:, :, :4] - t[:, :, 4:])
    step = tf.train.AdamOptimizer(0.05).minimize(-left_minus_right)
    graph.sess.run(tf.global_variables_initializer())
    for _ in range(20):
        graph.sess.run(step)
    assert graph.sess.run(left_minus_right) > 0.2


def test_normalize_adds_instance_norm_betas(graph):
    cppn(4, num_layers=3, normalize=True)
    assert [v.shape.as_list() for v in _variables("beta")] == [[24]] * 3


def test_instance_norm_normalises_each_image_and_channel(graph):
    x = np.random.RandomState(0).randn(2, 5, 5, 3).astype(np.float32) * 4 + 7
    t = _instance_norm(tf.constant(x))
    graph.sess.run(tf.global_variables_initializer())
    y = graph.sess.run(t)
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(1, 2)), 1.0, rtol=1e-4)


def test_composite_activation_by_hand(graph):
    a = np.pi / 4  # atan(1)
    biased = graph.sess.run(_composite_activation(tf.constant([[0.0], [1.0]])))
    np.testing.assert_allclose(
        biased, [[0.0, -0.45 / 0.396], [a / 0.67, (a * a - 0.45) / 0.396]], rtol=1e-6
    )
    unbiased = graph.sess.run(_composite_activation(tf.constant([[1.0]]), biased=False))
    np.testing.assert_allclose(unbiased, [[a / 0.67, a * a / 0.6]], rtol=1e-6)


def test_relu_normalized_activation_by_hand(graph):
    y = graph.sess.run(_relu_normalized_activation(tf.constant([-1.0, 0.0, 1.4])))
    np.testing.assert_allclose(y, [-0.4 / 0.58, -0.4 / 0.58, 1.0 / 0.58], rtol=1e-6)


def test_custom_activation_keeps_channel_count(graph):
    cppn(4, num_layers=2, num_hidden_channels=5, activation_func=_relu_normalized_activation)
    assert [v.shape.as_list() for v in _variables("weights")] == [
        [1, 1, 2, 5],
        [1, 1, 5, 5],
        [1, 1, 5, 3],
    ]


def test_two_cppns_in_one_graph_have_separate_variables(graph):
    cppn(4, num_layers=1)
    cppn(4, num_layers=1)
    names = [v.name for v in tf.trainable_variables()]
    assert len(names) == 8 and len(set(names)) == 8


def test_batch_items_share_weights(graph):
    t = cppn(5, batch=3, num_layers=2)
    graph.sess.run(tf.global_variables_initializer())
    last = _variables("weights")[-1]
    last.load(np.ones(last.shape.as_list(), np.float32), graph.sess)
    value = graph.sess.run(t)
    np.testing.assert_array_equal(value[0], value[1])
    np.testing.assert_array_equal(value[0], value[2])
    assert value[0].std() > 0


def test_same_seed_same_variables():
    def make_hidden():
        cppn(6, num_layers=2)
        return tf.trainable_variables()

    first = build_and_run(make_hidden, seed=0)
    second = build_and_run(make_hidden, seed=0)
    other = build_and_run(make_hidden, seed=1)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert np.abs(first[0] - other[0]).max() > 1e-4


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(width=0), ValueError, "width=0"),
        (dict(width=8, batch=0), ValueError, "batch=0"),
        (dict(width=8, num_layers=-1), ValueError, "num_layers=-1"),
        (dict(width=8, num_output_channels=2.0), TypeError, "num_output_channels"),
        (dict(width=8, activation_func="relu"), TypeError, "activation_func"),
    ],
)
def test_rejects_bad_arguments(graph, kwargs, error, match):
    with pytest.raises(error, match=match):
        cppn(**kwargs)
