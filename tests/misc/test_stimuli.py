"""sample_binary_image, rmin and rounded_corner."""

import numpy as np

from lucid.misc.stimuli import rmin
from lucid.misc.stimuli import rounded_corner
from lucid.misc.stimuli import sample_binary_image


def test_rmin_is_min_away_from_the_diagonal_and_rounded_on_it():
    np.testing.assert_allclose(rmin(np.array(5.0), np.array(-1.0), 1.0), -1.0)
    np.testing.assert_allclose(rmin(np.array(0.0), np.array(0.0), 1.0), np.sin(np.pi / 4) - 1)
    np.testing.assert_allclose(rmin(np.array(2.0), np.array(2.0), 0.0), 2.0)


def test_half_plane_is_black_left_white_right_away_from_the_edge():
    np.random.seed(0)
    image = sample_binary_image(8)(lambda x, y: x + 0 * y)
    assert image.shape == (8, 8, 3)
    np.testing.assert_array_equal(image[:, :3], 0.0)  # x = -4..-2: inside (color_b)
    np.testing.assert_array_equal(image[:, 5:], 1.0)  # x = 1..3: outside (color_a)
    assert ((image[:, 4] > 0) & (image[:, 4] < 1)).all()  # x = 0: anti-aliased edge


def test_boundary_line_and_fade():
    np.random.seed(0)
    line = sample_binary_image(16, boundary_line=True, color_a=(1, 1, 1), color_b=(0, 0, 0))(
        lambda x, y: x + 0 * y
    )
    assert line[:, 8].max() < 0.5 and (line[:, :5] == 1).all() and (line[:, 12:] == 1).all()
    faded = sample_binary_image(32, fade_beyond_radius=4, fade_over_distance=2)(
        lambda x, y: x + 0 * y
    )
    np.testing.assert_allclose(faded[0, 0], 0.5)  # corner fully faded to grey


def test_rounded_corner_has_both_regions():
    np.random.seed(0)
    image = rounded_corner(0, 10, size=32, alias_factor=2)
    assert image.shape == (32, 32, 3)
    assert image.min() == 0.0 and image.max() == 1.0
