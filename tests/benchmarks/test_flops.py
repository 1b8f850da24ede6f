"""benchmarks/flops.py: the FLOPs counted from a traced step equal a hand count.

The benchmarks print figures and are not tests; the counter behind their GFLOP/s is checked
here on a tiny graph whose convolutions' FLOPs are counted by hand. Nothing is timed.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

FLOPS_PY = Path(__file__).resolve().parents[2] / "benchmarks" / "flops.py"


@pytest.fixture(scope="module")
def flops():
    spec = importlib.util.spec_from_file_location("benchmarks_flops", FLOPS_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# x [2, 9, 9, 3] -> 3x3 conv (3 -> 4, stride 1, SAME) -> ReLU -> 3x3 conv (4 -> 5, stride 2,
# SAME) -> [2, 5, 5, 5]; 2 FLOPs per multiply-add, input gradient = forward for each conv.
CONV1 = 2 * (2 * 9 * 9 * 4) * (3 * 3 * 3)  # 34,992
CONV2 = 2 * (2 * 5 * 5 * 5) * (3 * 3 * 4)  # 18,000


def _render_like(flops, steps, warmup):
    """A render-shaped loop (an init run, then ``steps`` runs of one update op), recorded."""
    rng = np.random.RandomState(0)
    with tf.Graph().as_default():
        x = tf.Variable(rng.rand(2, 9, 9, 3).astype(np.float32))
        w1 = tf.constant(rng.randn(3, 3, 3, 4).astype(np.float32))
        w2 = tf.constant(rng.randn(3, 3, 4, 5).astype(np.float32))
        h = tf.nn.relu(tf.nn.conv2d(x, w1, 1, "SAME"))
        y = tf.nn.conv2d(h, w2, 2, "SAME")
        loss = tf.reduce_sum(y * y)  # a gradient that depends on y: nothing to constant-fold
        step_op = tf.train.AdamOptimizer(0.01).minimize(-loss)
        init_op = tf.global_variables_initializer()
        with flops.StepRecorder(warmup=warmup) as recorder, tf.Session() as sess:
            sess.run(init_op)
            for _ in range(steps):
                sess.run(step_op)
    return recorder


def test_counts_forward_and_input_gradient_flops_of_the_traced_step(flops):
    profile = _render_like(flops, steps=6, warmup=3).profile()
    assert profile.flops([flops.FORWARD]) == CONV1 + CONV2
    assert profile.flops([flops.INPUT_GRADIENT]) == CONV1 + CONV2
    assert profile.flops([flops.FILTER_GRADIENT]) == 0  # pruned: the filters are constants
    assert profile.flops() == 2 * (CONV1 + CONV2)
    # steps 0-2 are warm-up, step 3 is traced, steps 4 and 5 are timed
    assert profile.steps_timed == 2
    assert profile.step_seconds > 0
    assert profile.kernels() < len(profile.ops)
    assert profile.output_bytes() >= 4 * 2 * 9 * 9 * 4  # at least the first conv's output


def test_heaviest_convolution_is_the_first_layer(flops):
    profile = _render_like(flops, steps=4, warmup=1).profile()
    assert flops.heaviest_convolution(profile) == (
        (2, 9, 9, 3),
        (3, 3, 3, 4),
        (1, 1, 1, 1),
        "SAME",
    )
    lines = flops.breakdown(profile)
    assert any(line.lstrip().startswith(flops.INPUT_GRADIENT) for line in lines)


def test_profile_without_a_traced_step_says_how_many_steps_are_needed(flops):
    recorder = _render_like(flops, steps=3, warmup=5)
    with pytest.raises(RuntimeError, match="at least 7"):
        recorder.profile()


def test_recorder_restores_session_run(flops):
    from tensorflow.python.client import session as tf_session

    real_run = tf_session.BaseSession.run
    _render_like(flops, steps=2, warmup=5)
    assert tf_session.BaseSession.run is real_run


def test_op_types_and_gradient_scopes(flops):
    assert flops.normalised_type("_MklNativeFusedConv2D") == "FusedConv2D"
    assert flops.normalised_type("_MklNativeConv2DBackpropInput") == "Conv2DBackpropInput"
    assert flops.normalised_type("_FusedConv2D") == "FusedConv2D"
    assert flops.normalised_type("Relu") == "Relu"
    assert flops.in_gradient_scope("gradients_1/conv2d0_grad/Conv2D")
    assert not flops.in_gradient_scope("import/conv2d0_pre_relu/conv")
    assert not flops.in_gradient_scope("gradients")  # an op named so, in no scope


def test_fast_lrn_window_sums_are_not_counted_as_model_flops(flops):
    from lucid.optvis.rewrites import fast_lrn

    assert flops._LRN_WINDOW_SCOPE == fast_lrn.WINDOW_SCOPE
    rng = np.random.RandomState(1)
    with tf.Graph().as_default():
        x = tf.Variable(rng.rand(1, 4, 4, 8).astype(np.float32))
        w = tf.constant(rng.randn(1, 1, 8, 8).astype(np.float32))
        h = tf.nn.conv2d(x, w, 1, "SAME")  # the model's convolution: 2 * 16 * 8 * 8 FLOPs
        y, s, p = fast_lrn.lrn(h, 8, 2, 1.0, 1e-3, 0.75)
        (grad_h,) = tf.gradients(y, [h], [tf.ones_like(y)])
        dx = fast_lrn.lrn_gradient(tf.ones_like(y), h, y, s, p, 8, 2, 1e-3, 0.75)
        (grad_x,) = tf.gradients(h, [x], [dx])
        step_op = tf.assign_add(x, 1e-3 * grad_x)
        with flops.StepRecorder(warmup=2) as recorder, tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(4):
                sess.run(step_op)
    del grad_h
    profile = recorder.profile()
    windows = [op for op in profile.ops if op.kind == flops.LRN_WINDOW]
    assert len(windows) == 2  # the forward's and the gradient's window sums
    assert all(op.flops == 2 * 16 * 8 * 8 for op in windows)
    model = 2 * 16 * 8 * 8
    assert profile.flops() == 2 * model  # the 1x1 conv forward + its input gradient only
