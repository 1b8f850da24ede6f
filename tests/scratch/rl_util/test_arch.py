"""Tests for lucid.scratch.rl_util.arch (no tf.layers, so it builds under Keras 3)."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.scratch.rl_util.arch import clear_cnn


def _variables():
    return {v.op.name: v.shape.as_list() for v in tf.global_variables()}


def test_clear_cnn_layers_and_variable_names(graph):
    images = tf.placeholder(tf.uint8, [None, 64, 64, 3])
    out = clear_cnn(images)
    assert out.shape.as_list() == [None, 512]
    assert _variables() == {
        "1a/kernel": [7, 7, 3, 16],
        "1a/bias": [16],
        "2a/kernel": [5, 5, 16, 32],
        "2a/bias": [32],
        "2b/kernel": [5, 5, 32, 32],
        "2b/bias": [32],
        "3a/kernel": [5, 5, 32, 32],
        "3a/bias": [32],
        "4a/kernel": [5, 5, 32, 32],
        "4a/bias": [32],
        "dense/kernel": [4 * 4 * 32, 256],  # four L2 pools of 2: 64 -> 4
        "dense/bias": [256],
        "dense_1/kernel": [256, 512],
        "dense_1/bias": [512],
    }
    graph.sess.run(tf.global_variables_initializer())
    features = graph.sess.run(
        out, {images: np.random.RandomState(0).randint(0, 256, [2, 64, 64, 3])}
    )
    assert features.shape == (2, 512) and (features >= 0).all() and features.any()


def test_clear_cnn_scales_uint8_to_unit_range(graph):
    images = tf.placeholder(tf.uint8, [None, 8, 8, 1])
    clear_cnn(images)
    scaled = graph.get_tensor_by_name("truediv:0")
    np.testing.assert_allclose(graph.sess.run(scaled, {images: np.full([1, 8, 8, 1], 255)}), 1.0)


def test_clear_cnn_batch_norm(graph):
    images = tf.placeholder(tf.float32, [None, 16, 16, 3])
    out = clear_cnn(images, batch_norm=True)
    assert {"1a/gamma", "1a/beta", "4a/gamma"} <= set(_variables())
    graph.sess.run(tf.global_variables_initializer())
    assert graph.sess.run(
        out, {images: np.random.RandomState(0).uniform(0, 255, [3, 16, 16, 3])}
    ).shape == (3, 512)


def test_clear_cnn_needs_static_image_size(graph):
    with pytest.raises(ValueError, match=r"known h, w and c.*\[None, 64, 64, 3\]"):
        clear_cnn(tf.placeholder(tf.uint8, [None, None, None, 3]))
