"""recipes.caricature: dot_compare's exact value (toy model), caricatures of ShapesNet, and
make_caricature's files, including a failed run that must leave nothing behind."""

import json
import os

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.misc import ndimage_utils
from lucid.misc.io import save
from lucid.modelzoo import shapes_dataset
from lucid.modelzoo.vision_models import ShapesNet
from lucid.optvis import render
from lucid.recipes import caricature as caricature_module
from lucid.recipes.caricature import caricature
from lucid.recipes.caricature import dot_compare
from lucid.recipes.caricature import feature_inversion
from lucid.recipes.caricature import make_caricature
from lucid.recipes.image_activations import image_activations

# ``const`` of the toy model is 1 + 0.1 (r + g + b) at each of 4 channels and every position.
GREY_0, GREY_1 = 0.5, 0.2
CONST_0, CONST_1 = 1 + 0.1 * 3 * GREY_0, 1 + 0.1 * 3 * GREY_1  # 1.15 and 1.06
SIZE = 4
N_VALUES = SIZE * SIZE * 4


@pytest.fixture(scope="module")
def shapes_image():
    images, _ = shapes_dataset.generate(1, seed=3, classes=["checkerboard"])
    return images[0]


def toy_dot_compare(graph, toy_model, **kwargs):
    images = np.stack([np.full((SIZE, SIZE, 3), GREY_0), np.full((SIZE, SIZE, 3), GREY_1)])
    T = render.import_model(toy_model, tf.constant(images, tf.float32))
    return graph.sess.run(dot_compare("const", **kwargs)(T))


def test_dot_compare_is_the_dot_product(graph, toy_model):
    expected = N_VALUES * CONST_0 * CONST_1
    assert toy_dot_compare(graph, toy_model) == pytest.approx(expected, rel=1e-5)


def test_dot_compare_cossim_divides_by_the_compared_norm_only(graph, toy_model):
    dot = N_VALUES * CONST_0 * CONST_1
    cossim = dot / (np.sqrt(N_VALUES) * CONST_1)  # = |a0| cos, as in Lucid
    value = toy_dot_compare(graph, toy_model, cossim_pow=2)
    assert value == pytest.approx(dot * cossim**2, rel=1e-5)


def test_dot_compare_description():
    assert dot_compare("conv2", batch=2).description == "Dot_Compare [conv2, 2, 0]"


def test_caricature_shape_range_and_input_row(shapes_image):
    result = caricature(shapes_image, ShapesNet(), ["conv1", "conv3"], n_steps=4, verbose=False)
    assert result.shape == (3, 64, 64, 3) and result.dtype == np.float32
    assert result.min() >= 0 and result.max() <= 1
    np.testing.assert_array_equal(result[0], shapes_image)


def test_input_is_resized_to_the_model_size(shapes_image):
    small = shapes_image[::2, ::2]
    result = caricature(small, ShapesNet(), "conv2", n_steps=1, verbose=False)
    assert result.shape == (2, 64, 64, 3)
    np.testing.assert_allclose(result[0], ndimage_utils.resize(small, 64, order=1), atol=1e-6)


def test_caricature_matches_the_input_activations(shapes_image):
    # The objective (dot product with the input's activations) rises from near 0 at the
    # grey start to the order of the input's own (measured: start ~2, result 250-330, input 307).
    model = ShapesNet()
    start = caricature(shapes_image, model, "conv3", n_steps=0, verbose=False)
    result = caricature(shapes_image, model, "conv3", n_steps=64, verbose=False)

    def dot_with_input(image):
        return float(np.sum(image_activations(model, image, ["conv3"])["conv3"] * target))

    target = image_activations(model, shapes_image, ["conv3"])["conv3"]
    assert dot_with_input(result[1]) > 10 * dot_with_input(start[1])
    assert dot_with_input(result[1]) > 0.5 * dot_with_input(shapes_image)


def test_layer_objects_and_alias(shapes_image):
    layer = ShapesNet().get_layer("conv2")
    result = feature_inversion(shapes_image, ShapesNet(), (layer,), n_steps=1, verbose=False)
    assert result.shape == (2, 64, 64, 3)


