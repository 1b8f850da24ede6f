"""ShapesNet, the packaged default model: a real trained network, loaded without any network.

The key behavioural test renders every class logit with ``render_vis`` and checks that the
model itself classifies each rendering as that class.
"""

import os

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import lucid
from lucid.modelzoo import shapes_dataset
from lucid.modelzoo import util
from lucid.modelzoo.other_models.ShapesNet import ShapesNet
from lucid.modelzoo.vision_base import Model

MAX_PB_BYTES = 5 * 2**20
# Training batches use seeds [seed, step]; an integer seed draws images it never saw.
HELD_OUT_SEED = 2024
NUM_CLASSES = len(shapes_dataset.CLASSES)


@pytest.fixture(scope="module")
def model():
    return ShapesNet()


def _softmax(model, images):
    with tf.Graph().as_default(), tf.Session() as sess:
        t_input = tf.placeholder(tf.float32, [None, None, None, 3])
        T = model.import_graph(t_input)
        return sess.run(T("softmax"), {t_input: images})


def test_files_are_package_data_not_urls(model):
    package_dir = os.path.dirname(os.path.abspath(lucid.__file__))
    for path in (model.model_path, model.labels_path):
        assert os.path.isfile(path), path
        assert os.path.abspath(path).startswith(package_dir), path
    assert os.path.getsize(model.model_path) <= MAX_PB_BYTES


def test_class_attributes(model):
    assert model.dataset == "ShapesNet"
    assert list(model.image_shape) == [64, 64, 3]
    assert tuple(model.image_value_range) == (0, 1)
    assert model.input_name == "input"
    assert list(model.labels) == list(shapes_dataset.CLASSES)


def test_metadata_node(model):
    metadata = util.extract_metadata(model.graph_def)
    assert metadata["input_name"] == "input"
    assert metadata["image_shape"] == [64, 64, 3]
    assert metadata["image_value_range"] == [0, 1]
    assert metadata["labels"] == list(shapes_dataset.CLASSES)
    loaded = Model.load(model.model_path)  # what a user's own saved model goes through
    assert loaded.input_name == "input" and list(loaded.image_shape) == [64, 64, 3]


def test_graph_is_frozen(model):
    op_types = {node.op for node in model.graph_def.node}
    training_ops = {op for op in op_types if "Variable" in op or op.startswith("Apply")}
    assert not training_ops
    assert not op_types & {"Assign", "ReadVariableOp", "SaveV2", "RestoreV2"}
    assert [n.name for n in model.graph_def.node if n.op == "Placeholder"] == ["input"]


def test_declared_layers_match_the_graph_and_the_recipe(model):
    from modelzoo.shapesnet.train import layer_declarations

    declared = [{"name": x.name, "depth": x.depth, "tags": x.tags} for x in model.layers]
    expected = [dict(d, tags=set(d["tags"])) for d in layer_declarations()]
    assert declared == expected
    with tf.Graph().as_default(), tf.Session() as sess:
        t_input = tf.placeholder(tf.float32, [None, 64, 64, 3])
        T = model.import_graph(t_input)
        values = sess.run(
            {layer.name: T(layer.name) for layer in model.layers},
            {t_input: np.zeros((2, 64, 64, 3))},
        )
    for layer in model.layers:
        assert values[layer.name].shape[0] == 2
        assert values[layer.name].shape[-1] == layer.depth, layer.name
        if "conv" in layer.tags and "pre_relu" not in layer.tags:
            assert values[layer.name].min() >= 0  # a ReLU


def test_accuracy_on_freshly_generated_images(model):
    images, labels = shapes_dataset.generate(800, seed=HELD_OUT_SEED)
    probabilities = _softmax(model, images)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    accuracy = np.mean(probabilities.argmax(axis=1) == labels)
    per_class = [np.mean(probabilities.argmax(1)[labels == k] == k) for k in range(NUM_CLASSES)]
    assert accuracy >= 0.95, dict(zip(shapes_dataset.CLASSES, per_class))


@pytest.mark.parametrize("size", [48, 96])
def test_any_input_size(model, size):
    images, labels = shapes_dataset.generate(64, seed=HELD_OUT_SEED, size=size)
    probabilities = _softmax(model, images)
    assert probabilities.shape == (64, NUM_CLASSES)
    # Trained at 64 pixels only, yet still far above chance (1/16) at other sizes.
    assert np.mean(probabilities.argmax(axis=1) == labels) > 0.5


def test_render_vis_of_every_class_logit_is_classified_as_that_class(model):
    render = pytest.importorskip("lucid.optvis.render", reason="lucid.optvis.render not importable")
    from lucid.optvis import objectives
    from lucid.optvis import param

    # All classes at once, image k maximizing logit k, with the default transforms.
    objective = objectives.Objective.sum(
        [objectives.channel("logits", k, batch=k) for k in range(NUM_CLASSES)]
    )
    (images,) = render.render_vis(
        model,
        objective,
        param_f=lambda: param.image(64, batch=NUM_CLASSES),
        thresholds=(128,),
        verbose=False,
        use_fixed_seed=True,
    )
    assert images.shape == (NUM_CLASSES, 64, 64, 3)
    probabilities = _softmax(model, images)
    confidence = probabilities[np.arange(NUM_CLASSES), np.arange(NUM_CLASSES)]
    failures = {
        name: (round(float(confidence[k]), 3), shapes_dataset.CLASSES[probabilities[k].argmax()])
        for k, name in enumerate(shapes_dataset.CLASSES)
        if confidence[k] < 0.9
    }
    assert not failures, f"class: (softmax of the class, predicted class): {failures}"


def test_render_vis_one_liner(model):
    render = pytest.importorskip("lucid.optvis.render", reason="lucid.optvis.render not importable")
    from lucid.optvis import param

    k = shapes_dataset.CLASSES.index("red_blob")
    images = render.render_vis(
        model, f"logits:{k}", param_f=lambda: param.image(64), thresholds=(64,), verbose=False
    )
    assert len(images) == 1 and images[0].shape == (1, 64, 64, 3)
    assert _softmax(model, images[0])[0, k] >= 0.9
