"""Issue 11 (optvis part): ordinary mistakes give a clear error or the right result.

Each test here failed on the previous behaviour: a negative channel rendered the last
channel, duplicate thresholds returned fewer images, a 1- or 4-channel model could not be
rendered with the default image, a called ``param_f`` died inside TensorFlow, a neuron
outside its layer was reported as a NaN objective, a zoo name was an AttributeError and a
huge image a NumPy MemoryError.
"""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts
from lucid.optvis import batch
from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis import render_util
from lucid.optvis.param import lowres


def identity_graph_def(channels):
    """``mix_pre_relu`` = the input (1x1 conv, identity weights); ``pool`` its spatial mean."""
    with tf.Graph().as_default() as graph:
        t_input = tf.placeholder(tf.float32, [None, None, None, channels], name="input")
        weights = np.eye(channels, dtype=np.float32)[None, None]
        mix = tf.nn.conv2d(t_input, weights, [1, 1, 1, 1], "SAME", name="mix_pre_relu")
        tf.reduce_mean(mix, axis=[1, 2], name="pool")
    return graph.as_graph_def()


class ChannelsToyModel(Model):
    """A model taking ``channels``-channel images of ``image_shape``; channel k is input k."""

    model_path = "channels_toy.pb"
    image_value_range = (0, 1)
    input_name = "input"

    def __init__(self, channels, height, width):
        self.image_shape = [height, width, channels]
        self.model_name = f"ChannelsToy{channels}"
        self._graph_def = identity_graph_def(channels)
        layers = [
            {"name": "mix_pre_relu", "depth": channels, "tags": ["conv"]},
            {"name": "pool", "depth": channels, "tags": ["dense"]},
        ]
        self.layers = _layers_from_list_of_dicts(self, layers)


def quick(size=16):
    return {"param_f": lambda: param.image(size), "transforms": [], "verbose": False}


# -- negative channel and neuron indices ---------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: objectives.channel("color_pre_relu", -1),
        lambda: objectives.neuron("color_pre_relu", -1),
        lambda: objectives.neuron("color_pre_relu", 0, x=-1),
        lambda: objectives.direction_neuron("color_pre_relu", [1.0, 0, 0], y=-2),
        lambda: objectives.channel_interpolate("color", -1, "color", 0),
        lambda: objectives.channel_interpolate("color", 0, "color", np.int64(-3)),
        lambda: objectives.class_logit("logits", -1),
        lambda: objectives.channel("color_pre_relu", 0, batch=-1),
        lambda: objectives.as_objective("color_pre_relu:-1"),
        lambda: objectives.parse_layer_channel("color_pre_relu:-1"),
    ],
)
def test_negative_index_is_an_error_when_the_objective_is_made(make):
    with pytest.raises(ValueError, match=r"-[0-9].*(negative|count from 0)"):
        make()


def test_negative_channel_does_not_render_the_last_one(toy_model):
    # Lucid's channel(layer, -1) silently optimised the last channel (Python indexing).
    with pytest.raises(ValueError, match="n_channel=-1 is negative"):
        render.render_vis(toy_model, objectives.channel("color_pre_relu", -1), **quick())


def test_negative_channel_as_a_fed_tensor_fails_at_run_time(toy_model):
    with tf.Graph().as_default(), tf.Session() as sess:
        n = tf.placeholder(tf.int32, [])
        T = render.import_model(toy_model, param.image(8, batch=2))
        value = objectives.channel_interpolate("color", n, "color", 0)(T)
        sess.run(tf.global_variables_initializer())
        assert np.isfinite(sess.run(value, {n: 1}))
        with pytest.raises(tf.errors.InvalidArgumentError, match="n_channel1 must be non-negative"):
            sess.run(value, {n: -1})


def test_batch_index_past_the_batch_is_an_error(toy_model):
    # batch=1 of a batch of 1 used to slice nothing, so the objective was NaN.
    objective = objectives.channel("color_pre_relu", 0, batch=1)
    with pytest.raises(ValueError, match="batch=1 is outside"):
        render.render_vis(toy_model, objective, **quick(), thresholds=(1,))


