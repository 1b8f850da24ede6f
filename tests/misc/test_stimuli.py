"""sample_binary_image, rmin, rounded_corner(_line), line_image, grating, hue_color and disc."""

import numpy as np
import pytest

from lucid.misc.stimuli import disc
from lucid.misc.stimuli import grating
from lucid.misc.stimuli import hue_color
from lucid.misc.stimuli import line_image
from lucid.misc.stimuli import rmin
from lucid.misc.stimuli import rounded_corner
from lucid.misc.stimuli import rounded_corner_line
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


def test_a_seed_makes_jittered_sampling_reproducible_and_leaves_global_state_alone():
    np.random.seed(0)
    first = rounded_corner(30, 6, size=24, alias_factor=3, boundary_line=True, seed=7)
    state = np.random.get_state()[1].copy()
    second = rounded_corner(30, 6, size=24, alias_factor=3, boundary_line=True, seed=7)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    other = rounded_corner(30, 6, size=24, alias_factor=3, boundary_line=True, seed=8)
    assert not np.array_equal(first, other)


def test_grating_orientation_period_and_phase():
    vertical = grating(9, 90, 0.25)  # varies along the columns only
    assert vertical.shape == (9, 9, 3)
    np.testing.assert_allclose(vertical, vertical[:1].repeat(9, axis=0))
    np.testing.assert_allclose(vertical[0, :, 0], [1, 0.5, 0, 0.5, 1, 0.5, 0, 0.5, 1], atol=1e-12)
    horizontal = grating((9, 5), 0, 0.25)  # varies down the rows only
    assert horizontal.shape == (9, 5, 3)
    np.testing.assert_allclose(horizontal[:, 0, 0], [1, 0.5, 0, 0.5, 1, 0.5, 0, 0.5, 1], atol=1e-12)
    np.testing.assert_allclose(horizontal, horizontal[:, :1].repeat(5, axis=1))
    diagonal = grating(16, 45, 0.1)  # stripes rising to the right: constant up and right
    np.testing.assert_allclose(diagonal[1:, :-1], diagonal[:-1, 1:], atol=1e-12)
    np.testing.assert_allclose(grating(9, 90, 0.25, phase=180)[4, 4], 0.0, atol=1e-12)
    np.testing.assert_allclose(grating(9, 90, 0.25, contrast=0.5)[0, :3, 0], [0.75, 0.5, 0.25])


def test_grating_rejects_frequencies_above_nyquist_and_bad_contrast():
    with pytest.raises(ValueError, match="frequency must be in"):
        grating(8, 0, 0.75)
    with pytest.raises(ValueError, match="contrast must be in"):
        grating(8, 0, 0.25, contrast=2)


def test_hue_color_and_disc():
    np.testing.assert_allclose(hue_color(0), [1, 0, 0])
    np.testing.assert_allclose(hue_color(120), [0, 1, 0])
    np.testing.assert_allclose(hue_color(600), [0, 0, 1])  # 600 = 240 (mod 360)
    image = disc(15, hue_color(240), radius=4)
    np.testing.assert_allclose(image[7, 7], [0, 0, 1])
    np.testing.assert_allclose(image[7, 4], [0, 0, 1])  # 3 pixels from the centre
    np.testing.assert_allclose(image[7, 3], [0.25, 0.25, 0.75])  # on the edge: half and half
    np.testing.assert_allclose(image[0, 0], [0.5, 0.5, 0.5])
    assert disc((6, 12), (1, 0, 0)).shape == (6, 12, 3)


def test_line_image_draws_the_zero_set_at_its_width_whatever_the_function_s_scale():
    vertical = line_image(9)(lambda x, y: x + 0 * y)  # x = -4..4: the line is column 4
    np.testing.assert_array_equal(vertical[:, 4], 0.0)
    np.testing.assert_array_equal(vertical[:, [0, 1, 2, 3, 5, 6, 7, 8]], 1.0)
    wide = line_image(9, line_width=2, color=(1, 0, 0), background=(0, 0, 1))(
        lambda x, y: x + 0 * y
    )
    np.testing.assert_allclose(wide[0, 3:6], [[0.5, 0, 0.5], [1, 0, 0], [0.5, 0, 0.5]])
    diagonal = line_image(16)(lambda x, y: x + y)
    np.testing.assert_allclose(line_image(16)(lambda x, y: 5 * (x + y)), diagonal)
    np.testing.assert_array_equal(diagonal[8, 8], 0.0)  # x = y = 0 is on the line
    np.testing.assert_array_equal(diagonal[0, 0], 1.0)


def test_rounded_corner_line_is_deterministic_and_follows_the_corner():
    np.random.seed(0)
    first = rounded_corner_line(90, 8, size=32, line_width=2)
    np.random.seed(1)
    np.testing.assert_array_equal(rounded_corner_line(90, 8, size=32, line_width=2), first)
    assert first.min() == 0.0 and first.max() == 1.0
    filled = rounded_corner(90, 8, size=32, alias_factor=1, seed=0)
    edge = np.abs(np.diff(filled[..., 0], axis=1)) > 0.5  # where the filled corner's edge is
    assert (first[:, 1:][edge, 0] < 0.5).mean() > 0.9  # the line is drawn there
