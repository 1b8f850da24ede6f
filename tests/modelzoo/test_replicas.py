"""The replica zoo files have the real files' structure: names, op types, depths, formats."""

import hashlib
import re

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo.vision_models import AlexNet
from lucid.modelzoo.vision_models import InceptionV1
from modelzoo import build_mirror as build_mirror_module
from modelzoo.replicas import build_alexnet
from modelzoo.replicas import labels

MIXED = ["mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d", "mixed4e"]
MIXED += ["mixed5a", "mixed5b"]
BRANCHES = ["1x1", "3x3_bottleneck", "3x3", "5x5_bottleneck", "5x5", "pool_reduce"]
CONVS = ["conv2d0", "conv2d1", "conv2d2"]
CONVS += [f"{m}_{b}" for m in MIXED for b in BRANCHES]
CONVS += ["head0_bottleneck", "head1_bottleneck"]


def _nodes(graph_def):
    return {node.name: node for node in graph_def.node}


def _import(model, t_input=None):
    """Imports ``model`` into a fresh graph; returns (graph, session, T, t_input)."""
    graph = tf.Graph()
    with graph.as_default():
        if t_input is None:
            t_input = tf.placeholder(tf.float32, [None, None, None, 3])
        T = model.import_graph(t_input, scope="import")
    return graph, tf.Session(graph=graph), T, t_input


def _run_layers(model, names, image):
    graph, sess, T, t_input = _import(model)
    with sess:
        return sess.run({name: T(name) for name in names}, {t_input: image})


def _image(height, width, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (1, height, width, 3)).astype(np.float32)


# InceptionV1


def test_inception_v1_declares_the_reference_layers():
    depths = {layer.name: layer.depth for layer in InceptionV1().layers}
    assert len(depths) == 19
    assert depths["mixed4a"] == 508 and depths["softmax2"] == 1008


def test_inception_v1_every_declared_layer_has_its_depth(inception_v1_replica):
    layers = InceptionV1().layers
    graph, sess, T, t_input = _import(inception_v1_replica)
    with sess:
        for layer in layers:
            assert T(layer.name).shape[-1] == layer.depth, layer.name
        values = sess.run(
            {layer.name: T(layer.name) for layer in layers}, {t_input: _image(224, 224)}
        )
    for layer in layers:
        assert values[layer.name].shape[0] == 1
        assert values[layer.name].shape[-1] == layer.depth, layer.name
        assert np.all(np.isfinite(values[layer.name])), layer.name
    for softmax in ("softmax0", "softmax1", "softmax2"):
        np.testing.assert_allclose(values[softmax].sum(), 1.0, rtol=1e-5)


def test_inception_v1_node_names_and_op_types(inception_v1_replica):
    nodes = _nodes(inception_v1_replica.graph_def)
    assert nodes["input"].op == "Placeholder"
    input_shape = [d.size for d in nodes["input"].attr["shape"].shape.dim]
    assert input_shape == [-1, -1, -1, 3]
    for conv in CONVS:
        assert nodes[f"{conv}_pre_relu/conv"].op == "Conv2D", conv
        assert nodes[f"{conv}_pre_relu"].op == "BiasAdd", conv
        assert nodes[conv].op == "Relu", conv
        assert nodes[conv].input == [f"{conv}_pre_relu"]
    # maxpool0..maxpool10 count every max pool; the mixed blocks' own are mixedX_pool.
    pools = sorted(name for name, node in nodes.items() if node.op == "MaxPool")
    assert pools == sorted(
        ["maxpool0", "maxpool1", "maxpool4", "maxpool10"] + [f"{m}_pool" for m in MIXED]
    )
    assert [nodes[f"localresponsenorm{i}"].op for i in (0, 1)] == ["LRN", "LRN"]
    assert nodes["conv2d0_pre_relu/conv"].attr["strides"].list.i == [1, 2, 2, 1]
    assert nodes["head0_pool"].op == "AvgPool" and nodes["avgpool0"].op == "AvgPool"
    for i in ("0", "1"):
        assert nodes[f"nn{i}"].op == "Relu"
        assert nodes[f"nn{i}_pre_relu"].op == "BiasAdd"
        assert nodes[f"softmax{i}_pre_activation"].op == "BiasAdd"
    assert [nodes[f"softmax{i}"].op for i in range(3)] == ["Softmax"] * 3
    assert nodes["softmax2_pre_activation/matmul"].input[0] == "avgpool0/reshape"


