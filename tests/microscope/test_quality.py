"""Quality scores on hand-built detectors: exact values where they can be computed by hand."""

import json
import os

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.microscope import quality
from lucid.microscope import results
from lucid.microscope.dataset_examples import ImageSet
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts
from lucid.optvis.batch_transforms import per_item_uniforms
from tests.toy_models import ToyModel

SIZE = 24


def uniform(rgb, size=SIZE):
    return np.broadcast_to(np.asarray(rgb, np.float32), (size, size, 3)).copy()


def checkerboard(size=SIZE):
    """A one-pixel black and white checkerboard, white where row + column is even."""
    parity = np.add.outer(np.arange(size), np.arange(size)) % 2 == 0
    return np.repeat(parity[..., None], 3, axis=-1).astype(np.float32)


def choices(scale_index=5, angle_index=10, jitters=(4, 4, 2, 2), count=1):
    """`[count, 6]` uniforms choosing these jitters (offsets 0..8, 0..8, 0..4, 0..4), a scale
    (index into 0.9 .. 1.1) and an angle (index into -10 .. 10, then zeros)."""
    j1, j2, j3, j4 = jitters
    row = [(j1 + 0.5) / 9, (j2 + 0.5) / 9, (scale_index + 0.5) / 11, (angle_index + 0.5) / 26,
           (j3 + 0.5) / 5, (j4 + 0.5) / 5]  # fmt: skip
    return np.tile(np.asarray(row, np.float32), (count, 1))


class CheckerModel(Model):
    """``detect``: a stride-2 2x2 VALID conv on grey level (no ReLU), two channels:
    0 a checkerboard detector (kernel [[1, -1], [-1, 1]] / 4), 1 the brightness (all 1/4)."""

    image_shape = [SIZE, SIZE, 3]
    image_value_range = (0, 1)
    input_name = "input"
    model_path = "checker.pb"

    def __init__(self):
        with tf.Graph().as_default() as graph:
            t_input = tf.placeholder(tf.float32, [None, None, None, 3], name="input")
            grey = tf.reduce_mean(t_input, axis=-1, keepdims=True)
            kernel = np.stack([[[1, -1], [-1, 1]], np.ones([2, 2])], axis=-1) / 4
            tf.nn.conv2d(grey, kernel[:, :, None, :].astype(np.float32), [1, 2, 2, 1], "VALID",
                         name="detect")  # fmt: skip
        self._graph_def = graph.as_graph_def()
        self.layers = _layers_from_list_of_dicts(
            self, [{"name": "detect", "depth": 2, "tags": ["conv"]}]
        )


@pytest.fixture(scope="module")
def color_probe():
    with quality.LayerProbe(ToyModel(), "color", SIZE) as probe:
        yield probe


@pytest.fixture(scope="module")
def dataset():
    """The toy dataset's colours: red, green, blue, grey."""
    return np.stack([uniform(c) for c in ([1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5] * 3)])


def test_activation_ratio_exact(color_probe, dataset):
    # color:0 = relu(r - g - b): 0.4 on (0.6, 0.1, 0.1); the red dataset image gives 1.
    render = uniform([0.6, 0.1, 0.1])
    (scores,) = quality.score_units(
        color_probe, [0], render[None], choices(count=2)[None], [None], dataset
    )
    assert scores["activation_ratio"] == pytest.approx(0.4, abs=1e-5)
    assert scores["diversity"] is None
    (scores,) = quality.score_units(color_probe, [0], render[None], choices()[None], [None], None)
    assert scores["activation_ratio"] is None  # no dataset
    # A unit no dataset image excites has no positive reference.
    assert quality.activation_ratio(0.3, 0.0) is None


def test_stability_exact(color_probe):
    render = uniform([0.6, 0.1, 0.1])[None]
    # Shifts keep the whole coloured square on the canvas (at most 6 pixels, the grey border
    # t_0 has too): every activation survives.
    shifts = np.stack([choices(jitters=j)[0] for j in [(0, 8, 0, 4), (8, 0, 4, 0), (3, 5, 1, 3)]])
    (scores,) = quality.score_units(color_probe, [0], render, shifts[None], [None], None)
    assert scores["stability"] == pytest.approx(1.0, abs=1e-6)
    # Zoomed out to 0.9 about the centre: the square is 0.9 as wide, 0.81 of its area,
    # and grey (activation 0) takes the rest; the ReLU also cuts the bilinearly blurred edge
    # pixels that are less than 5/9 red (0.4 f - 0.5 (1 - f) <= 0): a little less.
    (scores,) = quality.score_units(
        color_probe, [0], render, choices(scale_index=0)[None], [None], None
    )
    assert 0.75 < scores["stability"] < 0.81
    # Before the ReLU the grey border (-0.5) makes the mean on the canvas negative, but the
    # render is far above a blank canvas (the baseline, -0.5 everywhere): shifts keep all of it.
    with quality.LayerProbe(ToyModel(), "color_pre_relu", SIZE) as probe:
        (scores,) = quality.score_units(probe, [0], render, shifts[None], [None], None)
    assert scores["stability"] == pytest.approx(1.0, abs=1e-5)  # float32 means of +-0.5
    assert quality.stability(-0.1, [-0.3, -0.3], baseline=-0.5) == pytest.approx(0.5)
    # A render that does not excite its unit keeps nothing.
    (scores,) = quality.score_units(
        color_probe, [1], render, choices(scale_index=0)[None], [None], None
    )
    assert scores["stability"] == 0.0


