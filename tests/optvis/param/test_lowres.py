"""lucid.optvis.param.lowres and resize_bilinear_nd against NumPy references."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis.param import lowres
from lucid.optvis.param import resize_bilinear_nd as rbn
from tests.optvis.param.helpers import assert_gradient_reaches_every_variable
from tests.optvis.param.helpers import build_and_run


def _resize_axis(x, axis, size):
    """TF1 resize_bilinear along one axis: source = i * in/out, no half-pixel shift."""
    n = x.shape[axis]
    src = np.arange(size) * (n / size)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    frac = (src - lo).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
    return np.take(x, lo, axis) * (1 - frac) + np.take(x, hi, axis) * frac


def _numpy_resize(x, shape):
    for axis, size in enumerate(shape):
        if x.shape[axis] != size:
            x = _resize_axis(x, axis, size)
    return x


def test_product_and_collapse_shape_examples():
    assert rbn.product([]) == 1
    assert rbn.product([2, 3, 4]) == 24
    assert rbn.collapse_shape([1, 2, 3, 4, 5], 0, 2) == [1, 1, 2, 60]
    assert rbn.collapse_shape([1, 2, 3, 4, 5], 1, 3) == [1, 2, 3, 20]
    assert rbn.collapse_shape([1, 2, 3, 4, 5], 2, 4) == [2, 3, 4, 5]
    assert rbn.collapse_shape([1, 2, 3, 4, 5], 3, 5) == [6, 4, 5, 1]
    assert rbn.collapse_shape([2, 3], -1, 1) == [1, 1, 2, 3]
    assert rbn.collapse_shape([2, 3], 1, 3) == [2, 3, 1, 1]


def test_resize_1d_by_hand(graph):
    result = graph.sess.run(rbn.resize_bilinear_nd(np.array([0.0, 2.0], "f4"), [4]))
    # Sources 0, 0.5, 1, 1.5 (the last clamps to the edge value).
    np.testing.assert_allclose(result, [0.0, 1.0, 2.0, 2.0])


@pytest.mark.parametrize(
    "in_shape,out_shape",
    [
        ([2, 3, 4], [4, 6, 8]),
        ([3, 2, 5], [3, 5, 5]),
        ([2, 2, 2], [2, 2, 7]),
        ([4, 6, 2], [2, 3, 2]),
    ],
)
def test_resize_bilinear_nd_3d_matches_numpy(graph, in_shape, out_shape):
    x = np.random.RandomState(0).rand(*in_shape).astype(np.float32)
    result = graph.sess.run(rbn.resize_bilinear_nd(x, out_shape))
    assert result.shape == tuple(out_shape)
    np.testing.assert_allclose(result, _numpy_resize(x, out_shape), rtol=1e-5, atol=1e-6)


def test_resize_bilinear_nd_5d_matches_numpy(graph):
    x = np.random.RandomState(1).rand(1, 2, 3, 2, 3).astype(np.float32)
    out_shape = [1, 4, 3, 4, 2]
    result = graph.sess.run(rbn.resize_bilinear_nd(x, out_shape))
    np.testing.assert_allclose(result, _numpy_resize(x, out_shape), rtol=1e-5, atol=1e-6)


def test_resize_bilinear_nd_same_shape_is_identity(graph):
    x = np.random.RandomState(2).rand(2, 3, 4).astype(np.float32)
    np.testing.assert_array_equal(graph.sess.run(rbn.resize_bilinear_nd(x, [2, 3, 4])), x)


def test_resize_bilinear_nd_errors(graph):
    with pytest.raises(ValueError, match="rank 2"):
        rbn.resize_bilinear_nd(np.zeros([2, 2, 2], "f4"), [4, 4])
    with pytest.raises(ValueError, match="fully defined"):
        rbn.resize_bilinear_nd(tf.placeholder(tf.float32, [None, 2]), [4, 4])


def test_lowres_tensor_upsamples_its_variable(graph):
    t = lowres.lowres_tensor([1, 6, 8, 2], [1, 3, 2, 2], sd=1.0)
    (variable,) = tf.trainable_variables()
    assert variable.shape.as_list() == [1, 3, 2, 2]
    assert t.shape.as_list() == [1, 6, 8, 2]
    graph.sess.run(tf.global_variables_initializer())
    low, high = graph.sess.run([variable, t])
    np.testing.assert_allclose(high, _numpy_resize(low, [1, 6, 8, 2]), rtol=1e-5, atol=1e-6)
    assert_gradient_reaches_every_variable(graph.sess, t)


def test_lowres_tensor_offset_shifts_with_symmetric_padding(graph):
    plain = lowres.lowres_tensor([8], [4], sd=1.0)
    graph.sess.run(tf.global_variables_initializer())
    (variable,) = tf.trainable_variables()
    shifted = lowres.lowres_tensor([8], [4], offset=2)
    shifted_variable = tf.trainable_variables()[1]
    graph.sess.run(shifted_variable.assign(variable))
    a, b = graph.sess.run([plain, shifted])
    np.testing.assert_allclose(b, np.concatenate([a[1::-1], a[:6]]), rtol=1e-6)


def test_lowres_tensor_offset_true_is_half_the_ratio(graph):
    t = lowres.lowres_tensor([8, 2], [2, 2], offset=True)  # ratios 4 and 1: offsets 2 and 0
    variable = tf.trainable_variables()[0]
    variable.load(np.array([[0.0, 1.0], [4.0, 5.0]], np.float32), graph.sess)
    up = _numpy_resize(np.array([[0.0, 1.0], [4.0, 5.0]]), [8, 2])
    expected = np.concatenate([up[1::-1], up[:6]])
    np.testing.assert_allclose(graph.sess.run(t), expected, rtol=1e-6)


def test_lowres_tensor_does_not_mutate_offset_list(graph):
    offset = [0, True]
    lowres.lowres_tensor([4, 4], [2, 2], offset=offset)
    assert offset == [0, True]


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(shape=[4, 4], underlying_shape=[2]), "same rank"),
        (dict(shape=[4, 0], underlying_shape=[2, 2]), "positive ints"),
        (dict(shape=[4, 4], underlying_shape=[2, 2], offset=[1]), "one offset per dimension"),
        (dict(shape=[4, 4], underlying_shape=[2, 2], offset=5), "outside"),
        (dict(shape=[4, 4], underlying_shape=[2, 2], offset=-1), "outside"),
    ],
)
def test_lowres_tensor_rejects_bad_arguments(graph, kwargs, match):
    with pytest.raises(ValueError, match=match):
        lowres.lowres_tensor(**kwargs)


def test_lowres_tensor_same_seed_same_values():
    make = lambda: lowres.lowres_tensor([1, 8, 8, 3], [1, 2, 2, 3])  # noqa: E731
    np.testing.assert_array_equal(build_and_run(make, seed=0), build_and_run(make, seed=0))
