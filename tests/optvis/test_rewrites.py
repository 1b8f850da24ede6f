"""lucid.optvis.rewrites: the registry, and the rewrites of the step builder itself.

``relu_schedule`` and ``split_spectrum`` are compared with what they replace on random
inputs; the rewrites of ``rewrites.strided_conv`` and ``rewrites.concat_slice`` have their
own tests in tests/optvis/rewrites/.
"""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis import overrides
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis import rewrites
from lucid.optvis.param import spatial


def test_resolve_defaults_none_and_names():
    assert rewrites.resolve(None) == frozenset(rewrites.DEFAULT_NAMES)
    assert rewrites.resolve(True) == frozenset(rewrites.DEFAULT_NAMES)
    assert rewrites.resolve(()) == frozenset()
    assert rewrites.resolve(False) == frozenset()
    assert rewrites.resolve(["relu_schedule"]) == {"relu_schedule"}
    assert rewrites.resolve("split_spectrum") == {"split_spectrum"}
    assert set(rewrites.DEFAULT_NAMES) <= set(rewrites.NAMES)


@pytest.mark.parametrize(
    "spec, error, match",
    [
        (["relu_shedule"], ValueError, "unknown name.*relu_shedule.*relu_schedule"),
        (3, TypeError, "rewrites must be None"),
        ([None], TypeError, "names"),
    ],
)
def test_resolve_rejects_what_is_not_a_rewrite(spec, error, match):
    with pytest.raises(error, match=match):
        rewrites.resolve(spec)


def test_enabled_only_in_graphs_the_step_builder_recorded():
    with tf.Graph().as_default() as graph:
        assert not any(rewrites.enabled(name) for name in rewrites.NAMES)
        rewrites.enable_in_graph(["relu_schedule"])
        assert rewrites.enabled("relu_schedule")
        assert not rewrites.enabled("split_spectrum")
        rewrites.enable_in_graph(())  # the latest build decides
        assert not rewrites.enabled("relu_schedule", graph)
    with tf.Graph().as_default():
        assert not rewrites.enabled("relu_schedule", graph)
        with pytest.raises(ValueError, match="unknown rewrite"):
            rewrites.enabled("nope")


def _relu_grads(op_fn, x_value, upstream, global_steps):
    """d(sum(upstream * op_fn(x)))/dx at each global step, under three gradients.

    Returns ``{name: [grad at each step]}`` for the redirected gradient, the scheduled one
    (``relu_schedule``) and TensorFlow's own.
    """
    maps = {
        "redirected": overrides.relu_overrides_map,
        "scheduled": overrides.scheduled_relu_overrides_map,
        "native": {},
    }
    with tf.Graph().as_default(), tf.Session() as sess:
        step = tf.train.get_or_create_global_step()
        x = tf.constant(x_value, tf.float32)
        grads = {}
        for name, override in maps.items():
            with overrides.gradient_override_map(override):
                y = op_fn(x)
            (grads[name],) = tf.gradients(y, [x], grad_ys=tf.constant(upstream, tf.float32))
        results = {name: [] for name in maps}
        for global_step in global_steps:
            sess.run(step.assign(global_step))
            for name, value in sess.run(grads).items():
                results[name].append(value)
        return results, tf.get_default_graph().as_graph_def()


def _dead_and_live_items(rng, shape):
    """Random inputs `[4, ...]`: items 0 and 2 entirely negative (dead), 1 and 3 mixed."""
    x = rng.standard_normal(shape).astype(np.float32)
    x[[0, 2]] = -np.abs(x[[0, 2]])
    return x


STEPS = (0, 5, 16, 17, 40)


@pytest.mark.parametrize("op_fn", [tf.nn.relu, tf.nn.relu6], ids=["relu", "relu6"])
def test_relu_schedule_equals_the_redirected_gradient_then_tensorflows(op_fn):
    rng = np.random.default_rng(0)
    x = _dead_and_live_items(rng, [4, 5, 5, 3]) * 4.0  # relu6: some inputs above 6 too
    upstream = rng.standard_normal(x.shape).astype(np.float32)
    results, _ = _relu_grads(op_fn, x, upstream, STEPS)
    for i, step in enumerate(STEPS):
        scheduled = results["scheduled"][i]
        np.testing.assert_array_equal(scheduled, results["redirected"][i], err_msg=f"step {step}")
        if step > 16:
            np.testing.assert_array_equal(scheduled, results["native"][i], err_msg=f"step {step}")
        else:
            # The dead items are redirected, so the test can tell the schedule's phases apart.
            assert not np.array_equal(scheduled[0], results["native"][i][0])
            np.testing.assert_array_equal(scheduled[1], results["native"][i][1])


