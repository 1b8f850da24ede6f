"""Tests for lucid.scratch.parameter_editor."""

import copy

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo.vision_models import ShapesNet
from lucid.scratch.parameter_editor import ParameterEditor


def _affine_graph_def():
    """``y = x @ w + b`` with w = [[1, 2], [3, 4]] (tensor_content), b = 0.5 splat (float_val)."""
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.constant(np.array([[1, 2], [3, 4]], np.float32), name="w")
        b = tf.constant(0.5, shape=[2], name="b")
        tf.add(tf.matmul(x, w), b, name="y")
    return graph.as_graph_def()


def _run(graph_def, x):
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.import_graph_def(graph_def, name="")
        return sess.run("y:0", {"x:0": x})


def test_reads_tensor_content_and_float_val():
    editor = ParameterEditor(_affine_graph_def())
    assert editor.graph_def.node[1].attr["value"].tensor.tensor_content  # w
    assert list(editor.graph_def.node[2].attr["value"].tensor.float_val) == [0.5]  # b
    np.testing.assert_array_equal(editor["w"], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(editor["b"], [0.5, 0.5])
    np.testing.assert_array_equal(editor["w", 1], [3, 4])
    assert editor["w", 0, 1] == 2


def test_edited_graph_def_computes_with_new_weights():
    graph_def = _affine_graph_def()
    x = np.array([[1.0, 1.0]], np.float32)
    np.testing.assert_array_equal(_run(graph_def, x), [[4.5, 6.5]])
    editor = ParameterEditor(graph_def)
    editor["w"] = [[10, 0], [0, 100]]
    editor["b"] = np.array([1, -1])
    np.testing.assert_array_equal(_run(graph_def, x), [[11, 99]])
    editor["w", :, 1] = 0.0
    editor["b", 0] = 0.25
    np.testing.assert_array_equal(_run(graph_def, x), [[10.25, -1]])
    assert editor["w"].dtype == np.float32


def test_reading_returns_a_copy():
    editor = ParameterEditor(_affine_graph_def())
    editor["w"][0, 0] = 99
    assert editor["w"][0, 0] == 1


def test_marks_the_graph_def_once():
    graph_def = _affine_graph_def()
    ParameterEditor(graph_def)
    ParameterEditor(graph_def)
    markers = [node for node in graph_def.node if node.name == "lucid_is_edited"]
    assert len(markers) == 1
    assert tf.make_ndarray(markers[0].attr["value"].tensor) == np.array(True)


def test_errors():
    editor = ParameterEditor(_affine_graph_def())
    with pytest.raises(ValueError, match=r"'w' of shape \[2, 2\] with an array of shape \[2\]"):
        editor["w"] = [1, 2]
    with pytest.raises(KeyError, match=r"'ww' is not a constant.*Close matches: \['w'\]"):
        editor["ww"]


def test_edits_a_model_copy_and_leaves_the_original():
    # The notebook's recipe: deepcopy the model, edit the copy's (cached) graph_def.
    model = ShapesNet()
    edited = copy.deepcopy(model)
    ParameterEditor(edited.graph_def)["conv1_b"] = np.arange(16)
    black = np.zeros([1, 2, 2, 3], np.float32)

    def conv1_pre_relu(m):  # conv of a black image is 0, so this is the bias
        with tf.Graph().as_default(), tf.Session() as sess:
            return sess.run(m.import_graph(tf.constant(black))("conv1_pre_relu"))

    np.testing.assert_array_equal(
        conv1_pre_relu(edited), np.broadcast_to(np.arange(16), [1, 2, 2, 16])
    )
    original_bias = ParameterEditor(copy.deepcopy(model.graph_def))["conv1_b"]
    np.testing.assert_allclose(conv1_pre_relu(model), np.broadcast_to(original_bias, [1, 2, 2, 16]))
    assert not np.array_equal(original_bias, np.arange(16))