def test_parse_layer_channel_is_public():
    assert objectives.parse_layer_channel(" mixed4a : 476 ") == ("mixed4a", 476)


def test_render_units_rejects_negative_units_before_building(toy_model, monkeypatch):
    monkeypatch.setattr(batch, "inspect_layer", lambda *args: pytest.fail("model was built"))
    with pytest.raises(ValueError, match=r"units \[-1\] are negative"):
        batch.render_units(toy_model, "color_pre_relu", [0, -1], size=16, steps=1)


# -- thresholds ----------------------------------------------------------------------------


@pytest.mark.parametrize("thresholds", [(4, 4), (1, 2, 1), [0, 0]])
def test_duplicate_thresholds_are_an_error(toy_model, thresholds):
    with pytest.raises(ValueError, match="repeat"):
        render.render_vis(toy_model, "color:0", thresholds=thresholds, **quick())


@pytest.mark.parametrize("thresholds", [(-1,), (2.0,), (True,), ()])
def test_bad_thresholds_are_an_error(thresholds):
    with pytest.raises(ValueError, match="thresholds"):
        render_util.check_thresholds(thresholds)


def test_unsorted_thresholds_still_give_one_image_each():
    assert render_util.check_thresholds((8, 2, 4)) == [2, 4, 8]


# -- models whose input is not RGB ---------------------------------------------------------


def brightest_channel(images):
    return images.mean(axis=(0, 1, 2)).argmax()


def test_render_vis_default_image_has_the_models_channels_and_size():
    model = ChannelsToyModel(4, 20, 24)
    (images,) = render.render_vis(model, "mix_pre_relu:2", thresholds=(24,), verbose=False)
    assert images.shape == (1, 20, 24, 4)
    assert brightest_channel(images) == 2


def test_render_vis_grayscale_model():
    model = ChannelsToyModel(1, 24, 24)
    first, last = render.render_vis(model, "mix_pre_relu:0", thresholds=(0, 48), verbose=False)
    assert first.shape == last.shape == (1, 24, 24, 1)
    assert last.mean() > first.mean() + 0.05


def test_default_image_shape_falls_back_to_128_rgb(toy_model):
    toy_model.image_shape = (None, None, None)
    assert render_util.default_image_shape(toy_model) == (128, 128, 3)
    toy_model.image_shape = [20, 24, 1]
    assert render_util.default_image_shape(toy_model) == (20, 24, 1)


def test_render_units_uses_the_models_channels_and_size():
    model = ChannelsToyModel(4, 16, 16)
    images = batch.render_units(model, "mix_pre_relu", [1, 3], steps=20, progress=False)
    assert images.shape == (2, 16, 16, 4)
    assert [brightest_channel(im[None]) for im in images] == [1, 3]


def test_render_units_custom_param_f_must_match_the_models_channels():
    model = ChannelsToyModel(1, 16, 16)
    with pytest.raises(ValueError, match=r"\[1, 16, 16, 1\]"):
        batch.render_units(model, "mix_pre_relu", [0], steps=1, progress=False, param_f=batch.image)


# -- param_f called instead of passed ------------------------------------------------------


def test_called_param_f_says_to_pass_a_function(toy_model):
    assert tf.executing_eagerly()
    with pytest.raises(TypeError, match=r"lambda: param.image\(64\)"):
        render.render_vis(toy_model, "color:0", param_f=param.image(64), verbose=False)
    eager_image = param.image(16)
    with tf.Graph().as_default(), pytest.raises(TypeError, match="callable"):
        render.make_vis_T(toy_model, "color:0", param_f=eager_image)


def test_render_units_called_param_f_gives_a_short_message(toy_model):
    with pytest.raises(TypeError, match=r"param_f\(batch, size, seeds\)") as error:
        batch.render_units(toy_model, "color", [0], size=16, param_f=param.image(16))
    assert len(str(error.value)) < 400  # not the tensor's values