def test_inception_v1_mixed_blocks_are_axis_first_concats_of_relus(inception_v1_replica):
    nodes = _nodes(inception_v1_replica.graph_def)
    for mixed in MIXED:
        concat = nodes[mixed]
        assert concat.op == "Concat", mixed
        axis = nodes[concat.input[0]]
        assert axis.op == "Const" and tf.make_ndarray(axis.attr["value"].tensor) == 3
        towers = [f"{mixed}_{b}" for b in ("1x1", "3x3", "5x5", "pool_reduce")]
        assert list(concat.input[1:]) == towers
        assert f"{mixed}_pre_relu" not in nodes
        pool = nodes[f"{mixed}_pool"]
        assert pool.op == "MaxPool" and pool.attr["strides"].list.i == [1, 1, 1, 1]
        assert pool.attr["ksize"].list.i == [1, 3, 3, 1]


def test_inception_v1_post_import_adds_mixed_pre_relu(inception_v1_replica):
    graph, sess, T, t_input = _import(inception_v1_replica)
    names = [f"{m}_pre_relu" for m in MIXED] + MIXED
    with sess:
        values = sess.run({name: T(name) for name in names}, {t_input: _image(96, 96, seed=1)})
    depths = {layer.name: layer.depth for layer in InceptionV1().layers}
    for mixed in MIXED:
        pre_relu = values[f"{mixed}_pre_relu"]
        assert pre_relu.shape[-1] == depths[mixed]
        assert pre_relu.min() < 0  # really before the ReLU
        np.testing.assert_array_equal(np.maximum(pre_relu, 0), values[mixed])


@pytest.mark.parametrize(
    "height, width, expected",
    [
        # SAME convs and pools: each stride-2 stage rounds up (ceil(x / 2)).
        (97, 131, {"conv2d0": (49, 66), "mixed3a": (13, 17), "mixed4a": (7, 9), "mixed5b": (4, 5)}),
    ],
)
def test_inception_v1_accepts_any_input_size(inception_v1_replica, height, width, expected):
    values = _run_layers(inception_v1_replica, list(expected), _image(height, width))
    for name, spatial in expected.items():
        assert values[name].shape[1:3] == spatial, name


# AlexNet


def test_alexnet_every_declared_layer_has_its_depth(alexnet_replica):
    layers = AlexNet().layers
    assert [layer.name for layer in layers][:2] == ["Conv2D", "Conv2D_1"]
    graph, sess, T, t_input = _import(alexnet_replica)
    with sess:
        for layer in layers:
            assert T(layer.name).shape[-1] == layer.depth, layer.name
        values = sess.run(
            {layer.name: T(layer.name) for layer in layers}, {t_input: _image(227, 227)}
        )
    for layer in layers:
        assert values[layer.name].shape[-1] == layer.depth, layer.name
        assert np.all(np.isfinite(values[layer.name])), layer.name
    assert values["Conv2D"].shape == (1, 55, 55, 96)
    assert values["Conv2D_7"].shape == (1, 13, 13, 128)
    np.testing.assert_allclose(values["Softmax"].sum(), 1.0, rtol=1e-5)


def test_alexnet_layout(alexnet_replica):
    nodes = _nodes(alexnet_replica.graph_def)
    placeholder = nodes["Placeholder"]
    assert placeholder.op == "Placeholder"
    assert [d.size for d in placeholder.attr["shape"].shape.dim] == [-1, 227, 227, 3]
    assert [n.op for n in alexnet_replica.graph_def.node if n.op == "Placeholder"] == [
        "Placeholder"
    ]
    assert nodes["Conv2D"].input[0] == "Placeholder"
    assert nodes["Conv2D"].attr["strides"].list.i == [1, 4, 4, 1]
    # Each two-group conv reads the two outputs of one Split of its input.
    for first, second in (
        ("Conv2D_1", "Conv2D_2"),
        ("Conv2D_4", "Conv2D_5"),
        ("Conv2D_6", "Conv2D_7"),
    ):
        split = nodes[first].input[0]
        assert nodes[split].op == "Split"
        assert nodes[second].input[0] == split + ":1"
    assert nodes["Conv2D_3"].op == "Conv2D" and "Conv2D_8" not in nodes
    # The automatic names Relu / Relu_1 belong to fc6 and fc7; the conv ReLUs are conv1..conv5.
    assert [nodes[f"conv{i}"].op for i in range(1, 6)] == ["Relu"] * 5
    assert nodes["Relu"].input == ["fc6/fc6"] and nodes["Relu_1"].input == ["fc7/fc7"]
    assert nodes["Softmax"].input == ["fc8/fc8"]
    assert [nodes[f"norm{i}"].op for i in (1, 2)] == ["LRN", "LRN"]


