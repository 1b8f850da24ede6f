"""Model and Layer behaviour on tiny hand-weighted graphs (no network)."""

import json
import logging
import pickle
import warnings

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo import util
from lucid.modelzoo.vision_base import IMAGENET_MEAN_BGR
from lucid.modelzoo.vision_base import FrozenGraphModel
from lucid.modelzoo.vision_base import Layer
from lucid.modelzoo.vision_base import LayerNotFoundError
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import SerializedModel
from tests.toy_models import TOY_LAYERS
from tests.toy_models import ToyModel
from tests.toy_models import toy_graph_def


class CaffeStyle(Model):
    model_path = "caffe_style.pb"
    image_shape = [2, 2, 3]
    image_value_range = (-IMAGENET_MEAN_BGR, 255 - IMAGENET_MEAN_BGR)
    is_BGR = True


class InceptionStyle(Model):
    model_path = "inception_style.pb"
    image_shape = [2, 2, 3]
    image_value_range = (-117, 255 - 117)


def _write_graph(path, graph_def):
    path.write_bytes(graph_def.SerializeToString())
    return str(path)


# -- Layer -------------------------------------------------------------------------------


def test_layer_attributes_repr_and_dict_access(toy_model):
    layer = toy_model.layers[0]
    assert (layer.name, layer.depth, layer.tags) == ("const_pre_relu", 4, {"conv", "pre_relu"})
    assert layer.model_class is ToyModel and layer.model_name == "ToyModel"
    assert layer["name"] == "const_pre_relu" and layer["depth"] == 4
    assert layer.to_json() == "const_pre_relu"
    assert repr(layer).startswith("Layer (belonging to ToyModel) <const_pre_relu: 4> (")
    with pytest.raises(AttributeError, match="expected one of"):
        layer["colour"]
    with pytest.warns(DeprecationWarning):
        assert layer["type"] in {"conv", "pre_relu"}
    with pytest.warns(DeprecationWarning):
        assert layer.size == 4


def test_layer_activations_come_from_aligned_activations(monkeypatch, toy_model):
    from lucid.modelzoo import aligned_activations

    calls = []
    monkeypatch.setattr(
        aligned_activations,
        "get_aligned_activations",
        lambda layer: calls.append(layer) or np.eye(2),
    )
    layer = Layer(toy_model, "const", 4, ["conv"])
    np.testing.assert_array_equal(layer.activations, np.eye(2))
    layer.activations  # noqa: B018 (cached: no second call)
    assert calls == [layer]


# -- create_input ------------------------------------------------------------------------


def test_create_input_reverses_bgr_then_maps_each_channel_range(graph):
    pixel = np.array([0.0, 0.5, 1.0])  # RGB
    image = np.tile(pixel, [1, 2, 2, 1]).astype(np.float32)
    t_input, t_prep = CaffeStyle().create_input(tf.constant(image))
    prep = graph.sess.run(t_prep)
    bgr = pixel[::-1]
    expected = -IMAGENET_MEAN_BGR + bgr * 255  # lo + t * (hi - lo), per channel
    np.testing.assert_allclose(prep[0, 1, 1], expected, rtol=1e-6)
    np.testing.assert_allclose(prep[0, 0, 0], [255 - 103.939, 127.5 - 116.779, -123.68], rtol=1e-6)


def test_create_input_scalar_range_rank3_and_forget_xy(graph):
    model = InceptionStyle()
    t_input, t_prep = model.create_input(tf.constant(np.full([2, 2, 3], 0.5, np.float32)))
    assert t_prep.shape.as_list() == [1, None, None, 3]
    np.testing.assert_allclose(graph.sess.run(t_prep), np.full([1, 2, 2, 3], 10.5))
    _, t_fixed = model.create_input(tf.zeros([1, 2, 2, 3]), forget_xy_shape=False)
    assert t_fixed.shape.as_list() == [1, 2, 2, 3]


