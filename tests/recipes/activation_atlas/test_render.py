"""activation_atlas.render: the whitened direction objectives (exact values on the toy
model) and render_icons (behaviour: a red-detector direction renders a red centre)."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis import render
from lucid.recipes.activation_atlas.render import direction_neuron_cossim_S
from lucid.recipes.activation_atlas.render import direction_neuron_S
from lucid.recipes.activation_atlas.render import render_icons

# Flat images through the toy model's ``color`` layer (r - g - b, g - r - b, b - r - g, relu).
RED = (0.9, 0.1, 0.2)  # color = (0.6, 0, 0)
GREEN = (0.1, 0.8, 0.1)  # color = (0, 0.6, 0)
VEC = np.array([1.0, 2.0, 3.0], np.float32)
SWAP = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], np.float32)  # VEC @ SWAP = (2, 1, 3)


def toy_T(toy_model, colours, size=9):
    images = np.stack([np.ones((size, size, 3)) * np.array(c) for c in colours])
    return render.import_model(toy_model, tf.constant(images, tf.float32))


def values(graph, toy_model, *objectives, colours=(RED, GREEN)):
    T = toy_T(toy_model, colours)
    return graph.sess.run([objective(T) for objective in objectives])


def test_direction_neuron_S_exact(graph, toy_model):
    red = direction_neuron_S("color", VEC, batch=0)
    green = direction_neuron_S("color", VEC, batch=1)
    red_whitened = direction_neuron_S("color", VEC, batch=0, S=SWAP)
    assert values(graph, toy_model, red, green, red_whitened) == pytest.approx(
        [0.6 * 1 / 3, 0.6 * 2 / 3, 0.6 * 2 / 3]
    )


def test_direction_neuron_S_without_batch_averages_the_batch(graph, toy_model):
    # Lucid raised RuntimeError("requires batch") when the objective was evaluated.
    (value,) = values(graph, toy_model, direction_neuron_S("color", VEC))
    assert value == pytest.approx((0.6 * 1 + 0.6 * 2) / 6)


def test_direction_neuron_S_position_and_dense_layers(graph, toy_model):
    at_corner = direction_neuron_S("color", VEC, batch=0, x=0, y=8)
    dense = direction_neuron_S("logits", np.eye(5)[0], batch=0)  # [N, 5] counts as 1x1
    assert values(graph, toy_model, at_corner, dense, colours=[RED]) == pytest.approx(
        [0.2, 0.6 / 5]
    )


def test_direction_neuron_cossim_S_exact(graph, toy_model):
    # dot = mean(acts * vec) = 0.2, |acts| = 0.6: weight 0.2 / (1e-4 + 0.6), kept by Lucid.
    squared = direction_neuron_cossim_S("color", VEC, batch=0, cossim_pow=2)
    # The weight is clipped at 0.1 from below: here it would be 0.02 / 0.6001.
    clipped = direction_neuron_cossim_S("color", VEC * 0.1, batch=0, cossim_pow=1)
    assert values(graph, toy_model, squared, clipped) == pytest.approx(
        [0.2 * (0.2 / 0.6001) ** 2, 0.02 * 0.1]
    )


@pytest.mark.parametrize(
    "vec, S, match",
    [
        (np.ones((2, 3)), None, r"vec must be a \[channels\] vector"),
        (np.ones(3), np.eye(4), r"S must be \[channels, channels\] = \(3, 3\)"),
    ],
)
def test_direction_objectives_reject_bad_shapes(vec, S, match):
    with pytest.raises(ValueError, match=match):
        direction_neuron_S("color", vec, batch=0, S=S)


def test_render_icons_red_direction_gives_red_centre_and_values(toy_model):
    # Without the cosine weight: on the toy model's small activations (<= 1) its 0.1 floor
    # leaves the direction too weak against the border penalty to move in 64 steps.
    directions = [np.array([1.0, 0, 0]), np.array([0, 0, 1.0])]
    icons, values = render_icons(
        directions, toy_model, "color_pre_relu", size=32, n_steps=64, num_attempts=2, cossim=False
    )
    assert len(icons) == 2 and all(icon.shape == (32, 32, 3) for icon in icons)
    assert all(0 <= icon.min() and icon.max() <= 1 for icon in icons)
    red_centre = icons[0][12:20, 12:20].mean(axis=(0, 1))
    blue_centre = icons[1][12:20, 12:20].mean(axis=(0, 1))
    assert red_centre[0] > red_centre[1:].max() + 0.1, red_centre
    assert blue_centre[2] > blue_centre[:2].max() + 0.1, blue_centre
    # Lucid returned [] here; now each icon's objective value in the attempt kept.
    assert len(values) == 2 and all(isinstance(v, float) and np.isfinite(v) for v in values)


def test_render_icons_cossim_with_a_lighter_border_penalty(toy_model):
    # With Lucid's penalty weight (1) the cosine objective of a model with small activations
    # never beats the border penalty and the icons stay blank; a lighter weight lets it through.
    icons, _ = render_icons(
        [np.array([1.0, 0, 0])],
        toy_model,
        "color_pre_relu",
        size=32,
        n_steps=64,
        num_attempts=1,
        boundary_penalty=0.01,
        progress=False,
    )
    red_centre = icons[0][12:20, 12:20].mean(axis=(0, 1))
    assert red_centre[0] > red_centre[1:].max() + 0.1, red_centre
    with pytest.raises(ValueError, match="boundary_penalty"):
        render_icons([np.ones(3)], toy_model, "color", boundary_penalty=-1)


def test_render_icons_keeps_the_best_attempt(toy_model, monkeypatch):
    from lucid.recipes.activation_atlas import render as render_module

    attempts = iter(
        [
            (np.zeros((2, 8, 8, 3)), np.array([1.0, 5.0])),
            (np.ones((2, 8, 8, 3)), np.array([3.0, 2.0])),
        ]
    )
    monkeypatch.setattr(render_module, "_render_attempt", lambda *args: next(attempts))
    icons, values = render_icons(np.eye(3)[:2], toy_model, "color", size=8, num_attempts=2)
    assert values == [3.0, 5.0]
    assert icons[0].max() == 1 and icons[1].max() == 0


def test_render_icons_with_alpha_returns_rgb_icons(toy_model):
    icons, _ = render_icons(
        [np.ones(3)], toy_model, "color", size=24, n_steps=2, num_attempts=1, alpha=True
    )
    assert icons[0].shape == (24, 24, 3)  # alpha folded into the colours
    assert 0 <= icons[0].min() and icons[0].max() <= 1


@pytest.mark.parametrize(
    "directions, kwargs, match",
    [
        ([], {}, "directions must be a non-empty sequence"),
        (np.ones(3), {}, "directions must be a non-empty sequence"),
        ([np.ones(3)], {"num_attempts": 0}, "num_attempts must be a positive int"),
    ],
)
def test_render_icons_bad_input(toy_model, directions, kwargs, match):
    with pytest.raises(ValueError, match=match):
        render_icons(directions, toy_model, "color", **kwargs)
