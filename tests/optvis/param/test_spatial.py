"""lucid.optvis.param.spatial: pixel, Fourier and pyramid parameterisations, texture sampling."""

import warnings

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis.param import spatial
from tests.optvis.param.helpers import assert_gradient_reaches_every_variable
from tests.optvis.param.helpers import build_and_run

# --- rfft2d_freqs ---------------------------------------------------------------------------


@pytest.mark.parametrize("h,w", [(4, 6), (5, 7), (1, 3), (3, 2)])
def test_rfft2d_freqs_matches_numpy(h, w):
    fy = np.fft.fftfreq(h)[:, None]
    n_columns = w // 2 + 1 + (1 if w % 2 else 0)
    fx = np.fft.fftfreq(w)[:n_columns]
    freqs = spatial.rfft2d_freqs(h, w)
    assert freqs.shape == (h, n_columns)
    np.testing.assert_allclose(freqs, np.sqrt(fx**2 + fy**2))


def test_rfft2d_freqs_even_width_uses_rfftfreq_columns():
    np.testing.assert_allclose(spatial.rfft2d_freqs(1, 8)[0], np.abs(np.fft.rfftfreq(8)))


def test_rfft2d_freqs_width_one_keeps_an_extra_column():
    # Lucid returned one column here, so fft_image of width 1 was empty.
    np.testing.assert_array_equal(spatial.rfft2d_freqs(2, 1), [[0.0, 0.0], [0.5, 0.5]])


def test_fft_image_of_width_one(graph):
    t = spatial.fft_image([1, 3, 1, 3])
    graph.sess.run(tf.global_variables_initializer())
    value = graph.sess.run(t)
    assert value.shape == (1, 3, 1, 3)
    assert np.abs(value).max() > 0


def test_rfft2d_freqs_rejects_bad_size():
    with pytest.raises(ValueError, match="w=0"):
        spatial.rfft2d_freqs(4, 0)


# --- fft_image ------------------------------------------------------------------------------


def _numpy_fft_image(spectrum, h, w, decay_power=1):
    freqs = spatial.rfft2d_freqs(h, w)
    scale = np.sqrt(w * h) / np.maximum(freqs, 1.0 / max(w, h)) ** decay_power
    complex_spectrum = scale * (spectrum[0] + 1j * spectrum[1])
    fh, fw = freqs.shape
    images = np.fft.irfft2(complex_spectrum, s=(fh, 2 * (fw - 1)), axes=(-2, -1))
    return np.transpose(images, (0, 2, 3, 1))[:, :h, :w, :] / 4.0