def test_create_input_makes_a_placeholder_of_image_shape(graph):
    t_input, t_prep = CaffeStyle().create_input()
    assert t_input.op.type == "Placeholder"
    assert t_input.shape.as_list() == [2, 2, 3]
    assert t_prep.dtype == tf.float32


def test_create_input_rejects_integer_images(graph):
    with pytest.raises(TypeError, match="dtype uint8"):
        InceptionStyle().create_input(tf.zeros([1, 2, 2, 3], tf.uint8))


# -- import_graph ------------------------------------------------------------------------


def test_import_graph_gives_exact_toy_activations(graph, toy_model):
    t_image = tf.placeholder(tf.float32, [None, None, None, 3])
    T = toy_model.import_graph(t_image)
    image = np.zeros([1, 3, 3, 3], np.float32)
    image[..., 0] = 1.0  # red
    const, color, const_tensor = graph.sess.run(
        [T("const_pre_relu"), T(toy_model.get_layer("color")), T("const_pre_relu:0")],
        {t_image: image},
    )
    np.testing.assert_allclose(const, np.full([1, 3, 3, 4], 1.1), rtol=1e-6)
    np.testing.assert_allclose(const_tensor, const)
    np.testing.assert_allclose(color[0, 1, 1], [1, 0, 0])


def test_import_graph_refuses_a_used_scope(graph, toy_model):
    toy_model.import_graph(scope="net")
    with pytest.raises(ValueError, match="Scope 'net' already exists"):
        toy_model.import_graph(scope="net")
    toy_model.import_graph(scope="net2")
    assert graph.get_operation_by_name("net2/const_pre_relu")


def test_import_graph_input_map_replaces_inner_tensors(graph, toy_model):
    t_image = tf.placeholder(tf.float32, [None, None, None, 3])
    T = toy_model.import_graph(t_image, input_map={"color_pre_relu": -tf.ones([1, 2, 2, 3])})
    color, const = graph.sess.run([T("color"), T("const")], {t_image: np.ones([1, 2, 2, 3])})
    np.testing.assert_array_equal(color, np.zeros([1, 2, 2, 3]))
    np.testing.assert_allclose(const, np.full([1, 2, 2, 4], 1.3), rtol=1e-6)


def test_T_lists_close_matches_for_unknown_tensors(graph, toy_model):
    T = toy_model.import_graph()
    with pytest.raises(LayerNotFoundError, match="Close matches: .*'stripes_pre_relu'"):
        T("stripes_pre_relus")
    with pytest.raises(KeyError):
        T("nothing_like_it")


def test_failed_graph_load_leaves_the_default_graph_untouched(graph, tmp_path):
    class Missing(Model):
        model_path = str(tmp_path / "missing.pb")

    with pytest.raises(FileNotFoundError):
        Missing().import_graph()
    assert graph.get_operations() == []


# -- get_layer ---------------------------------------------------------------------------


def test_get_layer_exact_then_fuzzy_with_a_warning(toy_model, caplog):
    assert toy_model.get_layer("const").name == "const"
    with caplog.at_level(logging.WARNING, logger="lucid.modelzoo.vision_base"):
        assert toy_model.get_layer("STRIPES").name == "stripes_pre_relu"
    assert "fuzzy matching" in caplog.text and "stripes_pre_relu" in caplog.text


def test_get_layer_error_is_key_and_value_error_with_close_matches(toy_model):
    with pytest.raises(KeyError) as info:
        toy_model.get_layer("colr")
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "'colr' is not a declared layer of ToyModel" in message
    assert "Close matches: ['color'" in message
    assert "All 8 layers" in message


# -- labels, synsets, graph_def ------------------------------------------------------------


