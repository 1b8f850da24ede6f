"""lucid.optvis.param.unit_balls: projections and their projected gradients."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis.param import unit_balls


def _value_and_grad(sess, f, x, upstream):
    """Returns f(x) and the gradient reaching x when ``upstream`` flows into f(x)."""
    x_t = tf.constant(x, tf.float32)
    y_t = f(x_t)
    (grad_t,) = tf.gradients(y_t, x_t, grad_ys=tf.constant(upstream, tf.float32))
    return sess.run([y_t, grad_t])


def test_dot_sums_all_elements(graph):
    assert graph.sess.run(unit_balls.dot([[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [1.0, 2.0]])) == 12


def test_constrain_l2_inside_ball_is_identity_with_unchanged_gradient(graph):
    y, grad = _value_and_grad(graph.sess, unit_balls.constrain_L2, [0.3, -0.4], [2.0, 5.0])
    np.testing.assert_allclose(y, [0.3, -0.4], rtol=1e-6)
    np.testing.assert_allclose(grad, [2.0, 5.0], rtol=1e-6)


def test_constrain_l2_outside_projects_value_and_outward_gradient(graph):
    x = [3.0, 4.0]  # norm 5, unit direction (0.6, 0.8)
    y, grad = _value_and_grad(graph.sess, unit_balls.constrain_L2, x, [-1.0, 0.0])
    np.testing.assert_allclose(y, [0.6, 0.8], rtol=1e-6)
    # A loss gradient: the value moves along -grad = (1, 0), outward (x . grad = -3 < 0):
    # the radial part -0.6 * (0.6, 0.8) is removed.
    np.testing.assert_allclose(grad, [-1.0 + 0.36, 0.48], rtol=1e-5)


def test_constrain_l2_outside_keeps_inward_gradient(graph):
    _, grad = _value_and_grad(graph.sess, unit_balls.constrain_L2, [3.0, 4.0], [1.0, -0.5])
    np.testing.assert_allclose(grad, [1.0, -0.5], rtol=1e-6)  # x . grad = 1 > 0: inward


def test_constrain_l2_at_origin_has_finite_gradient(graph):
    _, grad = _value_and_grad(graph.sess, unit_balls.constrain_L2, [0.0, 0.0], [1.0, 2.0])
    np.testing.assert_allclose(grad, [1.0, 2.0])


def test_constrain_l2_uses_norm_over_all_elements(graph):
    y, _ = _value_and_grad(graph.sess, unit_balls.constrain_L2, [[2.0], [0.0]], [[1.0], [1.0]])
    np.testing.assert_allclose(y, [[1.0], [0.0]])


X_INF = [2.0, -2.0, 0.5, 1.0, -1.5]


def test_constrain_l_inf_clips_and_zeroes_outward_gradient_at_edges(graph):
    y, grad = _value_and_grad(graph.sess, unit_balls.constrain_L_inf, X_INF, [1, 1, 1, -1, -1])
    np.testing.assert_allclose(y, [1.0, -1.0, 0.5, 1.0, -1.0])
    # At the edge (|x| >= 1) and moving outward along -grad (x * grad < 0): entries 1 and 3.
    np.testing.assert_allclose(grad, [1.0, 0.0, 1.0, 0.0, -1.0])


def test_constrain_l_inf_precondition_uses_sign(graph):
    upstream = [0.3, 2.0, -0.2, -5.0, -1.0]
    y, grad = _value_and_grad(graph.sess, unit_balls.constrain_L_inf_precondition, X_INF, upstream)
    np.testing.assert_allclose(y, [1.0, -1.0, 0.5, 1.0, -1.0])
    np.testing.assert_allclose(grad, [1.0, 0.0, -1.0, 0.0, -1.0])


@pytest.mark.parametrize("precondition", [True, False])
def test_l_inf_ball_under_a_minimiser_stays_at_the_edge_and_comes_back(graph, precondition):
    # As render_vis uses it: minimise -objective. First push the value up to the edge: the
    # variable must not run away beyond it. Then pull it down: it must leave the edge.
    t = unit_balls.unit_ball_L_inf([1], precondition=precondition)
    (variable,) = tf.trainable_variables()
    direction = tf.placeholder_with_default(1.0, [])
    objective = direction * tf.reduce_sum(t)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(-objective)
    graph.sess.run(tf.global_variables_initializer())
    for _ in range(50):
        graph.sess.run(train)
    np.testing.assert_allclose(graph.sess.run(t), [1.0])
    assert graph.sess.run(variable)[0] < 1.2, "the variable ran away past the edge"
    for _ in range(5):
        graph.sess.run(train, {direction: -1.0})
    assert graph.sess.run(t)[0] < 0.8, "the value is stuck at the edge"


def test_l2_ball_under_a_minimiser_turns_along_the_sphere(graph):
    # Maximise <t, target> inside the L2 ball: t ends at target / |target|, the variable's
    # norm stays near 1 (only tangential steps are taken on the sphere).
    t = unit_balls.unit_ball_L2([2])
    (variable,) = tf.trainable_variables()
    target = tf.constant([0.0, 1.0])
    objective = unit_balls.dot(t, tf.constant([1.0, 0.0]))
    train_x = tf.train.GradientDescentOptimizer(0.1).minimize(-objective)
    train_y = tf.train.GradientDescentOptimizer(0.1).minimize(-unit_balls.dot(t, target))
    graph.sess.run(tf.global_variables_initializer())
    for _ in range(30):
        graph.sess.run(train_x)
    np.testing.assert_allclose(graph.sess.run(t), [1.0, 0.0], atol=1e-6)
    for _ in range(200):
        graph.sess.run(train_y)
    np.testing.assert_allclose(graph.sess.run(t), [0.0, 1.0], atol=0.05)
    assert np.linalg.norm(graph.sess.run(variable)) < 1.3, "the variable ran away outward"


def test_unit_ball_l2_variable_starts_at_zero_and_stays_in_ball(graph):
    t = unit_balls.unit_ball_L2([2, 3])
    (variable,) = tf.trainable_variables()
    graph.sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(graph.sess.run(t), np.zeros([2, 3]))
    variable.load(np.full([2, 3], 5.0, np.float32), graph.sess)
    np.testing.assert_allclose(np.linalg.norm(graph.sess.run(t)), 1.0, rtol=1e-6)


@pytest.mark.parametrize("precondition", [True, False])
def test_unit_ball_l_inf_stays_in_ball_and_trains(graph, precondition):
    t = unit_balls.unit_ball_L_inf([4], precondition=precondition)
    target = np.array([3.0, -0.5, 0.25, -2.0], np.float32)
    (grad,) = tf.gradients(unit_balls.dot(t, target), tf.trainable_variables())
    graph.sess.run(tf.global_variables_initializer())
    expected = np.sign(target) if precondition else target
    np.testing.assert_allclose(graph.sess.run(grad), expected)
    tf.trainable_variables()[0].load(np.array([5.0, -5.0, 0.5, 0.0], np.float32), graph.sess)
    np.testing.assert_allclose(graph.sess.run(t), [1.0, -1.0, 0.5, 0.0])


def test_no_py_func_in_the_graph(graph):
    unit_balls.unit_ball_L2([3])
    unit_balls.unit_ball_L_inf([3])
    op_types = {op.type for op in graph.get_operations()}
    assert not op_types & {"PyFunc", "PyFuncStateless", "EagerPyFunc"}
