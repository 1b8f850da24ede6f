"""The bfloat16 mode: validation, the fallback, the session options, and render fidelity.

Fidelity is checked on a hand-built detector: one 8x8 convolution on the grey level whose
two kernels are planted square-wave stripe patterns of period 8 (vertical, and diagonal).
Rendering a channel in float32 and in bfloat16 from the same seed must give images that
show the channel's pattern (8x8 windows correlate with it) and objective values within 5 %
of each other, and the bfloat16 session must really run its convolutions in bfloat16.
"""

import logging

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo.vision_base import Model
from lucid.optvis import param
from lucid.optvis import precision
from lucid.optvis import render
from lucid.optvis import render_util
from lucid.optvis import transform

PATTERN_SIZE = 8
SIZE = 48
STEPS = 128
FIDELITY = 0.05  # the objective of a bfloat16 render within 5 % of float32's
PATTERN_SCORE = 0.6  # a render shows its pattern: 90th percentile of window correlations
NOISE_SCORE = 0.35  # ... and the initial noise image does not

needs_bf16 = pytest.mark.skipif(
    not (precision.cpu_supports_bfloat16() or precision.gpu_supports_mixed_precision()),
    reason="this machine has neither a CPU with AVX512-BF16/AMX (oneDNN on) nor a GPU of "
    "compute capability 7.0+, so bfloat16 renders run in float32 (the fallback is tested)",
)


def stripe_patterns():
    """`[2, 8, 8]`, +-1/8 (unit norm, zero mean): vertical stripes, then diagonal stripes."""
    y, x = np.mgrid[:PATTERN_SIZE, :PATTERN_SIZE]
    half = PATTERN_SIZE // 2
    vertical = np.where(x % PATTERN_SIZE < half, 1.0, -1.0)
    diagonal = np.where((x + y) % PATTERN_SIZE < half, 1.0, -1.0)
    return np.stack([vertical, diagonal]) / PATTERN_SIZE


class StripeDetector(Model):
    """``detector_pre_relu`` / ``detector``: the grey level's VALID correlation with each pattern."""

    model_path = "stripe_detector.pb"
    image_shape = [SIZE, SIZE, 3]
    image_value_range = (0, 1)
    input_name = "input"

    def __init__(self):
        with tf.Graph().as_default() as graph:
            t_input = tf.placeholder(tf.float32, [None, None, None, 3], name="input")
            grey = tf.reduce_mean(t_input, axis=-1, keepdims=True)
            kernels = np.transpose(stripe_patterns(), [1, 2, 0])[:, :, None, :]
            pre_relu = tf.nn.conv2d(
                grey, kernels.astype(np.float32), [1, 1, 1, 1], "VALID", name="detector_pre_relu"
            )
            tf.nn.relu(pre_relu, name="detector")
        self._graph_def = graph.as_graph_def()


def render_channel(channel, mode, fft=False, transforms=()):
    """Renders ``detector:channel`` under ``mode``; returns (first image, last image, bf16 convs).

    The session gets ``precision.session_config``; the bf16 count is the number of
    convolution nodes (forward and gradient) that the session ran in bfloat16.
    """
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        T = render.make_vis_T(
            StripeDetector(),
            f"detector:{channel}",
            lambda: param.image(SIZE, fft=fft, decorrelate=fft),
            transforms=list(transforms),
        )
        init = tf.global_variables_initializer()
    config = precision.session_config(mode, render_util.session_config())
    with tf.Session(graph=graph, config=config) as sess:
        sess.run(init)
        first = sess.run(T("input"))
        for _ in range(STEPS - 1):
            sess.run(T("vis_op"))
        metadata = tf.RunMetadata()
        options = tf.RunOptions(output_partition_graphs=True)
        sess.run(T("vis_op"), options=options, run_metadata=metadata)
        last = sess.run(T("input"))
    bf16_convs = sum(
        1
        for partition in metadata.partition_graphs
        for node in partition.node
        if "Conv2D" in node.op and node.attr["T"].type == tf.bfloat16.as_datatype_enum
    )
    return first, last, bf16_convs


def objective_value(channel, image):
    """The mean of ``detector:channel`` on ``image``, computed in float32."""
    with tf.Graph().as_default(), tf.Session() as sess:
        T = render.import_model(StripeDetector(), tf.constant(image))
        return float(sess.run(tf.reduce_mean(T("detector")[..., channel])))