def test_verbose_shows_the_caricatures_labelled_by_layer(shapes_image, monkeypatch):
    shown = []
    monkeypatch.setattr(
        caricature_module.showing, "images", lambda arrays, labels: shown.append((arrays, labels))
    )
    caricature(shapes_image, ShapesNet(), ["conv1", "conv2"], n_steps=1)
    ((arrays, labels),) = shown
    assert arrays.shape == (2, 64, 64, 3) and labels == ["conv1", "conv2"]


@pytest.mark.parametrize(
    "image, layer, error, match",
    [
        (None, 3, TypeError, "layer must be a layer name, a Layer, or a non-empty list"),
        (None, [], TypeError, "non-empty list"),
        (None, ["conv1", 2], TypeError, "every layer must be a name"),
        (np.zeros((64, 64, 4), np.float32), "conv1", ValueError, r"img\[\.\.\., :3\]"),
        (np.zeros((64, 64, 3), np.uint8), "conv1", ValueError, "img / 255"),
        (np.full((64, 64, 3), 2.0), "conv1", ValueError, r"floats in \[0, 1\]"),
        (None, "conv9", ValueError, "Close matches: conv"),
    ],
)
def test_bad_input(shapes_image, image, layer, error, match):
    image = shapes_image if image is None else image
    with pytest.raises(error, match=match):
        caricature(image, ShapesNet(), layer, n_steps=1, verbose=False)


# --- make_caricature -----------------------------------------------------------------


@pytest.fixture
def model_folder(tmp_path):
    """A folder with a manifest.json describing ShapesNet, as SerializedModel reads it."""
    folder = tmp_path / "model"
    folder.mkdir()
    manifest = {
        "model_path": ShapesNet.model_path,
        "image_shape": [64, 64, 3],
        "image_value_range": [0, 1],
        "input_name": "input",
        "layers": ["conv1", "conv2"],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@pytest.fixture
def image_path(tmp_path, shapes_image):
    path = str(tmp_path / "input.png")
    save(shapes_image, path)
    return path


def test_make_caricature_writes_images_and_results(model_folder, image_path, tmp_path):
    out = tmp_path / "out"
    results = make_caricature(image_path, str(model_folder), str(out), n_steps=2)
    assert sorted(os.listdir(out)) == ["conv1.jpg", "conv2.jpg", "input.jpg", "results.json"]
    assert results["type"] == "caricature" and results["input_image"] == image_path
    assert [value["url"] for value in results["values"]] == [
        str(out / "conv1.jpg"),
        str(out / "conv2.jpg"),
    ]
    assert all(value["shape"] == [64, 64, 3] for value in results["values"])
    assert json.loads((out / "results.json").read_text()) == results


def test_make_caricature_accepts_a_model(image_path, tmp_path):
    model = ShapesNet()
    model.layer_names = ["conv4"]
    results = make_caricature(image_path, model, str(tmp_path / "out"), n_steps=1)
    assert [os.path.basename(v["url"]) for v in results["values"]] == ["conv4.jpg"]


def test_failed_optimisation_writes_nothing(model_folder, image_path, tmp_path):
    manifest = json.loads((model_folder / "manifest.json").read_text())
    manifest["layers"] = ["conv1", "no_such_layer"]
    (model_folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="no_such_layer"):
        make_caricature(image_path, str(model_folder), str(tmp_path / "out"), n_steps=1)
    assert not (tmp_path / "out").exists()


def test_failed_write_removes_what_was_written(model_folder, image_path, tmp_path, monkeypatch):
    # Lucid saved input.jpg and the first layers before failing, leaving a partial result.
    real_save, calls = caricature_module.save, []

    def failing_save(thing, url):
        calls.append(url)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_save(thing, url)

    monkeypatch.setattr(caricature_module, "save", failing_save)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="disk full"):
        make_caricature(image_path, str(model_folder), str(out), n_steps=1)
    assert len(calls) == 3
    assert not out.exists() or os.listdir(out) == []


def test_model_without_layers(image_path, tmp_path):
    model = ShapesNet()
    model.layers = ()
    with pytest.raises(ValueError, match="declares no layers"):
        make_caricature(image_path, model, str(tmp_path / "out"), n_steps=1)
