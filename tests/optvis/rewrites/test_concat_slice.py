"""concat_slice: channel objectives on a concatenation read only the producing branch."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis import objectives
from lucid.optvis import rewrites
from lucid.optvis.render import import_model
from lucid.optvis.rewrites.concat_slice import channel_source
from tests.optvis.rewrites.objective_runs import run_objective


def _branches(image):
    """Three branches of depths 2, 3 and 4 (each a different function of the image)."""
    a = tf.nn.conv2d(image, tf.constant(np.full([1, 1, 3, 2], 0.5, np.float32)), 1, "SAME")
    b = tf.square(image)
    c = tf.nn.relu(tf.concat([image, image[..., :1] - 0.5], -1))
    return a, b, c


def test_channel_source_finds_the_branch_and_index():
    with tf.Graph().as_default():
        a, b, c = _branches(tf.zeros([1, 4, 4, 3]))
        joined = tf.identity(tf.concat([a, b, c], axis=-1))
        assert channel_source(joined, 0) == (a, 0)
        assert channel_source(joined, 1) == (a, 1)
        assert channel_source(joined, 2) == (b, 0)
        assert channel_source(joined, 4) == (b, 2)
        assert channel_source(joined, 5)[1] == 0
        # c is itself a concatenation (behind a Relu, which is not followed).
        assert channel_source(joined, 8) == (c, 3)


def test_channel_source_follows_nested_and_axis_first_concats():
    with tf.Graph().as_default():
        a, b, c = _branches(tf.zeros([1, 4, 4, 3]))
        inner = tf.concat([b, c], axis=3)
        old_style = tf.raw_ops.Concat(concat_dim=tf.constant(3), values=[a, inner])
        assert channel_source(old_style, 6) == (c, 1)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_other_axes_and_other_ops_are_left_alone(axis):
    with tf.Graph().as_default():
        a, b, _ = _branches(tf.zeros([2, 4, 4, 3]))
        joined = tf.concat([a, a], axis=axis)
        assert channel_source(joined, 1) == (joined, 1)
        assert channel_source(b, 2) == (b, 2)


def test_unknown_branch_depth_is_left_alone():
    with tf.Graph().as_default():
        a, _, _ = _branches(tf.zeros([1, 4, 4, 3]))
        unknown = tf.placeholder(tf.float32, [1, 4, 4, None])
        joined = tf.concat([unknown, a], axis=-1)
        assert channel_source(joined, 1) == (joined, 1)
        # Channels before the unknown branch are still found.
        joined = tf.concat([a, unknown], axis=-1)
        assert channel_source(joined, 1) == (a, 1)


def _value_and_gradient(build_T, objective, enable, image_value):
    names = [rewrites.CONCAT_SLICE] if enable else ()
    return run_objective(build_T, objective, names, image_value)


def _toy_T(image):
    layers = {"joined": tf.concat(_branches(image), axis=-1, name="joined")}
    return lambda name: layers[name]


@pytest.mark.parametrize(
    "objective",
    [
        objectives.channel("joined", 3),
        objectives.channel("joined", 7, batch=1),
        objectives.neuron("joined", 1, x=2, y=1),
        objectives.neuron("joined", 8, batch=0),
        objectives.channel("joined", 6) - 0.5 * objectives.neuron("joined", 0),
    ],
    ids=lambda objective: objective.description.replace("\n", " "),
)
def test_toy_values_and_gradients_equal_with_and_without(objective):
    image = np.random.default_rng(0).uniform(size=(2, 5, 5, 3)).astype(np.float32)
    (value, gradient), _ = _value_and_gradient(_toy_T, objective, False, image)
    (sliced_value, sliced_gradient), _ = _value_and_gradient(_toy_T, objective, True, image)
    np.testing.assert_allclose(sliced_value, value, rtol=1e-6)
    np.testing.assert_allclose(sliced_gradient, gradient, rtol=1e-6, atol=1e-7)


def test_off_unless_the_step_builder_enabled_it():
    image = np.ones([1, 5, 5, 3], np.float32)
    objective = objectives.channel("joined", 3)
    _, ops = _value_and_gradient(_toy_T, objective, False, image)
    _, sliced_ops = _value_and_gradient(_toy_T, objective, True, image)
    assert {"joined", "Relu"} <= ops
    assert not {"joined", "Relu"} & sliced_ops  # only branch b (Square) is computed
    assert "Square" in sliced_ops


def test_inception_v1_mixed4a_pre_relu_476(inception_v1):
    """Channel 476 of mixed4a_pre_relu is channel 32 of the pool tower: the 1x1 is not run."""
    image = np.random.default_rng(1).uniform(size=(2, 96, 96, 3)).astype(np.float32)
    objective = objectives.channel("mixed4a_pre_relu", 476) + objectives.neuron("mixed4a", 3)

    def build_T(t_image):
        return import_model(inception_v1, t_image, t_image)

    (value, gradient), ops = _value_and_gradient(build_T, objective, False, image)
    (sliced_value, sliced_gradient), sliced_ops = _value_and_gradient(
        build_T, objective, True, image
    )
    np.testing.assert_allclose(sliced_value, value, rtol=1e-5)
    np.testing.assert_allclose(
        sliced_gradient, gradient, rtol=1e-4, atol=1e-5 * np.abs(gradient).max()
    )
    assert "import/mixed4a_3x3_pre_relu/conv" in ops
    assert "import/mixed4a_3x3_pre_relu/conv" not in sliced_ops
    assert "import/mixed4a_1x1_pre_relu/conv" in sliced_ops  # neuron("mixed4a", 3)
    assert "import/mixed4a_pool_reduce_pre_relu/conv" in sliced_ops