def pattern_score(image, channel):
    """90th percentile over 8x8 windows of the grey level's correlation with the pattern."""
    grey = image[0].mean(axis=-1)
    windows = np.lib.stride_tricks.sliding_window_view(grey, (PATTERN_SIZE, PATTERN_SIZE))
    windows = windows.reshape(-1, PATTERN_SIZE**2)
    windows = windows - windows.mean(axis=1, keepdims=True)
    pattern = stripe_patterns()[channel].ravel()
    norms = np.linalg.norm(windows, axis=1) * np.linalg.norm(pattern) + 1e-12
    return float(np.percentile(windows @ pattern / norms, 90))


# -- validation, fallback, options ------------------------------------------------------


def test_precisions_are_float32_and_bfloat16():
    assert precision.PRECISIONS == ("float32", "bfloat16")
    assert precision.check_precision("float32") == "float32"


@pytest.mark.parametrize("bad", ["fp16", "bf16", "Float32", ""])
def test_unknown_precision_is_a_value_error_naming_the_choices(bad):
    with pytest.raises(ValueError, match="'float32', 'bfloat16'") as info:
        precision.check_precision(bad)
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize("bad", [None, 16, tf.bfloat16])
def test_non_string_precision_is_a_type_error(bad):
    with pytest.raises(TypeError, match="precision must be one of"):
        precision.check_precision(bad)


def test_without_support_bfloat16_runs_float32_with_one_warning(monkeypatch, caplog):
    monkeypatch.setattr(precision, "cpu_supports_bfloat16", lambda: False)
    monkeypatch.setattr(precision, "gpu_supports_mixed_precision", lambda: False)
    monkeypatch.setattr(precision, "_warned", [])
    with caplog.at_level(logging.WARNING, logger=precision.__name__):
        assert precision.check_precision("bfloat16") == "float32"
        config = precision.session_config("bfloat16", tf.ConfigProto())
        with precision.import_context("bfloat16"):
            pass
    assert config == tf.ConfigProto()
    warnings = [r for r in caplog.records if r.name == precision.__name__]
    assert len(warnings) == 1
    assert "rendering in float32" in warnings[0].getMessage()
    assert "avx512_bf16" in warnings[0].getMessage()


def test_session_config_copies_and_leaves_the_callers_config_alone(monkeypatch):
    monkeypatch.setattr(precision, "cpu_supports_bfloat16", lambda: True)
    monkeypatch.setattr(precision, "gpu_supports_mixed_precision", lambda: False)
    config = tf.ConfigProto(allow_soft_placement=True, intra_op_parallelism_threads=3)
    snapshot = config.SerializeToString()

    float32 = precision.session_config("float32", config)
    bfloat16 = precision.session_config("bfloat16", config)

    assert config.SerializeToString() == snapshot
    assert float32 == config and float32 is not config
    options = bfloat16.graph_options.rewrite_options
    assert options.auto_mixed_precision_onednn_bfloat16 == options.ON
    assert options.auto_mixed_precision != options.ON  # the GPU pass only with a GPU
    assert bfloat16.allow_soft_placement and bfloat16.intra_op_parallelism_threads == 3
    assert precision.session_config("float32") == tf.ConfigProto()


def test_on_a_gpu_the_gpu_mixed_precision_pass_is_switched_on(monkeypatch):
    monkeypatch.setattr(precision, "cpu_supports_bfloat16", lambda: False)
    monkeypatch.setattr(precision, "gpu_supports_mixed_precision", lambda: True)
    options = precision.session_config("bfloat16").graph_options.rewrite_options
    assert options.auto_mixed_precision == options.ON
    assert options.auto_mixed_precision_onednn_bfloat16 != options.ON


@pytest.mark.parametrize(
    "flags, expected",
    [
        ("fpu avx512f avx512_bf16 fma", True),
        ("fpu amx_tile amx_bf16", True),
        ("fpu avx512f", False),
    ],
)
def test_cpu_support_is_read_from_the_cpuinfo_flags(tmp_path, monkeypatch, flags, expected):
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\nbogomips\t: 4000\n")
    assert precision.cpu_supports_bfloat16(str(cpuinfo)) is expected
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")  # oneDNN off: no bfloat16 kernels
    assert precision.cpu_supports_bfloat16(str(cpuinfo)) is False


