"""Tests for lucid.misc.graph_analysis.overlay_graph."""

import pytest

from lucid.misc.graph_analysis.overlay_graph import OverlayGraph
from lucid.misc.graph_analysis.overlay_graph import OverlayNode
from lucid.misc.graph_analysis.overlay_graph import OverlayStructure
from lucid.misc.graph_analysis.property_inference import as_tensor
from tests.misc.graph_analysis.graphs import edges
from tests.misc.graph_analysis.graphs import inception_graph

RELUS = ["input:0", "stem:0", "a:0", "b1:0", "b2:0", "pool:0", "mixed:0", "softmax:0"]


@pytest.fixture
def relus():
    """The overlay of the inception graph's input, Relus, pool, concat and softmax."""
    return OverlayGraph(inception_graph(), RELUS)


def test_default_nodes_are_every_op_output_in_graph_order():
    graph = inception_graph()
    overlay = OverlayGraph(graph)
    assert [n.name for n in overlay.nodes] == [
        t.name for op in graph.get_operations() for t in op.outputs
    ]
    assert overlay["stem:0"].inputs == {overlay["stem_conv:0"]}
    assert overlay["stem_conv:0"].op == "Conv2D"
    assert overlay["stem_conv:0"].tf_node is graph.get_tensor_by_name("stem_conv:0")


def test_edges_pass_through_dropped_nodes(relus):
    assert edges(relus) == {
        "input:0": [],
        "stem:0": ["input:0"],
        "a:0": ["stem:0"],
        "b1:0": ["stem:0"],
        "b2:0": ["b1:0"],
        "pool:0": ["stem:0"],
        "mixed:0": ["a:0", "b2:0", "pool:0", "stem:0"],
        "softmax:0": ["mixed:0"],
    }
    assert relus["stem:0"].consumers == {relus[n] for n in ["a:0", "b1:0", "pool:0", "mixed:0"]}


def test_extended_inputs_and_consumers(relus):
    assert {n.name for n in relus["b2:0"].extended_inputs} == {"input:0", "stem:0", "b1:0"}
    assert {n.name for n in relus["b1:0"].extended_consumers} == {"b2:0", "mixed:0", "softmax:0"}
    assert relus["input:0"].extended_inputs == set()


def test_gcd_and_lcm(relus):
    assert relus["mixed:0"].gcd.name == "stem:0"  # where the four branches split
    assert relus["stem:0"].lcm.name == "mixed:0"  # where they merge
    assert relus.gcd(["b2:0", "a:0"]).name == "stem:0"
    assert relus.gcd(["b2:0", "b1:0"]).name == "b1:0"
    assert relus.lcm(["a:0", "pool:0"]).name == "mixed:0"
    assert relus.lcm(["mixed:0"]).name == "mixed:0"
    assert relus["input:0"].gcd is None  # no inputs
    assert relus["softmax:0"].lcm is None  # no consumers


def test_nodes_are_named_by_str_tensor_or_node(relus):
    tensor = relus.tf_graph.get_tensor_by_name("a:0")
    assert relus[tensor] is relus["a:0"] is relus[relus["a:0"]]
    assert "a:0" in relus and tensor in relus and "a_conv:0" not in relus
    assert relus.get_tf_node("a:0") is tensor
    with pytest.raises(NotImplementedError, match="got int"):
        OverlayNode.as_name(3)
    with pytest.raises(KeyError, match="not a node of this overlay"):
        relus["a_conv:0"]


def test_unknown_node_names_are_refused():
    with pytest.raises(ValueError, match=r"\['nope:0'\] are not"):
        OverlayGraph(inception_graph(), ["input:0", "nope:0"])


def test_sorted_is_graph_order(relus):
    assert [n.name for n in relus.sorted(["softmax:0", "a:0", "input:0"])] == [
        "input:0",
        "a:0",
        "softmax:0",
    ]


def test_filter_passes_through(relus):
    coarse = relus.filter(["input:0", "b2:0", "mixed:0", "softmax:0"])
    assert edges(coarse) == {
        "input:0": [],
        "b2:0": ["input:0"],
        "mixed:0": ["b2:0", "input:0"],
        "softmax:0": ["mixed:0"],
    }


def test_filter_without_pass_through_cuts_paths(relus):
    # Lucid raised TypeError here (set += set), so filter_overlay.cut_shapes always failed.
    cut = relus.filter(["input:0", "b2:0", "mixed:0", "softmax:0"], pass_through=False)
    assert edges(cut) == {"input:0": [], "b2:0": [], "mixed:0": ["b2:0"], "softmax:0": ["mixed:0"]}


def test_filter_keeps_sub_structure_and_graph_order(relus):
    structure = OverlayStructure("Sequence", {"sequence": [relus["b1:0"], relus["b2:0"]]})
    relus["b2:0"].sub_structure = structure
    kept = relus.filter(["softmax:0", "b2:0", "input:0"])
    assert [n.name for n in kept.nodes] == ["input:0", "b2:0", "softmax:0"]
    assert kept["b2:0"].sub_structure is structure


def test_overlay_structure_children_and_contains(relus):
    structure = OverlayStructure(
        "HeadBranch", {"branches": [relus["a:0"], None], "head": relus["mixed:0"]}
    )
    assert structure.children == [relus["a:0"], relus["mixed:0"]]
    assert "a:0" in structure and relus["mixed:0"] in structure and "b1:0" not in structure


def test_collapse_structures(relus):
    sequence = OverlayStructure("Sequence", {"sequence": [relus["b1:0"], relus["b2:0"]]})
    collapsed = relus.collapse_structures({relus["b2:0"]: sequence})
    assert "b1:0" not in collapsed
    assert collapsed["b2:0"].sub_structure is sequence
    assert edges(collapsed)["b2:0"] == ["stem:0"]


def test_graphviz_prints_and_returns_dot(relus, capsys):
    dot = relus.filter(["input:0", "stem:0", "a:0"]).graphviz(groups={"stem:0": ["a:0"]})
    assert capsys.readouterr().out.strip() == dot
    assert dot.splitlines() == [
        "digraph G {",
        "  subgraph cluster_0 {",
        '    label = "stem:0";',
        '    "a:0";',
        "  }",
        '  "input:0";',
        '  "stem:0";',
        '  "input:0" -> "stem:0";',
        '  "a:0";',
        '  "stem:0" -> "a:0";',
        "}",
    ]


def test_as_tensor_accepts_overlay_nodes(relus):
    assert as_tensor(relus["a:0"]) is relus.tf_graph.get_tensor_by_name("a:0")


def test_given_nodes_are_kept_in_graph_order():
    overlay = OverlayGraph(inception_graph(), ["softmax:0", "input:0", "stem:0", "input:0"])
    assert [n.name for n in overlay.nodes] == ["input:0", "stem:0", "softmax:0"]
    assert overlay.gcd(["softmax:0", "stem:0"]).name == "stem:0"
