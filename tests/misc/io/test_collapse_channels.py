"""hue_to_rgb, sparse_channels_to_rgb, collapse_channels: hand-computed values."""

import math

import numpy as np
import pytest

from lucid.misc.io.collapse_channels import collapse_channels
from lucid.misc.io.collapse_channels import hue_to_rgb
from lucid.misc.io.collapse_channels import sparse_channels_to_rgb

R2 = math.sqrt(2)
YELLOW = np.array([1, 1, 0]) / R2
CYAN = np.array([0, 1, 1]) / R2


def unit(v):
    return np.asarray(v) / np.linalg.norm(v)


def test_primary_and_secondary_hues():
    np.testing.assert_allclose(hue_to_rgb(0), [1, 0, 0])
    np.testing.assert_allclose(hue_to_rgb(60), YELLOW)
    np.testing.assert_allclose(hue_to_rgb(180), CYAN)
    np.testing.assert_allclose(hue_to_rgb(240), [0, 0, 1])
    np.testing.assert_allclose(hue_to_rgb(360 + 60), YELLOW)
    np.testing.assert_allclose(hue_to_rgb(-120), [0, 0, 1])


def test_interpolation_with_and_without_warp():
    np.testing.assert_allclose(
        hue_to_rgb(30, warp=False), unit(0.5 * np.array([1, 0, 0]) + 0.5 * YELLOW)
    )
    d = math.sin(math.pi / 4)  # sector 0 warps d=0.5 to sin(pi/4)
    np.testing.assert_allclose(hue_to_rgb(30), unit((1 - d) * np.array([1, 0, 0]) + d * YELLOW))
    d = 1 - math.sin(0.75 * math.pi / 2)  # sector 1 (yellow->green) warps d=0.25
    np.testing.assert_allclose(hue_to_rgb(75), unit((1 - d) * YELLOW + d * np.array([0, 1, 0])))


def test_single_channel_is_red_scaled_by_strength():
    x = np.array([[[2.0]]])
    np.testing.assert_allclose(sparse_channels_to_rgb(x), [[[2 / (1e-4 + 2) * 2, 0, 0]]])


def test_two_channels_mix_red_and_cyan_plus_overlap_white():
    a, b = 3.0, 1.0
    rgb = a * np.array([1, 0, 0]) + b * CYAN + (a + b - max(a, b))
    expected = rgb / (1e-4 + np.linalg.norm(rgb)) * np.linalg.norm([a, b])
    np.testing.assert_allclose(sparse_channels_to_rgb(np.array([a, b])), expected)


def test_negative_values_are_split_into_their_own_channels():
    # [-2] becomes channels [0, 2]: the second gets the hue at 180 degrees (cyan).
    expected = 2 * CYAN / (1e-4 + 2) * 2
    np.testing.assert_allclose(collapse_channels(np.array([-2.0])), expected)
    x = np.random.RandomState(0).randn(3, 4, 5)
    out = collapse_channels(x)
    assert out.shape == (3, 4, 3) and (out >= 0).all()
    np.testing.assert_allclose(
        out, sparse_channels_to_rgb(np.concatenate([np.maximum(x, 0), np.maximum(-x, 0)], -1))
    )


def test_sparse_channels_rejects_negative_input():
    with pytest.raises(ValueError, match="non-negative"):
        sparse_channels_to_rgb(np.array([-1.0, 1.0]))
