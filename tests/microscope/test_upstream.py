"""Upstream weights on a hand-weighted inception-like toy graph and on ShapesNet."""

import json
import os

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.microscope import build
from lucid.microscope import upstream
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts
from lucid.modelzoo.vision_models import ShapesNet

RNG = np.random.RandomState(0)
W_A = RNG.normal(size=[3, 3, 3, 4]).astype(np.float32)
W_LEFT = np.array([[1.0, 0.0], [0.0, -3.0], [0.5, 0.0], [0.0, 0.0]], np.float32)[None, None]
W_RIGHT = RNG.normal(size=[3, 3, 4, 3]).astype(np.float32)
# top unit 0 reads mixed = [left0, left1, right0, right1, right2] with these weights.
W_TOP = np.array([[0.5, 1.0], [-2.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.25, -4.0]], np.float32)
W_BOTTLENECK = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [0.0, -1.0]], np.float32)[None, None]
W_BRANCH = RNG.normal(size=[3, 3, 2, 2]).astype(np.float32)
W_DENSE = np.arange(16, dtype=np.float32).reshape(8, 2) - 8.0


def build_toy_graph():
    """a -> left (1x1) / maxpool -> right (3x3) -> mixed (concat) -> top (1x1) -> dense;
    a -> [bottleneck (1x1, undeclared) -> 3x3 ; maxpool] -> incep (concat)."""
    t_input = tf.placeholder(tf.float32, [None, None, None, 3], name="input")

    def conv(x, w, name):
        return tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", name=name)

    a = tf.nn.relu(conv(t_input, W_A, "a_conv"), name="a")
    left = tf.nn.relu(conv(a, W_LEFT, "left_conv"), name="left")
    pooled = tf.nn.max_pool2d(a, 2, 1, "SAME", name="pool")
    right = tf.nn.relu(conv(pooled, W_RIGHT, "right_conv"), name="right")
    mixed = tf.concat([left, right], -1, name="mixed")
    top = tf.nn.bias_add(conv(mixed, W_TOP[None, None], "top_conv"), [1.0, 1.0], name="top_pre")
    top = tf.nn.relu(top, name="top")
    flat = tf.reshape(top, [-1, 8], name="flat")  # a 2x2 map of 2 channels, [h, w, c] order
    tf.matmul(flat, W_DENSE, name="dense")
    bottleneck = tf.nn.relu(conv(a, W_BOTTLENECK, "bottleneck"))
    branch = tf.nn.relu(conv(bottleneck, W_BRANCH, "branch_conv"))
    tf.concat([branch, tf.nn.max_pool2d(a, 3, 1, "SAME")], -1, name="incep")


class InceptionToy(Model):
    image_shape = [2, 2, 3]
    image_value_range = (0, 1)
    input_name = "input"

    def __init__(self):
        with tf.Graph().as_default() as graph:
            build_toy_graph()
        self._graph_def = graph.as_graph_def()
        names = ["a", "left", "right", "mixed", "top_pre", "top", "dense", "incep"]
        self.layers = _layers_from_list_of_dicts(
            self, [{"name": n, "depth": 1, "tags": ["conv"]} for n in names]
        )


@pytest.fixture(scope="module")
def finder():
    model = InceptionToy()
    found = upstream.UpstreamFinder.from_model(model, [layer.name for layer in model.layers])
    yield found
    found.close()


def expected(layer, vectors):
    """(layer, unit, sign(sum) * norm) for each column, sorted by |weight| then unit."""
    items = [(layer, k, upstream.signed_norm(v)) for k, v in enumerate(vectors)]
    return sorted(items, key=lambda e: (-abs(e[2]), e[1]))


def test_signed_norm_is_the_l2_norm_signed_by_the_sum():
    assert upstream.signed_norm(np.array([3.0, -4.0])) == -5.0
    assert upstream.signed_norm(np.array([-3.0, 4.0])) == 5.0
    assert upstream.signed_norm(np.array([1.0, -1.0, -2.0, 2.5])) == pytest.approx(3.5, abs=1e-5)
    assert upstream.signed_norm(np.array([2.0, -2.0, 0.5, -0.5])) == pytest.approx(2.9155, 1e-4)
    assert upstream.signed_norm(np.array([0.0, 0.0])) == 0.0


def test_first_layer_has_no_direct_weights(finder):
    found = finder.upstream("a", 0)
    assert found.units == ()
    assert found.note == "no direct weights: a_conv reads the input image"


