"""pointwise_matmul: 1x1 convolutions as matrix products, values and gradients unchanged."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis.rewrites import fast_lrn
from lucid.optvis.rewrites import graph_defs
from lucid.optvis.rewrites import pointwise_conv
from tests.toy_models import ToyModel


@pytest.mark.parametrize(
    "shape, outputs", [((1, 5, 7, 3), 4), ((2, 4, 4, 16), 8), ((1, 1, 1, 6), 1)]
)
@pytest.mark.parametrize("with_bias", [False, True])
def test_conv1x1_equals_conv2d_with_its_gradient(shape, outputs, with_bias):
    rng = np.random.default_rng(sum(shape) + outputs)
    x_value = rng.standard_normal(shape).astype(np.float32)
    kernel = rng.standard_normal((1, 1, shape[-1], outputs)).astype(np.float32)
    bias = rng.standard_normal(outputs).astype(np.float32) if with_bias else None
    dy = rng.standard_normal(shape[:3] + (outputs,)).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant(x_value)
        want = tf.nn.conv2d(x, kernel, 1, "SAME")
        if with_bias:
            want = tf.nn.bias_add(want, bias)
        got = pointwise_conv.conv1x1(x, kernel, bias)
        assert got.shape.as_list() == list(shape[:3]) + [outputs]
        gradients = tf.gradients([want, got], [x], [dy, -dy])  # the two cancel if equal
        want_dx = tf.gradients(want, [x], [dy])[0]
        got_value, want_value, residual, want_dx_value = sess.run(
            [got, want, gradients[0], want_dx]
        )
    np.testing.assert_allclose(got_value, want_value, rtol=1e-5, atol=1e-5)
    assert np.abs(residual).max() <= 1e-5 * np.abs(want_dx_value).max()


def _pointwise_graph_def():
    """input -> 1x1 conv (+bias, relu, named a) -> 3x3 conv -> 1x1 stride-2 conv -> split-kernel
    1x1 conv (two groups, concatenated) -> 1x1 conv with a control input on b -> out."""
    rng = np.random.default_rng(7)

    def kernel(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    with tf.Graph().as_default() as graph:
        t_input = tf.placeholder(tf.float32, [None, None, None, 3], name="input")
        a = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(t_input, kernel(1, 1, 3, 8), 1, "SAME"),
                                      kernel(8)), name="a")  # fmt: skip
        b = tf.nn.conv2d(a, kernel(3, 3, 8, 6), 1, "SAME", name="b")
        c = tf.nn.conv2d(b, kernel(1, 1, 6, 6), 2, "SAME", name="c")
        halves = tf.split(c, 2, axis=-1)
        kernels = tf.split(tf.constant(kernel(1, 1, 3, 10)), 2, axis=-1)
        grouped = [tf.nn.conv2d(h, k, 1, "VALID") for h, k in zip(halves, kernels)]
        d = tf.concat(grouped, -1, name="d")
        tf.nn.conv2d(d, kernel(1, 1, 10, 4), 1, "SAME", name="out")
    graph_def = graph.as_graph_def()
    next(node for node in graph_def.node if node.name == "out").input.append("^b")
    return graph_def


def _run(graph_def, image):
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        t_image = tf.constant(image)
        tf.import_graph_def(graph_def, {"input": t_image}, name="import")
        layers = [graph.get_tensor_by_name(f"import/{name}:0") for name in ("a", "d", "out")]
        (gradient,) = tf.gradients(tf.reduce_sum(layers[-1] ** 2), [t_image])
        return sess.run(layers + [gradient])


def test_rewritten_graph_def_gives_the_same_values_and_gradients():
    original = _pointwise_graph_def()
    rewritten = pointwise_conv.rewrite_graph_def(original)
    ops = {node.name: node for node in rewritten.node}
    convs = [node for node in original.node if node.op == "Conv2D"]
    rewritten_names = {
        node.name for node in convs if ops[node.name].op == "Reshape"
    }  # the 1x1 stride-1 ones, including both groups of the split kernel
    assert len(convs) == 6 and len(rewritten_names) == 4
    assert ops["b"].op == "Conv2D" and ops["c"].op == "Conv2D"  # 3x3, and stride 2
    assert "^b" in ops["out"].input  # the control input is kept
    assert sum(node.op == "MatMul" for node in rewritten.node) == 4
    assert {node.op for node in original.node}.isdisjoint({"MatMul"})  # original untouched
    image = np.random.default_rng(8).uniform(size=(2, 9, 7, 3)).astype(np.float32)
    for got, want in zip(_run(rewritten, image), _run(original, image)):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * np.abs(want).max())


def test_graphs_without_pointwise_convolutions_are_returned_as_they_are():
    with tf.Graph().as_default() as graph:
        t_input = tf.placeholder(tf.float32, [None, 4, 4, 3], name="input")
        tf.nn.conv2d(t_input, np.ones((3, 3, 3, 2), np.float32), 1, "SAME", name="out")
    graph_def = graph.as_graph_def()
    assert pointwise_conv.rewrite_graph_def(graph_def) is graph_def


def test_helps_only_at_batch_one_without_a_gpu(monkeypatch):
    assert pointwise_conv.helps_here(1)  # the test machines have no GPU
    assert not pointwise_conv.helps_here(2)
    assert not pointwise_conv.helps_here(None)
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind=None: ["GPU:0"])
    assert not pointwise_conv.helps_here(1)


class _PointwiseModel(ToyModel):
    """The toy model's input conventions, with the graph above in place of its own."""

    model_path = "pointwise_toy.pb"

    def __init__(self):
        super().__init__()
        self._graph_def = _pointwise_graph_def()
        self.layers = []


