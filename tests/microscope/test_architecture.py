"""The architecture diagram: graph extraction, layered layout and the SVG, on known graphs."""

import json
import os
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.microscope import architecture
from lucid.microscope import build
from lucid.microscope import dag_layout
from lucid.microscope import layout
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts
from lucid.modelzoo.vision_models import InceptionV1
from lucid.modelzoo.vision_models import ShapesNet
from tests.toy_models import ToyModel

SVG = "{http://www.w3.org/2000/svg}"


def branch_graph_def():
    """``stem`` -> two towers (``left``; ``right_pool`` -> ``right``) -> ``mixed`` (concat)
    -> residual ``res = mixed + res_conv(mixed)`` -> ``gap`` (global mean) -> ``logits``."""

    def conv(x, depth, name):
        weights = np.full([1, 1, int(x.shape[-1]), depth], 0.1, np.float32)
        return tf.nn.conv2d(x, weights, [1, 1, 1, 1], "SAME", name=name)

    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, None, None, 3], name="input")
        stem = tf.nn.relu(conv(x, 4, "stem_conv"), name="stem")
        left = tf.nn.relu(conv(stem, 2, "left_conv"), name="left")
        pooled = tf.nn.max_pool(stem, [1, 2, 2, 1], [1, 1, 1, 1], "SAME", name="right_pool")
        right = tf.nn.relu(conv(pooled, 3, "right_conv"), name="right")
        mixed = tf.concat([left, right], axis=3, name="mixed")
        res = tf.add(mixed, conv(mixed, 5, "res_conv"), name="res")
        gap = tf.reduce_mean(res, axis=[1, 2], name="gap")
        tf.matmul(gap, np.ones([5, 2], np.float32), name="logits")
    return graph.as_graph_def()


class BranchModel(Model):
    model_path = "branch_model.pb"
    image_shape = [8, 8, 3]
    image_value_range = (0, 1)
    input_name = "input"

    def __init__(self, layer_names=("stem", "mixed", "logits")):
        self._graph_def = branch_graph_def()
        self.layers = _layers_from_list_of_dicts(
            self, [{"name": name, "depth": 1, "tags": []} for name in layer_names]
        )


@pytest.fixture(scope="module")
def inception_v1():
    """InceptionV1 on the random-weight replica of its graph (the real node names)."""
    from modelzoo.build_mirror import replica_bytes

    model = InceptionV1()
    model._graph_def = tf.GraphDef.FromString(replica_bytes("InceptionV1"))
    return model


def node_names(graph):
    return [node["name"] for node in graph["nodes"]]


def named_edges(graph):
    names = node_names(graph)
    return {(names[i], names[j]) for i, j in graph["edges"]}


def test_branch_and_concat_graph_has_exact_nodes_edges_levels_and_shapes():
    graph = architecture.model_architecture(BranchModel())
    expected = [
        # name, op, shape, declared layer, level
        ("input", "Placeholder", [8, 8, 3], None, 0),
        ("stem", "Relu", [8, 8, 4], "stem", 1),
        ("left", "Relu", [8, 8, 2], None, 2),
        ("right_pool", "MaxPool", [8, 8, 4], None, 2),
        ("right", "Relu", [8, 8, 3], None, 3),
        ("mixed", "ConcatV2", [8, 8, 5], "mixed", 4),
        ("res_conv", "Conv2D", [8, 8, 5], None, 5),
        ("res", "AddV2", [8, 8, 5], None, 6),
        ("gap", "Mean", [5], None, 7),
        ("logits", "MatMul", [2], "logits", 8),
    ]
    got = [(n["name"], n["op"], n["shape"], n["layer"], n["level"]) for n in graph["nodes"]]
    assert got == expected
    assert named_edges(graph) == {
        ("input", "stem"),
        ("stem", "left"),
        ("stem", "right_pool"),
        ("right_pool", "right"),
        ("left", "mixed"),
        ("right", "mixed"),
        ("mixed", "res_conv"),
        ("mixed", "res"),
        ("res_conv", "res"),
        ("res", "gap"),
        ("gap", "logits"),
    }
    assert graph["edges"] == sorted(graph["edges"])


def test_undeclared_joins_after_the_last_layer_and_constant_sums_are_left_out():
    # Without `logits` declared, nothing after `mixed` leads to a layer; the input scaling's
    # AddV2 (a constant plus the image) is no join either.
    graph = architecture.model_architecture(BranchModel(["stem", "mixed"]))
    assert node_names(graph) == ["input", "stem", "left", "right_pool", "right", "mixed"]


def test_toy_model_pools_each_branch_before_the_concat():
    graph = architecture.model_architecture(ToyModel())
    names = node_names(graph)
    assert names[:7] == ["input", "const_pre_relu", "const", "color_pre_relu", "color",
                         "stripes_pre_relu", "stripes"]  # fmt: skip
    pool, logits = names.index("pool"), names.index("logits")
    means = [i for i, n in enumerate(graph["nodes"]) if n["op"] == "Mean"]
    assert len(means) == 2  # the grey conversion is a mean over channels, not a pool
    assert {tuple(e) for e in graph["edges"] if e[1] == pool} == {(m, pool) for m in means}
    assert [pool, logits] in graph["edges"]
    assert named_edges(graph) >= {("input", "stripes_pre_relu"), ("color", names[means[0]])}


