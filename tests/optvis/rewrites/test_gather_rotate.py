"""gather_rotate: a batch's nearest rotation as an index map and a gather, bit for bit the op's."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid._compat import rotate as op_rotate
from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis import rewrites
from lucid.optvis import transform
from lucid.optvis.rewrites import gather_rotate


def _values_and_gradients(images, angle, dy, dtype=tf.float32):
    """(op's rotation, gather_rotate's, op's gradient, gather_rotate's) for ``dy``."""
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant(images, dtype)
        want = op_rotate(x, angle, interpolation="NEAREST")
        got = gather_rotate.rotate(x, tf.constant(angle, tf.float32))
        assert got.shape.as_list() == list(images.shape)
        want_dx = tf.gradients(want, x, tf.constant(dy, dtype))[0]
        got_dx = tf.gradients(got, x, tf.constant(dy, dtype))[0]
        results = sess.run([want, got, want_dx, got_dx])
    return [np.asarray(r, np.float32) for r in results]


@pytest.mark.parametrize(
    "shape, angle",
    [
        ((8, 12, 12, 3), 0.0),
        ((8, 11, 11, 3), np.pi / 2),  # quarter turns put samples on exact pixel centres
        ((2, 16, 9, 3), np.pi),
        ((3, 7, 20, 1), -np.pi / 4),  # diagonals: half-pixel ties for the op's rounding
        ((1, 33, 31, 4), np.deg2rad(10.0)),
        ((4, 140, 141, 3), np.deg2rad(-7.0)),
    ],
)
def test_equals_the_op_values_and_gradients_exactly(shape, angle):
    rng = np.random.default_rng(shape[1] * 31 + shape[2])
    images = rng.standard_normal(shape).astype(np.float32)
    dy = rng.standard_normal(shape).astype(np.float32)
    want, got, want_dx, got_dx = _values_and_gradients(images, angle, dy)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got_dx, want_dx)
    if angle % (np.pi / 2):
        assert (want == 0).any(), "a turned image has filled corners: the case is tested"


def test_equals_the_op_on_many_random_sizes_and_angles():
    rng = np.random.default_rng(0)
    for _ in range(12):
        shape = (int(rng.integers(1, 4)), int(rng.integers(2, 60)), int(rng.integers(2, 60)), 3)
        angle = float(rng.uniform(-np.pi, np.pi))
        images = rng.standard_normal(shape).astype(np.float32)
        dy = rng.standard_normal(shape).astype(np.float32)
        want, got, want_dx, got_dx = _values_and_gradients(images, angle, dy)
        np.testing.assert_array_equal(got, want, err_msg=f"{shape}, angle {angle}")
        np.testing.assert_array_equal(got_dx, want_dx, err_msg=f"{shape}, angle {angle}")


def test_bfloat16_images_equal_the_op_in_float32():
    # TensorFlow's gradient of the op refuses bfloat16; both only move values, so the float32
    # op on bfloat16-representable values gives the same numbers.
    rng = np.random.default_rng(5)
    images, dy = (
        rng.standard_normal((8, 20, 20, 3)).astype(tf.bfloat16.as_numpy_dtype).astype(np.float32)
        for _ in range(2)
    )
    want, _, want_dx, _ = _values_and_gradients(images, 0.3, dy)
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant(images, tf.bfloat16)
        got = gather_rotate.rotate(x, 0.3)
        got_dx = tf.gradients(got, x, tf.constant(dy, tf.bfloat16))[0]
        assert got.dtype == got_dx.dtype == tf.bfloat16
        got, got_dx = (np.asarray(r, np.float32) for r in sess.run([got, got_dx]))
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got_dx, want_dx)


def test_applies_to_batches_of_float_images_with_one_angle():
    with tf.Graph().as_default():
        images = tf.zeros([8, 10, 10, 3])
        assert gather_rotate.applies_to(images, 0.5)
        assert gather_rotate.applies_to(images, tf.constant(0.5))
        assert not gather_rotate.applies_to(tf.zeros([10, 10, 3]), 0.5)  # rank 3
        assert not gather_rotate.applies_to(tf.placeholder(tf.float32, [None, 10, 10, 3]), 0.5)
        assert not gather_rotate.applies_to(tf.zeros([8, 10, 10, 3], tf.int32), 0.5)
        assert not gather_rotate.applies_to(images, tf.zeros([8]))  # an angle per image
        with pytest.raises(ValueError, match="one scalar angle"):
            gather_rotate.rotate(images, tf.zeros([8]))


def test_helps_from_min_batch_up_on_cpus():
    assert not gather_rotate.helps_here(None)
    assert not gather_rotate.helps_here(gather_rotate.MIN_BATCH - 1)
    assert gather_rotate.helps_here(gather_rotate.MIN_BATCH)  # no GPU on the test machines


def _rotation_op_inputs(batch, names):
    """The batch sizes of the ImageProjectiveTransformV3 ops that random_rotate builds."""
    with tf.Graph().as_default() as graph:
        rewrites.enable_in_graph(names)
        transform.random_rotate([5], interpolation="NEAREST")(tf.zeros([batch, 9, 9, 3]))
        ops = [op for op in graph.get_operations() if op.type == "ImageProjectiveTransformV3"]
        return [op.inputs[0].shape.as_list()[0] for op in ops], any(
            op.type == "GatherV2" for op in graph.get_operations()
        )


def test_random_rotate_uses_it_when_on_and_at_least_min_batch():
    batch = gather_rotate.MIN_BATCH
    assert _rotation_op_inputs(batch, rewrites.NAMES) == ([1], True)  # the index map only
    assert _rotation_op_inputs(batch, ()) == ([batch], False)
    # Below MIN_BATCH the op rotates the batch (or, under "image_kernels", the compiled kernel).
    without_kernels = [name for name in rewrites.NAMES if name != rewrites.IMAGE_KERNELS]
    assert _rotation_op_inputs(batch - 1, without_kernels) == ([batch - 1], False)
    with tf.Graph().as_default() as graph:  # a graph the step builder did not build
        transform.random_rotate([5])(tf.zeros([batch, 9, 9, 3]))
        assert not any(op.type == "GatherV2" for op in graph.get_operations())
    with tf.Graph().as_default() as graph:  # bilinear sampling: no gather
        rewrites.enable_in_graph(rewrites.NAMES)
        transform.random_rotate([5], interpolation="BILINEAR")(tf.zeros([batch, 9, 9, 3]))
        assert not any(op.type == "GatherV2" for op in graph.get_operations())


def test_its_gradient_is_registered_once_for_every_render():
    names = set()
    for _ in range(2):
        with tf.Graph().as_default() as graph:
            gather_rotate.rotate(tf.zeros([8, 9, 9, 3]), 0.2)
            names |= {
                op.get_attr("_gradient_op_type")
                for op in graph.get_operations()
                if op.type == "IdentityN"
            }
    assert len(names) == 1


def test_a_batch_render_rotates_by_gather_and_still_renders_its_objective(toy_model):
    with tf.Graph().as_default() as graph, tf.Session(graph=graph) as sess:
        T = render.make_vis_T(
            toy_model,
            objectives.channel("color_pre_relu", 2),  # the blue detector
            param_f=lambda: param.image(48, batch=gather_rotate.MIN_BATCH),
            transforms=transform.standard_transforms,
        )
        op_types = {op.type for op in graph.get_operations()}
        assert "GatherV2" in op_types
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([T("vis_op"), T("loss")])[1] for _ in range(40)]
        images = sess.run(T("input"))
    assert losses[-1] > losses[0]
    assert (np.argmax(images.mean(axis=(1, 2)), axis=-1) == 2).all()  # every item turned blue