def test_labels_and_synset_ids_load_lazily_once(tmp_path):
    labels_file = tmp_path / "labels.txt"
    labels_file.write_text("dummy\ncat\ndog\n")
    synsets_file = tmp_path / "synsets.txt"
    synsets_file.write_text("n00000000\nn02123045\n")

    class Labelled(Model):
        labels_path = str(labels_file)
        synsets_path = str(synsets_file)

    model = Labelled()
    assert model._labels is None
    assert model.labels == ["dummy", "cat", "dog"]
    labels_file.unlink()
    assert model.labels == ["dummy", "cat", "dog"]  # cached on the instance
    assert model.synset_ids == ["n00000000", "n02123045"]


def test_labels_without_a_path_raise(toy_model):
    with pytest.raises(RuntimeError, match="no labels_path"):
        Model().labels  # noqa: B018
    with pytest.raises(RuntimeError, match="no synsets_path"):
        Model().synset_ids  # noqa: B018


def test_load_graphdef_method_loads_once_quietly(monkeypatch, tmp_path):
    path = _write_graph(tmp_path / "toy.pb", toy_graph_def())
    calls = []
    real = util.load_graphdef
    monkeypatch.setattr(util, "load_graphdef", lambda url: calls.append(url) or real(url))

    class Toy(Model):
        model_path = path

    model = Toy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.load_graphdef() is None
    model.load_graphdef()
    assert calls == [path]
    assert {node.name for node in model.graph_def.node} >= {"input", "const_pre_relu", "Softmax"}


def test_show_graph_displays_the_graph_def(monkeypatch, toy_model):
    from lucid.misc.io import showing

    shown = []
    monkeypatch.setattr(showing, "graph", lambda graph_def, **kwargs: shown.append(graph_def))
    toy_model.show_graph()
    assert shown == [toy_model.graph_def]


def test_graph_def_without_model_path_is_a_clear_error():
    with pytest.raises(ValueError, match="no model_path"):
        Model().graph_def  # noqa: B018


# -- identity and pickling -----------------------------------------------------------------


def test_pickling_drops_the_graph_def_and_keeps_the_rest(toy_model):
    clone = pickle.loads(pickle.dumps(toy_model))
    assert "_graph_def" not in vars(clone)
    assert clone._labels == toy_model._labels
    assert [layer.name for layer in clone.layers] == [d["name"] for d in TOY_LAYERS]
    assert clone == toy_model and hash(clone) == hash(toy_model)


def test_equality_and_hash_follow_model_path():
    assert CaffeStyle() == CaffeStyle()
    assert CaffeStyle() != InceptionStyle()
    assert CaffeStyle() != "caffe_style.pb"
    assert len({CaffeStyle(), CaffeStyle(), InceptionStyle()}) == 2
    assert str(CaffeStyle()) == "CaffeStyle" and CaffeStyle().to_json() == "CaffeStyle"


# -- save / load ---------------------------------------------------------------------------


def _build_trainable_net():
    """input [N, 2, 2, 3] -> 1x1 conv (variable, all 0.5) -> "features"; a Softmax head."""
    x = tf.placeholder(tf.float32, [None, 2, 2, 3], name="input")
    w = tf.get_variable("w", initializer=np.full([1, 1, 3, 2], 0.5, np.float32))
    features = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", name="features")
    tf.nn.softmax(tf.reduce_mean(features, [1, 2]), name="Softmax")
    tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(features))  # training-only ops


def test_save_then_load_round_trip_with_frozen_variables(tmp_path):
    path = str(tmp_path / "saved" / "model.pb")
    with tf.Graph().as_default(), tf.Session() as sess:
        _build_trainable_net()
        sess.run(tf.global_variables_initializer())
        Model.save(path, "input", ["features", "Softmax"], [2, 2, 3], (0, 1))
    model = Model.load(path)
    assert (model.input_name, model.image_shape, model.image_value_range) == (
        "input",
        [2, 2, 3],
        [0, 1],
    )
    assert model.model_path == path
    ops = {node.op for node in model.graph_def.node}
    assert not ops & {"VariableV2", "VarHandleOp", "ApplyGradientDescent"}
    assert util.extract_metadata(model.graph_def)["image_shape"] == [2, 2, 3]
    with tf.Graph().as_default(), tf.Session() as sess:
        t_image = tf.placeholder(tf.float32, [None, None, None, 3])
        T = model.import_graph(t_image)
        features = sess.run(T("features"), {t_image: np.full([1, 2, 2, 3], 0.2)})
    np.testing.assert_allclose(features, np.full([1, 2, 2, 2], 0.3), rtol=1e-6)
    assert pickle.loads(pickle.dumps(model)).model_path == path


