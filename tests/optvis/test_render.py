"""render_vis and make_vis_T on the hand-weighted toy model (tests/toy_models.py)."""

import gc

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis import transform
from lucid.optvis.overrides import gradient_override
from tests.toy_models import STRIPE_PERIOD


def small_image(size=32, **kwargs):
    return lambda: param.image(size, **kwargs)


def render_toy(model, objective, steps=64, **kwargs):
    kwargs.setdefault("param_f", small_image())
    kwargs.setdefault("transforms", [])
    kwargs.setdefault("verbose", False)
    return render.render_vis(model, objective, thresholds=(steps,), **kwargs)


def test_red_detector_renders_red(toy_model):
    # Without colour decorrelation: in the decorrelated space, pure chroma moves slowly.
    (images,) = render_toy(
        toy_model, "color_pre_relu:0", steps=128, param_f=small_image(decorrelate=False)
    )
    assert images.shape == (1, 32, 32, 3)
    red, green, blue = images[0].mean(axis=(0, 1))
    assert red > 0.8 and green < 0.2 and blue < 0.2, (red, green, blue)


def test_red_detector_with_default_parameterization_turns_red(toy_model):
    (images,) = render_toy(toy_model, "color_pre_relu:0", steps=256)
    red, green, blue = images[0].mean(axis=(0, 1))
    assert red > 0.6 and red > green + 0.4 and red > blue + 0.4, (red, green, blue)


def _stripe_stats(grey):
    """(x-variation / y-variation, dominant horizontal frequency bin) of a grey image."""
    along_x = np.abs(np.diff(grey, axis=1)).mean()
    along_y = np.abs(np.diff(grey, axis=0)).mean()
    spectrum = np.abs(np.fft.rfft(grey - grey.mean(), axis=1)).mean(axis=0)
    return along_x / along_y, int(np.argmax(spectrum))


# The detector's period is 4 px; an 8-px window tunes it to periods of about 3.5 to 4.5 px.
STRIPE_BINS = range(round(32 / (STRIPE_PERIOD + 0.5)), round(32 / (STRIPE_PERIOD - 0.5)) + 1)


def test_vertical_stripe_detector_renders_vertical_stripes(toy_model):
    pixels = small_image(fft=False, decorrelate=False)
    (images,) = render_toy(toy_model, "stripes:0", param_f=pixels)
    ratio, frequency = _stripe_stats(images[0].mean(axis=-1))
    assert ratio > 8 and frequency in STRIPE_BINS, (ratio, frequency)


def test_horizontal_stripe_detector_renders_horizontal_stripes(toy_model):
    pixels = small_image(fft=False, decorrelate=False)
    (images,) = render_toy(toy_model, objectives.channel("stripes", 1), param_f=pixels)
    ratio, frequency = _stripe_stats(images[0].mean(axis=-1).T)
    assert ratio > 8 and frequency in STRIPE_BINS, (ratio, frequency)


def test_stripes_with_default_parameterization_and_transforms(toy_model):
    (images,) = render_toy(toy_model, "stripes:0", steps=128, transforms=None)
    ratio, _ = _stripe_stats(images[0].mean(axis=-1))
    assert ratio > 2, ratio


def test_returns_one_image_per_threshold_in_order(toy_model):
    images = render.render_vis(
        toy_model, "const_pre_relu:1", param_f=small_image(16), thresholds=(8, 2, 4), verbose=False
    )
    assert [im.shape for im in images] == [(1, 16, 16, 3)] * 3
    brightness = [im.mean() for im in images]
    assert brightness == sorted(brightness)  # the const units respond to brightness


def test_standard_transforms_and_batch(toy_model):
    (images,) = render.render_vis(
        toy_model,
        objectives.channel("color_pre_relu", 2, batch=0)
        + objectives.channel("color_pre_relu", 0, batch=1),
        param_f=small_image(48, batch=2),
        transforms=transform.standard_transforms,
        thresholds=(48,),
        verbose=False,
    )
    assert images.shape == (2, 48, 48, 3)
    assert np.argmax(images[0].mean(axis=(0, 1))) == 2  # blue
    assert np.argmax(images[1].mean(axis=(0, 1))) == 0  # red


def test_fixed_seed_gives_identical_images(toy_model):
    def run():
        return render_toy(toy_model, "stripes:0", steps=16, transforms=None, use_fixed_seed=True)

    first, second = run(), run()
    np.testing.assert_array_equal(first[0], second[0])