def test_shapesnet_is_a_chain_of_its_layers_and_pools():
    graph = architecture.model_architecture(ShapesNet())
    declared = [layer.name for layer in ShapesNet.layers]
    names = node_names(graph)
    assert names == (
        ["input"] + declared[:2] + ["maxpool1"] + declared[2:4] + ["maxpool2"] + declared[4:6]
        + ["maxpool3"] + declared[6:8] + ["avgpool"] + declared[8:]
    )  # fmt: skip
    assert graph["edges"] == [[i, i + 1] for i in range(len(names) - 1)]
    assert [n["level"] for n in graph["nodes"]] == list(range(len(names)))
    shapes = {n["name"]: n["shape"] for n in graph["nodes"]}
    assert shapes["conv1"] == [64, 64, 16]
    assert shapes["maxpool3"] == [8, 8, 64]
    assert shapes["avgpool"] == [64]
    assert shapes["softmax"] == [16]


def test_inception_v1_shows_every_layer_its_towers_side_by_side_and_concats(inception_v1):
    graph = architecture.model_architecture(inception_v1)
    nodes = {n["name"]: n for n in graph["nodes"]}
    edges = named_edges(graph)
    assert {layer.name for layer in inception_v1.layers} <= set(nodes)
    assert len(graph["nodes"]) < 100
    assert nodes["mixed3a"]["op"] == "Concat"
    assert nodes["mixed3a"]["shape"] == [28, 28, 256]
    towers = ["mixed3a_1x1", "mixed3a_3x3", "mixed3a_5x5", "mixed3a_pool_reduce"]
    assert {(t, "mixed3a") for t in towers} <= edges
    assert {source for source, target in edges if target == "mixed3a"} == set(towers)
    # The three conv towers and the pool branch start on one level, right after maxpool1.
    level = nodes["maxpool1"]["level"] + 1
    assert {nodes[t]["level"] for t in towers[:3] + ["mixed3a_pool"]} == {level}
    assert ("mixed4a", "head0_pool") in edges  # the auxiliary head branches off
    assert "mixed3a_pre_relu" not in nodes  # post_import's extra concat leads to no layer


def box_rects(svg_text):
    """``{name: (left, top, right, bottom)}`` of the boxes of an architecture SVG."""
    root = ElementTree.fromstring(svg_text)
    rects = {}
    for group in root.iter(SVG + "g"):
        if "node" not in group.get("class", "").split():
            continue
        name = group.find(SVG + "title").text.split("\n")[0]
        rect = group.find(SVG + "rect")
        left, top = float(rect.get("x")), float(rect.get("y"))
        rects[name] = (left, top, left + float(rect.get("width")), top + float(rect.get("height")))
    return root, rects


def test_inception_v1_diagram_is_readable(inception_v1):
    # Not build.describe_model: it would fetch the labels (network).
    dirs = layout.layer_dirs(layer.name for layer in inception_v1.layers)
    info = {"layers": [{"name": name, "dir": directory} for name, directory in dirs.items()]}
    graph = architecture.with_layer_dirs(architecture.model_architecture(inception_v1), info)
    root, rects = box_rects(architecture.architecture_svg(graph))
    assert len(rects) == len(graph["nodes"])
    boxes = sorted(rects.values())
    for i, a in enumerate(boxes):  # no two boxes overlap
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert float(root.get("width")) < 1200  # a few towers wide, not a row of 70 boxes
    links = {a.get("href") for a in root.iter(SVG + "a")}
    assert links == {f"{layer['dir']}/index.html" for layer in info["layers"]}


def test_layout_levels_edges_down_and_barycentre_removes_crossings():
    # 0 -> 3 and 1 -> 2: in the given order the two edges cross; the sweeps uncross them.
    sizes = [(40, 20)] * 4
    drawing = dag_layout.layout(sizes, [(0, 3), (1, 2)])
    assert drawing.levels == [0, 0, 1, 1]
    assert (drawing.x[0] < drawing.x[1]) == (drawing.x[3] < drawing.x[2])
    assert dag_layout.layout(sizes, [(0, 3), (1, 2)]) == drawing  # deterministic
    for route in drawing.routes:
        assert all(a[1] < b[1] for a, b in zip(route, route[1:]))


def test_layout_routes_long_edges_through_one_point_per_level_crossed():
    # A chain 0 -> 1 -> 2 -> 3 and a skip edge 0 -> 3 that passes levels 1 and 2 beside them.
    drawing = dag_layout.layout([(60, 20)] * 4, [(0, 1), (1, 2), (2, 3), (0, 3)])
    assert drawing.levels == [0, 1, 2, 3]
    skip = drawing.routes[3]
    assert len(skip) == 4
    assert [y for _, y in skip[1:3]] == [drawing.y[1], drawing.y[2]]
    assert all(abs(x - drawing.x[1]) >= 30 for x, _ in skip[1:3])  # beside the boxes


