"""channel_conv: a channel objective on a convolution's output convolves for that channel only."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis import objectives
from lucid.optvis.render import import_model
from lucid.optvis.rewrites.channel_conv import MAX_CHANNELS
from lucid.optvis.rewrites.channel_conv import channel_conv
from tests.optvis.rewrites.objective_runs import run_objective

RNG = np.random.default_rng(0)


def _conv_bias(x, kernel, bias, **conv_args):
    conv_args = {"strides": 1, "padding": "SAME", **conv_args}
    return tf.nn.bias_add(tf.nn.conv2d(x, kernel, **conv_args), bias)


@pytest.mark.parametrize(
    "conv_args",
    [
        {},
        {"padding": "VALID"},
        {"strides": 2},
        {"strides": [1, 2, 1, 1], "padding": "VALID"},
        {"dilations": 2},
        {"padding": [[0, 0], [1, 2], [0, 1], [0, 0]]},
    ],
    ids=["same", "valid", "stride2", "stride2x1", "dilated", "explicit"],
)
@pytest.mark.parametrize("channel", [0, 3, 4])
def test_one_channel_equals_the_full_convolution_s_channel(conv_args, channel):
    x = RNG.normal(size=(2, 9, 8, 3)).astype(np.float32)
    kernel = RNG.normal(size=(3, 3, 3, 5)).astype(np.float32)
    bias = np.arange(5, dtype=np.float32) - 2
    with tf.Graph().as_default(), tf.Session() as sess:
        full = _conv_bias(tf.constant(x), tf.constant(kernel), tf.constant(bias), **conv_args)
        one, index = channel_conv(full, channel)
        assert index == 0 and one is not full
        assert one.shape.as_list() == full.shape.as_list()[:3] + [1]
        full_value, one_value = sess.run([full, one])
    np.testing.assert_allclose(one_value[..., 0], full_value[..., channel], rtol=1e-5, atol=1e-5)


def test_hand_weighted_values():
    """A 1x1 convolution with weights 1, 10, 100 per input channel, then the bias."""
    x = np.array([1.0, 2.0, 3.0], np.float32).reshape([1, 1, 1, 3])
    kernel = np.array([[1, 0], [10, -1], [100, 0.5]], np.float32).reshape([1, 1, 3, 2])
    with tf.Graph().as_default(), tf.Session() as sess:
        full = _conv_bias(tf.constant(x), tf.constant(kernel), tf.constant([0.25, -4.0]))
        (one_0, _), (one_1, _) = channel_conv(full, 0), channel_conv(full, 1)
        assert sess.run(one_0).ravel().tolist() == [321.25]  # 1 + 20 + 300 + 0.25
        assert sess.run(one_1).ravel().tolist() == [-4.5]  # 0 - 2 + 1.5 - 4


def test_other_ops_are_left_alone():
    with tf.Graph().as_default():
        x = tf.zeros([1, 4, 4, 3])
        kernel = tf.ones([1, 1, 3, 2])
        pre_relu = _conv_bias(x, kernel, tf.zeros([2]))
        candidates = [
            tf.nn.relu(pre_relu),  # an activation after it
            tf.nn.conv2d(x, kernel, 1, "SAME"),  # no bias
            tf.nn.bias_add(tf.square(x), tf.zeros([3])),  # a bias on something else
            pre_relu + 1.0,  # not a BiasAdd
        ]
        for tensor in candidates:
            assert channel_conv(tensor, 1) == (tensor, 1)
        nchw = tf.nn.bias_add(tf.zeros([1, 3, 4, 4]), tf.zeros([3]), data_format="NCHW")
        assert channel_conv(nchw, 1) == (nchw, 1)


def _toy_T(image):
    """Two towers, BiasAdd(Conv2D) each, concatenated as ``joined`` (depths 4 and 2)."""
    rng = np.random.default_rng(3)
    wide = rng.normal(size=(3, 3, 3, 4)).astype(np.float32)
    narrow = rng.normal(size=(1, 1, 3, 2)).astype(np.float32)
    towers = [
        tf.nn.bias_add(tf.nn.conv2d(image, wide, 1, "SAME", name="wide"), [1.0, 2, 3, 4]),
        tf.nn.bias_add(tf.nn.conv2d(image, narrow, 1, "SAME", name="narrow"), [0.5, -0.5]),
    ]
    layers = {"joined": tf.concat(towers, axis=-1, name="joined")}
    return lambda name: layers[name]


@pytest.mark.parametrize(
    "objective",
    [
        objectives.channel("joined", 2),
        objectives.neuron("joined", 1, x=2, y=1),
        objectives.channel("joined", 1) + objectives.neuron("joined", 1),
        objectives.channel("joined", 0) - 0.5 * objectives.neuron("joined", 4),
    ],
    ids=lambda objective: objective.description.replace("\n", " "),
)
def test_toy_values_and_gradients_equal_with_and_without(objective):
    image = RNG.uniform(size=(2, 5, 5, 3)).astype(np.float32)
    (value, gradient), ops = run_objective(_toy_T, objective, ["concat_slice"], image)
    names = ["concat_slice", "channel_conv"]
    (sliced_value, sliced_gradient), sliced_ops = run_objective(_toy_T, objective, names, image)
    np.testing.assert_allclose(sliced_value, value, rtol=1e-5)
    np.testing.assert_allclose(sliced_gradient, gradient, rtol=1e-5, atol=1e-6)
    assert {"wide", "narrow"} & ops
    assert not {"wide", "narrow"} & sliced_ops  # only the one-channel convolutions run


def test_per_item_objectives_read_the_full_convolution():
    """With ``batch=i`` each item's one-channel copy would convolve the whole batch."""
    image = RNG.uniform(size=(2, 5, 5, 3)).astype(np.float32)
    objective = objectives.channel("joined", 5, batch=1) + objectives.channel("joined", 2, batch=0)
    names = ["concat_slice", "channel_conv"]
    (value, gradient), ops = run_objective(_toy_T, objective, ["concat_slice"], image)
    (same_value, same_gradient), same_ops = run_objective(_toy_T, objective, names, image)
    np.testing.assert_array_equal(same_value, value)
    np.testing.assert_array_equal(same_gradient, gradient)
    assert same_ops == ops
    assert {"wide", "narrow"} <= ops


