"""Helpers shared by the param tests."""

import numpy as np
import tensorflow.compat.v1 as tf


def build_and_run(build_f, seed=None):
    """Builds ``build_f()`` in a fresh graph (optionally seeded), initialises, returns its value."""
    with tf.Graph().as_default(), tf.Session() as sess:
        if seed is not None:
            tf.set_random_seed(seed)
        t = build_f()
        sess.run(tf.global_variables_initializer())
        return sess.run(t)


def assert_gradient_reaches_every_variable(sess, t):
    """Checks that a weighted sum of ``t`` has a non-zero gradient for each trainable variable."""
    variables = tf.trainable_variables()
    assert variables, "expected trainable variables"
    weights = np.random.RandomState(0).randn(*t.shape.as_list()).astype(np.float32)
    grads = tf.gradients(tf.reduce_sum(t * weights), variables)
    sess.run(tf.global_variables_initializer())
    for var, grad in zip(variables, grads):
        assert grad is not None, f"no gradient path to {var.name}"
        assert np.abs(sess.run(grad)).max() > 0, f"zero gradient for {var.name}"
