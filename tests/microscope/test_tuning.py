"""Tuning curves of hand-built detectors, the SVG chart, and the resumable writer."""

import json
import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.microscope import charts
from lucid.microscope import tuning
from lucid.misc import stimuli
from lucid.modelzoo.vision_base import Model
from lucid.modelzoo.vision_base import _layers_from_list_of_dicts

EDGE_ANGLES = (30, 120)  # the edge each "edges" unit detects, degrees as in stimuli.grating
HUES = (60, 180, 300)  # the hue each "colors" unit detects
SVG = "{http://www.w3.org/2000/svg}"


def edge_kernels():
    """`[7, 7, 1, 2]`: derivative-of-Gaussian edge detectors across each of EDGE_ANGLES."""
    x = np.arange(7) - 3.0
    x, y = x[None, :], x[:, None]
    kernels = []
    for angle in EDGE_ANGLES:
        theta = np.deg2rad(angle)
        across = np.sin(theta) * x + np.cos(theta) * y  # as stimuli.grating measures it
        kernels.append(across * np.exp(-(x**2 + y**2) / (2 * 1.5**2)))
    return np.stack(kernels, -1)[:, :, None, :].astype(np.float32)


def color_kernels():
    """`[1, 1, 3, 3]`: each unit's weights are its hue's colour minus that colour's mean."""
    colors = [stimuli.hue_color(hue) for hue in HUES]
    return np.stack([c - c.mean() for c in colors], -1)[None, None].astype(np.float32)


class DetectorModel(Model):
    """``edges`` (grey 7x7 edge detectors, VALID) and ``colors`` (1x1 hue detectors)."""

    image_shape = [32, 32, 3]
    image_value_range = (0, 1)
    input_name = "input"

    def __init__(self, channels=3):
        self.image_shape = [32, 32, channels]
        with tf.Graph().as_default() as graph:
            t_input = tf.placeholder(tf.float32, [None, None, None, channels], name="input")
            grey = tf.reduce_mean(t_input, -1, keepdims=True)
            edges = tf.nn.conv2d(grey, edge_kernels(), [1, 1, 1, 1], "VALID")
            tf.nn.relu(edges, name="edges")
            if channels == 3:
                colors = tf.nn.conv2d(t_input, color_kernels(), [1, 1, 1, 1], "SAME")
                tf.nn.relu(colors, name="colors")
        self._graph_def = graph.as_graph_def()
        self.layers = _layers_from_list_of_dicts(
            self, [{"name": "edges", "depth": 2, "tags": ["conv"]}]
        )


def peak(curves, name):
    (curve,) = [c for c in curves if c["name"] == name]
    return curve["x"][int(np.argmax(curve["y"]))]


def test_an_edge_detector_s_angle_curve_peaks_at_its_edge():
    curves = tuning.layer_tuning_curves(DetectorModel(), "edges", [0, 1])
    assert [c["name"] for c in curves[0]] == ["angle", "frequency", "hue", "curvature"]
    for unit, angle in enumerate(EDGE_ANGLES):
        assert peak(curves[unit], "angle") == angle
        y = curves[unit][0]["y"]
        orthogonal = tuning.ANGLES.index((angle + 90) % 180)
        assert y[orthogonal] < 0.2 * max(y)


def test_a_colour_detector_s_hue_curve_peaks_at_its_hue():
    curves = tuning.layer_tuning_curves(DetectorModel(), "colors", [0, 1, 2])
    for unit, hue in enumerate(HUES):
        assert peak(curves[unit], "hue") == hue
        (curve,) = [c for c in curves[unit] if c["name"] == "hue"]
        assert curve["x"] == list(map(float, tuning.HUES)) and len(curve["y"]) == len(curve["x"])


def test_a_one_channel_model_sees_grey_stimuli_and_gets_no_hue_curve():
    curves = tuning.layer_tuning_curves(DetectorModel(channels=1), "edges", [0, 1])
    assert [c["name"] for c in curves[1]] == ["angle", "frequency", "curvature"]
    assert peak(curves[1], "angle") == EDGE_ANGLES[1]


def test_units_outside_the_layer_are_refused():
    with pytest.raises(ValueError, match=r"units \[2\] are not channels of 'edges'"):
        tuning.layer_tuning_curves(DetectorModel(), "edges", [0, 2])


def test_sweeps_are_deterministic():
    first = tuning.stimuli_fingerprint(tuning.sweeps(20, 24))
    tuning.sweeps.cache_clear()
    np.random.seed(123)  # the curves' anti-aliasing has its own seed
    assert tuning.stimuli_fingerprint(tuning.sweeps(20, 24)) == first
    assert tuning.sweeps(20, 24)[0].images.shape[1:] == (20, 24, 3)


def parse_svg(text):
    root = ET.fromstring(text)
    assert root.tag == SVG + "svg"
    return root


