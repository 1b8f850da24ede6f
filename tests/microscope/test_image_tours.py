"""Image tours on the hand-weighted ToyModel: exact top units per image, resume, one channel."""

import hashlib
import json
import os

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from PIL import Image

from lucid.microscope import build
from lucid.microscope import dataset_examples
from lucid.microscope import image_tours
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts
from lucid.modelzoo.vision_models import ShapesNet
from tests.microscope.conftest import write_toy_images
from tests.toy_models import ToyModel

# Per toy picture, the top two units of `color`, `stripes` and `logits` (all units rendered).
# color = relu(own colour minus the others); stripes respond 0.25 to their own stripes
# (period 4, values 1/0.5/0/0.5) and 0 to uniform images; logit k = the mean of feature k
# (stripes: 7 of 25 rows or columns at 0.25, so 0.07). Ties of zeros: the lower unit first.
EXPECTED = {
    "blue.png": [[(2, 1.0), (0, 0.0)], [(0, 0.0), (1, 0.0)], [(2, 1.0), (0, 0.0)]],
    "green.png": [[(1, 1.0), (0, 0.0)], [(0, 0.0), (1, 0.0)], [(1, 1.0), (0, 0.0)]],
    "grey.png": [[(0, 0.0), (1, 0.0)], [(0, 0.0), (1, 0.0)], [(0, 0.0), (1, 0.0)]],
    "horizontal.png": [[(0, 0.0), (1, 0.0)], [(1, 0.25), (0, 0.0)], [(4, 0.07), (0, 0.0)]],
    "red.png": [[(0, 1.0), (1, 0.0)], [(0, 0.0), (1, 0.0)], [(0, 1.0), (1, 0.0)]],
    "vertical.png": [[(0, 0.0), (1, 0.0)], [(0, 0.25), (1, 0.0)], [(3, 0.07), (0, 0.0)]],
}
TOY_LAYERS = ["color", "stripes", "logits"]


@pytest.fixture(scope="module")
def toy():
    model = ToyModel()
    info = build.describe_model(model)
    layers = build.select_layers(info, TOY_LAYERS)
    units = {layer["name"]: list(range(layer["depth"])) for layer in layers}
    return model, info, layers, units


@pytest.fixture(scope="module")
def toy_set(tmp_path_factory):
    directory = write_toy_images(str(tmp_path_factory.mktemp("tour_images")))
    return dataset_examples.load_images(directory, 32, 32)


def read_tour(model_dir, k):
    with open(os.path.join(model_dir, "images", f"image-{k:03d}.json"), encoding="utf-8") as f:
        return json.load(f)


def tree(directory):
    return {
        name: hashlib.sha256(open(os.path.join(directory, name), "rb").read()).hexdigest()
        for name in sorted(os.listdir(directory))
    }


def test_each_image_lists_the_units_it_activates_most_in_every_layer(tmp_path, toy, toy_set):
    model, info, layers, units = toy
    written = image_tours.write_image_tours(
        model, str(tmp_path), info, toy_set, layers, units, count=6, top=2
    )
    assert written == 6
    for k, caption in enumerate(toy_set.captions):  # six images, six tours: every one
        record = read_tour(str(tmp_path), k)
        assert record["caption"] == caption
        assert record["file"] == f"image-{k:03d}.png"
        assert [entry["layer"] for entry in record["layers"]] == TOY_LAYERS
        assert [entry["dir"] for entry in record["layers"]] == TOY_LAYERS
        got = [[(u["unit"], u["activation"]) for u in entry["units"]] for entry in record["layers"]]
        assert got == EXPECTED[caption], caption


def test_only_the_rendered_units_are_ranked(tmp_path, toy, toy_set):
    model, info, layers, _ = toy
    units = {"color": [1, 2], "stripes": [1], "logits": [1, 2, 3]}
    image_tours.write_image_tours(model, str(tmp_path), info, toy_set, layers, units, 6, 8)
    red = read_tour(str(tmp_path), toy_set.captions.index("red.png"))
    assert [[u["unit"] for u in entry["units"]] for entry in red["layers"]] == [
        [1, 2],
        [1],
        [1, 2, 3],
    ]


def test_the_image_file_is_the_dataset_image_upscaled(tmp_path, toy, toy_set):
    model, info, layers, units = toy
    image_tours.write_image_tours(model, str(tmp_path), info, toy_set, layers, units, 6, 1)
    k = toy_set.captions.index("red.png")
    pixels = np.asarray(Image.open(tmp_path / "images" / f"image-{k:03d}.png"))
    assert pixels.shape == (128, 128, 3)  # 32 x 32, upscaled 4 times as dataset examples are
    assert (pixels == [255, 0, 0]).all()


