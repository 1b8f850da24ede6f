"""lucid.optvis.step: the one step builder of render_vis, make_vis_T and render_units."""

import ast
import pathlib

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import lucid.optvis.batch as batch_module
from lucid.optvis import batch
from lucid.optvis import overrides
from lucid.optvis import param
from lucid.optvis import precision
from lucid.optvis import render
from lucid.optvis import rewrites
from lucid.optvis import step
from lucid.optvis.rewrites import strided_conv


def _build(model, loss_f=None, **kwargs):
    loss_f = loss_f or (lambda T: tf.reduce_mean(T("color_pre_relu")[..., 0]))
    return step.build_step(
        model,
        image_f=lambda: param.image(8, decorrelate=False),
        transform_f=lambda t: t,
        loss_f=loss_f,
        optimizer=tf.train.AdamOptimizer(0.05),
        **kwargs,
    )


def test_build_step_optimises_the_loss_and_records_the_rewrites(toy_model, graph):
    built = _build(toy_model, rewrites=["split_spectrum"])
    assert built.T("input") is built.t_image
    assert built.t_image.shape.as_list() == [1, 8, 8, 3]
    assert built.rewrites == {"split_spectrum"} and built.precision == "float32"
    assert rewrites.enabled("split_spectrum") and not rewrites.enabled("relu_schedule")
    graph.sess.run(tf.global_variables_initializer())
    before = graph.sess.run(built.loss)
    for _ in range(5):
        graph.sess.run(built.vis_op)
    assert graph.sess.run(built.loss) > before
    assert graph.sess.run(built.global_step) == 5


def test_transforms_see_the_global_step(toy_model, graph):
    seen = []

    def transform_f(t):
        seen.append(tf.train.get_global_step())
        return t

    built = step.build_step(
        toy_model, lambda: param.image(8), transform_f,
        lambda T: tf.reduce_mean(T("color")), tf.train.AdamOptimizer(0.05),
    )  # fmt: skip
    assert seen == [built.global_step]


def test_a_non_finite_objective_stops_before_the_image_changes(toy_model, graph):
    built = _build(toy_model, loss_f=lambda T: tf.reduce_mean(tf.math.log(T("color_pre_relu"))))
    graph.sess.run(tf.global_variables_initializer())
    image = graph.sess.run(built.t_image)  # red minus the rest is negative somewhere: log is NaN
    with pytest.raises(tf.errors.InvalidArgumentError, match="objective is not finite"):
        graph.sess.run(built.vis_op)
    np.testing.assert_array_equal(graph.sess.run(built.t_image), image)


def test_an_objective_that_ignores_the_image_is_an_error(toy_model, graph):
    with pytest.raises(ValueError, match="'constant' does not depend on the image"):
        _build(toy_model, loss_f=lambda T: tf.constant(1.0), description="constant")


def test_gradient_overrides_follow_the_rewrites():
    all_names = rewrites.resolve(None)
    assert step.gradient_overrides(frozenset(), False) == {}
    assert step.gradient_overrides(frozenset(), True) == overrides.relu_overrides_map
    scheduled = step.gradient_overrides(frozenset(["relu_schedule"]), True)
    assert scheduled == overrides.scheduled_relu_overrides_map
    everything = step.gradient_overrides(all_names, True)
    assert everything == {
        **strided_conv.gradient_overrides(flip_stride_one=True),  # stride-1 ones flipped too
        **overrides.scheduled_relu_overrides_map,
    }
    assert everything["Conv2D"] is not strided_conv.gradient_overrides()["Conv2D"]
    assert "Relu" not in step.gradient_overrides(all_names, False)


def test_session_config_adds_the_precisions_options():
    config = step.session_config("float32")
    assert config.allow_soft_placement and config.gpu_options.allow_growth
    bf16 = step.session_config("bfloat16").graph_options.rewrite_options
    on = bf16.auto_mixed_precision_onednn_bfloat16 == bf16.ON
    assert on == precision.cpu_supports_bfloat16()


def test_render_vis_and_render_units_both_build_with_it(toy_model, monkeypatch):
    calls = []
    real_build_step = step.build_step

    def counting_build_step(*args, **kwargs):
        calls.append(kwargs["rewrites"])
        return real_build_step(*args, **kwargs)

    monkeypatch.setattr(step, "build_step", counting_build_step)
    render.render_vis(
        toy_model, "color:0", lambda: param.image(8), thresholds=(1,), transforms=[],
        verbose=False, rewrites=["relu_schedule"],
    )  # fmt: skip
    batch.render_units(toy_model, "color", [0], size=8, steps=2, progress=False, rewrites=())
    assert [set(names) for names in calls] == [{"relu_schedule"}, set()]


def test_batch_uses_no_private_names_of_render_or_spatial():
    tree = ast.parse(pathlib.Path(batch_module.__file__).read_text())
    private = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module in ("lucid.optvis.render", "lucid.optvis.param.spatial")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    private += [
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "render"
        and node.attr.startswith("_")
    ]
    assert private == []
