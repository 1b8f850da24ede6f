"""The library's core paths, as checks that run in either TensorFlow mode.

``tests/test_tf1_mode.py`` runs each check twice: in the test process (plain TF2, eager
execution on) and, since ``tf.disable_v2_behavior()`` is process-global, in a subprocess::

    python -m tests.tf_mode_checks --disable-v2

which runs every check after ``tf.disable_v2_behavior()``, as an old Lucid notebook migrated
with ``import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()`` would, and prints one
JSON line ``{check name: "ok" or the traceback}``. The checks build graphs the way Lucid's
notebooks do (reference §7, patterns B and D) and assert exact values from the hand-weighted
toy model (tests/toy_models.py) where there are some.
"""

import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

STEPS = 16


def _toy():
    from tests.toy_models import toy_model

    return toy_model()


def _image_f(size=16, **kwargs):
    from lucid.optvis import param

    return lambda: param.image(size, **kwargs)


def check_render_vis():
    from lucid.optvis import render

    (image,) = render.render_vis(
        _toy(),
        "color_pre_relu:0",
        _image_f(decorrelate=False),
        thresholds=(4 * STEPS,),
        verbose=False,
    )
    red, green, blue = image[0].mean(axis=(0, 1))
    assert image.shape == (1, 16, 16, 3), image.shape
    assert red > green + 0.3 and red > blue + 0.3, (red, green, blue)