def test_save_validates_names(graph):
    with pytest.raises(ValueError, match="op name"):
        Model.save("x.pb", "input:0", ["Softmax"], [2, 2, 3], (0, 1))
    with pytest.raises(ValueError, match="not tensor names"):
        Model.save("x.pb", "input", ["Softmax:0"], [2, 2, 3], (0, 1))
    with pytest.raises(TypeError, match="list of op names"):
        Model.save("x.pb", "input", "Softmax", [2, 2, 3], (0, 1))


def test_save_needs_a_default_session(tmp_path):
    with tf.Graph().as_default():
        _build_trainable_net()
        with pytest.raises(RuntimeError, match="default session"):
            Model.save(str(tmp_path / "m.pb"), "input", ["Softmax"], [2, 2, 3], (0, 1))


def test_load_rejects_graphs_without_metadata_and_unknown_extensions(tmp_path):
    path = _write_graph(tmp_path / "plain.pb", toy_graph_def())
    with pytest.raises(ValueError, match="does not contain Lucid's metadata node"):
        Model.load(path)
    with pytest.raises(ValueError, match=r"\.pb saved by Model.save or a \.json manifest"):
        Model.load(str(tmp_path / "model.onnx"))


def test_suggest_save_args_for_a_float_placeholder(graph, capsys):
    _build_trainable_net()
    args = Model.suggest_save_args()
    assert args == {
        "input_name": "input",
        "image_shape": [2, 2, 3],
        "output_names": ["Softmax"],
        "image_value_range": None,
    }
    out = capsys.readouterr().out
    assert "Model.save(" in out and "image_value_range=_,  # TODO" in out


def test_suggest_save_args_finds_division_by_255_after_uint8_input(capsys):
    with tf.Graph().as_default() as graph:
        raw = tf.placeholder(tf.uint8, [None, 8, 8, 3], name="raw")
        scaled = tf.divide(tf.cast(raw, tf.float32), 255.0, name="scaled")
        tf.nn.softmax(tf.reduce_mean(scaled, [1, 2]), name="probs")
    with pytest.warns(UserWarning, match="dtype DT_UINT8"):
        args = Model.suggest_save_args(graph.as_graph_def())
    assert args["input_name"] == "scaled"
    assert args["image_value_range"] == (0, 1)
    assert args["image_shape"] == [8, 8, 3]
    assert args["output_names"] == ["probs"]
    assert "'raw', has dtype DT_UINT8" in capsys.readouterr().out


def test_suggest_save_args_round_trip_on_a_minimal_graph(tmp_path, capsys, monkeypatch):
    # All four arguments are inferred here, so the printed call runs as printed.
    monkeypatch.chdir(tmp_path)
    images = np.random.RandomState(0).rand(2, 4, 4, 3).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        raw = tf.placeholder(tf.uint8, [None, 4, 4, 3], name="input")
        scaled = tf.divide(tf.cast(raw, tf.float32), 255.0)
        w = tf.get_variable("w", initializer=np.float32([[[[1, -1], [2, 0], [0, 3]]]]))
        tf.nn.softmax(tf.reduce_mean(tf.nn.conv2d(scaled, w, [1] * 4, "SAME"), [1, 2]), name="p")
        sess.run(tf.global_variables_initializer())
        with pytest.warns(UserWarning, match="DT_UINT8"):
            args = Model.suggest_save_args()
        printed = capsys.readouterr().out
        call = printed[printed.index("Model.save(") :]
        exec(call, {"Model": Model})  # writes saved_model.pb
        Model.save("again.pb", **args)
        expected = sess.run("p:0", {scaled: images})
    for path in ("saved_model.pb", "again.pb"):
        model = Model.load(str(tmp_path / path))
        assert (model.input_name, model.image_shape, model.image_value_range) == (
            args["input_name"],
            [4, 4, 3],
            [0, 1],
        )
        np.testing.assert_allclose(model.get_activations("p", images), expected, rtol=1e-5)


