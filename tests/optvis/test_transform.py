"""Transforms against small NumPy references."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from tensorflow.python.framework import ops as tf_ops  # the global gradient registry

from lucid.optvis import transform
from lucid.optvis.overrides import gradient_override


def _image(shape, offset=0.0):
    """Distinct values everywhere, so any crop or rotation is identifiable."""
    return (np.arange(np.prod(shape), dtype=np.float32).reshape(shape) + offset) / 100.0


# ----------------------------------------------------------------------------- jitter


def test_jitter_shape_and_crop_is_a_sub_window(graph):
    img = _image([2, 10, 9, 3])
    t = transform.jitter(3)(tf.constant(img))
    assert t.shape.as_list() == [2, 7, 6, 3]
    offsets = set()
    for _ in range(40):
        out = graph.sess.run(t)
        assert out.shape == (2, 7, 6, 3)
        matches = [
            (i, j)
            for i in range(4)
            for j in range(4)
            if np.array_equal(out, img[:, i : i + 7, j : j + 6, :])
        ]
        assert len(matches) == 1  # one window, shared by the whole batch
        offsets.add(matches[0])
    assert len(offsets) > 1  # the window is drawn at every run, not fixed at build time


def test_jitter_keeps_unknown_dims_unknown(graph):
    t = transform.jitter(2)(tf.placeholder(tf.float32, [None, 10, None, 3]))
    assert t.shape.as_list() == [None, 8, None, 3]
    out = graph.sess.run(t, {"Placeholder:0": np.zeros([1, 10, 5, 3])})
    assert out.shape == (1, 8, 3, 3)


@pytest.mark.parametrize("d", [-1, 1.5, True, "8"])
def test_jitter_rejects_bad_d(d):
    with pytest.raises(ValueError, match="d must be a non-negative int"):
        transform.jitter(d)


def test_jitter_rejects_image_smaller_than_d(graph):
    with pytest.raises(ValueError, match="height larger than 8"):
        transform.jitter(8)(tf.zeros([1, 8, 20, 3]))


# ----------------------------------------------------------------------------- pad


@pytest.mark.parametrize(
    "mode, np_mode", [("REFLECT", "reflect"), ("reflect", "reflect"), ("SYMMETRIC", "symmetric")]
)
def test_pad_mirror_modes_match_numpy(graph, mode, np_mode):
    img = _image([2, 4, 5, 3])
    out = graph.sess.run(transform.pad(2, mode=mode)(img))
    expected = np.pad(img, [(0, 0), (2, 2), (2, 2), (0, 0)], mode=np_mode)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("mode", ["constant", "CONSTANT"])
def test_pad_constant_matches_numpy(graph, mode):
    img = _image([1, 3, 3, 2])
    out = graph.sess.run(transform.pad(2, mode=mode, constant_value=0.25)(img))
    expected = np.pad(img, [(0, 0), (2, 2), (2, 2), (0, 0)], constant_values=0.25)
    np.testing.assert_array_equal(out, expected)


def test_pad_uniform_draws_one_random_constant_per_run(graph):
    img = _image([1, 3, 3, 1])
    t = transform.pad(1, mode="constant", constant_value="uniform")(img)
    borders = set()
    for _ in range(5):
        out = graph.sess.run(t)
        np.testing.assert_array_equal(out[:, 1:-1, 1:-1], img)
        border = np.concatenate([out[0, 0], out[0, -1], out[0, :, 0], out[0, :, -1]]).ravel()
        assert np.all(border == border[0]) and 0.0 <= border[0] < 1.0
        borders.add(float(border[0]))
    assert len(borders) > 1


def test_pad_rejects_bad_arguments(graph):
    with pytest.raises(ValueError, match=r"mode='wrap' is not supported.*CONSTANT"):
        transform.pad(2, mode="wrap")
    with pytest.raises(ValueError, match="constant_value must be a number or 'uniform'"):
        transform.pad(2, mode="constant", constant_value="gaussian")
    with pytest.raises(ValueError, match="w must be a non-negative int"):
        transform.pad(-1)
    with pytest.raises(ValueError, match="pads further than the image"):
        transform.pad(4, mode="REFLECT")(tf.zeros([1, 4, 4, 3]))
    with pytest.raises(ValueError, match="rank 4"):
        transform.pad(1)(tf.zeros([4, 4, 3]))


# ----------------------------------------------------------------------------- random_scale


def test_random_scale_picks_only_listed_scales(graph):
    t = transform.random_scale([0.5, 1, 1.5])(tf.zeros([2, 20, 20, 3]))
    sizes = {tuple(graph.sess.run(tf.shape(t))) for _ in range(60)}
    assert sizes == {(2, 10, 10, 3), (2, 20, 20, 3), (2, 30, 30, 3)}


def test_random_scale_by_one_is_identity_and_by_two_is_bilinear(graph):
    img = _image([1, 4, 4, 2])
    np.testing.assert_allclose(graph.sess.run(transform.random_scale([1])(img)), img, rtol=1e-6)
    doubled = graph.sess.run(transform.random_scale([2])(img))
    # TF1 resize_bilinear (align_corners=False, no half-pixel centres): even pixels copy the
    # input, odd ones average their neighbours (the last column/row repeats the edge).
    np.testing.assert_allclose(doubled[:, ::2, ::2], img, rtol=1e-6)
    expected_odd = (img[:, :, :-1] + img[:, :, 1:]) / 2
    np.testing.assert_allclose(doubled[:, ::2, 1:-1:2], expected_odd, rtol=1e-6)


def test_random_scale_rejects_bad_scales():
    with pytest.raises(ValueError, match="scales is empty"):
        transform.random_scale([])
    with pytest.raises(ValueError, match="positive numbers"):
        transform.random_scale([1.0, -0.5])
    with pytest.raises(TypeError, match="list of numbers"):
        transform.random_scale(1.1)


# ----------------------------------------------------------------------------- random_rotate


def test_random_rotate_by_90_degrees_is_counterclockwise_rot90(graph):
    img = _image([1, 5, 5, 2])
    out = graph.sess.run(transform.random_rotate([90])(img))
    expected = np.rot90(img, k=1, axes=(1, 2))  # counterclockwise as displayed
    np.testing.assert_allclose(out[:, 1:-1, 1:-1], expected[:, 1:-1, 1:-1], atol=1e-5)
    np.testing.assert_allclose(out, expected, atol=1e-4)


@pytest.mark.parametrize("units", ["radians", "rads", "rad", "RADIANS"])
def test_random_rotate_radians_agree_with_degrees(graph, units):
    img = _image([1, 7, 7, 1])
    # Bilinear: nearest-neighbour sampling may round a pixel on a boundary either way.
    degrees = transform.random_rotate([30], units="degrees", interpolation="BILINEAR")(img)
    radians = transform.random_rotate([np.pi / 6], units=units, interpolation="BILINEAR")(img)
    out_degrees, out_radians = graph.sess.run([degrees, radians])
    np.testing.assert_allclose(out_degrees, out_radians, atol=1e-5)
    assert np.abs(out_degrees - img).max() > 0.1  # it did rotate


def test_random_rotate_by_zero_is_identity(graph):
    img = _image([2, 6, 5, 3])
    np.testing.assert_allclose(graph.sess.run(transform.random_rotate([0])(img)), img, atol=1e-6)


def test_random_rotate_draws_the_angle_each_run(graph):
    img = _image([1, 5, 5, 1])
    t = transform.random_rotate([0, 90])(img)
    seen = set()
    for _ in range(30):
        out = graph.sess.run(t)
        if np.allclose(out, img, atol=1e-4):
            seen.add(0)
        elif np.allclose(out, np.rot90(img, axes=(1, 2)), atol=1e-4):
            seen.add(90)
        else:
            raise AssertionError("rotated by an angle that is not in the list")
    assert seen == {0, 90}


def test_random_rotate_samples_nearest_pixels_like_lucid_unless_asked(graph):
    img = _image([1, 9, 9, 1])
    nearest = graph.sess.run(transform.random_rotate([30])(img))
    bilinear = graph.sess.run(transform.random_rotate([30], interpolation="BILINEAR")(img))
    values = set(np.round(img.ravel(), 6)) | {0.0}
    assert set(np.round(nearest.ravel(), 6)) <= values  # every pixel copies one input pixel
    assert not set(np.round(bilinear.ravel(), 6)) <= values  # mixes of four
    with pytest.raises(ValueError, match=r"interpolation='bicubic'.*NEAREST"):
        transform.random_rotate([30], interpolation="bicubic")


def test_random_rotate_keeps_bfloat16_images(graph):
    # The op's fill value is float32 whatever the images are (bfloat16 used to be refused).
    img = _image([1, 6, 6, 3])
    out = transform.random_rotate([90])(tf.constant(img, tf.bfloat16))
    assert out.dtype == tf.bfloat16
    expected = np.rot90(img, k=1, axes=(1, 2))
    np.testing.assert_allclose(graph.sess.run(tf.cast(out, tf.float32)), expected, atol=1e-2)


def test_angle2rads_uses_exact_pi(graph):
    rads = graph.sess.run(transform._angle2rads(180, "degrees"))
    assert rads == np.float32(np.pi)  # Lucid used 3.14
    assert graph.sess.run(transform._angle2rads(1.5, "rad")) == np.float32(1.5)


def test_unknown_angle_unit_is_rejected():
    with pytest.raises(ValueError, match=r"units='grad'.*'degrees'.*'radians'"):
        transform.random_rotate([1], units="grad")
    with pytest.raises(ValueError, match="units='turns'"):
        transform._angle2rads(1.0, "turns")
    with pytest.raises(ValueError, match="angles is empty"):
        transform.random_rotate([])


# ----------------------------------------------------------------------------- normalize_gradient


def _normalized_grads(x_value, grad_value, grad_scales):
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant(x_value)
        y = transform.normalize_gradient(grad_scales)(x)
        (grad,) = tf.gradients(y, [x], [tf.constant(grad_value)])
        return sess.run([y, grad])


@pytest.mark.parametrize("grad_scales", [None, [2.0, 0.5, 3.0]])
def test_normalize_gradient(grad_scales):
    rng = np.random.RandomState(0)
    x_value = rng.randn(3, 4, 5, 2).astype(np.float32)
    grad_value = rng.randn(3, 4, 5, 2).astype(np.float32)
    y, grad = _normalized_grads(x_value, grad_value, grad_scales)
    np.testing.assert_array_equal(y, x_value)  # exactly the identity forwards
    norms = np.sqrt((grad_value**2).sum(axis=(1, 2, 3), keepdims=True))
    scales = np.ones(3) if grad_scales is None else np.array(grad_scales)
    expected = grad_value / norms * scales[:, None, None, None]
    np.testing.assert_allclose(grad, expected, rtol=1e-5)


def test_normalize_gradient_leaves_zero_gradients_at_zero():
    grad_value = np.zeros([2, 2, 2, 1], np.float32)
    grad_value[1] = 3.0
    _, grad = _normalized_grads(np.ones_like(grad_value), grad_value, None)
    np.testing.assert_array_equal(grad[0], 0.0)  # Lucid gave NaN here
    np.testing.assert_allclose(grad[1], 0.5, rtol=1e-6)  # 3 / sqrt(4 * 9)


def test_normalize_gradient_registers_its_gradient_once():
    x_value = np.ones([1, 2, 2, 1], np.float32)
    _normalized_grads(x_value, x_value, None)
    n_registered = len(gradient_override._registered_names)
    n_tf_registered = len(tf_ops._gradient_registry.list())
    for grad_scales in (None, [2.0], None):
        _normalized_grads(x_value, x_value, grad_scales)
    assert len(gradient_override._registered_names) == n_registered
    assert len(tf_ops._gradient_registry.list()) == n_tf_registered


def test_normalize_gradient_checks_grad_scales(graph):
    with pytest.raises(ValueError, match="1-D list of numbers"):
        transform.normalize_gradient([[1.0, 2.0]])
    with pytest.raises(ValueError, match="grad_scales has 2 entries but the batch has 3"):
        transform.normalize_gradient([1.0, 2.0])(tf.zeros([3, 2, 2, 1]))


# ----------------------------------------------------------------------------- compose, crop_or_pad_to


def test_compose_applies_in_order(graph):
    out = graph.sess.run(transform.compose([lambda t: t + 1, lambda t: t * 2])(np.float32(3)))
    assert out == 8.0
    img = _image([1, 3, 3, 1])
    np.testing.assert_array_equal(graph.sess.run(transform.compose([])(img)), img)
    with pytest.raises(TypeError, match=r"transforms\[1\]=3 is not callable"):
        transform.compose([transform.jitter(1), 3])


def test_crop_or_pad_to(graph):
    img = _image([1, 4, 6, 2])
    cropped = graph.sess.run(transform.crop_or_pad_to(2, 2)(img))
    np.testing.assert_array_equal(cropped, img[:, 1:3, 2:4])
    padded = graph.sess.run(transform.crop_or_pad_to(6, 8)(img))
    np.testing.assert_array_equal(padded, np.pad(img, [(0, 0), (1, 1), (1, 1), (0, 0)]))
    with pytest.raises(ValueError, match="height must be a positive int"):
        transform.crop_or_pad_to(0, 4)


# ----------------------------------------------------------------------------- collapse_alpha_random


def test_collapse_alpha_random(graph):
    rgb = _image([2, 8, 8, 3]) / 2.0
    alpha = np.zeros([2, 8, 8, 1], np.float32)
    alpha[0] = 1.0
    t = transform.collapse_alpha_random()(np.concatenate([rgb, alpha], -1))
    assert t.shape.as_list() == [2, 8, 8, 3]
    first, second = graph.sess.run(t), graph.sess.run(t)
    np.testing.assert_array_equal(first[0], rgb[0])  # opaque: the image itself
    assert np.all((first[1] >= 0) & (first[1] <= 1))  # transparent: noise in [0, 1]
    assert not np.allclose(first[1], second[1])  # new noise each run
    with pytest.raises(ValueError, match=r"RGBA.*\[batch, height, width, 4\]"):
        transform.collapse_alpha_random()(tf.zeros([1, 8, 8, 3]))


# ----------------------------------------------------------------------------- helpers, standard list


def test_rand_select(graph):
    t = transform._rand_select([3, 5, 7])
    assert {int(graph.sess.run(t)) for _ in range(60)} == {3, 5, 7}
    with pytest.raises(ValueError, match="xs is empty"):
        transform._rand_select([])


def _run_twice_seeded(make_transform, image, n_runs=4):
    results = []
    for _ in range(2):
        with tf.Graph().as_default(), tf.Session() as sess:
            tf.set_random_seed(0)
            t = make_transform()(image)
            results.append([sess.run(t) for _ in range(n_runs)])
    return results


def test_standard_transforms_match_lucids_list():
    reference = [
        transform.pad(12, mode="constant", constant_value=0.5),
        transform.jitter(8),
        transform.random_scale([1 + (i - 5) / 50.0 for i in range(11)]),
        transform.random_rotate(list(range(-10, 11)) + 5 * [0]),
        transform.jitter(4),
    ]
    assert len(transform.standard_transforms) == 5
    image = _image([1, 32, 32, 3])
    for standard, expected in zip(transform.standard_transforms, reference):
        ours, theirs = [], []
        for f, out in ((standard, ours), (expected, theirs)):
            with tf.Graph().as_default(), tf.Session() as sess:
                tf.set_random_seed(0)
                t = f(image)
                out.extend(sess.run(t) for _ in range(6))
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a, b)


def test_standard_transforms_shapes(graph):
    t_in = tf.constant(_image([1, 32, 32, 3]))
    padded = transform.standard_transforms[0](t_in)
    out = graph.sess.run(padded)
    assert out.shape == (1, 56, 56, 3) and np.all(out[:, :12] == 0.5)
    scaled = transform.standard_transforms[2](tf.zeros([1, 100, 100, 3]))
    sizes = {graph.sess.run(tf.shape(scaled))[1] for _ in range(80)}
    assert sizes <= {int(np.float32(1 + (i - 5) / 50.0) * np.float32(100)) for i in range(11)}
    assert len(sizes) > 5


def test_seeded_runs_are_reproducible_and_vary_between_steps():
    def make():
        return transform.compose(
            [
                transform.pad(2, mode="constant", constant_value="uniform"),
                transform.jitter(2),
                transform.random_scale([0.8, 1.0, 1.2]),
                transform.random_rotate([-10, 0, 10]),
            ]
        )

    first, second = _run_twice_seeded(make, _image([1, 12, 12, 3]))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert any(a.shape != first[0].shape or not np.array_equal(a, first[0]) for a in first[1:])
