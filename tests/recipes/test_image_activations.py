"""recipes.image_activations: exact activations of the hand-weighted toy model.

For a constant image (r, g, b) the toy model gives, at every position: ``const`` =
1 + 0.1 (r + g + b); ``color`` = relu(r - g - b, g - r - b, b - r - g); ``stripes`` = 0
(zero-mean kernels on a flat image); ``logits`` = the spatial means of color and stripes.
"""

import numpy as np
import pytest

from lucid.recipes.image_activations import image_activations
from lucid.recipes.image_activations import manifest_image_activations

RGB = (0.9, 0.1, 0.2)


def flat_image(size, rgb=RGB):
    return np.ones((size, size, 3), np.float32) * np.array(rgb, np.float32)


def test_default_layers_are_the_conv_layers_with_exact_values(toy_model):
    acts = image_activations(toy_model, flat_image(32))
    assert list(acts) == [
        "const_pre_relu",
        "const",
        "color_pre_relu",
        "color",
        "stripes_pre_relu",
        "stripes",
    ]
    assert acts["const"].shape == (32, 32, 4)
    np.testing.assert_allclose(acts["const"], 1.12, rtol=1e-6)
    assert acts["color"].shape == (32, 32, 3)
    np.testing.assert_allclose(acts["color"][..., 0], 0.6, rtol=1e-5)
    np.testing.assert_allclose(acts["color"][..., 1:], 0)
    np.testing.assert_allclose(acts["color_pre_relu"][0, 0], [0.6, -1.0, -0.8], rtol=1e-5)
    assert acts["stripes"].shape == (25, 25, 2)  # 8x8 VALID conv
    np.testing.assert_allclose(acts["stripes"], 0, atol=1e-6)


def test_image_is_resized_to_the_model_input(toy_model):
    acts = image_activations(toy_model, flat_image(16), layer_names=["const"])
    assert acts["const"].shape == (32, 32, 4)
    np.testing.assert_allclose(acts["const"], 1.12, rtol=1e-6)


def test_dense_layer_tensor_name_and_layer_object(toy_model):
    layer = next(layer for layer in toy_model.layers if layer.name == "color")
    acts = image_activations(toy_model, flat_image(32), layer_names=["logits", "const:0", layer])
    assert list(acts) == ["logits", "const:0", "color"]  # keys as given; a Layer by name
    np.testing.assert_allclose(acts["logits"], [0.6, 0, 0, 0, 0], atol=1e-5)
    assert acts["const:0"].shape == (32, 32, 4)


def test_manifest(toy_model):
    manifest = manifest_image_activations(toy_model, flat_image(32), layer_names=["logits"])
    assert manifest["type"] == "image-activations"
    assert manifest["took"] >= 0
    (value,) = manifest["values"]
    assert value["type"] == "activations" and value["layer_name"] == "logits"
    assert value["shape"] == (5,)
    np.testing.assert_allclose(value["value"], [0.6, 0, 0, 0, 0], atol=1e-5)


@pytest.mark.parametrize(
    "image, match",
    [
        (np.zeros((32, 32)), r"one image \[height, width, 3\]"),
        (np.zeros((1, 32, 32, 3)), r"one image \[height, width, 3\]"),
        (np.full((32, 32, 3), np.nan), "NaN"),
    ],
)
def test_bad_images(toy_model, image, match):
    with pytest.raises(ValueError, match=match):
        image_activations(toy_model, image)


def test_uint8_image_is_read_as_0_to_255(toy_model):
    # The same answer as Model.get_activations: 255 is 1.0, not 255.0.
    as_uint8 = image_activations(toy_model, np.full((32, 32, 3), 255, np.uint8))
    as_float = image_activations(toy_model, np.ones((32, 32, 3), np.float32))
    for name in as_float:
        np.testing.assert_allclose(as_uint8[name], as_float[name], rtol=1e-6)


def test_unknown_layer_names_close_matches(toy_model):
    with pytest.raises(ValueError, match="Close matches"):
        image_activations(toy_model, flat_image(32), layer_names=["colr"])