def _render(rewrites_spec, batch, steps=6):
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        tf.set_random_seed(0)
        T = render.make_vis_T(
            _PointwiseModel(), objectives.channel("out", 1),
            param_f=lambda: param.image(10, batch=batch), transforms=[], rewrites=rewrites_spec,
        )  # fmt: skip
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(T("vis_op"))
        return sess.run(T("input")), graph.get_operation_by_name("import/out").type


def test_the_step_builder_rewrites_at_batch_one_and_renders_agree():
    images, out_type = _render(("pointwise_matmul",), batch=1)
    reference, reference_out_type = _render((), batch=1)
    assert (out_type, reference_out_type) == ("Reshape", "Conv2D")
    np.testing.assert_allclose(images, reference, atol=1e-5)
    assert _render(("pointwise_matmul",), batch=2)[1] == "Conv2D"


@pytest.mark.parametrize("depth, radius", [(48, 2), (64, 5)])
def test_fast_lrn_matrix_product_windows_equal_tensorflows_lrn(depth, radius):
    rng = np.random.default_rng(depth)
    x_value = (rng.standard_normal((1, 3, 5, depth)) * 4).astype(np.float32)
    dy_value = rng.standard_normal((1, 3, 5, depth)).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        x, dy = tf.constant(x_value), tf.constant(dy_value)
        expected = tf.nn.local_response_normalization(x, radius, 1.0, 1e-3, 0.75)
        (expected_dx,) = tf.gradients(expected, [x], [dy])
        y, s, p = fast_lrn.lrn(x, depth, radius, 1.0, 1e-3, 0.75, matmul=True)
        dx = fast_lrn.lrn_gradient(dy, x, y, s, p, depth, radius, 1e-3, 0.75, matmul=True)
        want, want_dx, got, got_dx = sess.run([expected, expected_dx, y, dx])
        types = {op.type for op in tf.get_default_graph().get_operations()}
    assert "MatMul" in types and "Conv2D" not in types
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6 * np.abs(want).max())
    np.testing.assert_allclose(got_dx, want_dx, rtol=2e-4, atol=2e-5 * np.abs(want_dx).max())


def test_zoo_replica_values_and_gradients(tmp_path):
    """InceptionV1's 39 1x1 convolutions (conv2d1, four per mixed block, the heads' ones) all
    become matrix products; mixed4a and its gradient to the image are unchanged."""
    from lucid.modelzoo import vision_models
    from modelzoo.build_mirror import MODEL_FILES
    from modelzoo.build_mirror import build_mirror

    build_mirror(str(tmp_path), models=["InceptionV1"])
    model = vision_models.InceptionV1()
    model.model_path = str(tmp_path / MODEL_FILES["InceptionV1"])
    nodes = {node.name: node for node in model.graph_def.node}
    pointwise = [n for n in model.graph_def.node if pointwise_conv.pointwise_kernel_shape(nodes, n)]
    rewritten = pointwise_conv.rewrite_graph_def(model.graph_def)
    assert "conv2d1_pre_relu/conv" in {node.name for node in pointwise}
    matmuls = [n.name for n in rewritten.node if n.op == "MatMul" and "/pointwise/" in n.name]
    assert len(pointwise) == len(matmuls) == 39
    image = np.random.default_rng(9).uniform(size=(1, 64, 64, 3)).astype(np.float32)
    results = []
    for graph_def in (None, rewritten):
        with tf.Graph().as_default(), tf.Session() as sess:
            t_image = tf.constant(image)
            layer = render.import_model(model, t_image, graph_def=graph_def)("mixed4a_pre_relu")
            (gradient,) = tf.gradients(tf.reduce_sum(layer[..., 5:40] ** 2), [t_image])
            results.append(sess.run([layer, gradient]))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_subgraph_nodes_rewires_the_placeholders_to_the_target_tensors():
    nodes, output = graph_defs.subgraph_nodes(
        lambda x, y: tf.square(x) + y, [("a:0", tf.float32, [2]), ("b:1", tf.float32, [2])]
    )
    inputs = {node.op: list(node.input) for node in nodes}
    assert inputs["Square"] == ["a:0"] and inputs["AddV2"][1] == "b:1"
    assert output == next(n.name for n in nodes if n.op == "AddV2") + ":0"
