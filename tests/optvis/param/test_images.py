"""param.image and param.grayscale_image_rgb."""

import itertools

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis import param
from tests.optvis.param.helpers import assert_gradient_reaches_every_variable
from tests.optvis.param.helpers import build_and_run

SIZES = [(5, None), (6, 4), (4, 7)]  # (w, h): square, wide, tall; odd and even sizes
BATCHES = [None, 2]
# Every (fft, decorrelate, alpha/channels) combination, cycling through sizes and batches.
COMBINATIONS = [
    (SIZES[i % 3], BATCHES[i % 2], fft, decorrelate, alpha_channels)
    for i, (fft, decorrelate, alpha_channels) in enumerate(
        itertools.product(
            [True, False],
            [True, False],
            [(False, None), (True, None), (False, 1), (False, 5)],  # (alpha, channels)
        )
    )
] + [(size, batch, True, True, (False, None)) for size in SIZES for batch in BATCHES]


@pytest.mark.parametrize("size,batch,fft,decorrelate,alpha_channels", COMBINATIONS)
def test_image_shape_and_range(graph, size, batch, fft, decorrelate, alpha_channels):
    w, h = size
    alpha, channels = alpha_channels
    t = param.image(
        w, h=h, batch=batch, fft=fft, decorrelate=decorrelate, alpha=alpha, channels=channels
    )
    expected_channels = channels or (4 if alpha else 3)
    expected = [batch or 1, h or w, w, expected_channels]
    assert t.shape.as_list() == expected
    graph.sess.run(tf.global_variables_initializer())
    value = graph.sess.run(t)
    assert value.shape == tuple(expected)
    assert value.min() >= 0.0 and value.max() <= 1.0


def test_image_with_large_sd_still_in_unit_range(graph):
    t = param.image(16, sd=10.0, alpha=True)
    graph.sess.run(tf.global_variables_initializer())
    value = graph.sess.run(t)
    assert value.min() >= 0.0 and value.max() <= 1.0
    assert value.std() > 0.1  # the large init is visible, not swamped


@pytest.mark.parametrize("fft", [True, False])
def test_image_gradient_reaches_variables(graph, fft):
    t = param.image(6, batch=2, fft=fft, alpha=True)
    assert len(tf.trainable_variables()) == 1
    assert_gradient_reaches_every_variable(graph.sess, t)


def test_image_is_trainable_towards_red(graph):
    t = param.image(8)
    redness = tf.reduce_mean(t[..., 0] - t[..., 1] - t[..., 2])
    step = tf.train.AdamOptimizer(0.1).minimize(-redness)
    graph.sess.run(tf.global_variables_initializer())
    before = graph.sess.run(redness)
    for _ in range(50):
        graph.sess.run(step)
    after = graph.sess.run(redness)
    assert after > before + 0.2, (before, after)


def test_image_same_seed_same_values():
    first = build_and_run(lambda: param.image(8, batch=2), seed=0)
    second = build_and_run(lambda: param.image(8, batch=2), seed=0)
    other = build_and_run(lambda: param.image(8, batch=2), seed=1)
    np.testing.assert_array_equal(first, second)
    assert np.abs(first - other).max() > 1e-4


def test_image_default_parameterisation_is_decorrelated_fft(graph):
    param.image(6, h=4, batch=2)
    (variable,) = tf.trainable_variables()
    assert variable.shape.as_list() == [2, 2, 3, 4, 4]  # fft_image spectrum


def test_image_pixel_parameterisation_variable(graph):
    param.image(6, h=4, fft=False, alpha=True)
    (variable,) = tf.trainable_variables()
    assert variable.shape.as_list() == [1, 4, 6, 4]


def test_image_channels_output_is_sigmoid_of_pixels(graph):
    t = param.image(3, fft=False, channels=2)
    (variable,) = tf.trainable_variables()
    graph.sess.run(tf.global_variables_initializer())
    raw, out = graph.sess.run([variable, t])
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-raw)), rtol=1e-6)


def test_image_alpha_channel_is_sigmoid_and_rgb_is_valid_rgb(graph):
    t = param.image(3, fft=False, decorrelate=False, alpha=True)
    (variable,) = tf.trainable_variables()
    graph.sess.run(tf.global_variables_initializer())
    raw, out = graph.sess.run([variable, t])
    np.testing.assert_allclose(out, 1 / (1 + np.exp(-raw)), rtol=1e-6)


def test_grayscale_image_rgb_has_identical_channels(graph):
    t = param.grayscale_image_rgb(5, h=3, batch=2, sd=1.0)
    assert t.shape.as_list() == [2, 3, 5, 3]
    graph.sess.run(tf.global_variables_initializer())
    value = graph.sess.run(t)
    np.testing.assert_array_equal(value[..., 0], value[..., 1])
    np.testing.assert_array_equal(value[..., 0], value[..., 2])
    assert value[..., 0].std() > 0


def test_grayscale_image_rgb_rejects_channels(graph):
    with pytest.raises(TypeError, match="channels"):
        param.grayscale_image_rgb(5, channels=3)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(w=0), ValueError, "w=0"),
        (dict(w=-3), ValueError, "w=-3"),
        (dict(w=4.0), TypeError, "w must be a positive int"),
        (dict(w=4, h=0), ValueError, "h=0"),
        (dict(w=4, batch=0), ValueError, "batch=0"),
        (dict(w=4, channels=0), ValueError, "channels=0"),
        (dict(w=4, channels=2.5), TypeError, "channels"),
        (dict(w=4, channels=True), TypeError, "channels"),
        (dict(w=4, channels=3, alpha=True), ValueError, "alpha=True"),
        (dict(w=4, sd=-1.0), ValueError, "sd=-1.0"),
        (dict(w=4, decorrelate=True, fft=False, sd="big"), TypeError, "sd='big'"),
    ],
)
def test_image_rejects_bad_arguments(graph, kwargs, error, match):
    with pytest.raises(error, match=match):
        param.image(**kwargs)