def test_layout_rejects_cycles_and_unknown_nodes():
    with pytest.raises(ValueError, match="cycle"):
        dag_layout.longest_path_levels(3, [(0, 1), (1, 2), (2, 1)])
    with pytest.raises(ValueError, match="outside 0..1"):
        dag_layout.longest_path_levels(2, [(0, 5)])


def test_svg_escapes_names_and_links_from_model_files():
    nasty = "a<b>&\"c'\x01" + "x" * 40
    graph = {
        "nodes": [
            {"name": "input", "op": "Placeholder", "shape": [4, 4, 3], "layer": None,
             "dir": None, "level": 0},
            {"name": nasty, "op": "Relu", "shape": [4, None, 2], "layer": nasty,
             "dir": 'd"ir&<x>', "level": 1},
        ],
        "edges": [[0, 1]],
    }  # fmt: skip
    svg = architecture.architecture_svg(graph)
    root, rects = box_rects(svg)  # parses: well-formed XML
    link = next(root.iter(SVG + "a"))
    assert link.get("href") == 'd"ir&<x>/index.html'
    title = link.find(f"{SVG}g/{SVG}title").text
    assert title.startswith("a<b>&\"c'\ufffd" + "x" * 40)
    texts = [t.text for t in link.iter(SVG + "text")]
    assert texts[0].endswith("…") and len(texts[0]) <= 32
    assert texts[1] == "4×?×2"
    assert "<b>" not in svg and "\x01" not in svg


def test_write_architecture_writes_both_files_once(tmp_path):
    model = BranchModel()
    info = build.describe_model(model)
    architecture.write_architecture(model, str(tmp_path), info)
    svg_path = tmp_path / architecture.ARCHITECTURE_SVG
    json_path = tmp_path / architecture.ARCHITECTURE_JSON
    record = json.loads(json_path.read_text())
    assert set(record) == {"nodes", "edges"}
    by_name = {n["name"]: n for n in record["nodes"]}
    assert by_name["mixed"]["dir"] == "mixed" and by_name["mixed"]["layer"] == "mixed"
    assert by_name["res"]["dir"] is None and by_name["res"]["layer"] is None
    assert set(by_name["gap"]) == {"name", "op", "shape", "layer", "dir", "level"}
    assert svg_path.read_text().count("<a ") == 3
    before = {p: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in (svg_path, json_path)}
    os.utime(svg_path, ns=(0, 0))
    os.utime(json_path, ns=(0, 0))
    architecture.write_architecture(model, str(tmp_path), info)  # same bytes: not rewritten
    for path, (data, _) in before.items():
        assert path.read_bytes() == data
        assert os.stat(path).st_mtime_ns == 0


def test_keras_layers_are_drawn_on_the_data_path_with_open_sizes():
    keras = pytest.importorskip("keras")
    layers = keras.layers
    inputs = keras.Input((None, None, 3))
    stem = layers.Conv2D(6, 3, padding="same", activation="relu", name="stem")(inputs)
    tower = layers.Conv2D(2, 1, activation="tanh", name="tower")(stem)
    pooled = layers.MaxPooling2D(3, strides=1, padding="same", name="tower_pool")(stem)
    block = layers.Concatenate(name="block")([tower, pooled])
    features = layers.GlobalAveragePooling2D(name="features")(block)
    keras_model = keras.Model(inputs, layers.Dense(4, name="scores")(features), name="towers")
    model = Model.from_keras(keras_model, image_value_range=(0, 1))
    graph = architecture.model_architecture(model)
    # Keras declares its layers as Identity copies; each is drawn at the tensor it copies.
    got = [(n["name"], n["op"], n["shape"], n["level"]) for n in graph["nodes"]]
    assert got == [
        ("input", "Placeholder", [None, None, 3], 0),
        ("stem_pre_relu", "BiasAdd", [None, None, 6], 1),
        ("stem", "Relu", [None, None, 6], 2),
        ("tower_pre_relu", "BiasAdd", [None, None, 2], 3),
        ("tower", "Tanh", [None, None, 2], 4),
        ("tower_pool", "MaxPool", [None, None, 6], 3),
        ("block", "ConcatV2", [None, None, 8], 5),
        ("features", "Mean", [8], 6),
        ("scores", "BiasAdd", [4], 7),
    ]
    assert named_edges(graph) == {
        ("input", "stem_pre_relu"),
        ("stem_pre_relu", "stem"),
        ("stem", "tower_pre_relu"),
        ("stem", "tower_pool"),
        ("tower_pre_relu", "tower"),
        ("tower", "block"),
        ("tower_pool", "block"),
        ("block", "features"),
        ("features", "scores"),
    }
    assert "?×?×8" in architecture.architecture_svg(graph)