@pytest.mark.parametrize("h,w", [(4, 6), (6, 4), (5, 7)])
def test_fft_image_variable_and_output_shape(graph, h, w):
    t = spatial.fft_image([2, h, w, 3])
    (variable,) = tf.trainable_variables()
    assert variable.shape.as_list() == [2, 2, 3, h, w // 2 + 1 + w % 2]
    assert t.shape.as_list() == [2, h, w, 3]


def test_fft_image_of_dc_coefficient_is_constant_by_hand(graph):
    h, w = 4, 6
    t = spatial.fft_image([1, h, w, 1])
    (variable,) = tf.trainable_variables()
    spectrum = np.zeros(variable.shape.as_list(), np.float32)
    spectrum[0, 0, 0, 0, 0] = 1.0  # real DC coefficient
    variable.load(spectrum, graph.sess)
    # DC scale = sqrt(w*h) * max(w, h); inverse FFT divides by h*w; then / 4.
    expected = np.sqrt(24.0) * 6 / 24 / 4
    np.testing.assert_allclose(graph.sess.run(t), np.full([1, h, w, 1], expected), rtol=1e-5)


@pytest.mark.parametrize("h,w,decay_power", [(4, 6, 1), (5, 7, 1), (6, 5, 2)])
def test_fft_image_matches_numpy_irfft2(graph, h, w, decay_power):
    t = spatial.fft_image([2, h, w, 3], decay_power=decay_power)
    (variable,) = tf.trainable_variables()
    spectrum = np.random.RandomState(0).randn(*variable.shape.as_list()).astype(np.float32)
    variable.load(spectrum, graph.sess)
    np.testing.assert_allclose(
        graph.sess.run(t), _numpy_fft_image(spectrum, h, w, decay_power), rtol=1e-4, atol=1e-5
    )


def test_fft_image_initial_spectrum_has_requested_sd(graph):
    spatial.fft_image([4, 16, 16, 3], sd=0.5)
    (variable,) = tf.trainable_variables()
    graph.sess.run(tf.global_variables_initializer())
    assert abs(graph.sess.run(variable).std() - 0.5) < 0.05


def test_fft_image_gradient_reaches_spectrum(graph):
    assert_gradient_reaches_every_variable(graph.sess, spatial.fft_image([1, 5, 5, 3]))


def test_fft_image_same_seed_same_values():
    make = lambda: spatial.fft_image([1, 6, 6, 3])  # noqa: E731
    np.testing.assert_array_equal(build_and_run(make, seed=3), build_and_run(make, seed=3))


@pytest.mark.parametrize("shape", [[8, 8, 3], [1, 0, 8, 3], "abc"])
def test_fft_image_rejects_bad_shape(graph, shape):
    with pytest.raises((ValueError, TypeError), match="shape"):
        spatial.fft_image(shape)


# --- pixel_image ----------------------------------------------------------------------------


def test_pixel_image_is_a_trainable_variable_of_shape(graph):
    t = spatial.pixel_image([2, 3, 4, 5], sd=2.0)
    assert t in tf.trainable_variables()
    assert t.shape.as_list() == [2, 3, 4, 5]
    graph.sess.run(tf.global_variables_initializer())
    assert 1.0 < graph.sess.run(t).std() < 3.0


def test_pixel_image_takes_an_ndarray_init_val(graph):
    init_val = np.arange(24, dtype=np.float64).reshape([1, 2, 4, 3])
    t = spatial.pixel_image([1, 2, 4, 3], init_val=init_val)
    graph.sess.run(tf.global_variables_initializer())
    value = graph.sess.run(t)
    assert value.dtype == np.float32
    np.testing.assert_array_equal(value, init_val)


def test_pixel_image_warns_when_given_sd_and_init_val(graph):
    with pytest.warns(UserWarning, match="sd is ignored"):
        t = spatial.pixel_image([1, 1], sd=3.0, init_val=[[0.25]])
    graph.sess.run(tf.global_variables_initializer())
    assert graph.sess.run(t)[0, 0] == 0.25


def test_pixel_image_rejects_init_val_of_wrong_shape(graph):
    with pytest.raises(ValueError, match=r"init_val has shape \(2, 2\)"):
        spatial.pixel_image([1, 2, 2, 1], init_val=np.zeros([2, 2]))


# --- laplacian_pyramid_image ----------------------------------------------------------------


def test_laplacian_pyramid_image_shape_and_levels(graph):
    t = spatial.laplacian_pyramid_image([2, 16, 8, 3], n_levels=3)
    assert t.shape.as_list() == [2, 16, 8, 3]
    shapes = sorted(v.shape.as_list() for v in tf.trainable_variables())
    assert shapes == [[2, 4, 2, 3], [2, 8, 4, 3], [2, 16, 8, 3]]
    assert_gradient_reaches_every_variable(graph.sess, t)


def test_laplacian_pyramid_image_accepts_list_and_tuple(graph):
    assert spatial.laplacian_pyramid_image((1, 8, 8, 3)).shape.as_list() == [1, 8, 8, 3]
    assert spatial.laplacian_pyramid_image([1, 8, 8, 3]).shape.as_list() == [1, 8, 8, 3]


def test_laplacian_pyramid_image_rejects_too_many_levels(graph):
    with pytest.raises(ValueError, match="n_levels=4 needs h and w of at least 8"):
        spatial.laplacian_pyramid_image([1, 4, 16, 3], n_levels=4)


# --- bilinearly_sampled_image ---------------------------------------------------------------


def _numpy_sample(texture, uv):
    """Independent reference: GL_REPEAT + GL_LINEAR with v measured from the bottom row."""
    h, w = texture.shape[:2]
    out = np.zeros(uv.shape[:-1] + texture.shape[2:])
    for index in np.ndindex(*uv.shape[:-1]):
        u, v = uv[index]
        x = u * w - 0.5
        y = (1.0 - v) * h - 0.5
        x0, y0 = int(np.floor(x)), int(np.floor(y))
        fx, fy = x - x0, y - y0
        value = 0.0
        for dy, wy in [(0, 1 - fy), (1, fy)]:
            for dx, wx in [(0, 1 - fx), (1, fx)]:
                value = value + wy * wx * texture[(y0 + dy) % h, (x0 + dx) % w]
        out[index] = value
    return out


def test_bilinearly_sampled_image_by_hand(graph):
    texture = np.array([[[1.0], [2.0]], [[3.0], [4.0]]], np.float32)  # 2x2, one channel
    uv = np.array(
        [
            [0.25, 0.75],  # centre of the top-left texel (v counts from the bottom)
            [0.25, 0.25],  # bottom-left texel
            [0.75, 0.25],  # bottom-right texel
            [0.5, 0.75],  # between the top two texels
            [1.25, 0.75],  # wraps to [0.25, 0.75]
            [0.0, 0.75],  # halfway between the right edge texel and the left one (wrap)
        ],
        np.float32,
    )
    result = graph.sess.run(spatial.bilinearly_sampled_image(texture, uv))
    np.testing.assert_allclose(result[:, 0], [1.0, 3.0, 4.0, 1.5, 1.0, 1.5], rtol=1e-6)


def test_bilinearly_sampled_image_matches_numpy_reference(graph):
    rng = np.random.RandomState(0)
    texture = rng.rand(5, 7, 3).astype(np.float32)
    uv = rng.uniform(-1.5, 2.5, size=(4, 6, 2)).astype(np.float32)
    result = graph.sess.run(spatial.bilinearly_sampled_image(texture, uv))
    assert result.shape == (4, 6, 3)
    np.testing.assert_allclose(result, _numpy_sample(texture, uv), rtol=1e-4, atol=1e-5)


def test_bilinearly_sampled_image_gradient_reaches_texture(graph):
    texture = tf.Variable(np.ones([4, 4, 3], np.float32))
    uv = np.random.RandomState(1).rand(3, 3, 2).astype(np.float32)
    assert_gradient_reaches_every_variable(
        graph.sess, spatial.bilinearly_sampled_image(texture, uv)
    )


# --- deprecated aliases ---------------------------------------------------------------------


def test_naive_warns_and_forwards(graph):
    with pytest.warns(DeprecationWarning, match="pixel_image"):
        t = spatial.naive([1, 3, 3, 3], sd=0.5)
    assert t in tf.trainable_variables()
    assert t.shape.as_list() == [1, 3, 3, 3]


def test_laplacian_pyramid_warns_and_forwards(graph):
    with pytest.warns(DeprecationWarning, match="laplacian_pyramid_image"):
        t = spatial.laplacian_pyramid([1, 8, 8, 3], n_levels=2)
    assert t.shape.as_list() == [1, 8, 8, 3]
    assert len(tf.trainable_variables()) == 2


def test_sample_bilinear_warns_and_forwards(graph):
    texture = np.array([[[1.0], [2.0]], [[3.0], [4.0]]], np.float32)
    with pytest.warns(DeprecationWarning, match="bilinearly_sampled_image"):
        t = spatial.sample_bilinear(texture, np.array([[0.25, 0.25]], np.float32))
    np.testing.assert_allclose(graph.sess.run(t), [[3.0]])


def test_current_names_do_not_warn(graph):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spatial.pixel_image([1, 2, 2, 3])
        spatial.laplacian_pyramid_image([1, 4, 4, 3], n_levels=2)