def test_diversity_exact(color_probe):
    red, green, blue = uniform([1, 0, 0]), uniform([0, 1, 0]), uniform([0, 0, 1])
    render = red[None]

    def diversity(images, probe=color_probe):
        (scores,) = quality.score_units(
            probe, [0], render, choices()[None], [np.stack(images)], None
        )
        return scores["diversity"]

    assert diversity([red, red]) == pytest.approx(0.0, abs=1e-9)  # identical images: 0
    assert diversity([red, green, blue]) == pytest.approx(1.0, abs=1e-9)  # orthogonal: 1
    # Before the ReLU red is (1, -1, -1) and green (-1, 1, -1): cosine -1/3, diversity 4/3.
    with quality.LayerProbe(ToyModel(), "color_pre_relu", SIZE) as probe:
        assert diversity([red, green], probe) == pytest.approx(4 / 3, abs=1e-6)
    # Black is the zero vector after the ReLU: as different from red as can be, and the
    # same as another black image.
    black = uniform([0, 0, 0])
    assert quality.diversity(np.stack([[0.0, 0], [0, 0]])) == 0.0
    assert diversity([red, black]) == pytest.approx(1.0)


def test_planted_detector_scores_high_and_noise_low(color_probe, dataset):
    # The red detector's ideal render, a red image, is as strong as the best dataset image
    # and keeps most of its activation under the random transforms; noise scores low.
    noise = np.random.RandomState(0).uniform(size=(SIZE, SIZE, 3)).astype(np.float32)
    draws = per_item_uniforms([11, 12], quality.DEFAULT_SAMPLES)
    red, noisy = quality.score_units(
        color_probe, [0, 0], np.stack([uniform([1, 0, 0]), noise]), draws, [None, None], dataset
    )
    assert red["activation_ratio"] == pytest.approx(1.0, abs=1e-6)
    assert red["stability"] > 0.85
    assert noisy["activation_ratio"] < 0.1


def test_brittle_pixel_pattern_is_unstable_and_a_broad_one_stable():
    # A one-pixel checkerboard excites the checkerboard detector only where it is aligned with
    # the stride-2 windows: a one-pixel shift flips its sign, resampling blurs it away.
    draws = per_item_uniforms([21, 22], quality.DEFAULT_SAMPLES)
    renders = np.stack([checkerboard(), uniform([1, 1, 1])])
    with quality.LayerProbe(CheckerModel(), "detect", SIZE) as probe:
        checker, bright = quality.score_units(probe, [0, 1], renders, draws, [None, None], None)
    assert checker["stability"] < 0.4
    assert bright["stability"] > 0.85


def _write_render(results_dir, unit, kind, images):
    params = {"model": "ToyModel", "layer": "color", "unit": unit, "kind": kind}
    named = {"": images[0]} if kind == "channel" else {str(k): i for k, i in enumerate(images)}
    results.write_result(
        results_dir, f"unit-{unit:04d}-{kind}", params, named, timing={"seconds": 1.0}
    )


def test_write_layer_scores_scores_rendered_units_once(tmp_path, dataset):
    results_dir = str(tmp_path / "color" / "img")
    _write_render(results_dir, 0, "channel", [uniform([1, 0, 0])])
    _write_render(results_dir, 2, "channel", [uniform([0, 0, 1])])
    _write_render(results_dir, 2, "diverse", [uniform([0, 0, 1]), uniform([0, 1, 0])])
    model = ToyModel()
    # Unit 1 has no render: it is skipped.
    assert quality.write_layer_scores(model, str(tmp_path), "color", "color", [0, 1, 2]) == 2
    assert not os.path.exists(os.path.join(results_dir, "unit-0001-scores.json"))
    with open(os.path.join(results_dir, "unit-0002-scores.json")) as f:
        record = json.load(f)
    assert record["files"] == []
    assert record["params"]["kind"] == "scores" and record["params"]["images"] is None
    assert record["params"]["diverse"]["kind"] == "diverse"
    assert record["scores"]["activation_ratio"] is None  # no dataset
    assert record["scores"]["diversity"] == pytest.approx(1.0)  # blue and green: orthogonal
    assert 0.85 < record["scores"]["stability"] <= 1.0
    assert quality.write_layer_scores(model, str(tmp_path), "color", "color", [0, 1, 2]) == 0
    # With a dataset the parameters change: rescored, with ratios.
    image_set = ImageSet(dataset, ("red", "green", "blue", "grey"), "fingerprint")
    written = quality.write_layer_scores(model, str(tmp_path), "color", "color", [0, 2], image_set)
    assert written == 2
    with open(os.path.join(results_dir, "unit-0000-scores.json")) as f:
        record = json.load(f)
    assert record["scores"]["activation_ratio"] == pytest.approx(1.0)
    assert record["scores"]["diversity"] is None  # no diverse set
    assert record["params"]["images"] == "fingerprint"