def test_the_chart_has_one_polyline_per_curve_with_axes_and_tick_labels():
    panels = [
        charts.Panel("angle (degrees)", [0, 45, 90], [0.0, 2.0, 1.0], (0, 45, 90)),
        charts.Panel("f", [0.125, 0.25, 0.5], [1.0, float("nan"), 3.0], log_x=True),
        charts.Panel("flat", [1, 2], [0.0, 0.0]),
    ]
    text = charts.line_chart_svg(panels, title="a <b> & 'c'", columns=2)
    root = parse_svg(text)
    polylines = root.findall(f".//{SVG}polyline")
    assert len(polylines) == 3
    assert [len(p.get("points").split()) for p in polylines] == [3, 2, 2]  # NaN left out
    assert polylines[0].get("points") == "0.0,80.0 75.0,0.0 150.0,40.0"
    assert root.find(f"{SVG}title").text == "a <b> & 'c'"
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0", "45", "90", "2", "angle (degrees)", "f", "flat"} <= set(labels)
    assert root.get("width") == str(2 * (charts.MARGIN_LEFT + charts.PLOT_WIDTH + 12))
    assert charts.line_chart_svg(panels, title="a <b> & 'c'", columns=2) == text


def test_chart_text_is_escaped_and_bad_input_refused():
    text = charts.line_chart_svg([charts.Panel('</text><script>"\x01', [0, 1], [1, 2])])
    labels = [t.text for t in parse_svg(text).iter(f"{SVG}text")]
    assert '</text><script>"\ufffd' in labels
    assert "<script>" not in text
    with pytest.raises(ValueError, match="same non-zero length"):
        charts.line_chart_svg([charts.Panel("x", [0, 1], [1])])
    with pytest.raises(ValueError, match="panels is empty"):
        charts.line_chart_svg([])
    with pytest.raises(ValueError, match="positive x values"):
        charts.line_chart_svg([charts.Panel("x", [0, 1], [1, 2], log_x=True)])


def test_nice_ticks():
    assert charts.nice_ticks(0, 1) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert charts.nice_ticks(-0.3, 2.1) == [-1.0, 0.0, 1.0, 2.0, 3.0]
    assert charts.nice_ticks(0.0, 0.0) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert charts.nice_ticks(2.0, 2.0) == [1.0, 1.5, 2.0, 2.5, 3.0]


def test_write_layer_tuning_is_resumable_and_deterministic(tmp_path):
    model = DetectorModel()
    model_dir = str(tmp_path / "DetectorModel")
    assert tuning.write_layer_tuning(model, model_dir, "edges", "edges", [0, 1]) == 2
    results_dir = os.path.join(model_dir, "edges", "img")
    with open(os.path.join(results_dir, "unit-0001-tuning.json"), "rb") as f:
        first = f.read()
    record = json.loads(first)
    assert record["files"] == ["unit-0001-tuning.svg"]
    assert record["params"]["kind"] == "tuning" and record["params"]["unit"] == 1
    assert [c["name"] for c in record["curves"]] == ["angle", "frequency", "hue", "curvature"]
    assert [c["unit"] for c in record["curves"]] == [
        "degrees",
        "cycles/pixel",
        "degrees",
        "1/pixels",
    ]
    with open(os.path.join(results_dir, "unit-0001-tuning.svg"), encoding="utf-8") as f:
        svg = f.read()
    assert len(parse_svg(svg).findall(f".//{SVG}polyline")) == 4
    assert tuning.write_layer_tuning(model, model_dir, "edges", "edges", [0, 1]) == 0
    os.remove(os.path.join(results_dir, "unit-0001-tuning.svg"))  # a missing file: redone
    assert tuning.write_layer_tuning(model, model_dir, "edges", "edges", [0, 1]) == 1
    with open(os.path.join(results_dir, "unit-0001-tuning.json"), "rb") as f:
        assert f.read() == first
    with open(os.path.join(results_dir, "unit-0001-tuning.svg"), encoding="utf-8") as f:
        assert f.read() == svg


def test_shapesnet_logits_are_tuned_to_their_classes():
    from lucid.modelzoo.vision_models import ShapesNet

    model = ShapesNet()
    expected = {  # class: (curve, peak); "/" diagonal stripes rise to the right: 45 degrees
        "vertical_stripes": ("angle", 90),
        "horizontal_stripes": ("angle", 0),
        "diagonal_stripes": ("angle", 45),
        "antidiagonal_stripes": ("angle", 135),
        "red_blob": ("hue", 0),
        "green_blob": ("hue", 120),
        "blue_blob": ("hue", 240),
    }
    units = [model.labels.index(label) for label in expected]
    curves = tuning.layer_tuning_curves(model, "logits", units)
    for unit, (name, value) in zip(units, expected.values()):
        assert peak(curves[unit], name) == value, model.labels[unit]