def test_without_fixed_seed_images_differ(toy_model):
    first = render_toy(toy_model, "stripes_pre_relu:0", steps=2)
    second = render_toy(toy_model, "stripes_pre_relu:0", steps=2)
    assert not np.array_equal(first[0], second[0])


def test_redirected_relu_gradient_revives_dead_units(toy_model):
    # A grey image has r - g - b < 0, so the post-ReLU red unit is dead: its true gradient is 0.
    grey_start = lambda: param.image(16, fft=False, decorrelate=False)  # noqa: E731
    args = dict(param_f=grey_start, transforms=[], thresholds=(0, 16), verbose=False)
    plain = render.render_vis(toy_model, "color:0", relu_gradient_override=False, **args)
    np.testing.assert_array_equal(plain[0], plain[1])  # no gradient, no change
    (_, redirected) = render.render_vis(toy_model, "color:0", **args)
    assert redirected[0, ..., 0].mean() > redirected[0, ..., 1:].mean() + 0.1


def test_leaves_default_graph_untouched(toy_model):
    default_graph = tf.get_default_graph()
    n_ops = len(default_graph.get_operations())
    render_toy(toy_model, "color_pre_relu:0", steps=1)
    with pytest.raises(ValueError):
        render_toy(toy_model, "no_such_layer:0", steps=1)
    assert tf.get_default_graph() is default_graph
    assert len(default_graph.get_operations()) == n_ops


def test_works_inside_a_users_graph_and_session(toy_model):
    with tf.Graph().as_default() as user_graph, tf.Session() as sess:
        marker = tf.constant(1.0, name="marker")
        (images,) = render_toy(toy_model, "color_pre_relu:0", steps=2)
        assert tf.get_default_graph() is user_graph
        assert [op.name for op in user_graph.get_operations()] == ["marker"]
        assert sess.run(marker) == 1.0
    assert images.shape == (1, 32, 32, 3)


def test_repeated_calls_do_not_accumulate_graphs_or_gradient_registrations(toy_model):
    render_toy(toy_model, "color_pre_relu:0", steps=1, transforms=None)
    gc.collect()
    n_graphs = sum(isinstance(o, tf.Graph) for o in gc.get_objects())
    n_registered = len(gradient_override._registered_names)
    for _ in range(3):
        render_toy(toy_model, "color_pre_relu:0", steps=1, transforms=None)
    gc.collect()
    assert sum(isinstance(o, tf.Graph) for o in gc.get_objects()) == n_graphs
    assert len(gradient_override._registered_names) == n_registered


def test_nan_objective_stops_with_the_step(toy_model):
    @objectives.wrap_objective()
    def sqrt_of_negative():
        # Finite for 3 steps, then NaN: the step counter feeds a negative number to sqrt.
        return lambda T: (
            tf.sqrt(2.5 - tf.cast(tf.train.get_global_step(), tf.float32))
            + tf.reduce_mean(T("color_pre_relu"))
        )

    with pytest.raises(FloatingPointError, match="step 3"):
        render_toy(toy_model, sqrt_of_negative(), steps=10)


def test_keyboard_interrupt_returns_images_so_far(toy_model, monkeypatch):
    real_run_step = render._run_step

    def interrupt_at_step_5(sess, fetches, step):
        if step == 5:
            raise KeyboardInterrupt
        return real_run_step(sess, fetches, step)

    monkeypatch.setattr(render, "_run_step", interrupt_at_step_5)
    images = render.render_vis(
        toy_model, "color_pre_relu:0", param_f=small_image(16), thresholds=(2, 10), verbose=False
    )
    assert len(images) == 2  # the image at step 2, then the image when interrupted
    assert images[1].shape == (1, 16, 16, 3)


def test_verbose_prints_loss_and_objectives(toy_model, capsys, monkeypatch):
    shown = []
    monkeypatch.setattr(render, "show", shown.append)
    render.render_vis(
        toy_model,
        "color_pre_relu:0",
        param_f=small_image(16),
        thresholds=(1,),
        print_objectives=[objectives.channel("const_pre_relu", 0)],
    )
    out = capsys.readouterr().out
    assert out.startswith("1 ")
    assert (
        "01: Channel [const_pre_relu, 0, None]:    1.15" in out
    )  # a black-ish image: 1 + 0.1 * 1.5
    assert len(shown) == 1 and shown[0].shape == (16, 16, 3)


def test_progress_bar_when_asked(toy_model, capsys):
    render_toy(toy_model, "color_pre_relu:0", steps=3, progress=True)
    assert "render_vis" in capsys.readouterr().err