def test_the_nearest_declared_layer_is_upstream(finder):
    assert finder.upstream("top", 0, top=2).units == (("mixed", 1, -2.0), ("mixed", 3, 1.0))


def test_concat_offsets_map_columns_to_their_branches():
    names = ["a", "left", "right", "top_pre", "top"]  # mixed is not declared
    finder = upstream.UpstreamFinder.from_model(InceptionToy(), names)
    found = finder.upstream("top", 0, top=8)  # through top_pre (declared) and the bias
    assert found.units == (
        ("left", 1, -2.0),
        ("right", 1, 1.0),
        ("left", 0, 0.5),
        ("right", 2, 0.25),
        ("right", 0, 0.0),
    )
    assert found.note is None
    assert finder.upstream("top", 1, top=2).units == (("right", 2, -4.0), ("left", 0, 1.0))
    finder.close()


def test_through_pooling_the_kernel_norms_of_the_layer_before(finder):
    found = finder.upstream("right", 2, top=8)
    vectors = [W_RIGHT[:, :, i, 2].ravel() for i in range(4)]
    assert list(found.units) == expected("a", vectors)
    assert found.units[0][2] != 0


def test_a_declared_concat_sends_a_unit_to_its_branch(finder):
    # mixed unit 3 is right's unit 1: the same upstream as right's.
    assert finder.upstream("mixed", 3) == finder.upstream("right", 1)
    assert finder.upstream("mixed", 1, top=1).units == (("a", 1, -3.0),)


def test_expanded_weights_through_an_undeclared_bottleneck(finder):
    found = finder.upstream("incep", 1)
    middle = W_BRANCH[:, :, :, 1].reshape(9, 2)  # [positions, bottleneck channels]
    composite = middle @ W_BOTTLENECK[0, 0].T  # [positions, a's channels]
    assert list(found.units) == expected("a", composite.T)
    assert found.note == "expanded through bottleneck (its bias and ReLU ignored)"


def test_a_pooling_layer_names_the_layer_it_pools(finder):
    found = finder.upstream("incep", 4)  # the maxpool branch: a's unit 2
    assert found.units == (("a", 2, 1.0),)
    assert found.note == "no weights of its own: incep is a MaxPool of a"


def test_dense_after_a_flatten_gathers_each_channel_s_positions(finder):
    found = finder.upstream("dense", 1)
    column = W_DENSE[:, 1]  # rows in [h, w, c] order: channel = row % 2
    assert list(found.units) == expected("top", [column[0::2], column[1::2]])


def test_errors_name_the_layer_and_unit(finder):
    with pytest.raises(ValueError, match="'nope' is not a declared layer"):
        finder.upstream("nope", 0)
    with pytest.raises(ValueError, match="unit=9 is not a channel of 'top'"):
        finder.upstream("top", 9)
    with pytest.raises(ValueError, match="top must be a positive int; got top=0"):
        finder.upstream("top", 0, top=0)


def test_shapesnet_layers_weights_and_notes():
    model = ShapesNet()
    graph_def = {node.name: node for node in model.graph_def.node}

    def weights(name):
        return tf.make_ndarray(graph_def[name].attr["value"].tensor)

    finder = upstream.UpstreamFinder.from_model(model, [layer.name for layer in model.layers])
    try:
        assert finder.upstream("conv1", 0).note.endswith("reads the input image")
        conv2 = weights("conv2_w")
        found = finder.upstream("conv2", 5, top=16)
        assert list(found.units) == expected("conv1", conv2[:, :, :, 5].reshape(9, 16).T)
        logits = finder.upstream("logits", 3, top=64)
        assert list(logits.units) == expected("conv4", weights("logits_w")[:, 3, None])
        assert logits.note == "leaves out the scale normalized/Rsqrt (Mul)"
        softmax = finder.upstream("softmax", 0)
        assert softmax.units == ()
        assert softmax.note == "no direct weights: softmax is a Softmax of logits"
    finally:
        finder.close()


