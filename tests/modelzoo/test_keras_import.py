"""Bring your own model: Keras models, SavedModels and TF1 graphs as Lucid models.

Every test builds a tiny Keras model, converts it, and checks the converted graph's
activations against Keras's own for every discovered layer (sub-models for post-activations,
the layer's own weights for pre-activations), then renders, exports and reloads.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo.vision_base import LayerNotFoundError
from lucid.modelzoo.vision_base import Model
from lucid.optvis import param
from lucid.optvis import render

keras = pytest.importorskip("keras")
layers = keras.layers

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _images(shape, low=0.0, high=1.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32)


def _randomize_batchnorms(model, seed=0):
    """Non-trivial moving statistics, so inference-mode BatchNorm is visible in the outputs."""
    rng = np.random.default_rng(seed)
    for layer in model._flatten_layers():
        if isinstance(layer, layers.BatchNormalization):
            gamma, beta, mean, var = layer.get_weights()
            shape = gamma.shape
            layer.set_weights(
                [
                    rng.uniform(0.5, 2, shape),
                    rng.normal(0, 1, shape),
                    rng.normal(0, 1, shape),
                    rng.uniform(0.5, 2, shape),
                ]
            )


def converted_activations(model, images):
    """``{layer name: activations}`` of the converted graph on ``images`` (model's own range)."""
    lo, hi = (np.asarray(b, np.float32) for b in model.image_value_range)
    with tf.Graph().as_default(), tf.Session() as sess:
        T = model.import_graph(tf.constant((images - lo) / (hi - lo)))
        names = [layer.name for layer in model.layers]
        return dict(zip(names, sess.run([T(name) for name in names])))


def _pre_activation(layer, layer_input):
    if isinstance(layer, layers.Conv2D):
        out = keras.ops.conv(layer_input, layer.kernel, layer.strides, layer.padding)
    elif isinstance(layer, layers.Dense):
        out = keras.ops.matmul(layer_input, layer.kernel)
    else:
        raise NotImplementedError(type(layer).__name__)
    return np.asarray(out + layer.bias)


def keras_reference(model, x, prefix=""):
    """Keras's own activations of every layer of a functional model, by converted name."""
    refs = {}
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        name = prefix + layer.name
        if isinstance(layer, keras.Model):  # a nested model, called here on the input itself
            refs[name] = np.asarray(layer(x, training=False))
            continue
        refs[name] = np.asarray(keras.Model(model.inputs[0], layer.output)(x, training=False))
        if getattr(layer, "activation", keras.activations.linear) is not keras.activations.linear:
            layer_input = keras.Model(model.inputs[0], layer.input)(x, training=False)
            refs[name + "_pre_relu"] = _pre_activation(layer, layer_input)
    return refs


def assert_same_activations(model, refs, images):
    got = converted_activations(model, images)
    assert sorted(got) == sorted(refs)
    for name, expected in refs.items():
        np.testing.assert_allclose(got[name], expected, rtol=1e-4, atol=1e-5, err_msg=name)


def _sequential():
    seeded = keras.initializers.GlorotUniform  # fixed weights: the render test is deterministic
    return keras.Sequential(
        [
            keras.Input((12, 12, 3)),
            layers.Conv2D(4, 3, activation="relu", name="conv1", kernel_initializer=seeded(1)),
            layers.MaxPooling2D(name="pool1"),
            layers.Conv2D(
                6, 3, padding="same", activation="tanh", name="conv2", kernel_initializer=seeded(2)
            ),
            layers.Flatten(name="flatten"),
            layers.Dense(5, activation="softmax", name="probs"),
        ],
        name="seq",
    )


# -- conversion: layers and numerics -------------------------------------------------------


def test_sequential_layers_names_tags_and_activations():
    keras_model = _sequential()
    model = Model.from_keras(keras_model, image_value_range=(0, 1))

    assert [(layer.name, layer.depth, layer.tags) for layer in model.layers] == [
        ("conv1_pre_relu", 4, {"conv", "pre_relu"}),
        ("conv1", 4, {"conv"}),
        ("pool1", 4, {"conv"}),
        ("conv2_pre_relu", 6, {"conv", "pre_relu"}),
        ("conv2", 6, {"conv"}),
        ("flatten", 150, {"dense"}),
        ("probs_pre_relu", 5, {"dense", "pre_relu"}),
        ("probs", 5, {"dense"}),
    ]
    assert (model.name, model.input_name, model.image_shape) == ("seq", "input", [12, 12, 3])
    x = _images([2, 12, 12, 3])
    assert_same_activations(model, keras_reference(keras_model, x), x)


def test_functional_with_branches_and_value_range():
    inputs = keras.Input((None, None, 3))
    trunk = layers.Conv2D(4, 3, padding="same", activation="relu", name="stem")(inputs)
    left = layers.Conv2D(4, 1, activation="elu", name="left")(trunk)
    right = layers.Conv2D(4, 3, padding="same", name="right")(trunk)
    merged = layers.Add(name="merge")([left, right])
    both = layers.Concatenate(name="concat")([merged, trunk])
    pooled = layers.GlobalAveragePooling2D(name="gap")(both)
    keras_model = keras.Model(inputs, layers.Dense(3, name="logits")(pooled), name="branchy")
    model = Model.from_keras(keras_model, image_value_range=(-1, 1))

    names = [layer.name for layer in model.layers]
    assert names[:4] == ["stem_pre_relu", "stem", "left_pre_relu", "left"]
    assert {"right", "merge", "concat", "gap", "logits"} <= set(names)
    assert "right_pre_relu" not in names and "logits_pre_relu" not in names  # no activation
    assert model.get_layer("concat").depth == 8 and model.image_shape == [None, None, 3]
    x = _images([2, 9, 7, 3], -1, 1)  # any size: the model declares none
    assert_same_activations(model, keras_reference(keras_model, x), x)


def test_subclassed_model_exposes_called_layers_and_its_output():
    class Net(keras.Model):
        def __init__(self):
            super().__init__(name="subnet")
            self.conv = layers.Conv2D(3, 3, activation="relu", name="conv")
            self.gap = layers.GlobalAveragePooling2D(name="gap")
            self.head = layers.Dense(2, name="head")

        def call(self, x):
            return tf.nn.softmax(self.head(self.gap(self.conv(x))) * 2.0)

    net = Net()
    x = _images([2, 8, 8, 3])
    net(x)  # built by calling: Keras remembers the input shape
    model = Model.from_keras(net, image_value_range=(0, 1))

    assert [layer.name for layer in model.layers] == [
        "conv_pre_relu",
        "conv",
        "gap",
        "head",
        "output",
    ]
    conv = np.asarray(net.conv(x))
    refs = {
        "conv_pre_relu": _pre_activation(net.conv, x),
        "conv": conv,
        "gap": np.asarray(net.gap(conv)),
        "head": np.asarray(net.head(net.gap(conv))),
        "output": np.asarray(net(x)),
    }
    assert_same_activations(model, refs, x)


def test_unbuilt_subclassed_model_needs_input_shape():
    class Net(keras.Model):
        def __init__(self):
            super().__init__(name="lazy")
            self.conv = layers.Conv2D(2, 3, name="conv")

        def call(self, x):
            return self.conv(x)

    with pytest.raises(ValueError, match=r"no defined image input shape.*input_shape=\(h, w, c\)"):
        Model.from_keras(Net(), image_value_range=(0, 1))
    with pytest.raises(ValueError, match="not built.*input_shape"):
        Model.from_keras(Net(), image_value_range=(0, 1), input_shape=(None, None, 3))
    model = Model.from_keras(Net(), image_value_range=(0, 1), input_shape=(6, 6, 3))
    assert [(layer.name, layer.depth) for layer in model.layers] == [("conv", 2)]
    with pytest.raises(ValueError, match="no defined image input shape"):
        Model.from_keras(keras.Sequential([layers.Dense(2)]), image_value_range=(0, 1))


def test_nested_backbone_layers_are_prefixed():
    backbone_in = keras.Input((10, 10, 3))
    features = layers.Conv2D(4, 3, activation="relu", name="block1_conv1")(backbone_in)
    features = layers.Conv2D(4, 3, activation="relu", name="block1_conv2")(features)
    backbone = keras.Model(backbone_in, features, name="backbone")
    inputs = keras.Input((10, 10, 3))
    pooled = layers.GlobalMaxPooling2D(name="pool")(backbone(inputs))
    classifier = keras.Model(inputs, layers.Dense(3, name="logits")(pooled), name="classifier")
    model = Model.from_keras(classifier, image_value_range=(0, 1))

    assert [layer.name for layer in model.layers] == [
        "backbone/block1_conv1_pre_relu",
        "backbone/block1_conv1",
        "backbone/block1_conv2_pre_relu",
        "backbone/block1_conv2",
        "backbone",
        "pool",
        "logits",
    ]
    x = _images([2, 10, 10, 3])
    refs = keras_reference(classifier, x)
    refs.update(keras_reference(backbone, x, prefix="backbone/"))
    assert_same_activations(model, refs, x)


def test_batchnorm_and_dropout_run_in_inference_mode():
    keras_model = keras.Sequential(
        [
            keras.Input((6, 6, 3)),
            layers.Conv2D(4, 3, name="conv"),
            layers.BatchNormalization(name="bn"),
            layers.Dropout(0.5, name="drop"),
            layers.GaussianNoise(1.0, name="noise"),
            layers.ReLU(name="relu"),
        ]
    )
    _randomize_batchnorms(keras_model)
    model = Model.from_keras(keras_model, image_value_range=(0, 1))
    x = _images([2, 6, 6, 3])
    refs = keras_reference(keras_model, x)
    assert_same_activations(model, refs, x)
    # Training-mode BatchNorm would normalise with batch statistics instead.
    assert not np.allclose(refs["bn"], keras_model.get_layer("bn")(refs["conv"], training=True))
    op_types = {node.op for node in model.graph_def.node}
    assert not op_types & {"FusedBatchNormV3", "RandomUniform", "RandomStandardNormal"}


@pytest.mark.parametrize(
    ("channels", "value_range"), [(1, (0, 255)), (5, ([-1, 0, 0, 0, 10], [1, 1, 2, 3, 20]))]
)
def test_grayscale_and_n_channel_inputs(channels, value_range):
    keras_model = keras.Sequential(
        [
            keras.Input((8, 8, channels)),
            layers.Conv2D(3, 3, activation="relu", name="conv"),
            layers.GlobalAveragePooling2D(name="gap"),
        ]
    )
    model = Model.from_keras(keras_model, image_value_range=value_range)
    assert model.image_shape == [8, 8, channels]
    lo, hi = (np.asarray(b, np.float32) for b in value_range)
    x = lo + _images([2, 8, 8, channels]) * (hi - lo)  # in the model's own range
    assert_same_activations(model, keras_reference(keras_model, x), x)

    images = render.render_vis(
        model,
        "conv:1",
        param_f=lambda: param.image(8, channels=channels),
        thresholds=(2,),
        verbose=False,
    )
    assert images[0].shape == (1, 8, 8, channels) and np.isfinite(images[0]).all()
    with pytest.raises(ValueError, match=f"takes {channels}-channel.*channels={channels}"):
        render.render_vis(model, "conv:1", param_f=lambda: param.image(8), verbose=False)


# -- files: SavedModel, .keras, export and load ---------------------------------------------


def _small_functional(name="small"):
    inputs = keras.Input((8, 8, 3))
    x = layers.Conv2D(4, 3, activation="relu", name="c1")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    model = keras.Model(inputs, layers.Dense(3, activation="softmax", name="probs")(x), name=name)
    _randomize_batchnorms(model)
    return model


@pytest.mark.parametrize("how", ["keras_export", "tf_saved_model_save"])
def test_saved_model_directory(tmp_path, how):
    keras_model = _small_functional()
    path = str(tmp_path / "saved")
    if how == "keras_export":
        keras_model.export(path, verbose=False)
    else:
        tf.compat.v2.saved_model.save(keras_model, path)
    model = Model.from_keras(path, image_value_range=(0, 1))  # dispatches to from_saved_model

    names = [layer.name for layer in model.layers]
    assert names[-1] == "output_0" and model.name == "saved"
    # Layers are the graph's top-level scopes (Keras may add a _1 suffix while tracing).
    conv = next(name for name in names if name.startswith("c1") and "pre_relu" not in name)
    assert conv + "_pre_relu" in names
    x = _images([2, 8, 8, 3])
    got = converted_activations(model, x)
    refs = keras_reference(keras_model, x)
    np.testing.assert_allclose(got["output_0"], refs["probs"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got[conv], refs["c1"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[conv + "_pre_relu"], refs["c1_pre_relu"], rtol=1e-4, atol=1e-5)

    with pytest.raises(ValueError, match="signature='nope'.*serving_default"):
        Model.from_saved_model(path, image_value_range=(0, 1), signature="nope")


def test_keras_file(tmp_path):
    keras_model = _small_functional()
    path = str(tmp_path / "small.keras")
    keras_model.save(path)
    model = Model.from_keras(path, image_value_range=(0, 1))
    x = _images([2, 8, 8, 3])
    assert_same_activations(model, keras_reference(keras_model, x), x)


def test_export_then_load_without_keras(tmp_path):
    model = Model.from_keras(_small_functional(), image_value_range=(0, 255), is_BGR=True)
    x = _images([2, 8, 8, 3])
    expected = converted_activations(model, x * 255)
    path = str(tmp_path / "out" / "small.pb")
    model.export(path)
    np.save(tmp_path / "x.npy", x)

    script = textwrap.dedent(
        f"""
        import json, sys
        sys.modules["keras"] = None  # `import keras` now fails: loading must not need it
        sys.modules["tf_keras"] = None
        import numpy as np
        import tensorflow.compat.v1 as tf
        from lucid.modelzoo.vision_base import Model

        model = Model.load({path!r})
        x = np.load({str(tmp_path / "x.npy")!r})
        with tf.Graph().as_default(), tf.Session() as sess:
            T = model.import_graph(tf.constant(x))
            names = [layer.name for layer in model.layers]
            values = dict(zip(names, sess.run([T(n) for n in names])))
        np.savez({str(tmp_path / "loaded.npz")!r}, **{{n.replace("/", "|"): v for n, v in values.items()}})
        print(json.dumps([model.name, model.is_BGR, model.image_value_range, model.image_shape,
                          [[l.name, l.depth, sorted(l.tags)] for l in model.layers]]))
        assert "keras" not in [m for m in sys.modules if sys.modules[m] is not None]
        """
    )
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import json

    name, is_bgr, value_range, image_shape, loaded_layers = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert (name, is_bgr, value_range, image_shape) == ("small", True, [0, 255], [8, 8, 3])
    assert loaded_layers == [[lay.name, lay.depth, sorted(lay.tags)] for lay in model.layers]
    loaded = np.load(tmp_path / "loaded.npz")
    # Loaded with is_BGR and (0, 255): Lucid feeds x reversed to BGR and scaled by 255.
    # Two processes may sum a convolution in different orders (oneDNN picks its algorithm per
    # process): float32 rounding is relative to the layer's scale (~300 here), not to each
    # element, so a small element beside large ones can differ by more than 1e-5 of itself
    # (seen: 7.6e-6 on 0.45).
    for layer_name, values in expected.items():
        scale = float(np.abs(values).max())
        np.testing.assert_allclose(loaded[layer_name], values, rtol=1e-5, atol=1e-6 * scale)


# -- rendering ------------------------------------------------------------------------------


def test_render_converted_model_increases_the_channel():
    keras_model = _sequential()
    model = Model.from_keras(keras_model, image_value_range=(0, 1))
    images = render.render_vis(
        model,
        "conv1_pre_relu:2",
        param_f=lambda: param.image(12),
        transforms=[],  # a 12 pixel image has no room for jitter
        thresholds=(0, 31),
        verbose=False,
        use_fixed_seed=True,
    )
    first, last = (converted_activations(model, image)["conv1_pre_relu"] for image in images)
    assert last[..., 2].mean() > first[..., 2].mean() + 0.1


def test_unknown_layer_lists_close_matches():
    model = Model.from_keras(_sequential(), image_value_range=(0, 1))
    with pytest.raises(ValueError, match="Close matches: conv2"):
        render.render_vis(model, "conv_2:0", param_f=lambda: param.image(12), verbose=False)
    with pytest.raises(LayerNotFoundError, match="conv1"):
        model.get_layer("cnv1")


# -- errors -------------------------------------------------------------------------------


def test_layer_that_cannot_be_traced_is_named():
    class NumpyLayer(layers.Layer):
        def call(self, x):
            return x * np.asarray(x).mean()  # needs concrete values

    keras_model = keras.Sequential(
        [keras.Input((4, 4, 3)), layers.Conv2D(2, 1, name="conv"), NumpyLayer(name="numpy_layer")]
    )
    with pytest.raises(ValueError, match="(?s)layer 'numpy_layer' \\(NumpyLayer\\).*keras.ops"):
        Model.from_keras(keras_model, image_value_range=(0, 1))
    for layer in keras_model.layers:  # patches are undone even after a failure
        assert "call" not in layer.__dict__

    python_layer = layers.Lambda(
        lambda x: tf.numpy_function(np.sin, [x], tf.float32), name="py", output_shape=(4, 4, 3)
    )
    keras_model = keras.Sequential([keras.Input((4, 4, 3)), python_layer])
    with pytest.raises(ValueError, match="runs Python code.*py"):
        Model.from_keras(keras_model, image_value_range=(0, 1))


def test_input_errors():
    channels_first = keras.Sequential(
        [keras.Input((3, 8, 8)), layers.Conv2D(2, 3, data_format="channels_first", name="cf")]
    )
    with pytest.raises(ValueError, match="'cf' uses data_format='channels_first'"):
        Model.from_keras(channels_first, image_value_range=(0, 1))

    a, b = keras.Input((4, 4, 3)), keras.Input((4, 4, 3))
    two_inputs = keras.Model([a, b], layers.Add()([a, b]))
    with pytest.raises(ValueError, match="has 2 inputs"):
        Model.from_keras(two_inputs, image_value_range=(0, 1))

    ints = keras.Input((4, 4, 3), dtype="int32")
    integer_input = keras.Model(ints, layers.Conv2D(2, 1)(keras.ops.cast(ints, "float32")))
    with pytest.raises(ValueError, match="takes int32 images"):
        Model.from_keras(integer_input, image_value_range=(0, 255))

    for bad_range in [(1, 0), (0,), "0-1", ([0, 0], [1, 1])]:
        with pytest.raises(ValueError, match="image_value_range must be"):
            Model.from_keras(_sequential(), image_value_range=bad_range)
    with pytest.raises(TypeError, match="must be a Keras model"):
        Model.from_keras(object(), image_value_range=(0, 1))
    with pytest.raises(ValueError, match="neither a SavedModel directory nor a Keras file"):
        Model.from_keras(__file__, image_value_range=(0, 1))


def test_conversion_leaves_the_callers_graph_and_the_model_untouched():
    keras_model = _sequential()
    x = _images([1, 12, 12, 3])
    before = np.asarray(keras_model(x))
    activations = [layer.activation for layer in keras_model.layers if hasattr(layer, "activation")]
    with tf.Graph().as_default() as graph:  # converting works inside the caller's graph
        Model.from_keras(keras_model, image_value_range=(0, 1))
    assert graph.get_operations() == []
    np.testing.assert_allclose(np.asarray(keras_model(x)), before)
    assert all("call" not in layer.__dict__ for layer in keras_model.layers)
    restored = [layer.activation for layer in keras_model.layers if hasattr(layer, "activation")]
    assert restored == activations and keras.activations.relu in restored


# -- TF1-style graphs ---------------------------------------------------------------------


def test_tf1_graph_with_save_and_suggest_save_args(tmp_path, capsys):
    path = str(tmp_path / "tf1.pb")
    rng = np.random.default_rng(0)
    weights = rng.normal(0, 0.5, [3, 3, 3, 4]).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        t_input = tf.placeholder(tf.float32, [None, 8, 8, 3], name="input")
        kernel = tf.get_variable("conv_w", initializer=weights)
        pre = tf.nn.conv2d(t_input, kernel, [1, 1, 1, 1], "SAME", name="conv_pre_relu")
        conv = tf.nn.relu(pre, name="conv")
        tf.nn.softmax(tf.reduce_mean(conv, [1, 2]), name="Softmax")
        sess.run(tf.global_variables_initializer())
        args = Model.suggest_save_args()
        assert args == {
            "input_name": "input",
            "image_shape": [8, 8, 3],
            "output_names": ["Softmax"],
            "image_value_range": None,
        }
        Model.save(path, image_value_range=(0, 1), **{k: v for k, v in args.items() if v})
    assert "Model.save(" in capsys.readouterr().out

    model = Model.load(path)
    x = _images([1, 8, 8, 3])
    with tf.Graph().as_default(), tf.Session() as sess:
        T = model.import_graph(tf.constant(x))
        got = sess.run(T("conv_pre_relu"))
    expected = tf.nn.conv2d(x, weights, [1, 1, 1, 1], "SAME").numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    images = render.render_vis(
        model, "conv:0", param_f=lambda: param.image(8), thresholds=(1,), verbose=False
    )
    assert images[0].shape == (1, 8, 8, 3)
