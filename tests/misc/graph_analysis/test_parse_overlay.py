"""Tests for lucid.misc.graph_analysis.parse_overlay."""

import tensorflow.compat.v1 as tf

from lucid.misc.graph_analysis import filter_overlay
from lucid.misc.graph_analysis import parse_overlay
from lucid.misc.graph_analysis.overlay_graph import OverlayGraph
from lucid.modelzoo.vision_models import ShapesNet
from tests.misc.graph_analysis.graphs import edges
from tests.misc.graph_analysis.graphs import inception_graph


def node(name):
    return {"type": "Node", "name": name}


def _layers(graph):
    overlay = filter_overlay.ops_whitelist(OverlayGraph(graph))
    return filter_overlay.collapse_sequence(overlay, ["Conv2D", "Relu"])


def test_collapse_sequences():
    collapsed = parse_overlay.collapse_sequences(_layers(inception_graph()))
    assert edges(collapsed) == {
        "stem:0": [],
        "a:0": ["stem:0"],
        "b2:0": ["stem:0"],
        "pool:0": ["stem:0"],
        "softmax:0": ["a:0", "b2:0", "pool:0", "stem:0"],
    }
    assert parse_overlay.parse_structure(collapsed["b2:0"]) == {
        "type": "Sequence",
        "children": [node("b1:0"), node("b2:0")],
    }
    head = collapsed["softmax:0"].sub_structure.structure["sequence"]
    assert [n.name for n in head] == ["mixed:0", "logits:0", "softmax:0"]


def test_collapse_branches_head_branch():
    collapsed = parse_overlay.collapse_branches(
        parse_overlay.collapse_sequences(_layers(inception_graph()))
    )
    assert edges(collapsed) == {"stem:0": [], "softmax:0": ["stem:0"]}
    structure = collapsed["softmax:0"].sub_structure
    assert structure.structure_type == "HeadBranch"
    assert [b and b.name for b in structure.structure["branches"]] == [
        None,
        "a:0",
        "b2:0",
        "pool:0",
    ]


def test_collapse_branches_tail_branch():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [2], name="x")
        trunk = tf.nn.relu(x, name="trunk")
        tf.nn.softmax(trunk, name="main")
        tf.nn.softmax(trunk, name="aux")
    collapsed = parse_overlay.collapse_branches(
        OverlayGraph(graph, ["x:0", "trunk:0", "main:0", "aux:0"])
    )
    assert edges(collapsed) == {"x:0": [], "trunk:0": ["x:0"]}
    assert parse_overlay.parse_structure(collapsed["trunk:0"]) == {
        "type": "Sequence",
        "children": [
            node("trunk:0"),
            {
                "type": "Branch",
                "subtype": "AuxilliaryHeadBranch",
                "children": [node("main:0"), node("aux:0")],
            },
        ],
    }


def test_parse_overlay_inception_block():
    assert parse_overlay.parse_overlay(_layers(inception_graph())) == {
        "type": "Sequence",
        "children": [
            node("input:0"),
            node("stem:0"),
            {
                "type": "Branch",
                "children": [
                    {"type": "Sequence", "children": []},  # the skip connection
                    node("a:0"),
                    {"type": "Sequence", "children": [node("b1:0"), node("b2:0")]},
                    node("pool:0"),
                ],
            },
            node("mixed:0"),
            node("logits:0"),
            node("softmax:0"),
        ],
    }


def test_parse_overlay_returns_none_when_it_cannot_reduce():
    graph = tf.Graph()
    with graph.as_default():
        a = tf.placeholder(tf.float32, [2], name="a")
        b = tf.placeholder(tf.float32, [2], name="b")
        tf.add(a, b, name="sum")
    assert parse_overlay.parse_overlay(OverlayGraph(graph)) is None  # two inputs, no split


def test_flatten_sequences():
    nested = {
        "type": "Sequence",
        "children": [
            node("a"),
            {
                "type": "Sequence",
                "children": [node("b"), {"type": "Sequence", "children": [node("c")]}],
            },
            {"type": "Branch", "children": [{"type": "Sequence", "children": [node("d")]}]},
        ],
    }
    assert parse_overlay.flatten_sequences(nested) == {
        "type": "Sequence",
        "children": [
            node("a"),
            node("b"),
            node("c"),
            {"type": "Branch", "children": [{"type": "Sequence", "children": [node("d")]}]},
        ],
    }


def test_toplevel_group_data():
    assert parse_overlay.toplevel_group_data(_layers(inception_graph())) == {
        "mixed:0": {
            "immediate": ["a:0", "b2:0", "pool:0", "stem:0"],
            "all": ["a:0", "b1:0", "b2:0", "pool:0"],
            "direction": "backward",
        }
    }


def test_parse_overlay_shapesnet_is_a_sequence_of_its_layers():
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(ShapesNet().graph_def, name="import")
    overlay = filter_overlay.ops_whitelist(OverlayGraph(graph))
    overlay = filter_overlay.collapse_sequence(
        filter_overlay.is_dynamic(overlay), ["Conv2D", "Relu"]
    )
    structure = parse_overlay.parse_overlay(overlay)
    names = "input conv1 maxpool1 conv2 maxpool2 conv3 maxpool3 conv4 logits softmax".split()
    assert structure == {"type": "Sequence", "children": [node(f"import/{n}:0") for n in names]}
