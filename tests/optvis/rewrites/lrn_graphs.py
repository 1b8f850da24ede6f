"""A toy graph with an LRN (and a model around it), shared by the LRN rewrite tests."""

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render
from tests.toy_models import ToyModel


def lrn_graph_def(depth=48, concat=False, known_depth=True):
    """input -> 1x1 conv (+bias, relu) [-> concat with a 3x3 conv] -> maxpool -> LRN -> conv."""
    rng = np.random.default_rng(3)
    with tf.Graph().as_default() as graph:
        t_input = tf.placeholder(tf.float32, [None, None, None, 3], name="input")
        w = rng.standard_normal((1, 1, 3, depth)).astype(np.float32)
        h = tf.nn.relu(
            tf.nn.bias_add(tf.nn.conv2d(t_input, w, 1, "SAME"), np.ones(depth, np.float32))
        )
        if concat:
            w2 = rng.standard_normal((3, 3, 3, 16)).astype(np.float32)
            h = tf.concat([h, tf.nn.conv2d(t_input, w2, 1, "SAME")], axis=-1, name="joined")
        if not known_depth:
            h = tf.reshape(h, tf.concat([tf.shape(h)[:3], [-1]], 0), name="shapeless")
        h = tf.nn.max_pool2d(h, 2, 2, "SAME")
        normed = tf.nn.local_response_normalization(h, 2, 1.0, 1e-3, 0.75, name="norm")
        out_depth = depth + (16 if concat else 0)
        w3 = rng.standard_normal((3, 3, out_depth, 4)).astype(np.float32)
        tf.nn.conv2d(normed, w3, 1, "SAME", name="out")
    return graph.as_graph_def()


def run_graph_def(graph_def, image, fetch):
    with tf.Graph().as_default(), tf.Session() as sess:
        t_image = tf.constant(image)
        tf.import_graph_def(graph_def, {"input": t_image}, name="import")
        graph = tf.get_default_graph()
        norm = graph.get_tensor_by_name("import/norm:0")
        out = graph.get_tensor_by_name("import/out:0")
        (gradient,) = tf.gradients(tf.reduce_sum(out * out), [t_image])
        types = {op.type for op in graph.get_operations()}
        return sess.run([norm, out, gradient]), types


class LRNModel(ToyModel):
    """The toy model's input conventions, with the LRN graph in place of its own."""

    model_path = "lrn_toy.pb"

    def __init__(self):
        super().__init__()
        self._graph_def = lrn_graph_def(depth=80)
        self.layers = []


def objective_in_float32(image):
    """mean(out[..., 1]) of the LRN toy graph, TensorFlow's own LRN, float32."""
    with tf.Graph().as_default(), tf.Session() as sess:
        t_image = tf.constant(image[None] if image.ndim == 3 else image)
        tf.import_graph_def(lrn_graph_def(depth=80), {"input": t_image}, name="import")
        out = tf.get_default_graph().get_tensor_by_name("import/out:0")
        return float(sess.run(tf.reduce_mean(out[..., 1])))


def render_toy(rewrites_spec, steps=8):
    """Images of a few optimisation steps of LRNModel, and the op types of the step's graph."""
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        tf.set_random_seed(0)
        T = render.make_vis_T(
            LRNModel(), objectives.channel("out", 1), param_f=lambda: param.image(12),
            transforms=[], rewrites=rewrites_spec,
        )  # fmt: skip
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            sess.run(T("vis_op"))
        return sess.run(T("input")), {op.type for op in graph.get_operations()}


def replica(tmp_path, name):
    """The zoo model ``name``'s replica (random weights), served from ``tmp_path``."""
    from lucid.modelzoo import vision_models
    from modelzoo.build_mirror import MODEL_FILES
    from modelzoo.build_mirror import build_mirror

    build_mirror(str(tmp_path), models=[name])
    model = getattr(vision_models, name)()
    model.model_path = str(tmp_path / MODEL_FILES[name])
    return model


def assert_layer_and_gradient_unchanged(model, rewritten, layer_name):
    """``layer_name`` and the gradient of a sum of its squares to the image agree between
    ``model``'s own graph and the ``rewritten`` GraphDef."""
    image = np.random.default_rng(5).uniform(size=(2, 64, 64, 3)).astype(np.float32)
    results = []
    for graph_def in (None, rewritten):
        with tf.Graph().as_default(), tf.Session() as sess:
            t_image = tf.constant(image)
            layer = render.import_model(model, t_image, graph_def=graph_def)(layer_name)
            (gradient,) = tf.gradients(tf.reduce_sum(layer[..., 5:40] ** 2), [t_image])
            results.append(sess.run([layer, gradient]))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def assert_bfloat16_reaches_float32s_objective(rewrites_spec):
    """A bfloat16 render of LRNModel reaches float32's objective within 5 % (issue 13)."""

    def run(mode):
        return render.render_vis(
            LRNModel(), objectives.channel("out", 1), param_f=lambda: param.image(16),
            transforms=[], thresholds=(0, 96), verbose=False, progress=False,
            use_fixed_seed=True, precision=mode, rewrites=rewrites_spec,
        )  # fmt: skip

    (first, float32_image), (_, bfloat16_image) = run("float32"), run("bfloat16")
    start = objective_in_float32(first)
    float32_value = objective_in_float32(float32_image)
    bfloat16_value = objective_in_float32(bfloat16_image)
    assert float32_value > start + 1.0
    assert abs(bfloat16_value - float32_value) <= 0.05 * abs(float32_value)