def test_at_most_max_channels_copies_per_convolution():
    with tf.Graph().as_default():
        full = _conv_bias(tf.zeros([1, 4, 4, 3]), tf.ones([3, 3, 3, 5]), tf.zeros([5]))
        first, second = channel_conv(full, 3), channel_conv(full, 0)
        assert first[1] == second[1] == 0 and first[0] is not second[0]
        assert channel_conv(full, 3)[0] is first[0]  # built once
        assert MAX_CHANNELS == 2
        assert channel_conv(full, 4) == (full, 4)  # a third channel reads the full convolution
        assert channel_conv(full, 0)[0] is second[0]
    with tf.Graph().as_default():  # another graph starts afresh
        full = _conv_bias(tf.zeros([1, 4, 4, 3]), tf.ones([3, 3, 3, 5]), tf.zeros([5]))
        assert channel_conv(full, 4)[0] is not full


def test_off_unless_the_step_builder_enabled_it():
    image = np.ones([1, 5, 5, 3], np.float32)
    _, ops = run_objective(_toy_T, objectives.channel("joined", 2), (), image)
    assert {"joined", "wide"} <= ops
    assert not any(name.startswith("channel_conv") for name in ops)


@pytest.mark.parametrize(
    "channel, tower",
    [(476, "mixed4a_pool_reduce_pre_relu"), (300, "mixed4a_3x3_pre_relu")],
)
def test_inception_v1_mixed4a_pre_relu(inception_v1, channel, tower):
    """476 is channel 32 of the pool tower's 1x1, 300 channel 108 of the 3x3 tower's 3x3."""
    image = np.random.default_rng(1).uniform(size=(2, 96, 96, 3)).astype(np.float32)
    objective = objectives.channel("mixed4a_pre_relu", channel)

    def build_T(t_image):
        return import_model(inception_v1, t_image, t_image)

    (value, gradient), ops = run_objective(build_T, objective, ["concat_slice"], image)
    names = ["concat_slice", "channel_conv"]
    (sliced_value, sliced_gradient), sliced_ops = run_objective(build_T, objective, names, image)
    np.testing.assert_allclose(sliced_value, value, rtol=1e-5)
    np.testing.assert_allclose(
        sliced_gradient, gradient, rtol=1e-4, atol=1e-5 * np.abs(gradient).max()
    )
    assert f"import/{tower}/conv" in ops
    assert f"import/{tower}/conv" not in sliced_ops
    assert "channel_conv/Conv2D" in sliced_ops
