"""strided_conv: the rewritten Conv2D gradients equal TensorFlow's own."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis.overrides import gradient_override_map
from lucid.optvis.rewrites import strided_conv

# (height, width, kernel, stride, padding, in channels, out channels)
CASES = [
    (16, 16, 7, 2, "SAME", 3, 8),  # InceptionV1's first layer, scaled down
    (15, 15, 7, 2, "SAME", 3, 4),
    (15, 17, 7, 2, "VALID", 2, 3),
    (9, 10, 1, 2, "SAME", 4, 5),
    (9, 10, 1, 3, "VALID", 4, 5),
    (11, 13, 2, 2, "SAME", 3, 2),
    (12, 12, 3, 3, "SAME", 2, 6),
    (13, 11, 4, 3, "VALID", 5, 3),
    (14, 14, 5, 4, "SAME", 3, 3),
    (17, 16, 6, 4, "VALID", 2, 4),
    (10, 9, 6, 2, "SAME", 1, 2),
    (8, 8, 3, 4, "SAME", 3, 1),
    (5, 6, 7, 3, "SAME", 2, 2),  # kernel larger than the input
]


def _gradients(case, overrides, batch=2, seed=0):
    height, width, kernel, stride, padding, c_in, c_out = case
    rng = np.random.default_rng(seed)
    x_value = rng.normal(size=(batch, height, width, c_in)).astype(np.float32)
    w_value = rng.normal(size=(kernel, kernel, c_in, c_out)).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant(x_value)
        w = tf.constant(w_value)
        with gradient_override_map(overrides):
            y = tf.nn.conv2d(x, w, strides=[1, stride, stride, 1], padding=padding)
        # A random weighting of the outputs makes the gradient dy non-uniform.
        dy = tf.constant(rng.normal(size=y.shape.as_list()).astype(np.float32))
        loss = tf.reduce_sum(y * dy)
        return sess.run(tf.gradients(loss, [x, w]))


@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("case", CASES, ids=lambda case: "x".join(map(str, case)))
def test_gradients_equal_tensorflows(case, flip):
    standard = _gradients(case, {})
    rewritten = _gradients(case, strided_conv.gradient_overrides(flip_stride_one=flip))
    for ours, theirs in zip(rewritten, standard):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-4)


STRIDE_ONE_CASES = [
    (9, 9, 1, 1, "SAME", 3, 4),
    (9, 8, 2, 1, "SAME", 3, 4),
    (10, 9, 3, 1, "SAME", 2, 3),
    (10, 11, 4, 1, "VALID", 2, 3),
    (7, 8, 5, 1, "SAME", 3, 2),
    (12, 10, 6, 1, "SAME", 2, 2),
    (11, 11, 7, 1, "VALID", 1, 3),
]


@pytest.mark.parametrize("case", STRIDE_ONE_CASES, ids=lambda case: "x".join(map(str, case)))
def test_flipped_stride_one_gradients_equal_tensorflows(case):
    standard = _gradients(case, {})
    rewritten = _gradients(case, strided_conv.gradient_overrides(flip_stride_one=True))
    for ours, theirs in zip(rewritten, standard):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-4)


def _input_grad_op_types(strides, flip=False, dilations=None, padding="SAME"):
    with tf.Graph().as_default():
        x = tf.zeros([1, 12, 12, 3])
        w = tf.zeros([3, 3, 3, 4])
        with gradient_override_map(strided_conv.gradient_overrides(flip_stride_one=flip)):
            y = tf.nn.conv2d(x, w, strides=strides, padding=padding, dilations=dilations)
        (dx,) = tf.gradients(y, [x])
        ops = tf.get_default_graph().get_operations()
        return {op.type for op in ops if op.name.startswith(dx.op.name.split("/")[0])}


def test_strided_input_gradient_is_a_forward_convolution():
    types = _input_grad_op_types([1, 2, 2, 1])
    assert "DepthToSpace" in types
    assert "Conv2DBackpropInput" not in types


@pytest.mark.parametrize(
    "strides, flip, dilations, padding",
    [
        ([1, 1, 1, 1], False, None, "SAME"),  # stride 1 without flip_stride_one
        ([1, 2, 3, 1], True, None, "SAME"),  # unequal strides
        ([1, 1, 1, 1], True, [1, 2, 2, 1], "SAME"),  # dilation
        ([1, 2, 2, 1], True, None, [[0, 0], [1, 2], [0, 1], [0, 0]]),  # explicit padding
    ],
)
def test_other_convolutions_keep_tensorflows_gradient(strides, flip, dilations, padding):
    types = _input_grad_op_types(strides, flip, dilations, padding)
    assert "Conv2DBackpropInput" in types


def test_stride_one_flip_builds_no_backprop_input():
    types = _input_grad_op_types([1, 1, 1, 1], flip=True)
    assert "Conv2DBackpropInput" not in types


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_unknown_spatial_size_at_build_time(padding):
    """Under render_vis the transforms make the image size known only when the step runs."""
    rng = np.random.default_rng(1)
    w_value = rng.normal(size=(7, 7, 3, 4)).astype(np.float32)
    images = [rng.normal(size=(2, size, size + 3, 3)).astype(np.float32) for size in (19, 24)]
    results = []
    for overrides in ({}, strided_conv.gradient_overrides()):
        with tf.Graph().as_default(), tf.Session() as sess:
            x = tf.placeholder(tf.float32, [None, None, None, 3])
            with gradient_override_map(overrides):
                y = tf.nn.conv2d(x, tf.constant(w_value), strides=2, padding=padding)
            (dx,) = tf.gradients(tf.reduce_sum(tf.square(y)), [x])
            for image in images:
                results.append(sess.run([dx, tf.shape(dx)], {x: image}))
    half = len(results) // 2
    for (ours, ours_shape), (theirs, theirs_shape) in zip(results[half:], results[:half]):
        np.testing.assert_array_equal(ours_shape, theirs_shape)
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-4)
