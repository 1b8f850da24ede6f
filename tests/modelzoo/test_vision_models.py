"""All 31 zoo classes: metadata and declared layers against the reference, post_import, namespaces."""

import re
import types
from pathlib import Path

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import lucid.modelzoo.caffe_models as caffe_models
import lucid.modelzoo.other_models as other_models
import lucid.modelzoo.slim_models as slim_models
import lucid.modelzoo.vision_models as models
from lucid.modelzoo.vision_base import Layer
from lucid.modelzoo.vision_base import Model

V = "gs://modelzoo/vision/"
L = "gs://modelzoo/labels/"
CAFFE = "caffe"  # (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR), per channel
MEAN_BGR = np.array([103.939, 116.779, 123.68])

# Transcribed from lucid_api.md §2.1: name, model_path, labels_path, synsets_path, dataset,
# image_shape, image_value_range, input_name, is_BGR, number of declared layers.
# fmt: off
ZOO = [
    ("AlexNet_caffe_Places365", V + "caffe_models/AlexNet_places365.pb", L + "Places365.txt", None, "Places365", [227, 227, 3], CAFFE, "input", True, 5),
    ("InceptionV1_caffe", V + "caffe_models/InceptionV1.pb", L + "ImageNet_standard.txt", L + "ImageNet_standard_synsets.txt", "ImageNet", [224, 224, 3], CAFFE, "data", True, 13),
    ("InceptionV1_caffe_Places205", V + "caffe_models/InceptionV1_places205.pb", L + "Places205.txt", None, "Places205", [224, 224, 3], CAFFE, "data", True, 13),
    ("InceptionV1_caffe_Places365", V + "caffe_models/InceptionV1_places365.pb", L + "Places365.txt", None, "Places365", [224, 224, 3], CAFFE, "data", True, 13),
    ("CaffeNet_caffe", V + "caffe_models/CaffeNet.pb", L + "ImageNet_standard.txt", L + "ImageNet_standard_synsets.txt", "ImageNet", [227, 227, 3], CAFFE, "data", True, 5),
    ("VGG16_caffe", V + "caffe_models/VGG16.pb", L + "ImageNet_standard.txt", L + "ImageNet_standard_synsets.txt", "ImageNet", [224, 224, 3], CAFFE, "input", True, 16),
    ("VGG19_caffe", V + "caffe_models/VGG19.pb", L + "ImageNet_standard.txt", L + "ImageNet_standard_synsets.txt", "ImageNet", [224, 224, 3], CAFFE, "input", True, 19),
    ("AlexNet", V + "other_models/AlexNet.pb", L + "ImageNet_standard.txt", L + "ImageNet_standard_synsets.txt", "ImageNet", [227, 227, 3], CAFFE, "Placeholder", True, 11),
    ("Clip_ResNet50_4x", V + "other_models/Clip_ResNet50_4x.pb", None, None, None, [288, 288, 3], (0, 255), "input_image", False, 0),
    ("InceptionV1", V + "other_models/InceptionV1.pb", L + "ImageNet_alternate.txt", L + "ImageNet_alternate_synsets.txt", "ImageNet", [224, 224, 3], (-117, 138), "input", False, 19),
    ("InceptionV1_adv_finetuned", V + "other_models/InceptionV1_adv_finetuned.pb", L + "ImageNet_alternate.txt", L + "ImageNet_alternate_synsets.txt", "ImageNet", [224, 224, 3], (-117, 138), "input", False, 19),
    ("InceptionV1_slim", V + "slim_models/InceptionV1.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 13),
    ("InceptionV2_slim", V + "slim_models/InceptionV2.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 14),
    ("InceptionV3_slim", V + "slim_models/InceptionV3.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [299, 299, 3], (-1, 1), "input", False, 17),
    ("InceptionV4_slim", V + "slim_models/InceptionV4.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [299, 299, 3], (-1, 1), "input", False, 23),
    ("InceptionResnetV2_slim", V + "slim_models/InceptionResnetV2.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [299, 299, 3], (-1, 1), "input", False, 89),
    ("MobilenetV1_slim", V + "slim_models/MobilenetV1.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 15),
    ("MobilenetV1_050_slim", V + "slim_models/MobilenetV1050.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 15),
    ("MobilenetV1_025_slim", V + "slim_models/MobilenetV1025.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 15),
    ("MobilenetV2_10_slim", V + "slim_models/MobilenetV2_10.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 11),
    ("MobilenetV2_14_slim", V + "slim_models/MobilenetV2_14.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 11),
    ("ResnetV1_50_slim", V + "slim_models/ResnetV1_50.pb", L + "ImageNet_standard.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-117, 138), "input", False, 18),
    ("ResnetV1_101_slim", V + "slim_models/ResnetV1_101.pb", L + "ImageNet_standard.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-117, 138), "input", False, 35),
    ("ResnetV1_152_slim", V + "slim_models/ResnetV1_152.pb", L + "ImageNet_standard.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-117, 138), "input", False, 52),
    ("ResnetV2_50_slim", V + "slim_models/ResnetV2_50.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 22),
    ("ResnetV2_101_slim", V + "slim_models/ResnetV2_101.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 39),
    ("ResnetV2_152_slim", V + "slim_models/ResnetV2_152.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 56),
    ("NasnetMobile_slim", V + "slim_models/NasnetMobile.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 18),
    ("NasnetLarge_slim", V + "slim_models/NasnetLarge.pb", L + "ImageNet_standard_with_dummy.txt", None, "ImageNet", [331, 331, 3], (-1, 1), "input", False, 24),
    ("PnasnetMobile_slim", V + "slim_models/PnasnetMobile.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [224, 224, 3], (-1, 1), "input", False, 13),
    ("PnasnetLarge_slim", V + "slim_models/PnasnetLarge.pb", L + "ImageNet_standard_with_dummy.txt", L + "ImageNet_standard_with_dummy_synsets.txt", "ImageNet", [331, 331, 3], (-1, 1), "input", False, 16),
]
# fmt: on

# Spot checks transcribed by hand from §2.2 and Appendix A: (model, index, name, depth, tags).
SPOT_CHECKS = [
    ("InceptionV1", 0, "conv2d0", 64, {"conv"}),
    ("InceptionV1", 5, "mixed4a", 508, {"conv"}),
    ("InceptionV1", 12, "head0_bottleneck", 128, {"conv"}),
    ("InceptionV1", 14, "softmax0", 1008, {"dense"}),
    ("InceptionV1", 18, "softmax2", 1008, {"dense"}),
    ("InceptionV1_adv_finetuned", 9, "mixed4e", 832, {"conv"}),
    ("AlexNet", 0, "Conv2D", 96, {"pre_relu", "conv"}),
    ("AlexNet", 3, "Conv2D_3", 384, {"pre_relu", "conv"}),
    ("AlexNet", 7, "Conv2D_7", 128, {"pre_relu", "conv"}),
    ("AlexNet", 9, "Relu_1", 4096, {"dense"}),
    ("AlexNet", 10, "Softmax", 1000, {"dense"}),
    ("AlexNet_caffe_Places365", 4, "prob", 365, {"dense"}),
    ("InceptionV1_caffe_Places205", 12, "prob", 205, {"dense"}),
    ("InceptionV1_caffe", 3, "inception_3a_output", 256, {"conv"}),
    ("VGG19_caffe", 17, "fc7/fc7", 4096, {"dense"}),
    ("CaffeNet_caffe", 0, "conv5/concat", 256, {"conv"}),
    (
        "InceptionResnetV2_slim",
        0,
        "InceptionResnetV2/InceptionResnetV2/Conv2d_1a_3x3/Relu",
        32,
        {"conv"},
    ),
    (
        "InceptionResnetV2_slim",
        86,
        "InceptionResnetV2/InceptionResnetV2/Block8/add",
        2080,
        {"conv"},
    ),
    ("InceptionResnetV2_slim", 88, "InceptionResnetV2/Logits/Predictions", 1001, {"dense"}),
    ("InceptionV3_slim", 15, "InceptionV3/InceptionV3/Mixed_7c/concat", 2048, {"conv"}),
    ("MobilenetV1_025_slim", 0, "MobilenetV1/MobilenetV1/Conv2d_0/Relu6", 8, {"conv"}),
    ("MobilenetV2_14_slim", 1, "MobilenetV2/expanded_conv_4/add", 48, {"conv"}),
    ("MobilenetV2_14_slim", 10, "MobilenetV2/Predictions/Softmax", 1001, {"dense"}),
    ("ResnetV1_50_slim", 17, "resnet_v1_50/predictions/Softmax", 1000, {"dense"}),
    ("ResnetV1_152_slim", 34, "resnet_v1_152/block3/unit_23/bottleneck_v1/Relu", 1024, {"conv"}),
    ("ResnetV2_50_slim", 20, "resnet_v2_50/postnorm/Relu", 2048, {"conv"}),
    ("ResnetV2_50_slim", 21, "resnet_v2_50/predictions/Softmax", 1001, {"dense"}),
    ("NasnetMobile_slim", 2, "cell_stem_1/cell_output/concat", 88, {"conv"}),
    ("NasnetLarge_slim", 23, "final_layer/predictions", 1001, {"dense"}),
    ("PnasnetMobile_slim", 1, "cell_stem_0/cell_output/concat", 65, {"conv"}),
    ("PnasnetLarge_slim", 15, "final_layer/predictions", 1001, {"dense"}),
]

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "lucid_api.md"


def test_the_zoo_table_has_31_models_and_649_layers():
    assert len(ZOO) == 31
    assert sum(row[-1] for row in ZOO) == 649
    assert sum(len(getattr(models, row[0]).layers) for row in ZOO) == 649


@pytest.mark.parametrize("row", ZOO, ids=[row[0] for row in ZOO])
def test_model_metadata_matches_reference(row):
    name, model_path, labels_path, synsets_path, dataset, shape, value_range, input_name, bgr, n = (
        row
    )
    model_class = getattr(models, name)
    assert issubclass(model_class, Model)
    model = model_class()
    assert model.name == name
    assert model.model_path == model_path
    assert model.labels_path == labels_path
    assert model.synsets_path == synsets_path
    assert model.dataset == dataset
    assert list(model.image_shape) == shape
    assert model.input_name == input_name
    assert model.is_BGR is bgr
    lo, hi = model.image_value_range
    if value_range == CAFFE:
        np.testing.assert_allclose(lo, -MEAN_BGR)
        np.testing.assert_allclose(hi, 255 - MEAN_BGR)
    else:
        assert (lo, hi) == value_range
    assert len(model.layers) == n
    assert len({layer.name for layer in model.layers}) == n, "duplicate layer names"
    for layer in model.layers:
        assert isinstance(layer, Layer)
        assert isinstance(layer.depth, int) and layer.depth > 0
        assert layer.tags in ({"conv"}, {"dense"}, {"conv", "pre_relu"})


@pytest.mark.parametrize("model_name, index, name, depth, tags", SPOT_CHECKS)
def test_declared_layer_spot_checks(model_name, index, name, depth, tags):
    layer = getattr(models, model_name).layers[index]
    assert (layer.name, layer.depth, layer.tags) == (name, depth, tags)


def test_clip_is_the_only_model_with_model_name_and_has_no_layers():
    with_names = [row[0] for row in ZOO if getattr(models, row[0]).model_name is not None]
    assert with_names == ["Clip_ResNet50_4x"]
    assert models.Clip_ResNet50_4x.layers == ()


def test_adv_finetuned_shares_inception_v1_layers_and_post_import():
    assert models.InceptionV1_adv_finetuned.layers is models.InceptionV1.layers
    assert issubclass(models.InceptionV1_adv_finetuned, models.InceptionV1)


def _appendix_layers(text):
    """{model: [(name, depth, tags)]} parsed from the reference's Appendix A."""
    layers = {}
    for line in text.split("## Appendix A")[1].splitlines():
        match = re.match(r"- \*\*(\w+)\*\*(?: \(\d+\))?(.*)", line)
        if match:
            rest = (
                match.group(2).split(":", 1)[1] if "(inherits" in match.group(2) else match.group(2)
            )
            items = re.findall(r"`([^`]+)`:(\d+)(?:\[([^\]]+)\])?", rest)
            layers[match.group(1)] = [
                (n, int(d), set(t.split(",")) if t else {"conv"}) for n, d, t in items
            ]
    return layers


@pytest.mark.skipif(
    not REFERENCE.exists(), reason="the reference document is not beside this checkout"
)
def test_every_declared_layer_matches_reference_appendix():
    expected = _appendix_layers(REFERENCE.read_text(encoding="utf-8"))
    assert sorted(expected) == sorted(row[0] for row in ZOO)
    for name, layers in expected.items():
        actual = [(layer.name, layer.depth, layer.tags) for layer in getattr(models, name).layers]
        assert actual == layers, name


# -- namespaces --------------------------------------------------------------------------


def _public(module):
    return {name for name in dir(module) if not name.startswith("__")}


def test_vision_models_namespace_is_exactly_the_models():
    model_names = {row[0] for row in ZOO} | {"ShapesNet"}  # the zoo and the bundled model
    assert set(models.__all__) == model_names | {"Model"}
    assert len(models.__all__) == 33
    assert _public(models) == model_names | {"Model", "Layer"}


@pytest.mark.parametrize("package", [caffe_models, slim_models, other_models])
def test_subpackage_namespaces_hold_only_models_and_submodules(package):
    for name in _public(package) - set(package.__all__):
        value = getattr(package, name)
        assert isinstance(value, types.ModuleType) and value.__name__.startswith(
            package.__name__
        ), name
    for name in package.__all__:
        assert issubclass(getattr(package, name), Model)
    for helper in (
        "Model",
        "Layer",
        "IMAGENET_MEAN",
        "IMAGENET_MEAN_BGR",
        "_layers_from_list_of_dicts",
    ):
        assert helper not in dir(package)


def test_subpackages_partition_the_zoo():
    exported = caffe_models.__all__ + slim_models.__all__ + other_models.__all__
    assert sorted(exported) == sorted([row[0] for row in ZOO] + ["ShapesNet"])


# -- InceptionV1.post_import -------------------------------------------------------------


def _old_concat_inception_graph():
    """A mixed3a block like inception5h's: towers after ReLU, joined by the axis-first Concat.

    Input `[1, 1, 2, 1]` = [[1, -2]]. Tower a: relu(2x - 1) -> pre [1, -5]. Tower b: relu(-x)
    with 2 channels (weights -1, -3) -> pre [[-1, -3], [2, 6]]. Tower c (no ReLU): x + 10.
    """
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, None, None, 1], name="input")
        a_pre = tf.nn.conv2d(x, np.full([1, 1, 1, 1], 2.0, np.float32), [1, 1, 1, 1], "SAME") - 1.0
        a = tf.nn.relu(a_pre, name="mixed3a_1x1")
        b_w = np.array([-1.0, -3.0], np.float32).reshape([1, 1, 1, 2])
        b = tf.nn.relu(tf.nn.conv2d(x, b_w, [1, 1, 1, 1], "SAME"), name="mixed3a_3x3")
        c = tf.add(x, 10.0, name="mixed3a_pool_reduce")
        tf.raw_ops.Concat(concat_dim=3, values=[a, b, c], name="mixed3a")
    return graph.as_graph_def()


def test_inception_v1_post_import_builds_pre_relu_concats_from_old_concat():
    model = models.InceptionV1()
    model._graph_def = _old_concat_inception_graph()
    assert "Concat" in {node.op for node in model._graph_def.node}
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        x = tf.placeholder(tf.float32, [1, 1, 2, 1])
        T = model.import_graph(input_map={"input": x})
        pre, post = sess.run([T("mixed3a_pre_relu"), T("mixed3a")], {x: [[[[1.0], [-2.0]]]]})
        assert graph.get_tensor_by_name("import/mixed3a_pre_relu:0").op.type == "ConcatV2"
    np.testing.assert_allclose(pre[0, 0], [[1, -1, -3, 11], [-5, 2, 6, 8]])
    np.testing.assert_allclose(post[0, 0], np.maximum(pre[0, 0], [0, 0, 0, -np.inf]))


def test_inception_v1_post_import_handles_nested_scopes_and_concat_v2():
    with tf.Graph().as_default() as source:
        x = tf.placeholder(tf.float32, [None, None, None, 1], name="input")
        towers = [tf.nn.relu(x - 1.0), tf.nn.relu(2.0 - x)]
        tf.concat(towers, -1, name="mixed4a")
    model = models.InceptionV1()
    model._graph_def = source.as_graph_def()
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [1, 1, 1, 1])
        T = model.import_graph(input_map={"input": x}, scope="outer/net")
        pre = sess.run(T("mixed4a_pre_relu"), {x: [[[[5.0]]]]})
    np.testing.assert_allclose(pre.ravel(), [4.0, -3.0])