def test_alexnet_fc_weights_are_tiled_blocks_of_the_full_shape(alexnet_replica):
    nodes = _nodes(alexnet_replica.graph_def)
    for name, shape in (("fc6", (9216, 4096)), ("fc7", (4096, 4096)), ("fc8", (4096, 1000))):
        assert nodes[f"{name}/{name}/MatMul"].input[1] == f"{name}/weights"
        tile = tf.make_ndarray(nodes[f"{name}/tile"].attr["value"].tensor)
        assert tile.shape == (64, shape[1])
        multiples = tf.make_ndarray(nodes[nodes[f"{name}/weights"].input[1]].attr["value"].tensor)
        assert tuple(multiples * tile.shape) == shape


def test_replicas_are_deterministic_in_the_seed():
    first = build_alexnet(seed=0).SerializeToString(deterministic=True)
    assert build_alexnet(seed=0).SerializeToString(deterministic=True) == first
    assert build_alexnet(seed=1).SerializeToString(deterministic=True) != first


# Labels and the mirror layout


def test_label_files_have_the_real_formats():
    alternate = labels.imagenet_alternate_labels()
    standard = labels.imagenet_standard_labels()
    assert len(alternate) == 1008 and alternate[0] == "dummy"
    assert len(standard) == 1000 and "dummy" not in standard
    assert sorted(a for a in alternate if a != "dummy") == sorted(standard)
    standard_ids = labels.imagenet_standard_synsets()
    alternate_ids = labels.imagenet_alternate_synsets()
    assert len(standard_ids) == len(set(standard_ids)) == 1000
    assert standard_ids == sorted(standard_ids)
    assert all(re.fullmatch(r"n\d{8}", synset) for synset in standard_ids)
    by_id = dict(zip(standard_ids, standard))
    for label, synset in zip(alternate, alternate_ids):
        assert label == by_id.get(synset, "dummy")
    text = labels.label_file_bytes("labels/ImageNet_alternate.txt").decode("utf-8")
    assert text.endswith("\n") and text.splitlines() == alternate
    with pytest.raises(ValueError, match="ImageNet_standard.txt"):
        labels.label_file_bytes("labels/Places365.txt")


def test_mirror_tree_and_sha256sums(replica_mirror):
    expected = {
        "vision/other_models/InceptionV1.pb",
        "vision/other_models/AlexNet.pb",
        "labels/ImageNet_alternate.txt",
        "labels/ImageNet_alternate_synsets.txt",
        "labels/ImageNet_standard.txt",
        "labels/ImageNet_standard_synsets.txt",
    }
    files = {
        p.relative_to(replica_mirror).as_posix() for p in replica_mirror.rglob("*") if p.is_file()
    }
    assert files == expected | {"SHA256SUMS"}
    lines = (replica_mirror / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, relative_path = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line).groups()
        listed[relative_path] = digest
    assert set(listed) == expected
    for relative_path, digest in listed.items():
        assert hashlib.sha256((replica_mirror / relative_path).read_bytes()).hexdigest() == digest


def test_build_mirror_command_adds_models_and_keeps_sums_complete(tmp_path, capsys):
    assert build_mirror_module.main([str(tmp_path), "--models", "AlexNet", "--seed", "1"]) == 0
    assert "vision/other_models/AlexNet.pb" in capsys.readouterr().out
    assert not (tmp_path / "vision/other_models/InceptionV1.pb").exists()
    sums = (tmp_path / "SHA256SUMS").read_text()
    assert sums.count("\n") == 5 and "InceptionV1" not in sums
    with pytest.raises(ValueError, match="ResNet"):
        build_mirror_module.build_mirror(str(tmp_path), models=["ResNet"])
    with pytest.raises(SystemExit):
        build_mirror_module.main([str(tmp_path), "--models", "ResNet"])