@pytest.mark.parametrize("objective_f", [3, None, ["color:0"]])
def test_wrong_objective_type_names_objective_f(toy_model, objective_f):
    with pytest.raises(TypeError, match="objective_f"):
        render.render_vis(toy_model, objective_f, **quick())


# -- neuron positions ----------------------------------------------------------------------


def test_neuron_outside_the_layer_is_named_not_nan(toy_model):
    objective = objectives.neuron("color_pre_relu", 0, x=500, y=3)
    with pytest.raises(ValueError, match=r"x=500 is outside layer 'color_pre_relu'.*\(16, 16\)"):
        render.render_vis(toy_model, objective, **quick(), thresholds=(2,))


def test_neuron_outside_a_static_layer_raises_at_build(toy_model):
    with tf.Graph().as_default():
        T = toy_model.import_graph(tf.zeros([1, 16, 16, 3]), forget_xy_shape=False)
        with pytest.raises(ValueError, match="y=16 is outside layer 'color'.*16"):
            objectives.direction_neuron("color", np.ones(3), x=0, y=16)(T)


def test_neuron_inside_the_layer_still_renders(toy_model):
    objective = objectives.neuron("color_pre_relu", 0, x=15, y=0)
    (image,) = render.render_vis(toy_model, objective, **quick(), thresholds=(8,))
    assert np.isfinite(image).all()


# -- zoo names -----------------------------------------------------------------------------


def test_render_vis_accepts_a_zoo_name():
    (image,) = render.render_vis(
        "ShapesNet", "logits:1", param_f=lambda: param.image(32), thresholds=(2,), verbose=False
    )
    assert image.shape == (1, 32, 32, 3)


def test_render_units_accepts_a_zoo_name():
    images = batch.render_units("ShapesNet", "logits", [0], size=32, steps=2, progress=False)
    assert images.shape == (1, 32, 32, 3)


def test_unknown_zoo_name_lists_close_matches():
    with pytest.raises(ValueError, match="ShapesNet"):
        render.render_vis("ShapesNett", "logits:1", verbose=False)
    with tf.Graph().as_default(), pytest.raises(ValueError, match="ShapesNet"):
        render.make_vis_T("shapesnet", "logits:1")


def test_not_a_model_is_a_type_error():
    with pytest.raises(TypeError, match="model must be a lucid.modelzoo Model or a zoo name"):
        render.render_vis(42, "logits:1", verbose=False)
    with pytest.raises(TypeError, match="model must be"):
        batch.render_units(None, "logits", [0], size=8, steps=1)


# -- image sizes and memory ----------------------------------------------------------------


def test_huge_image_is_refused_up_front():
    with pytest.raises(ValueError, match=r"100000.*GB.*smaller") as error:
        param.image(100000)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: param.image(2048),
        lambda: param.image(1024, batch=4, fft=False),
        lambda: param.spatial.pixel_image([1, 2048, 2048, 3]),
        lambda: param.spatial.laplacian_pyramid_image([1, 2048, 2048, 3]),
        lambda: param.lowres_tensor([1, 2048, 2048, 3], [1, 64, 64, 3]),
        lambda: param.cppn(2048),
    ],
)
def test_image_params_check_memory_against_the_limit(monkeypatch, make):
    monkeypatch.setattr(lowres, "memory_limit_bytes", lambda: 2**28)  # 256 MiB
    with pytest.raises(ValueError, match="GB"):
        make()


def test_small_images_pass_the_memory_check(monkeypatch):
    monkeypatch.setattr(lowres, "memory_limit_bytes", lambda: 2**28)
    assert param.image(256, batch=2).shape == (2, 256, 256, 3)


def test_render_units_checks_memory(toy_model, monkeypatch):
    monkeypatch.setattr(lowres, "memory_limit_bytes", lambda: 2**20)  # 1 MiB
    with pytest.raises(ValueError, match="size=512"):
        batch.render_units(toy_model, "color", [0], size=512, steps=1, batch_size=1)
