"""image_kernels: bilinear rotations through a compiled kernel, bit for bit TensorFlow's op."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid._compat import rotate
from lucid.optvis import rewrites
from lucid.optvis import transform
from lucid.optvis.rewrites import image_kernels
from tests.optvis.rewrites.conftest import needs_compiler


@pytest.fixture(scope="module")
def kernels():
    needs_compiler()
    module = image_kernels.kernels()
    assert module is not None, "the image kernels did not build: see the warning"
    return module


def _native(images, transforms, size, interpolation="BILINEAR", fill=0.0):
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=size, fill_value=fill,
        interpolation=interpolation, fill_mode="CONSTANT",
    )  # fmt: skip


def _kernel(kernels, images, transforms, size, interpolation="BILINEAR", fill_value=0.0):
    return kernels.lucid_projective_transform(
        images, transforms, size, interpolation=interpolation, fill_value=fill_value
    )


def test_hand_computed_shifts(kernels):
    image = np.arange(12, dtype=np.float32).reshape(1, 3, 4, 1)  # rows 0-3, 4-7, 8-11
    # Output (x, y) samples input (x + 0.5, y): the mean of two horizontal neighbours; past
    # the right edge the neighbour is the fill value 0.
    shift = np.array([[1, 0, 0.5, 0, 1, 0, 0, 0]], np.float32)
    with tf.Session(graph=tf.Graph()) as sess:
        got = sess.run(_kernel(kernels, image, shift, [3, 4]))
        wider = sess.run(_kernel(kernels, image, shift, [2, 5], fill_value=2.0))
        # Nearest: 0.5 rounds away from zero, to the right-hand neighbour (0 past the edge).
        nearest = sess.run(_kernel(kernels, image, shift, [3, 4], "NEAREST"))
    np.testing.assert_array_equal(got[0, :, :, 0], [[0.5, 1.5, 2.5, 1.5], [4.5, 5.5, 6.5, 3.5],
                                                    [8.5, 9.5, 10.5, 5.5]])  # fmt: skip
    # A larger output than the input, filled with 2 outside.
    np.testing.assert_array_equal(wider[0, :, :, 0], [[0.5, 1.5, 2.5, 2.5, 2.0],
                                                      [4.5, 5.5, 6.5, 4.5, 2.0]])  # fmt: skip
    np.testing.assert_array_equal(nearest[0, :, :, 0], [[1, 2, 3, 0], [5, 6, 7, 0],
                                                        [9, 10, 11, 0]])  # fmt: skip


CASES = [
    # batch, height, width, channels, angles (degrees; None: one shared transform)
    (4, 19, 17, 3, [-10, 0, 7.5, 10]),
    (2, 32, 32, 1, [45, -90]),
    (3, 20, 24, 5, [170, 33, -61]),
    (2, 16, 16, 3, None),
]


@pytest.mark.parametrize("interpolation", ["BILINEAR", "NEAREST"])
@pytest.mark.parametrize("batch, height, width, channels, angles", CASES)
def test_values_and_gradients_equal_tensorflows_bit_for_bit(
    kernels, batch, height, width, channels, angles, interpolation
):
    rng = np.random.default_rng(height * width)
    image = rng.uniform(size=(batch, height, width, channels)).astype(np.float32)
    dy = rng.standard_normal((batch, height, width, channels)).astype(np.float32)
    radians = np.radians(angles if angles is not None else 12.0).astype(np.float32)
    with tf.Session(graph=tf.Graph()) as sess:
        t = tf.constant(image)
        want = rotate(t, radians, interpolation=interpolation)
        got = image_kernels.rotate(t, radians, interpolation)
        (want_dx,) = tf.gradients(want, [t], [dy])
        (got_dx,) = tf.gradients(got, [t], [dy])
        results = sess.run([want, got, want_dx, got_dx])
    np.testing.assert_array_equal(results[1], results[0])
    np.testing.assert_array_equal(results[3], results[2])


@pytest.mark.parametrize("interpolation", ["BILINEAR", "NEAREST"])
def test_projective_transforms_and_other_output_sizes(kernels, interpolation):
    rng = np.random.default_rng(1)
    image = rng.uniform(size=(2, 12, 10, 2)).astype(np.float32)
    transforms = np.array(
        [[0.9, 0.1, 1.5, -0.2, 1.1, -0.5, 0.01, -0.02], [1.2, 0.0, -3.0, 0.3, 0.8, 2.0, 0, 0]],
        np.float32,
    )
    with tf.Session(graph=tf.Graph()) as sess:
        want = sess.run(_native(image, transforms, [7, 15], interpolation, fill=0.25))
        got = sess.run(_kernel(kernels, image, transforms, [7, 15], interpolation, 0.25))
    np.testing.assert_array_equal(got, want)


def test_bad_inputs_say_what_is_wrong(kernels):
    with tf.Session(graph=tf.Graph()) as sess:
        images = tf.placeholder(tf.float32)
        transforms = tf.placeholder(tf.float32)
        size = tf.placeholder(tf.int32)
        out = _kernel(kernels, images, transforms, size)
        ok = {images: np.zeros((2, 3, 3, 1)), transforms: np.zeros((2, 8)), size: [3, 3]}
        for change, message in [
            ({images: np.zeros((3, 3, 1))}, "images must be 4-D NHWC"),
            ({transforms: np.zeros((3, 8))}, r"transforms must be \[2, 8\] or \[1, 8\]"),
            ({size: [3, 0]}, "sizes must be positive"),
        ]:
            with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                sess.run(out, {**ok, **change})


def _rotation_ops(interpolation, names=None, batch=2):
    with tf.Graph().as_default() as graph:
        rewrites.enable_in_graph(rewrites.DEFAULT_NAMES if names is None else names)
        t = tf.zeros([batch, 16, 16, 3])
        transform.random_rotate([5, 10], interpolation=interpolation)(t)
    return {op.type for op in graph.get_operations()}


def test_random_rotate_uses_the_kernel_where_gather_rotate_does_not(kernels):
    assert image_kernels.OP_TYPE in _rotation_ops("BILINEAR")
    assert "ImageProjectiveTransformV3" not in _rotation_ops("BILINEAR")
    assert image_kernels.OP_TYPE in _rotation_ops("NEAREST")  # batch 2: no gather_rotate
    big = _rotation_ops("NEAREST", batch=8)
    assert image_kernels.OP_TYPE not in big and "GatherV2" in big  # gather_rotate's
    without = [name for name in rewrites.DEFAULT_NAMES if name != "image_kernels"]
    assert "ImageProjectiveTransformV3" in _rotation_ops("BILINEAR", without)
    assert "ImageProjectiveTransformV3" in _rotation_ops("NEAREST", without)


def test_without_the_kernel_or_on_a_gpu_the_op_stays(monkeypatch):
    monkeypatch.setattr(image_kernels, "kernels", lambda: None)  # as when no compiler is found
    assert "ImageProjectiveTransformV3" in _rotation_ops("BILINEAR")
    monkeypatch.undo()
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: ["GPU:0"])
    assert not image_kernels.helps_here()
    assert "ImageProjectiveTransformV3" in _rotation_ops("BILINEAR")


def test_render_units_rotates_through_the_kernel_with_the_same_images(kernels, toy_model):
    from lucid.optvis import batch
    from lucid.optvis.batch_transforms import standard_transforms_per_item

    with tf.Graph().as_default() as graph:
        rewrites.enable_in_graph(rewrites.DEFAULT_NAMES)
        standard_transforms_per_item(tf.zeros([2, 12, 12, 3]), tf.fill([2, 6], 0.3))
    assert image_kernels.OP_TYPE in {op.type for op in graph.get_operations()}

    def run(names):
        return batch.render_units(
            toy_model, "stripes", [0, 1], size=12, steps=6, batch_size=2, progress=False,
            rewrites=names,
        )  # fmt: skip

    without = [name for name in rewrites.DEFAULT_NAMES if name != "image_kernels"]
    np.testing.assert_array_equal(run(None), run(without))
