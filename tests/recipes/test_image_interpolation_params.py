"""multi_interpolation_basis: shape, shared parameters and pairwise symmetry."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.recipes.image_interpolation_params import multi_interpolation_basis


def test_shape_and_variable_count(graph):
    n, m, w, ch = 3, 4, 8, 2  # channels != 3: Lucid's diagonal term was hard-coded to 3
    t = multi_interpolation_basis(n_objectives=n, n_interp_steps=m, width=w, channels=ch)
    assert t.shape.as_list() == [n, n, m, w, w, ch]
    # 4 shared levels, 4 levels per objective, 2 levels per unordered pair of objectives.
    assert len(tf.trainable_variables()) == 4 + 4 * n + 2 * (n * (n - 1) // 2)


def test_pairs_are_the_same_frames_reversed(graph):
    n = 4  # Lucid paired (b, a) with the term of (a, n - b), which breaks this for n > 2
    tf.set_random_seed(0)
    t = multi_interpolation_basis(n_objectives=n, n_interp_steps=3, width=8)
    graph.sess.run(tf.global_variables_initializer())
    value = graph.sess.run(t)
    for a in range(n):
        for b in range(n):
            np.testing.assert_array_equal(value[a, b], value[b, a, ::-1])
    # The pairs really differ from each other (their free terms are independent).
    assert not np.allclose(value[0, 1], value[0, 2])
    assert not np.allclose(value[1, 2], value[1, 3])


def test_gradients_reach_every_variable(graph):
    t = multi_interpolation_basis(n_objectives=2, n_interp_steps=2, width=8, channels=1)
    grads = tf.gradients(tf.reduce_sum(t), tf.trainable_variables())
    assert all(g is not None for g in grads)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_objectives": 0}, "n_objectives must be a positive int"),
        ({"n_interp_steps": 2.5}, "n_interp_steps must be a positive int"),
        ({"width": 4}, "width must be at least 8"),
        ({"channels": -3}, "channels must be a positive int"),
    ],
)
def test_rejects_bad_arguments(graph, kwargs, message):
    with pytest.raises(ValueError, match=message):
        multi_interpolation_basis(**kwargs)
