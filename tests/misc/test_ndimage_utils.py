"""resize, composite and soft_alpha_blend against hand-computed arrays."""

import numpy as np
import pytest

from lucid.misc.ndimage_utils import composite
from lucid.misc.ndimage_utils import resize
from lucid.misc.ndimage_utils import soft_alpha_blend

CHECKER = np.array([[1.0, 2.0], [3.0, 4.0]])[..., None]


def test_noop_returns_the_input_itself():
    assert resize(CHECKER, (2, 2)) is CHECKER
    assert resize(CHECKER, 2) is CHECKER
    assert resize(CHECKER, ratios=1) is CHECKER


def test_nearest_upsampling_exact_values():
    out = resize(CHECKER, 4, order=0)
    expected = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])[..., None]
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(resize(CHECKER, ratios=(2, 2), order=0), expected)


def test_target_size_is_height_then_width_and_batches_work():
    image = np.zeros((2, 4, 6, 3))
    assert resize(image, (8, 3), order=1).shape == (2, 8, 3, 3)
    assert resize(image, ratios=0.5).shape == (2, 2, 3, 3)


def test_resize_errors():
    with pytest.raises(ValueError, match="neither"):
        resize(CHECKER)
    with pytest.raises(ValueError, match="target_size"):
        resize(CHECKER, "big")
    with pytest.raises(ValueError, match="shape"):
        resize(np.zeros((2, 2)), 4)


def test_composite_places_square_foreground():
    background = np.zeros((8, 8, 1))
    foreground = np.ones((4, 4, 1))
    out = composite(
        background, foreground, foreground_width_ratio=0.5, foreground_position=(1.0, 1.0)
    )
    expected = np.zeros((8, 8, 1))
    expected[4:, 4:] = 1
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(background, 0)  # not modified
    assert composite(background, foreground, foreground_width_ratio=0) is background


def test_soft_alpha_blend_values():
    opaque = np.array([0.2, 0.4, 0.6, 1.0])
    np.testing.assert_allclose(soft_alpha_blend(opaque), [0.2, 0.4, 0.6])
    clear = np.array([0.5, 0.5, 0.5, 0.0])
    np.testing.assert_allclose(soft_alpha_blend(clear, amount_background=0.5), [0.75] * 3)
    half = np.array([0.0, 0.0, 0.0, 0.5])
    np.testing.assert_allclose(soft_alpha_blend(half, amount_background=0.0, gamma=1.0), [0.5] * 3)
    with pytest.raises(ValueError, match="4 channels"):
        soft_alpha_blend(np.zeros((2, 3)))
