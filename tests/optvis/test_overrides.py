"""Gradient overrides: exact gradients on tiny tensors, and one registration per function."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import lucid.misc.gradient_override as misc_gradient_override
import lucid.misc.redirected_relu_grad as misc_redirected_relu_grad
from lucid.optvis import overrides
from lucid.optvis.overrides import gradient_override


def _grad_through(op_fn, override, x_value, upstream, global_step=0):
    """d(sum(upstream * op_fn(x)))/dx with `override` active, at the given global step."""
    with tf.Graph().as_default(), tf.Session() as sess:
        step = tf.train.get_or_create_global_step()
        x = tf.constant(x_value, tf.float32)
        with overrides.gradient_override_map(override):
            y = op_fn(x)
        (grad,) = tf.gradients(y, [x], grad_ys=tf.constant(upstream, tf.float32))
        sess.run(step.assign(global_step))
        return sess.run(grad)


X = np.array([[-1.0, 2.0], [-3.0, -4.0]])  # batch item 0 has a live unit, item 1 none
UPSTREAM = np.array([[1.0, 1.0], [1.0, -1.0]])


def test_redirected_relu_grad_exact():
    grad = _grad_through(tf.nn.relu, {"Relu": overrides.redirected_relu_grad}, X, UPSTREAM)
    # Item 0: the true ReLU gradient. Item 1 (all dead): upstream, except where it would push a
    # negative input lower (x < 0 and upstream > 0).
    np.testing.assert_array_equal(grad, [[0.0, 1.0], [0.0, -1.0]])


def test_redirected_relu_grad_is_the_true_gradient_after_16_steps():
    grad = _grad_through(
        tf.nn.relu, {"Relu": overrides.redirected_relu_grad}, X, UPSTREAM, global_step=17
    )
    np.testing.assert_array_equal(grad, [[0.0, 1.0], [0.0, 0.0]])


def test_redirected_relu6_grad_exact():
    x = np.array([[1.0, 7.0], [-1.0, 8.0]])
    upstream = np.array([[1.0, -1.0], [-1.0, -1.0]])
    grad = _grad_through(tf.nn.relu6, {"Relu6": overrides.redirected_relu6_grad}, x, upstream)
    # Item 0 has a live unit (x = 1): true gradient. Item 1 is saturated everywhere: upstream,
    # except where it pushes x > 6 higher (upstream < 0).
    np.testing.assert_array_equal(grad, [[1.0, 0.0], [-1.0, 0.0]])


def test_redirected_grad_rejects_wrong_op():
    with pytest.raises(TypeError, match="Relu"):
        _grad_through(tf.nn.relu6, {"Relu6": overrides.redirected_relu_grad}, X, UPSTREAM)


def test_smoothed_maxpool_grad_spreads_over_window():
    x = np.arange(16, dtype=np.float32).reshape([1, 4, 4, 1])
    pool = lambda t: tf.nn.max_pool(t, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")  # noqa: E731
    grad = _grad_through(pool, overrides.pooling_overrides_map, x, np.ones([1, 2, 2, 1]))
    np.testing.assert_allclose(grad, np.full([1, 4, 4, 1], 0.25))


def test_identity_grad_linearizes_relu():
    grad = _grad_through(tf.nn.relu, {"Relu": overrides.identity_grad}, X, UPSTREAM)
    np.testing.assert_array_equal(grad, UPSTREAM)


def test_use_gradient_exact():
    def double_grad(op, grad):
        assert op.inputs[0].shape == op.outputs[0].shape
        return grad * 2.0

    @gradient_override.use_gradient(double_grad)
    def square(x):
        return tf.square(x)

    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant([1.0, 3.0])
        y = square(x)
        (grad,) = tf.gradients(tf.reduce_sum(y), [x])
        y_value, grad_value = sess.run([y, grad])
    np.testing.assert_array_equal(y_value, [1.0, 9.0])
    np.testing.assert_array_equal(grad_value, [2.0, 2.0])


def test_use_gradient_multiple_inputs_checks_count():
    def one_grad(op, grad):
        return [grad]

    @gradient_override.use_gradient(one_grad)
    def add(a, b):
        return a + b

    with tf.Graph().as_default():
        a, b = tf.constant(1.0), tf.constant(2.0)
        with pytest.raises(ValueError, match="1 gradients for 2 inputs"):
            tf.gradients(add(a, b), [a, b])


def test_each_gradient_function_is_registered_once():
    before = len(gradient_override._registered_names)
    for _ in range(3):
        _grad_through(tf.nn.relu, {"Relu": overrides.redirected_relu_grad}, X, UPSTREAM)
    name = gradient_override.register_to_random_name(overrides.redirected_relu_grad)
    assert name == gradient_override.register_to_random_name(overrides.redirected_relu_grad)
    assert len(gradient_override._registered_names) <= before + 1


def test_gradient_override_map_errors():
    with pytest.raises(TypeError, match="dict"):
        with overrides.gradient_override_map([("Relu", overrides.identity_grad)]):
            pass
    with pytest.raises(TypeError, match="gradient function"):
        gradient_override.register_to_random_name("not a function")


def test_context_managers_override_in_graph():
    for context in (
        overrides.relu_overrides,
        overrides.pooling_overrides,
        overrides.default_overrides,
        overrides.linearization_overrides,
    ):
        with tf.Graph().as_default() as graph, context():
            assert graph._gradient_override_map


def test_misc_paths_reexport_the_same_implementation():
    assert misc_gradient_override.gradient_override_map is overrides.gradient_override_map
    assert misc_gradient_override.use_gradient is overrides.use_gradient
    assert misc_redirected_relu_grad.redirected_relu_grad is overrides.redirected_relu_grad
    assert misc_redirected_relu_grad.redirected_relu6_grad is overrides.redirected_relu6_grad
