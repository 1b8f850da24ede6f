"""recipes.feature_visualization on the hand-weighted toy model (tests/toy_models.py).

``color_pre_relu`` channel k is colour k minus the other two, so rendering channel k must
give an image dominated by colour k. Several tests fail on Lucid 0.3.10: a NumPy or range
list of channels, non-square models and ``decorrelation_matrix``.
"""

import numpy as np
import pytest

from lucid.optvis import objectives
from lucid.recipes import feature_visualization
from tests.toy_models import ToyModel

STEPS = 48


def mean_colour(image):
    return image[..., :3].mean(axis=(0, 1))


def test_one_index_returns_batched_image_and_losses(toy_model):
    images, losses = feature_visualization.channel(toy_model, "color_pre_relu", 0, n_steps=STEPS)
    assert images.shape == (1, 32, 32, 3) and images.dtype == np.float32
    assert 0 <= images.min() and images.max() <= 1
    assert losses.shape == (1, STEPS)
    assert losses[0, -1] > losses[0, 0] + 0.1  # the channel was maximised
    assert np.argmax(mean_colour(images[0])) == 0  # red


def test_each_batch_item_renders_its_own_channel(toy_model):
    # An integer array and a subset of the channels, in a chosen order (Lucid wrapped any
    # non-list in a list, so an array became one bogus index).
    results = feature_visualization.channel(
        toy_model, "color_pre_relu", np.array([2, 1]), n_steps=STEPS
    )
    assert len(results) == 2
    (blue_image, blue_losses), (green_image, green_losses) = results
    assert blue_image.shape == (32, 32, 3) and blue_losses.shape == (STEPS,)
    assert np.argmax(mean_colour(blue_image)) == 2
    assert np.argmax(mean_colour(green_image)) == 1


def test_range_and_tuple_indices(toy_model):
    for indices in (range(2), (0, 1)):
        results = feature_visualization.neuron(toy_model, "color_pre_relu", indices, n_steps=2)
        assert len(results) == 2


class WideToyModel(ToyModel):
    image_shape = [24, 40, 3]


def test_non_square_model_keeps_height_and_width():
    # Lucid read image_shape as (w, h, c) and rendered 40 high and 24 wide.
    images, _ = feature_visualization.channel(WideToyModel(), "const", 0, n_steps=2)
    assert images.shape == (1, 24, 40, 3)


def test_decorrelation_matrix_renders_the_matrix_row_direction(toy_model):
    # Index 0 means the direction S[0] = green (channel 1); Lucid raised NotImplementedError.
    swap_red_green = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], np.float32)
    images, losses = feature_visualization.channel(
        toy_model, "color_pre_relu", 0, decorrelation_matrix=swap_red_green, n_steps=STEPS
    )
    assert np.argmax(mean_colour(images[0])) == 1
    assert losses[0, -1] > losses[0, 0]


def test_negative_minimises_and_reports_negated_values(toy_model):
    images, losses = feature_visualization.channel(
        toy_model, "color_pre_relu", 0, negative=True, n_steps=STEPS
    )
    red, green, blue = mean_colour(images[0])
    assert red < green and red < blue
    assert losses[0, -1] > losses[0, 0]  # -channel increases as the channel decreases


def test_alpha_renders_rgba(toy_model):
    images, _ = feature_visualization.neuron(toy_model, "color", 0, alpha=True, n_steps=4)
    assert images.shape == (1, 32, 32, 4)


def test_accepts_a_layer_object(toy_model):
    layer = next(layer for layer in toy_model.layers if layer.name == "const")
    images, _ = feature_visualization.neuron(toy_model, layer, 1, n_steps=1)
    assert images.shape == (1, 32, 32, 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"layer": 3}, "layer must be a Layer or a layer name"),
        ({"channel_indices": []}, "channel_indices must be an int or a non-empty sequence"),
        ({"channel_indices": [0.5]}, "channel_indices must be an int or a non-empty sequence"),
        ({"decorrelation_matrix": np.eye(3)[:2]}, "must be a square"),
        ({"channel_indices": 5, "decorrelation_matrix": np.eye(3)}, "outside decorrelation_matrix"),
    ],
)
def test_bad_input_gets_a_clear_error(toy_model, kwargs, match):
    arguments = {"layer": "color", "channel_indices": 0, "n_steps": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        feature_visualization.channel(toy_model, **arguments)


def test_decorrelation_needs_neuron_or_channel(toy_model):
    with pytest.raises(ValueError, match="works with objectives.neuron and objectives.channel"):
        feature_visualization._main(
            objectives.deepdream, toy_model, "color", 0, decorrelation_matrix=np.eye(3)
        )
