"""create_session from TF2 eager code and from inside a graph."""

import tensorflow.compat.v1 as tf

from lucid.misc.tfutil import create_session


def test_session_on_new_graph_from_eager_code():
    assert tf.executing_eagerly()
    sess = create_session(timeout_sec=3)
    try:
        assert not tf.executing_eagerly()
        t = tf.constant(2.0) * 3.0
        assert t.graph is sess.graph
        assert t.eval() == 6.0
        assert sess._config.gpu_options.allow_growth
        assert sess._config.operation_timeout_in_ms == 3000
    finally:
        sess.close()
    assert tf.executing_eagerly()


def test_session_inside_a_graph_context_leaves_it_default_afterwards():
    with tf.Graph().as_default() as outer:
        sess = create_session()
        assert sess.graph is not outer and tf.get_default_graph() is sess.graph
        sess.close()
        assert tf.get_default_graph() is outer