def test_save_with_an_uninferred_argument_says_which(graph, tmp_path):
    _build_trainable_net()
    graph.sess.run(tf.global_variables_initializer())
    args = Model.suggest_save_args()
    assert args["image_value_range"] is None
    with pytest.raises(ValueError, match="image_value_range must be \\(low, high\\).*got None"):
        Model.save(str(tmp_path / "m.pb"), **args)
    with pytest.raises(ValueError, match="image_shape must be \\[height, width, channels\\]"):
        Model.save(
            str(tmp_path / "m.pb"), **{**args, "image_shape": None, "image_value_range": (0, 1)}
        )
    Model.save(str(tmp_path / "m.pb"), **{**args, "image_value_range": (0, 1)})
    assert Model.load(str(tmp_path / "m.pb")).image_value_range == [0, 1]


def test_suggest_save_args_warns_on_several_placeholders():
    with tf.Graph().as_default() as graph:
        tf.placeholder(tf.float32, [None, 4, 4, 3], name="a")
        tf.placeholder(tf.float32, [None, 4, 4, 3], name="b")
    with pytest.warns(UserWarning, match=r"found 2: \['a', 'b'\]"):
        args = Model.suggest_save_args(graph.as_graph_def())
    assert args == dict.fromkeys(["input_name", "image_shape", "output_names", "image_value_range"])


# -- manifests -----------------------------------------------------------------------------


def _write_manifest(tmp_path, **overrides):
    _write_graph(tmp_path / "graph.pb", toy_graph_def())
    manifest = {
        "model_path": "./graph.pb",
        "image_shape": [8, 8, 3],
        "image_value_range": [0, 1],
        "input_name": "input",
        "layers": TOY_LAYERS[:2],
        "labels": ["red", "green", "blue", "vertical", "horizontal"],
    }
    manifest.update(overrides)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return str(path)


def test_frozen_graph_model_from_manifest(tmp_path):
    model = Model.load(_write_manifest(tmp_path))
    assert isinstance(model, FrozenGraphModel)
    assert model.model_path == str(tmp_path / "graph.pb")
    assert model.layer_names == ["const_pre_relu", "const"]
    assert model.get_layer("const").depth == 4
    assert model.labels[0] == "red"
    with tf.Graph().as_default(), tf.Session() as sess:
        t_image = tf.placeholder(tf.float32, [1, 8, 8, 3])
        T = model.import_graph(t_image)
        const = sess.run(T("const_pre_relu"), {t_image: np.zeros([1, 8, 8, 3])})
    np.testing.assert_allclose(const, np.ones([1, 8, 8, 4]))


def test_manifest_layer_names_and_errors(tmp_path):
    model = Model.load_from_manifest(_write_manifest(tmp_path, layers=["const", "color"]))
    assert model.layer_names == ["const", "color"]
    assert model.get_layer("color").depth is None
    with pytest.raises(ValueError, match=r"lacks the mandatory keys \['input_name'\]"):
        FrozenGraphModel(
            str(tmp_path), {"model_path": "g.pb", "image_shape": [], "image_value_range": []}
        )
    with pytest.raises(NotImplementedError, match="'unfrozen'"):
        Model.load(_write_manifest(tmp_path, type="unfrozen"))


def test_serialized_model_from_directory_is_deprecated(tmp_path):
    _write_manifest(tmp_path)
    with pytest.warns(DeprecationWarning, match="load_from_manifest"):
        model = SerializedModel.from_directory(str(tmp_path))
    assert isinstance(model, FrozenGraphModel)