def test_relu_schedule_selects_with_v1_select_on_one_predicate():
    x = _dead_and_live_items(np.random.default_rng(1), [4, 6])
    two_relus = lambda t: tf.nn.relu(tf.nn.relu(t) - 0.5)  # noqa: E731
    _, graph_def = _relu_grads(two_relus, x, np.ones_like(x), [0])
    graph_ops = [node.op for node in graph_def.node]
    # The choice between the phases is made in the graph: Switch into the two branches,
    # Merge out of them (what tf.cond lowers to), one pair per ReLU.
    scheduled = [node.op for node in graph_def.node if "redirect_steps" in node.name]
    assert scheduled.count("Merge") == 2 and scheduled.count("Switch") == 4
    assert "Select" in scheduled and "ReluGrad" in scheduled
    # Only the unscheduled redirected gradient (built in the same graph) uses SelectV2.
    assert "SelectV2" not in scheduled and "SelectV2" in graph_ops
    assert not graph_def.library.function  # no function graphs (tf.cond built two per ReLU)
    # Both ReLUs share one predicate "global step <= 16": one read of the step per step.
    outside = [n for n in graph_def.node if n.op == "LessEqual" and "redirect_steps" not in n.name]
    assert [n.name for n in outside] == ["redirect_relu_gradients"]


@pytest.mark.parametrize("op_fn", [tf.nn.relu, tf.nn.relu6], ids=["relu", "relu6"])
def test_relu_schedule_never_reads_the_relus_input(op_fn):
    # So that grappler can fuse Conv2D + BiasAdd + Relu: the pre-activation must have the
    # ReLU as its only consumer, in the forward graph and in the gradient's branches.
    with tf.Graph().as_default():
        tf.train.get_or_create_global_step()
        x = tf.placeholder(tf.float32, [2, 3, 3, 4])
        pre = tf.nn.bias_add(x, tf.constant([0.1, -0.2, 0.3, 0.0]))
        with overrides.gradient_override_map(overrides.scheduled_relu_overrides_map):
            y = op_fn(pre)
        tf.gradients(y, [x])
        consumers = [op.type for op in pre.consumers()]
        assert consumers == [y.op.type], consumers
        # The unscheduled, Lucid-exact gradient does read it (what the schedule avoids).
        with overrides.gradient_override_map(overrides.relu_overrides_map):
            y2 = op_fn(pre)
        tf.gradients(y2, [x])
        assert len(pre.consumers()) > 2


def test_relu_schedule_in_a_render_gives_the_same_images(toy_model):
    def run(rewrites_spec):
        return render.render_vis(
            toy_model, "color:0", param_f=lambda: param.image(12), thresholds=(20,),
            transforms=[], verbose=False, use_fixed_seed=True, rewrites=rewrites_spec,
        )[0]  # fmt: skip

    np.testing.assert_allclose(run(["relu_schedule"]), run(()), atol=1e-6)


def _spectrum_step(split, initial, steps=3):
    """Images and parameter gradients of `steps` Adam steps on a fixed loss of the image."""
    with tf.Graph().as_default(), tf.Session() as sess:
        rewrites.enable_in_graph(["split_spectrum"] if split else [])
        real_t, imag_t = spatial.spectrum_variables(initial)
        image_t = spatial.spectrum_to_image(real_t, imag_t, 7, 9)
        target = np.linspace(-1.0, 1.0, image_t.shape.num_elements()).reshape(image_t.shape)
        loss = tf.reduce_sum(tf.square(image_t - target.astype(np.float32)))
        variables = tf.trainable_variables()
        grads = tf.gradients(loss, [real_t, imag_t])
        train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
        sess.run(tf.global_variables_initializer())
        images, gradients = [], []
        for _ in range(steps):
            image, gradient = sess.run([image_t, grads])
            images.append(image)
            gradients.append(gradient)
            sess.run(train_op)
        return len(variables), np.array(images), np.array(gradients)


def test_split_spectrum_equals_the_single_variable():
    freqs_shape = spatial.rfft2d_freqs(7, 9).shape
    initial = np.random.default_rng(2).standard_normal((2, 2, 3) + freqs_shape) * 0.1
    n_single, images_single, grads_single = _spectrum_step(False, initial.astype(np.float32))
    n_split, images_split, grads_split = _spectrum_step(True, initial.astype(np.float32))
    assert (n_single, n_split) == (1, 2)
    np.testing.assert_allclose(images_split, images_single, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(grads_split, grads_single, rtol=1e-6, atol=1e-7)
    assert not np.allclose(images_single[0], images_single[-1])  # the steps changed the image


def test_split_spectrum_only_under_the_step_builder(toy_model):
    with tf.Graph().as_default():
        param.image(8)
        assert len(tf.trainable_variables()) == 1  # user code: Lucid's one variable
    with tf.Graph().as_default():
        render.make_vis_T(toy_model, "color:0", lambda: param.image(8), transforms=[])
        assert sorted(v.shape.as_list()[0] for v in tf.trainable_variables()) == [1, 1]
    with tf.Graph().as_default():
        render.make_vis_T(toy_model, "color:0", lambda: param.image(8), transforms=[], rewrites=())
        assert [v.shape.as_list()[0] for v in tf.trainable_variables()] == [2]


def test_split_spectrum_in_a_render_gives_the_same_images(toy_model):
    def run(rewrites_spec):
        return render.render_vis(
            toy_model, "color:0", param_f=lambda: param.image(12), thresholds=(20,),
            transforms=[], verbose=False, use_fixed_seed=True, rewrites=rewrites_spec,
        )[0]  # fmt: skip

    np.testing.assert_allclose(run(["split_spectrum"]), run(()), atol=1e-6)
