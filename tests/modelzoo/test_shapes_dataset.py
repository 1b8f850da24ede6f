"""The procedural Shapes dataset: deterministic, well-formed, and each class shows its feature."""

import numpy as np
import pytest

from lucid.modelzoo import shapes_dataset
from lucid.modelzoo.shapes_dataset import CLASSES
from lucid.modelzoo.shapes_dataset import IMAGE_SIZE
from lucid.modelzoo.shapes_dataset import generate
from lucid.modelzoo.shapes_dataset import generate_class


def test_classes_are_unique_names():
    assert len(CLASSES) >= 12
    assert len(set(CLASSES)) == len(CLASSES)
    assert all(isinstance(name, str) and name.isidentifier() for name in CLASSES)


def test_generate_shapes_dtypes_and_range():
    images, labels = generate(40, seed=3)
    assert images.shape == (40, IMAGE_SIZE, IMAGE_SIZE, 3)
    assert images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert labels.shape == (40,) and labels.dtype == np.int64
    assert labels.min() >= 0 and labels.max() < len(CLASSES)
    # Real images, not blank: every image has contrast.
    assert (images.reshape(40, -1).std(axis=1) > 0.05).all()


def test_generate_is_deterministic_per_seed():
    images_a, labels_a = generate(32, seed=7)
    images_b, labels_b = generate(32, seed=7)
    np.testing.assert_array_equal(images_a, images_b)
    np.testing.assert_array_equal(labels_a, labels_b)
    images_c, _ = generate(32, seed=8)
    assert not np.allclose(images_a, images_c)
    # Sequences of ints are seeds too (the training script uses [seed, step]).
    np.testing.assert_array_equal(generate(8, seed=[0, 1])[0], generate(8, seed=[0, 1])[0])
    assert not np.allclose(generate(8, seed=[0, 1])[0], generate(8, seed=[0, 2])[0])


def test_generate_class_is_deterministic_per_seed():
    a = generate_class("checkerboard", 5, seed=1)
    np.testing.assert_array_equal(a, generate_class("checkerboard", 5, seed=1))
    assert not np.allclose(a, generate_class("checkerboard", 5, seed=2))
    assert a.shape == (5, IMAGE_SIZE, IMAGE_SIZE, 3) and a.dtype == np.float32


@pytest.mark.parametrize("name", CLASSES)
def test_every_class_is_float32_in_range(name):
    images = generate_class(name, 3, seed=0)
    assert images.dtype == np.float32 and images.flags.c_contiguous
    assert images.min() >= 0.0 and images.max() <= 1.0


def test_labels_are_balanced_and_shuffled():
    _, labels = generate(4 * len(CLASSES), seed=0)
    np.testing.assert_array_equal(np.bincount(labels), np.full(len(CLASSES), 4))
    assert not np.array_equal(labels, np.sort(labels))


def test_classes_subset_keeps_global_label_indices():
    _, labels = generate(20, seed=0, classes=["grid", "cross"])
    assert set(labels) == {CLASSES.index("grid"), CLASSES.index("cross")}


def test_other_sizes():
    images, _ = generate(4, seed=0, size=32)
    assert images.shape == (4, 32, 32, 3)


def _gradient_energy(grey):
    """Mean squared difference between neighbouring pixels along four directions."""
    return {
        "x": np.mean((grey[:, :, 1:] - grey[:, :, :-1]) ** 2),
        "y": np.mean((grey[:, 1:] - grey[:, :-1]) ** 2),
        "down_right": np.mean((grey[:, 1:, 1:] - grey[:, :-1, :-1]) ** 2),
        "up_right": np.mean((grey[:, :-1, 1:] - grey[:, 1:, :-1]) ** 2),
    }


@pytest.mark.parametrize("size", [32, 64])
@pytest.mark.parametrize(
    "name, across, along",
    [
        ("vertical_stripes", "x", "y"),
        ("horizontal_stripes", "y", "x"),
        # "/" stripes: moving up-right stays on a stripe, moving down-right crosses them.
        ("diagonal_stripes", "down_right", "up_right"),
        ("antidiagonal_stripes", "up_right", "down_right"),
    ],
)
def test_stripes_have_their_orientation(name, across, along, size):
    grey = generate_class(name, 16, seed=5, size=size).mean(axis=-1)
    energy = _gradient_energy(grey)
    assert min(energy, key=energy.get) == along, energy
    assert energy[across] > 3 * energy[along], energy


@pytest.mark.parametrize("name, channel", [("red_blob", 0), ("green_blob", 1), ("blue_blob", 2)])
def test_blobs_have_their_colour(name, channel):
    images = generate_class(name, 16, seed=2)
    saturation = images.max(axis=-1) - images.min(axis=-1)
    foreground = images[saturation > 0.5]  # backgrounds are dull (saturation <= 0.25)
    assert len(foreground) > 0.05 * images[..., 0].size  # a blob, not a few noisy pixels
    mean_colour = foreground.mean(axis=0)
    assert mean_colour.argmax() == channel, mean_colour
    assert mean_colour[channel] > mean_colour.sum() - mean_colour[channel], mean_colour


def test_every_class_draws_something_different():
    means = np.stack([generate_class(name, 8, seed=0).mean(axis=0) for name in CLASSES])
    distances = np.linalg.norm(
        (means[:, None] - means[None]).reshape(len(CLASSES), len(CLASSES), -1), axis=-1
    )
    assert (distances[~np.eye(len(CLASSES), dtype=bool)] > 1.0).all()


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="'hexagon'.*CLASSES"):
        generate_class("hexagon", 2)
    with pytest.raises(ValueError, match="'hexagon'"):
        generate(4, classes=["grid", "hexagon"])
    with pytest.raises(ValueError, match="at least one class"):
        generate(4, classes=[])
    with pytest.raises(ValueError, match="size=4"):
        generate(4, size=4)
    with pytest.raises(ValueError, match="size=32.0"):
        shapes_dataset.generate_class("grid", 2, size=32.0)