def test_custom_optimizers(toy_model):
    for optimizer in (tf.train.GradientDescentOptimizer(0.5), lambda: tf.train.AdamOptimizer(0.1)):
        first, last = render.render_vis(
            toy_model, "const_pre_relu:0", small_image(16), optimizer, [], (0, 8), verbose=False
        )
        assert last.mean() > first.mean()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(objective_f="colour_pre_relu:0"), ValueError, "Close matches: color_pre_relu"),
        (dict(objective_f="color_pre_relu:7"), ValueError, "color_pre_relu"),
        (dict(param_f=lambda: np.zeros([1, 8, 8, 3])), TypeError, "not a tensor"),
        (dict(param_f="image"), TypeError, "param_f must be a callable"),
        (
            dict(param_f=lambda: tf.zeros([8, 8, 3])),
            ValueError,
            r"\[batch, height, width, channels\]",
        ),
        (dict(objective_f=lambda T: tf.constant(1.0)), ValueError, "does not depend on the image"),
        (dict(optimizer="adam"), TypeError, "tf.train.Optimizer"),
        (dict(optimizer=lambda: "adam"), TypeError, "not a tf.train.Optimizer"),
        (dict(thresholds=()), ValueError, "non-empty"),
        (dict(thresholds=(-1,)), ValueError, "non-negative"),
        (dict(transforms=transform.jitter(2)), TypeError, "list of transform"),
        (dict(transforms=[2]), TypeError, r"transforms\[0\]"),
        (dict(precision="float16"), ValueError, "precision 'float16' is not supported"),
        (dict(rewrites=["nope"]), ValueError, "unknown name.*relu_schedule"),
    ],
)
def test_bad_input_gets_a_clear_error(toy_model, kwargs, error, match):
    args = dict(
        objective_f="color_pre_relu:0", param_f=small_image(16), thresholds=(1,), verbose=False
    )
    args.update(kwargs)
    with pytest.raises(error, match=match):
        render.render_vis(toy_model, **args)


def test_make_vis_T_in_users_graph(toy_model):
    with tf.Graph().as_default(), tf.Session() as sess:
        T = render.make_vis_T(toy_model, "color_pre_relu:0", small_image(16), transforms=[])
        tf.global_variables_initializer().run()
        before = sess.run(T("loss"))
        for _ in range(5):
            sess.run(T("vis_op"))
        assert sess.run(T("loss")) > before
        assert sess.run(T("global_step")) == 5
        assert T("input").shape.as_list() == [1, 16, 16, 3]
        assert T("t_image") is T("input")
        assert isinstance(T("optimizer"), tf.train.AdamOptimizer)
        # Layers resolve through the model; 1 + 0.1 * (r + g + b) everywhere.
        image, const = sess.run([T("input"), T("const_pre_relu")])
        np.testing.assert_allclose(const[..., 0], 1 + 0.1 * image.sum(axis=-1), rtol=1e-5)


def test_import_model_T(toy_model):
    with tf.Graph().as_default(), tf.Session() as sess:
        t_image = tf.fill([1, 4, 4, 3], 0.5)
        T = render.import_model(toy_model, t_image, t_image)
        assert T("input") is t_image
        assert T("labels") == toy_model.labels
        np.testing.assert_allclose(sess.run(T("const_pre_relu")), 1.15, rtol=1e-6)
        with pytest.raises(ValueError, match="Close matches: color"):
            T("colr")


def test_non_scalar_objective_is_maximised_as_its_sum(toy_model, caplog):
    # Lucid's optimiser maximised the sum of a non-scalar objective's elements.
    with tf.Graph().as_default(), tf.Session() as sess:
        with caplog.at_level("INFO", logger="lucid.optvis"):
            T = render.make_vis_T(
                toy_model, lambda T: T("const_pre_relu")[..., 0], small_image(4), transforms=[]
            )
        tf.global_variables_initializer().run()
        image, loss = sess.run([T("input"), T("loss")])
        # const_pre_relu = 1 + 0.1 * (r + g + b) at each of the 16 positions.
        np.testing.assert_allclose(loss, (1 + 0.1 * image.sum(axis=-1)).sum(), rtol=1e-5)
        assert T("loss").shape.ndims == 0
    summed = [r for r in caplog.records if "sum of its elements" in r.getMessage()]
    assert len(summed) == 1 and summed[0].levelname == "INFO"
    first, last = render.render_vis(
        toy_model,
        lambda T: T("const_pre_relu")[..., 0],
        small_image(8),
        transforms=[],
        thresholds=(0, 8),
        verbose=False,
        print_objectives=[lambda T: T("const_pre_relu")],
    )
    assert last.mean() > first.mean()