def check_adam_instance_reused_across_calls():
    # Pattern B (regularization, xy2rgb): an optimizer made once, before render_vis.
    from lucid.optvis import render

    optimizer = tf.train.AdamOptimizer(0.05)
    runs = [
        render.render_vis(
            _toy(),
            "const_pre_relu:0",
            _image_f(),
            optimizer,
            [],
            (0, STEPS),
            verbose=False,
            use_fixed_seed=True,
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert runs[0][1].mean() > runs[0][0].mean()


def check_global_step_and_cond_in_objective():
    # Pattern B (alpha_feature_vis): an objective that switches on after 2 steps via tf.cond
    # on the global step. Adam moves nothing on zero gradients, so the image stays unchanged.
    from lucid.optvis import objectives
    from lucid.optvis import render

    @objectives.wrap_objective
    def only_after(n_steps):
        def inner(T):
            step = tf.train.get_or_create_global_step()
            on = tf.cond(step > n_steps, lambda: tf.constant(1.0), lambda: tf.constant(0.0))
            return on * tf.reduce_mean(T("const_pre_relu")[..., 0])

        return inner

    after_0, after_2, after_6 = render.render_vis(
        _toy(),
        only_after(2),
        _image_f(),
        tf.train.AdamOptimizer(0.05),
        [],
        (0, 2, 6),
        verbose=False,
    )
    np.testing.assert_array_equal(after_0, after_2)
    assert after_6.mean() > after_2.mean()


def check_random_crop_in_param_f():
    # Pattern B (style_transfer_2d, transparency): tf.random_crop and tf.stack in param_f.
    from lucid.optvis import param
    from lucid.optvis import render

    def param_f():
        big = param.image(24, batch=2)
        return tf.stack([tf.random_crop(big[i], [16, 16, 3]) for i in range(2)])

    first, last = render.render_vis(
        _toy(), "const_pre_relu:0", param_f, transforms=[], thresholds=(0, STEPS), verbose=False
    )
    assert first.shape == last.shape == (2, 16, 16, 3)
    assert last.mean() > first.mean()


def check_variable_as_param_f():
    # A RefVariable with v2 behaviour disabled, a ResourceVariable in TF2.
    from lucid.optvis import render

    start, after = render.render_vis(
        _toy(),
        "const_pre_relu:0",
        lambda: tf.Variable(tf.zeros([1, 8, 8, 3])),
        tf.train.GradientDescentOptimizer(1.0),
        transforms=[],
        thresholds=(0, 1),
        verbose=False,
        relu_gradient_override=False,
    )
    # d mean(1 + 0.1 * (r + g + b)) / d pixel = 0.1 / 64 positions.
    np.testing.assert_allclose(start, 0.1 / 64, rtol=1e-5)
    np.testing.assert_allclose(after, 0.2 / 64, rtol=1e-5)


def check_make_vis_T_in_own_graph_and_session():
    from lucid.optvis import render

    with tf.Graph().as_default(), tf.Session() as sess:
        T = render.make_vis_T(_toy(), "const_pre_relu:0", _image_f(), transforms=[])
        tf.global_variables_initializer().run()
        before = sess.run(T("loss"))
        for _ in range(5):
            sess.run(T("vis_op"))
        image, loss, const = sess.run([T("input"), T("loss"), T("const_pre_relu")])
        assert loss > before and sess.run(T("global_step")) == 5
        np.testing.assert_allclose(const[..., 0], 1 + 0.1 * image.sum(-1), rtol=1e-5)


def check_get_activations():
    images = np.random.RandomState(0).rand(5, 6, 6, 3).astype(np.float32)
    acts = _toy().get_activations("const_pre_relu", images, batch_size=2)
    np.testing.assert_allclose(acts[..., 2], 1 + 0.1 * images.sum(-1), rtol=1e-5)


def check_import_graph_with_placeholder_and_feed_dict():
    # Pattern C (building-blocks): own graph, a placeholder, T(layer).eval(feed_dict).
    image = np.random.RandomState(1).rand(1, 4, 4, 3).astype(np.float32)
    with tf.Graph().as_default(), tf.Session():
        t_input = tf.placeholder(tf.float32, [None, 4, 4, 3])
        T = _toy().import_graph(t_input)
        color = T("color_pre_relu").eval({t_input: image})
    r, g, b = np.moveaxis(image, -1, 0)
    np.testing.assert_allclose(color[..., 0], r - g - b, rtol=1e-5, atol=1e-6)


def check_import_graph_with_unknown_channel_count():
    # A placeholder of unknown rank-4 shape: the channel check must not call int() on an
    # unknown dimension (a TF1 Dimension(None) after disable_v2_behavior()).
    image = np.ones([1, 2, 2, 3], np.float32)
    with tf.Graph().as_default(), tf.Session():
        t_input = tf.placeholder(tf.float32, [None, None, None, None])
        T = _toy().import_graph(t_input)
        const = T("const_pre_relu").eval({t_input: image})
    np.testing.assert_allclose(const, 1.3, rtol=1e-6)


def check_shapesnet_classifies_its_shapes():
    from lucid.modelzoo import shapes_dataset
    from lucid.modelzoo.vision_models import ShapesNet

    images, labels = shapes_dataset.generate(32, seed=5)
    logits = ShapesNet().get_activations("logits", images)
    assert (logits.argmax(-1) == labels).mean() > 0.9


def check_render_units():
    from lucid.optvis import batch

    red, blue = batch.render_units(
        _toy(), "color_pre_relu", [0, 2], size=16, steps=4 * STEPS, progress=False
    )
    assert red[..., 0].mean() > red[..., 2].mean() + 0.1, red.mean(axis=(0, 1))
    assert blue[..., 2].mean() > blue[..., 0].mean() + 0.1, blue.mean(axis=(0, 1))


def check_create_session_losses_and_minimize():
    # Pattern D (xy2rgb, transparency, 3-D notebooks): a long-lived InteractiveSession, then
    # top-level placeholders, variables, tf.losses, minimize, .run() and .eval().
    from lucid.misc.tfutil import create_session

    sess = create_session()
    try:
        t_scale = tf.placeholder(tf.float32, [])
        t_image = tf.Variable(tf.zeros([1, 2, 2, 3]))
        T = _toy().import_graph(t_image)
        tf.losses.add_loss(-t_scale * tf.reduce_mean(T("const_pre_relu")[..., 0]))
        loss = tf.losses.get_total_loss()
        train_op = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
        tf.global_variables_initializer().run()
        assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [t_image]
        train_op.run({t_scale: 2.0})
        # d loss / d pixel = -2 * 0.1 / 4 positions, so one step adds 0.05 to each pixel.
        np.testing.assert_allclose(t_image.eval(), 0.05, rtol=1e-5)
        np.testing.assert_allclose(loss.eval({t_scale: 2.0}), -2 * (1 + 0.1 * 0.15), rtol=1e-5)
        t_image.load(np.ones([1, 2, 2, 3]))
        np.testing.assert_allclose(loss.eval({t_scale: 1.0}), -1.3, rtol=1e-5)
    finally:
        sess.close()


def v1_check_v2_behaviour_is_disabled():
    from tensorflow.python import tf2

    assert not tf2.enabled() and not tf.executing_eagerly()


def v1_check_top_level_placeholder_in_default_graph():
    # Pattern F (activation-atlas-adversarial): reset_default_graph, a default session, and a
    # placeholder at top level, outside any Graph block. Needs v2 behaviour disabled.
    tf.reset_default_graph()
    with tf.Session().as_default():
        t_input = tf.placeholder(tf.float32, (4, 4, 3))
        T = _toy().import_graph(t_input)
        const = T("const_pre_relu").eval({t_input: np.full((4, 4, 3), 0.5)})
    np.testing.assert_allclose(const, 1.15, rtol=1e-6)


def v1_check_slim_cppn_under_create_session():
    # Pattern D with `from tensorflow.contrib import slim` migrated to `import tf_slim as slim`
    # (xy2rgb, infinite_patterns): slim layers in arg_scope, trained with Adam via feed_dict.
    try:
        import tf_slim as slim
    except ImportError:
        raise _Skipped("tf_slim is not installed (pip install tf_slim)") from None
    from lucid.misc.tfutil import create_session
    from lucid.optvis import render

    sess = create_session()
    try:
        t_xy = tf.placeholder(tf.float32, [None, 8, 8, 2])
        with slim.arg_scope([slim.conv2d], kernel_size=1, activation_fn=tf.nn.relu):
            hidden = slim.instance_norm(slim.conv2d(t_xy, 8))
            t_rgb = slim.conv2d(hidden, 3, activation_fn=tf.nn.sigmoid)
        T = render.import_model(_toy(), t_rgb, t_rgb)
        loss = -tf.reduce_mean(T("color_pre_relu")[..., 0])
        variables = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)
        train_op = tf.train.AdamOptimizer(0.05).minimize(loss, var_list=variables)
        tf.global_variables_initializer().run()
        xy = np.random.RandomState(0).rand(1, 8, 8, 2)
        before = loss.eval({t_xy: xy})
        for _ in range(STEPS):
            train_op.run({t_xy: xy})
        assert loss.eval({t_xy: xy}) < before - 0.2, (before, loss.eval({t_xy: xy}))
    finally:
        sess.close()


def v1_check_variable_fed_through_feed_dict():
    # Lucid notebooks feed values for variables. That needs TF1's reference variables:
    # TF2's resource variables silently ignore the fed value (1.0 instead of 1.3 here).
    with tf.Graph().as_default(), tf.Session() as sess:
        t_image = tf.Variable(tf.zeros([1, 2, 2, 3]))
        T = _toy().import_graph(t_image)
        sess.run(tf.global_variables_initializer())
        const = sess.run(T("const_pre_relu"), {t_image: np.ones([1, 2, 2, 3])})
    np.testing.assert_allclose(const, 1.3, rtol=1e-6)


class _Skipped(Exception):
    """A check that cannot run here; reported as "skipped: <reason>"."""


CHECKS = {
    name[len("check_") :]: f for name, f in sorted(globals().items()) if name.startswith("check_")
}
# Only with v2 behaviour disabled; they change the global default graph on purpose.
V1_ONLY_CHECKS = {
    name[len("v1_check_") :]: f
    for name, f in sorted(globals().items())
    if name.startswith("v1_check_")
}


def _global_state():
    from tensorflow.python.framework import config as tf_config

    graph = tf.get_default_graph()
    return {
        "executing_eagerly": tf.executing_eagerly(),
        "default_graph": id(graph),
        "default_graph_ops": len(graph.get_operations()),
        "default_session": tf.get_default_session(),
        "op_determinism": tf_config.is_op_determinism_enabled(),
    }


def run_check(name):
    """Runs check ``name`` and asserts it left TensorFlow's global state as it found it."""
    before = _global_state()
    CHECKS[name]()
    after = _global_state()
    assert after == before, f"global TensorFlow state changed: {before} -> {after}"


def run_checks():
    """Runs every check (V1_ONLY_CHECKS last); returns ``{name: "ok", "skipped: why" or the
    traceback}``."""
    runs = [(name, lambda name=name: run_check(name)) for name in CHECKS]
    runs += list(V1_ONLY_CHECKS.items())
    results = {}
    for name, run in runs:
        try:
            run()
            results[name] = "ok"
        except _Skipped as e:
            results[name] = f"skipped: {e}"
        except Exception:  # report each failure, then run the next check
            results[name] = traceback.format_exc()
    return results


if __name__ == "__main__":
    if "--disable-v2" not in sys.argv:
        sys.exit("usage: python -m tests.tf_mode_checks --disable-v2")
    tf.disable_v2_behavior()
    print(json.dumps(run_checks()))
