"""lucid.optvis.param.random: non-variable random images."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis.param import random as param_random
from tests.optvis.param.helpers import build_and_run


def test_image_sample_shape_range_and_no_variables(graph):
    t = param_random.image_sample([2, 6, 5, 3], sd=1.0)
    assert t.shape.as_list() == [2, 6, 5, 3]
    assert tf.global_variables() == []
    first, second = graph.sess.run(t), graph.sess.run(t)
    assert first.min() >= 0.0 and first.max() <= 1.0
    assert np.abs(first - second).max() > 1e-3  # resampled on every run


def test_rand_fft_image_shape_and_resampling(graph):
    t = param_random.rand_fft_image([3, 7, 4, 2], sd=1.0)
    assert t.shape.as_list() == [3, 7, 4, 2]
    first, second = graph.sess.run(t), graph.sess.run(t)
    assert np.abs(first - second).max() > 1e-3


def test_rand_fft_image_is_linear_in_sd():
    one = build_and_run(lambda: param_random.rand_fft_image([1, 4, 4, 3], sd=1.0), seed=0)
    three = build_and_run(lambda: param_random.rand_fft_image([1, 4, 4, 3], sd=3.0), seed=0)
    np.testing.assert_allclose(three, 3 * one, rtol=1e-5, atol=1e-6)


def test_rand_fft_image_sd_zero_is_black():
    zeros = build_and_run(lambda: param_random.rand_fft_image([1, 4, 4, 3], sd=0.0))
    np.testing.assert_array_equal(zeros, np.zeros([1, 4, 4, 3]))


def test_image_sample_decorrelate_false_is_sigmoid_of_noise():
    raw = build_and_run(lambda: param_random.rand_fft_image([1, 4, 4, 3], sd=2.0), seed=5)
    rgb = build_and_run(
        lambda: param_random.image_sample([1, 4, 4, 3], decorrelate=False, sd=2.0), seed=5
    )
    np.testing.assert_allclose(rgb, 1 / (1 + np.exp(-raw)), rtol=1e-5)


def test_rand_fft_image_rejects_bad_shape(graph):
    with pytest.raises(ValueError, match="4 entries"):
        param_random.rand_fft_image([4, 4, 3])
