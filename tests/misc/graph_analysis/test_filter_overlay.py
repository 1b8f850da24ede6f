"""Tests for lucid.misc.graph_analysis.filter_overlay."""

import tensorflow.compat.v1 as tf

from lucid.misc.graph_analysis import filter_overlay
from lucid.misc.graph_analysis.overlay_graph import OverlayGraph
from tests.misc.graph_analysis.graphs import edges
from tests.misc.graph_analysis.graphs import inception_graph


def test_ops_whitelist_keeps_standard_ops():
    kept = filter_overlay.ops_whitelist(OverlayGraph(inception_graph()))
    assert [n.name for n in kept.nodes] == [
        "input:0",
        "stem_conv:0",
        "stem:0",
        "a_conv:0",
        "a:0",
        "b1_conv:0",
        "b1:0",
        "b2_conv:0",
        "b2:0",
        "pool:0",
        "mixed:0",
        "logits:0",
        "softmax:0",
    ]
    assert edges(kept)["logits:0"] == ["mixed:0"]  # through Reshape, and through Shape


def test_ops_whitelist_custom_ops():
    kept = filter_overlay.ops_whitelist(OverlayGraph(inception_graph()), ["Placeholder", "Softmax"])
    assert edges(kept) == {"input:0": [], "softmax:0": ["input:0"]}


def _shape_only_graph():
    """``zeros = fill(shape(x), 0)`` depends on x only through Shape; y = relu(x); a constant."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.fill(tf.shape(x, name="shape"), 0.0, name="zeros")
        tf.nn.relu(x, name="y")
        tf.constant(2.0, name="two")
    return graph


def test_cut_shapes_drops_dependencies_through_shape():
    # Lucid's cut_shapes always raised TypeError (filter(pass_through=False)).
    overlay = OverlayGraph(_shape_only_graph(), ["x:0", "shape:0", "zeros:0", "y:0"])
    assert edges(overlay)["zeros:0"] == ["shape:0"]
    cut = filter_overlay.cut_shapes(overlay)
    assert edges(cut) == {"x:0": [], "zeros:0": [], "y:0": ["x:0"]}


def test_is_dynamic_keeps_what_depends_on_the_first_node():
    overlay = OverlayGraph(_shape_only_graph(), ["x:0", "two:0", "shape:0", "zeros:0", "y:0"])
    dynamic = filter_overlay.is_dynamic(overlay)
    assert [n.name for n in dynamic.nodes] == ["x:0", "shape:0", "zeros:0", "y:0"]
    assert [
        n.name for n in filter_overlay.is_dynamic(filter_overlay.cut_shapes(overlay)).nodes
    ] == [
        "x:0",
        "y:0",
    ]


def test_collapse_sequence_keeps_the_last_node_of_each_run():
    kept = filter_overlay.ops_whitelist(OverlayGraph(inception_graph()))
    collapsed = filter_overlay.collapse_sequence(kept, ["Conv2D", "Relu"])
    assert edges(collapsed) == {
        "input:0": [],
        "stem:0": ["input:0"],
        "a:0": ["stem:0"],
        "b1:0": ["stem:0"],
        "b2:0": ["b1:0"],
        "pool:0": ["stem:0"],
        "mixed:0": ["a:0", "b2:0", "pool:0", "stem:0"],
        "logits:0": ["mixed:0"],
        "softmax:0": ["logits:0"],
    }
    longer = filter_overlay.collapse_sequence(kept, ["Relu", "Conv2D", "Relu"])
    # stem has four consumers, so only b1 -> b2_conv -> b2 is a run.
    assert [n.name for n in kept.nodes if n not in longer] == ["b1:0", "b2_conv:0"]