def test_write_layer_upstream_is_resumable_and_deterministic(tmp_path):
    model = ShapesNet()
    info = build.describe_model(model)
    model_dir = str(tmp_path / "ShapesNet")
    written = upstream.write_layer_upstream(model, model_dir, info, "conv3", "conv3", [0, 2], 3)
    assert written == 2
    path = os.path.join(model_dir, "conv3", "img", "unit-0002-upstream.json")
    with open(path, "rb") as f:
        first = f.read()
    record = json.loads(first)
    assert [e["layer"] for e in record["upstream"]] == ["conv2"] * 3
    assert [e["dir"] for e in record["upstream"]] == ["conv2"] * 3
    assert record["note"] is None and record["files"] == []
    weights = [abs(e["weight"]) for e in record["upstream"]]
    assert weights == sorted(weights, reverse=True)
    assert upstream.write_layer_upstream(model, model_dir, info, "conv3", "conv3", [0, 2], 3) == 0
    os.remove(path)
    assert upstream.write_layer_upstream(model, model_dir, info, "conv3", "conv3", [0, 2], 3) == 1
    with open(path, "rb") as f:
        assert f.read() == first
    with pytest.raises(ValueError, match="top must be a positive int"):
        upstream.write_layer_upstream(model, model_dir, info, "conv3", "conv3", [0], 0)


def test_variables_are_read_with_the_caller_s_session():
    with tf.Graph().as_default() as graph:
        first = tf.nn.relu(tf.placeholder(tf.float32, [None, None, None, 2]), name="first")
        kernel = tf.Variable(np.array([[3.0], [-4.0]], np.float32)[None, None], name="w")
        tf.nn.conv2d(first, kernel, [1, 1, 1, 1], "SAME", name="second")
        layers = {"first": "first", "second": "second"}
        without = upstream.UpstreamFinder(graph, layers)
        assert without.upstream("second", 0).note == (
            "no direct weights: the weights of second are not constants (pass a session)"
        )
        without.close()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            finder = upstream.UpstreamFinder(graph, layers, session=sess)
            assert finder.upstream("second", 0).units == (("first", 1, -4.0), ("first", 0, 3.0))


def test_a_difference_of_layers_gives_each_its_signed_share():
    with tf.Graph().as_default() as graph:
        t_input = tf.placeholder(tf.float32, [None, None, None, 2])
        first = tf.nn.relu(t_input, name="first")
        second = tf.nn.relu(
            tf.nn.conv2d(first, np.eye(2, dtype=np.float32)[None, None], [1] * 4, "SAME"),
            name="second",
        )
        difference = (first - second) * np.array([1.0, 0.5], np.float32)
        kernel = np.array([[2.0], [-6.0]], np.float32)[None, None]
        tf.nn.conv2d(difference, kernel, [1, 1, 1, 1], "SAME", name="out")
    finder = upstream.UpstreamFinder(graph, {"first": "first", "second": "second", "out": "out"})
    assert finder.upstream("out", 0).units == (
        ("first", 1, -3.0),
        ("second", 1, 3.0),
        ("first", 0, 2.0),
        ("second", 0, -2.0),
    )
    finder.close()


def test_batch_norm_scales_are_multiplied_in_on_both_sides():
    def batch_norm(x, scale, variance):
        zeros = np.zeros(len(scale), np.float32)
        return tf.nn.fused_batch_norm(
            x, np.float32(scale), zeros, zeros, np.float32(variance), 0.001, is_training=False
        )[0]

    with tf.Graph().as_default() as graph:
        first = tf.nn.relu(tf.placeholder(tf.float32, [None, None, None, 2]), name="first")
        normed = batch_norm(first, [2.0, -1.5], [3.999, 0.999])  # factors 1 and -1.5
        ones = np.ones([1, 1, 2, 1], np.float32)
        tf.nn.conv2d(normed, ones, [1, 1, 1, 1], "SAME", name="up")
        conv = tf.nn.conv2d(
            first, np.array([3.0, 4.0], np.float32).reshape(1, 1, 2, 1), [1] * 4, "SAME"
        )
        tf.nn.relu(batch_norm(conv, [-2.0], [3.999]), name="down")  # factor -1
    layers = {"first": "first", "up": "up", "down": "down"}
    finder = upstream.UpstreamFinder(graph, layers)
    up = finder.upstream("up", 0).units
    assert [(name, unit) for name, unit, _ in up] == [("first", 1), ("first", 0)]
    np.testing.assert_allclose([w for _, _, w in up], [-1.5, 1.0], rtol=1e-4)
    down = finder.upstream("down", 0).units
    assert [(name, unit) for name, unit, _ in down] == [("first", 1), ("first", 0)]
    np.testing.assert_allclose([w for _, _, w in down], [-4.0, -3.0], rtol=1e-4)
    finder.close()
