"""Tests for lucid.scratch.pretty_graphs.graph."""

import pytest
import tensorflow.compat.v1 as tf

from lucid.scratch.pretty_graphs import graph as graph_lib
from lucid.scratch.pretty_graphs.format_graph import model_graph
from tests.scratch.pretty_graphs.graphs import inception_model


def edges(graph):
    return {name: sorted(inp.name for inp in node.inputs) for name, node in graph.nodes.items()}


@pytest.fixture
def inception():
    return graph_lib.Graph.from_graphdef(inception_model().graph_def)


def test_from_graphdef(inception):
    assert len(inception) == len(inception_model().graph_def.node)
    assert edges(inception)["stem"] == ["stem_conv"]
    assert [n.name for n in inception["stem"].consumers] == ["a_conv", "b1_conv", "pool", "mixed"]
    assert inception["mixed"].op == "ConcatV2"


def test_from_graphdef_strips_output_indices_and_control_inputs():
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [4], name="x")
        first, second = tf.split(x, 2, name="split")
        with tf.control_dependencies([first]):
            tf.identity(second, name="out")
    graph = graph_lib.Graph.from_graphdef(g.as_graph_def())
    assert edges(graph)["out"] == ["split"]  # split:1, not the control input ^split


def test_filter_graph(inception):
    kept = graph_lib.filter_graph(inception, ["input", "b2", "mixed"])
    assert edges(kept) == {"input": [], "b2": ["input"], "mixed": ["b2", "input"]}
    cut = graph_lib.filter_graph(inception, ["input", "b2", "mixed"], pass_through=False)
    assert edges(cut) == {"input": [], "b2": [], "mixed": ["b2"]}


def test_model_graph_pipeline():
    graph = model_graph(inception_model())
    assert edges(graph) == {
        "input": [],
        "stem": ["input"],
        "a": ["stem"],
        "b1": ["stem"],
        "b2": ["b1"],
        "pool": ["stem"],
        "mixed": ["a", "b2", "pool", "stem"],
        "logits": ["mixed"],
        "softmax": ["logits"],
    }


def test_custom_ops_do_not_leak_into_later_calls():
    # Lucid appended custom_ops to the module-level list, so every later graph kept them.
    before = list(graph_lib.standard_include_ops)
    assert "flat" in model_graph(inception_model(), custom_ops=["Reshape"])
    assert graph_lib.standard_include_ops == before
    assert "flat" not in model_graph(inception_model())


def test_filter_graph_dynamic_and_cut_shapes():
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.fill(tf.shape(x, name="shape"), 0.0, name="zeros")
        tf.constant(1.0, name="one")
    graph = graph_lib.Graph.from_graphdef(g.as_graph_def())
    assert "one" not in graph_lib.filter_graph_dynamic(graph)
    assert "zeros" in graph_lib.filter_graph_dynamic(graph)
    assert "zeros" not in graph_lib.filter_graph_dynamic(graph_lib.filter_graph_cut_shapes(graph))


def test_collapse_sequence_and_clip_names(inception):
    ops = graph_lib.filter_graph_ops(inception)
    collapsed = graph_lib.filter_graph_collapse_sequence(ops, ["Conv2D", "Relu"])
    assert [n for n in ops.nodes if n not in collapsed] == [
        "stem_conv",
        "a_conv",
        "b1_conv",
        "b2_conv",
    ]
    graph = graph_lib.Graph()
    graph.add_node("import/conv", "Relu")
    graph_lib.clip_node_names(graph, "import/")
    assert graph["import/conv"].pretty_name == "conv"


def test_gcd_lcm_and_find_groups():
    graph = model_graph(inception_model())
    assert graph_lib.gcd(graph, ["a", "b2", "pool"]).name == "stem"
    assert graph_lib.lcm(graph, ["a", "b1"]).name == "mixed"
    assert graph_lib.gcd(graph, ["input"]).name == "input"
    groups = graph_lib.find_groups(graph)
    assert {root.name: sorted(n.name for n in nodes) for root, nodes in groups.items()} == {
        "mixed": ["a", "b1", "b2", "pool"]
    }


def test_graph_building_and_graphviz():
    graph = graph_lib.Graph()
    graph.add_node("a", "Placeholder")
    graph.add_node("b", "Relu")
    graph.add_edge("a", graph["b"])
    graph.add_edge("a", "b")  # once only
    assert graph.graphviz(groups={"b": ["a"]}).splitlines() == [
        "digraph G {",
        "  subgraph cluster_0 {",
        '    label = "b";',
        '    "a";',
        "  }",
        '  "a";',
        '  "b";',
        '  "a" -> "b";',
        "}",
    ]
    with pytest.raises(ValueError, match="already has a node named 'a'"):
        graph.add_node("a", "Relu")
    with pytest.raises(KeyError, match="'c' is not a node"):
        graph["c"]
