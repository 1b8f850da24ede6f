"""lucid.optvis.param.color.to_valid_rgb against NumPy."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis.param import color

SQRT = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
MAX_NORM = np.max(np.sqrt((SQRT**2).sum(axis=0)))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _decorrelate(x):
    return x @ (SQRT / MAX_NORM).T


def _values():
    return np.random.RandomState(0).randn(2, 3, 4, 3).astype(np.float32) * 2


def test_constants_are_lucids():
    np.testing.assert_array_equal(color.color_correlation_svd_sqrt, SQRT.astype(np.float32))
    assert color.color_correlation_svd_sqrt.dtype == np.float32
    np.testing.assert_allclose(color.max_norm_svd_sqrt, MAX_NORM, rtol=1e-6)
    np.testing.assert_allclose(color.max_norm_svd_sqrt, np.sqrt(0.2134), rtol=1e-6)  # column 0
    assert color.color_mean == [0.48, 0.46, 0.41]


def test_sigmoid_without_decorrelation(graph):
    x = _values()
    result = graph.sess.run(color.to_valid_rgb(x))
    np.testing.assert_allclose(result, _sigmoid(x), rtol=1e-6)


def test_sigmoid_with_decorrelation(graph):
    x = _values()
    result = graph.sess.run(color.to_valid_rgb(x, decorrelate=True))
    np.testing.assert_allclose(result, _sigmoid(_decorrelate(x)), rtol=1e-5)


def test_decorrelation_of_one_colour_by_hand(graph):
    # The unit vector on the first decorrelated axis maps to the first column of the matrix.
    result = graph.sess.run(color._linear_decorelate_color(np.array([[1.0, 0.0, 0.0]], "f4")))
    np.testing.assert_allclose(result, [[0.26 / MAX_NORM, 0.27 / MAX_NORM, 0.27 / MAX_NORM]])


@pytest.mark.parametrize("decorrelate", [False, True])
def test_linf_path_clips_like_numpy(graph, decorrelate):
    x = _values()
    result = graph.sess.run(color.to_valid_rgb(x, decorrelate=decorrelate, sigmoid=False))
    y = _decorrelate(x) + color.color_mean if decorrelate else x
    expected = np.clip(2 * y - 1, -1, 1) / 2 + 0.5  # x / max(1, |x|) clips to [-1, 1]
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)
    assert result.min() >= 0.0 and result.max() <= 1.0


def test_linf_path_gradient_is_projected_at_the_edge(graph):
    x = tf.constant([[2.0, 0.25, -3.0]])
    rgb = color.to_valid_rgb(x, sigmoid=False)
    # A loss gradient of +1 everywhere: a minimiser moves every value down, which is blocked
    # only where the value already sits at 0 (x=-3); at 1 (x=2) moving down is inward.
    (grad,) = tf.gradients(rgb, x)
    np.testing.assert_allclose(graph.sess.run(grad), [[1.0, 1.0, 0.0]])


def test_keeps_shape_of_rank_2_and_5_inputs(graph):
    for shape in [[7, 3], [2, 2, 2, 2, 3]]:
        t = color.to_valid_rgb(np.zeros(shape, np.float32), decorrelate=True)
        assert graph.sess.run(t).shape == tuple(shape)


def test_decorrelate_rejects_non_rgb(graph):
    with pytest.raises(ValueError, match="3 channels"):
        color.to_valid_rgb(np.zeros([1, 2, 2, 4], np.float32), decorrelate=True)