def test_images_are_spread_over_the_set():
    assert image_tours.tour_indices(6, 4) == [0, 1, 3, 4]
    assert image_tours.tour_indices(512, 4) == [0, 128, 256, 384]
    assert image_tours.tour_indices(3, 5) == [0, 1, 2]
    assert image_tours.tour_indices(6, 0) == []


def test_a_rerun_writes_nothing_and_a_change_redoes_only_what_it_changes(tmp_path, toy, toy_set):
    model, info, layers, units = toy
    model_dir, images_dir = str(tmp_path), str(tmp_path / "images")
    assert image_tours.write_image_tours(model, model_dir, info, toy_set, layers, units, 4) == 4
    first = tree(images_dir)
    assert image_tours.write_image_tours(model, model_dir, info, toy_set, layers, units, 4) == 0
    assert tree(images_dir) == first
    os.remove(os.path.join(images_dir, "image-002.json"))  # as if killed before committing it
    assert image_tours.write_image_tours(model, model_dir, info, toy_set, layers, units, 4) == 1
    assert tree(images_dir) == first
    # Two images: tour 1 is now image 3 of the set; tours 2 and 3 are gone.
    assert image_tours.write_image_tours(model, model_dir, info, toy_set, layers, units, 2) == 1
    assert sorted(tree(images_dir)) == [
        "image-000.json",
        "image-000.png",
        "image-001.json",
        "image-001.png",
    ]
    assert read_tour(model_dir, 1)["caption"] == toy_set.captions[3]
    assert image_tours.write_image_tours(model, model_dir, info, toy_set, layers, units, 2, 3) == 2


def test_a_one_channel_model_tours_grey_versions_of_the_pictures(tmp_path):
    class GreyModel(Model):
        model_path = "grey.pb"
        image_shape = [4, 4, 1]
        image_value_range = (0, 1)
        input_name = "input"

        def __init__(self):
            with tf.Graph().as_default() as graph:
                x = tf.placeholder(tf.float32, [None, None, None, 1], name="input")
                weights = np.array([1.0, -1.0], np.float32).reshape([1, 1, 1, 2])
                tf.nn.relu(tf.nn.conv2d(x, weights, [1, 1, 1, 1], "SAME"), name="grey")
            self._graph_def = graph.as_graph_def()
            self.layers = _layers_from_list_of_dicts(
                self, [{"name": "grey", "depth": 2, "tags": ["conv"]}]
            )

    model = GreyModel()
    info = build.describe_model(model)
    images = np.zeros([1, 4, 4, 3], np.float32)
    images[..., 0] = 1.0  # red: grey level 0.2989 (ITU-R 601 luma, as tf.image.rgb_to_grayscale)
    image_set = dataset_examples.ImageSet(images, ("red",), "fingerprint")
    image_tours.write_image_tours(
        model, str(tmp_path), info, image_set, info["layers"], {"grey": [0, 1]}
    )
    units = read_tour(str(tmp_path), 0)["layers"][0]["units"]
    assert units == [{"unit": 0, "activation": 0.2989}, {"unit": 1, "activation": 0.0}]


def test_bad_arguments_say_what_to_pass(tmp_path, toy, toy_set):
    model, info, layers, units = toy
    with pytest.raises(ValueError, match="top >= 1"):
        image_tours.write_image_tours(model, str(tmp_path), info, toy_set, layers, units, top=0)
    with pytest.raises(ValueError, match="no entry for layer 'logits'"):
        image_tours.write_image_tours(
            model, str(tmp_path), info, toy_set, layers, {"color": [0], "stripes": [0]}
        )
    with pytest.raises(ValueError, match="not a layer of ToyModel"):
        image_tours.write_image_tours(
            model, str(tmp_path), info, toy_set, [{"name": "nope", "dir": "nope"}], units
        )


def test_shapesnet_tours_rank_each_images_class_first_among_the_logits(tmp_path):
    model = ShapesNet()
    info = build.describe_model(model)
    layers = build.select_layers(info, ["conv2", "logits"])
    units = {"conv2": [0, 1, 2, 3], "logits": list(range(16))}
    image_set = dataset_examples.load_images("builtin:shapes:8", 64, 64)
    image_tours.write_image_tours(model, str(tmp_path), info, image_set, layers, units, 4, 3)
    for k, index in enumerate(image_tours.tour_indices(8, 4)):
        record = read_tour(str(tmp_path), k)
        assert record["caption"] == image_set.captions[index]
        conv2, logits = record["layers"]
        assert len(conv2["units"]) == 3 and {u["unit"] for u in conv2["units"]} <= {0, 1, 2, 3}
        assert info["labels"][logits["units"][0]["unit"]] == record["caption"]
