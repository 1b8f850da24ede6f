"""Tests for lucid.scratch.rl_util.util."""

import numpy as np
import pytest

from lucid.misc.io.collapse_channels import hue_to_rgb
from lucid.scratch.rl_util import util
from tests.toy_models import toy_model


def test_zoom_to_repeats_pixels():
    img = np.arange(4, dtype=float).reshape(1, 2, 2, 1)
    zoomed = util.zoom_to(img, 4)
    assert zoomed.shape == (1, 4, 4, 1)
    np.testing.assert_array_equal(
        zoomed[0, :, :, 0], [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]
    )
    assert util.zoom_to(np.zeros([2, 4, 3]), 6).shape == (3, 6, 3)  # keeps the aspect ratio


def test_get_var_and_get_shape():
    model = toy_model()
    np.testing.assert_array_equal(util.get_var(model, "const_pre_relu/bias"), np.ones(4))
    assert util.get_shape(model, "const") == [None, None, None, 4]
    assert util.get_shape(model, "logits") == [None, 5]


def test_concatenate_horizontally():
    images = np.arange(2 * 1 * 2 * 1).reshape(2, 1, 2, 1)
    out = util.concatenate_horizontally(images)
    assert out.shape == (1, 1, 4, 1)
    np.testing.assert_array_equal(out.ravel(), [0, 1, 2, 3])


def test_channels_to_rgb():
    X = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    rgb = util.channels_to_rgb(X)
    np.testing.assert_allclose(rgb[0], [2, 0, 0])  # channel 0 is red
    np.testing.assert_allclose(rgb[1], hue_to_rgb(120) + hue_to_rgb(240))
    with pytest.raises(ValueError, match="non-negative"):
        util.channels_to_rgb(-X)


def test_conv2d_filters_each_channel():
    image = np.zeros([1, 3, 3, 2], np.float32)
    image[0, 1, 1] = [1, 10]
    kernel = np.arange(9, dtype=np.float32).reshape(3, 3)
    out = util.conv2d(image, kernel)
    # A unit impulse gives the kernel flipped (convolution as correlation, SAME padding).
    np.testing.assert_array_equal(out[0, :, :, 0], kernel[::-1, ::-1])
    np.testing.assert_array_equal(out[0, :, :, 1], 10 * kernel[::-1, ::-1])
    with pytest.raises(ValueError, match="filter_"):
        util.conv2d(image, kernel[None])


def test_norm_filter():
    f = util.norm_filter(3, clip=False)
    np.testing.assert_allclose(f[1, 1], 1)
    np.testing.assert_allclose(f[0, 1], np.exp(-1))
    np.testing.assert_allclose(f[0, 0], np.exp(-np.sqrt(2)))
    clipped = util.norm_filter(3)
    assert clipped[0, 0] == 0 and clipped[0, 1] == f[0, 1]  # corners are outside the disc
    np.testing.assert_allclose(util.norm_filter(3, norm_ord=1, clip=False)[0, 0], np.exp(-2))


def test_brightness_to_opacity():
    image = np.array([[0.3, 0.4, 0.0], [3.0, 4.0, 0.0], [0.0, 0.0, 0.0]])
    rgba = util.brightness_to_opacity(image)
    np.testing.assert_allclose(rgba[0], [0.6, 0.8, 0, 0.5])
    np.testing.assert_allclose(rgba[1], [3, 4, 0, 1])
    np.testing.assert_allclose(rgba[2], [0, 0, 0, 0])
