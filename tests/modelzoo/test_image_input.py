"""Value ranges and image arrays checked before they reach a model (lucid.modelzoo.image_input)."""

import json

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo import util
from lucid.modelzoo.image_input import as_unit_images
from lucid.modelzoo.image_input import check_images
from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR
from lucid.modelzoo.vision_base import Model
from tests.toy_models import ToyModel
from tests.toy_models import toy_graph_def

BAD_RANGES = [(1, 0), (0, 0), (0, np.nan), (0,), "0-1", None, ((0, 0, 0), (1, 1))]


class InvertedToy(ToyModel):
    image_value_range = (1, 0)


class EmptyRangeToy(ToyModel):
    image_value_range = (0, 0)


class CaffeToy(ToyModel):
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    is_BGR = True


@pytest.mark.parametrize("model_class", [InvertedToy, EmptyRangeToy])
def test_a_subclass_with_an_inverted_or_empty_range_does_not_render(graph, model_class):
    with pytest.raises(ValueError, match=f"{model_class.__name__}: image_value_range must be"):
        model_class().import_graph(tf.placeholder(tf.float32, [1, 4, 4, 3]))


def test_a_per_channel_range_names_the_bad_channel(graph):
    class OneChannelInverted(ToyModel):
        image_value_range = ((0, 0, 1), (1, 1, 0))

    with pytest.raises(ValueError, match=r"OneChannelInverted.*channel 2: low 1\.0 >= high 0\.0"):
        OneChannelInverted().import_graph()


def test_valid_ranges_still_import(graph):
    for model in (ToyModel(), CaffeToy()):
        T = model.import_graph(tf.placeholder(tf.float32, [1, 4, 4, 3]), scope=model.name)
        assert T("const_pre_relu").shape[-1] == 4


@pytest.mark.parametrize("bad_range", BAD_RANGES, ids=repr)
def test_load_from_metadata_rejects_bad_ranges_naming_the_model(bad_range):
    metadata = {"input_name": "input", "image_shape": [4, 4, 3], "image_value_range": bad_range}
    with pytest.raises(ValueError, match="'toy.pb'.*image_value_range must be"):
        Model.load_from_metadata("toy.pb", metadata)
    named = {**metadata, "model_name": "MyNet"}
    with pytest.raises(ValueError, match="MyNet.*image_value_range must be"):
        Model.load_from_metadata("toy.pb", named)


def test_model_load_rejects_an_inverted_range_in_the_saved_metadata(tmp_path):
    graph_def = toy_graph_def()
    # What an older save, or a hand-edited file, may hold: Model.save itself refuses it.
    util.infuse_metadata(
        graph_def, {"input_name": "input", "image_shape": [4, 4, 3], "image_value_range": [1, 0]}
    )
    path = tmp_path / "inverted.pb"
    path.write_bytes(graph_def.SerializeToString())
    with pytest.raises(ValueError, match=r"inverted\.pb.*got \[1, 0\].*low 1\.0 >= high 0\.0"):
        Model.load(str(path))


def test_a_manifest_with_an_inverted_range_is_an_error_naming_its_directory(tmp_path):
    manifest = {
        "model_path": "./graph.pb",
        "image_shape": [4, 4, 3],
        "image_value_range": [255, 0],
        "input_name": "input",
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="the model in '.*': image_value_range must be"):
        Model.load(str(tmp_path / "manifest.json"))


def test_save_refuses_an_inverted_range(graph, tmp_path):
    tf.placeholder(tf.float32, [None, 4, 4, 3], name="input")
    with pytest.raises(ValueError, match=r"Model\.save: image_value_range.*low 1\.0 >= high 0\.0"):
        Model.save(str(tmp_path / "m.pb"), "input", ["input"], [4, 4, 3], (1, 0))


def test_check_images_names_bad_images_across_chunks():
    images = np.zeros([600, 1, 1, 3], np.float32)
    images[[5, 299, 599], 0, 0, 1] = [np.nan, np.inf, -np.inf]
    with pytest.raises(ValueError, match=r"3 of 600 images .* at \[\(5,\), \(299,\), \(599,\)\]"):
        check_images(images)
    assert check_images(np.zeros([600, 1, 1, 3], np.uint8)) is None
    unit = as_unit_images(np.array([[[[0, 51, 255]]]], np.uint8))
    assert unit.dtype == np.float32
    np.testing.assert_allclose(unit, [[[[0, 0.2, 1]]]], rtol=1e-7)