def test_no_cpuinfo_means_no_cpu_support(tmp_path):
    assert precision.cpu_supports_bfloat16(str(tmp_path / "missing")) is False


def test_import_context_validates_and_changes_nothing():
    with pytest.raises(ValueError, match="precision"):
        with precision.import_context("half"):
            pass
    with tf.Graph().as_default() as graph:
        with precision.import_context("bfloat16"):
            pass
        assert graph.get_operations() == []


# -- fidelity -----------------------------------------------------------------------------


@needs_bf16
@pytest.mark.parametrize("channel", [0, 1], ids=["vertical", "diagonal"])
def test_bfloat16_render_shows_the_pattern_and_reaches_float32s_objective(channel):
    first, float32_image, float32_convs = render_channel(channel, "float32")
    first_bf16, bfloat16_image, bfloat16_convs = render_channel(channel, "bfloat16")

    assert float32_convs == 0
    assert bfloat16_convs >= 2  # the forward convolution and its input gradient
    np.testing.assert_array_equal(first, first_bf16)  # same seed, same start
    assert not np.array_equal(float32_image, bfloat16_image)  # bfloat16 did change the arithmetic

    assert pattern_score(first, channel) < NOISE_SCORE
    assert pattern_score(float32_image, channel) > PATTERN_SCORE
    assert pattern_score(bfloat16_image, channel) > PATTERN_SCORE

    start = objective_value(channel, first)
    float32_value = objective_value(channel, float32_image)
    bfloat16_value = objective_value(channel, bfloat16_image)
    assert bfloat16_value > 100 * start  # gradients flowed to the float32 image variables
    assert abs(bfloat16_value - float32_value) <= FIDELITY * float32_value


@needs_bf16
def test_bfloat16_render_with_the_default_parameterization_and_jitter():
    transforms = [transform.jitter(2)]
    _, float32_image, _ = render_channel(1, "float32", fft=True, transforms=transforms)
    first, bfloat16_image, bfloat16_convs = render_channel(1, "bfloat16", True, transforms)

    assert bfloat16_convs >= 2
    assert pattern_score(bfloat16_image, 1) > pattern_score(first, 1) + 0.2
    float32_value = objective_value(1, float32_image)
    bfloat16_value = objective_value(1, bfloat16_image)
    assert abs(bfloat16_value - float32_value) <= FIDELITY * float32_value


# -- through render_vis -------------------------------------------------------------------


def render_vis_channel(channel, mode):
    """``render_vis`` of ``detector:channel``, pixel image, no transforms, fixed seed."""
    (image,) = render.render_vis(
        StripeDetector(),
        f"detector:{channel}",
        param_f=lambda: param.image(SIZE, fft=False, decorrelate=False),
        transforms=[],
        thresholds=(STEPS - 1,),
        verbose=False,
        progress=False,
        use_fixed_seed=True,
        precision=mode,
    )
    return image


@needs_bf16
def test_render_vis_in_bfloat16_shows_the_pattern_within_five_percent():
    float32_image = render_vis_channel(1, "float32")
    bfloat16_image = render_vis_channel(1, "bfloat16")

    assert not np.array_equal(float32_image, bfloat16_image)
    assert pattern_score(bfloat16_image, 1) > PATTERN_SCORE
    float32_value = objective_value(1, float32_image)
    bfloat16_value = objective_value(1, bfloat16_image)
    assert abs(bfloat16_value - float32_value) <= FIDELITY * float32_value


def test_render_vis_without_support_renders_float32_and_says_so_once(monkeypatch, caplog):
    monkeypatch.setattr(precision, "cpu_supports_bfloat16", lambda: False)
    monkeypatch.setattr(precision, "gpu_supports_mixed_precision", lambda: False)
    monkeypatch.setattr(precision, "_warned", [])
    float32_image = render_vis_channel(0, "float32")
    with caplog.at_level(logging.WARNING, logger=precision.__name__):
        fallback_images = [render_vis_channel(0, "bfloat16") for _ in range(2)]

    for image in fallback_images:
        np.testing.assert_array_equal(image, float32_image)
    warnings = [r for r in caplog.records if r.name == precision.__name__]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
