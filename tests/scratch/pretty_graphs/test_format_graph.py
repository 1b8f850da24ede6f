"""Tests for lucid.scratch.pretty_graphs.format_graph: layouts and valid SVG."""

import xml.etree.ElementTree as ET

import pytest

from lucid.modelzoo.vision_models import ShapesNet
from lucid.scratch.pretty_graphs import format_graph
from lucid.scratch.pretty_graphs.format_graph import LayoutBranch
from lucid.scratch.pretty_graphs.format_graph import LayoutNode
from lucid.scratch.pretty_graphs.format_graph import LayoutSeq
from tests.scratch.pretty_graphs.graphs import inception_model

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(render):
    """The render as an SVG document, parsed (fails on invalid XML)."""
    return ET.fromstring(format_graph.svg_document(render["svg_inner"], render["shape"]))


def drawn_nodes(root):
    return [g.get("data-name") for g in root.iter(SVG + "g") if g.get("class") == "node"]


def test_shapesnet_svg_has_a_box_per_kept_node():
    model = ShapesNet()
    render = format_graph.complete_render_model_graph(model)
    root = parse_svg(render)
    kept = list(format_graph.model_graph(model).nodes)
    names = "input conv1 maxpool1 conv2 maxpool2 conv3 maxpool3 conv4 logits softmax".split()
    assert kept == names
    assert drawn_nodes(root) == names
    assert len(root.findall(f".//{SVG}g[@class='node']/{SVG}rect")) == len(names)
    assert len(root.findall(f"{SVG}line")) == len(names) - 1  # a chain
    tops = [render["node_boxes"][n][1] for n in names]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)  # top to bottom
    assert root.get("width") == str(render["shape"][0])


def test_parse_graph_inception_structure():
    graph = format_graph.model_graph(inception_model())
    seq = format_graph.parse_graph(graph)
    kinds = [type(c).__name__ for c in seq.children]
    assert kinds == [
        "LayoutNode",
        "LayoutNode",
        "LayoutBranch",
        "LayoutNode",
        "LayoutNode",
        "LayoutNode",
    ]
    branches = [[c.node.name for c in b.children] for b in seq.children[2].branches]
    assert branches == [["a"], ["b1", "b2"], ["pool"], []]  # [] is the skip connection to mixed


def test_inception_layout_and_group_background():
    render = format_graph.complete_render_model_graph(inception_model())
    boxes = render["node_boxes"]
    root = parse_svg(render)
    assert sorted(drawn_nodes(root)) == sorted(
        ["input", "stem", "a", "b1", "b2", "pool", "mixed", "logits", "softmax"]
    )
    assert boxes["a"][1] == boxes["b1"][1] == boxes["pool"][1]  # branches side by side
    assert boxes["a"][0] < boxes["b1"][0] < boxes["pool"][0]
    assert boxes["b1"][1] < boxes["b2"][1] < boxes["mixed"][1]
    (group,) = [r for r in root.iter(SVG + "rect") if r.get("class") == "group"]
    assert group.get("data-root") == "mixed"
    left, top = float(group.get("x")), float(group.get("y"))
    right, bottom = left + float(group.get("width")), top + float(group.get("height"))
    for name in ["a", "b1", "b2", "pool"]:
        x, y, w, h = boxes[name]
        assert left < x and x + w < right and top < y and y + h < bottom
    for name in ["stem", "mixed"]:
        x, y, w, h = boxes[name]
        assert y + h < top or y > bottom


def test_layout_shapes():
    seq = LayoutSeq([LayoutBranch([LayoutSeq([]), LayoutSeq([])])])
    assert seq.shape == (2 * format_graph.EMPTY_WIDTH + format_graph.BRANCH_GAP, 0)
    assert isinstance(
        format_graph.parse_graph(format_graph.model_graph(inception_model())).children[0],
        LayoutNode,
    )


def test_alignment_func():
    assert format_graph.alignment_func("min")(10, 4) == 0
    assert format_graph.alignment_func("max")(10, 4) == 6
    assert format_graph.alignment_func("mid")(10, 4) == 3
    with pytest.raises(ValueError, match="alignment must be one of"):
        format_graph.alignment_func("centre")


def test_fragments():
    container = format_graph.one_fragement("<circle r='2'/>", (20, 10), inner_shape=(4, 4))
    assert container.children[0].offset == (8, 3)
    root = ET.fromstring(container.to_svg(show_bounds=True))
    (group,) = root.findall(f"{SVG}g")
    assert group.get("transform") == "translate(8.0,3.0)"
    assert group.find(f"{SVG}rect").get("stroke") == "red"


def test_names_are_escaped():
    model = inception_model()
    for node in model.graph_def.node:
        if node.name == "a":
            node.name = "a<&>"
        node.input[:] = ["a<&>" if i == "a" else i for i in node.input]
    root = parse_svg(format_graph.complete_render_model_graph(model))
    assert "a<&>" in drawn_nodes(root)
