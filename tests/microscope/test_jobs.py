"""Render kinds (negative, alpha, caricature), precision, timings and the build's switches."""

import json

import numpy as np
import pytest
from PIL import Image

from lucid import cli
from lucid.microscope import build
from lucid.microscope import caricatures
from lucid.microscope import cli as microscope_cli
from lucid.microscope import jobs
from lucid.microscope.dataset_examples import ImageSet
from lucid.optvis import batch
from lucid.optvis import precision
from lucid.optvis import render
from tests.microscope.conftest import read_tree
from tests.toy_models import ToyModel

SETTINGS = jobs.RenderSettings(steps=24, size=16, diverse=0)


@pytest.fixture(scope="module")
def model():
    return ToyModel()


def _run(model, tmp_path, kind, units, layer="color_pre_relu", settings=SETTINGS):
    job = jobs.Job(layer, layer, kind, tuple(units))
    written = jobs.run_job(model, str(tmp_path), job, settings)
    results_dir = tmp_path / layer / "img"
    records = {}
    for unit in units:
        with open(results_dir / f"unit-{unit:04d}-{kind}.json") as f:
            records[unit] = json.load(f)
    return written, results_dir, records


def _mean_rgb(path):
    with Image.open(path) as image:
        return np.asarray(image, np.float32).mean(axis=(0, 1)) / 255


def test_negative_renders_turn_the_unit_off(model, tmp_path):
    # color_pre_relu:k is channel k minus the other two: minimised, colour k is the weakest.
    written, results_dir, records = _run(model, tmp_path, "negative", [0, 1, 2])
    assert written == 3
    for unit, record in records.items():
        assert record["params"]["kind"] == "negative"
        assert record["files"] == [f"unit-{unit:04d}-negative.png"]
        assert np.argmin(_mean_rgb(results_dir / record["files"][0])) == unit
        assert record["timing"]["seconds"] > 0


def test_alpha_renders_are_rgba_and_batched(model, tmp_path):
    written, results_dir, records = _run(model, tmp_path, "alpha", [0, 2])
    assert written == 2
    for unit, record in records.items():
        with Image.open(results_dir / record["files"][0]) as image:
            assert image.mode == "RGBA" and image.size == (16, 16)
            pixels = np.asarray(image, np.float32) / 255
        # The visible colour is the unit's colour.
        rgb = (pixels[..., :3] * pixels[..., 3:]).mean(axis=(0, 1))
        assert np.argmax(rgb) == unit, rgb
    # A job's images depend only on its units: rendering it again gives the same bytes.
    again = tmp_path / "again"
    _run(model, again, "alpha", [0, 2])

    def pngs(directory):
        return {name: data for name, data in read_tree(directory).items() if name.endswith(".png")}

    assert pngs(again / "color_pre_relu" / "img") == pngs(results_dir)


def test_caricatures_are_deterministic_and_resumable(model, tmp_path):
    red, blue = np.zeros((32, 32, 3), np.float32), np.zeros((32, 32, 3), np.float32)
    red[..., 0], blue[..., 2] = 1.0, 1.0
    image_set = ImageSet(np.stack([red, blue]), ("red <b>", "blue"), "fp")
    settings = jobs.RenderSettings(steps=24, caricature=2)
    trees = []
    for name in ("one", "two"):
        out = tmp_path / name
        assert (
            caricatures.write_layer_caricature(
                model, str(out), "color", "color", image_set, settings
            )
            == 1
        )
        trees.append({k: v for k, v in read_tree(out).items() if k.endswith(".png")})
    assert trees[0] == trees[1]  # same seeds, same images
    results_dir = tmp_path / "one" / "color" / "img"
    with open(results_dir / "layer-caricature.json") as f:
        record = json.load(f)
    assert [pair["caption"] for pair in record["pairs"]] == ["red <b>", "blue"]
    # The caricature of the red picture at the colour detectors is red, of the blue one blue.
    assert np.argmax(_mean_rgb(results_dir / record["pairs"][0]["caricature"])) == 0
    assert np.argmax(_mean_rgb(results_dir / record["pairs"][1]["caricature"])) == 2
    np.testing.assert_allclose(_mean_rgb(results_dir / record["pairs"][0]["image"]), [1, 0, 0])
    assert record["timing"]["seconds"] > 0 and "timing" not in record["params"]
    # Done: not rendered again; other settings are.
    assert (
        caricatures.write_layer_caricature(
            model, str(tmp_path / "one"), "color", "color", image_set, settings
        )
        == 0
    )
    assert caricatures.chosen_images(6, 2) == [0, 5]
    assert caricatures.chosen_images(2, 4) == [0, 1]


def test_precision_is_recorded_only_when_not_float32():
    job = jobs.Job("color", "color", "channel", (0,))
    plain = jobs.result_params("ToyModel", job, 0, jobs.RenderSettings())
    assert "precision" not in plain  # atlases built before precision existed stay done
    bf16 = jobs.result_params("ToyModel", job, 0, jobs.RenderSettings(precision="bfloat16"))
    assert bf16 == dict(plain, precision="bfloat16")
    with pytest.raises(ValueError, match="precision must be one of"):
        jobs.RenderSettings(precision="float16")
    assert microscope_cli.PRECISIONS is precision.PRECISIONS  # one definition, TF-free


def test_precision_reaches_every_renderer(model, tmp_path, monkeypatch):
    seen = []
    real_render_units, real_make_vis_T = batch.render_units, render.make_vis_T

    def render_units(*args, **kwargs):
        seen.append(("render_units", kwargs.get("precision", "float32")))
        return real_render_units(*args, **kwargs)

    def make_vis_T(*args, **kwargs):
        seen.append(("make_vis_T", kwargs.get("precision", "float32")))
        return real_make_vis_T(*args, **kwargs)

    monkeypatch.setattr(batch, "render_units", render_units)
    monkeypatch.setattr(render, "make_vis_T", make_vis_T)
    settings = jobs.RenderSettings(steps=2, size=16, diverse=2, precision="bfloat16")
    for kind in ("channel", "negative", "diverse", "alpha"):
        _, _, records = _run(model, tmp_path, kind, [0], settings=settings)
        assert records[0]["params"]["precision"] == "bfloat16"
    assert seen == [("render_units", "bfloat16")] * 3 + [("make_vis_T", "bfloat16")]
    with pytest.raises(ValueError, match="caricature must be an int >= 0"):
        jobs.RenderSettings(caricature=-1)


def test_a_bfloat16_build_without_support_records_float32(tmp_path, monkeypatch):
    # The params say what produced the images: where bfloat16 falls back, float32.
    monkeypatch.setattr(precision, "cpu_supports_bfloat16", lambda: False)
    monkeypatch.setattr(precision, "gpu_supports_mixed_precision", lambda: False)
    settings = jobs.RenderSettings(steps=2, size=16, diverse=0, caricature=0, precision="bfloat16")
    build.build(
        ToyModel(), str(tmp_path), layers=["color"], units=[0], settings=settings, batch_size=1,
        progress=False, analyses=build.Analyses(architecture=False, upstream=False, tuning=False),
    )  # fmt: skip
    with open(tmp_path / "ToyModel" / "color" / "img" / "unit-0000-channel.json") as f:
        assert "precision" not in json.load(f)["params"]


def test_build_reports_seconds_per_view(tmp_path):
    settings = jobs.RenderSettings(steps=2, size=16, diverse=0, caricature=0)
    report = build.build(
        ToyModel(), str(tmp_path), layers=["color"], units=[0], settings=settings,
        batch_size=1, progress=False,
    )  # fmt: skip
    assert list(report.seconds) == [
        "architecture", "channel", "neuron", "negative", "deepdream", "scores", "tuning",
        "upstream", "site",
    ]  # fmt: skip
    assert all(seconds >= 0 for seconds in report.seconds.values())
    again = build.build(
        ToyModel(), str(tmp_path), layers=["color"], units=[0], settings=settings,
        batch_size=1, progress=False, analyses=build.Analyses(architecture=False, upstream=False, tuning=False),
    )  # fmt: skip
    assert again.jobs_run == 0
    assert list(again.seconds) == ["scores", "site"]  # nothing rendered, nothing to score
    summary = microscope_cli.seconds_summary({"channel": 1.25, "upstream": 0.042, "site": 0.5})
    assert summary == "seconds per view: channel 1.2, upstream 0.04, site 0.5 (total 1.8)."


def test_cli_switches_reach_the_build(tmp_path, monkeypatch, capsys):
    calls = []

    def fake_build(*args, **kwargs):
        calls.append(kwargs)
        return build.BuildReport(0, 0, 0, 1, str(tmp_path), {"channel": 2.0, "site": 1.0})

    monkeypatch.setattr(build, "build", fake_build)
    base = ["microscope", "build", "--model", "tests.toy_models:ToyModel", "--out", str(tmp_path)]
    assert cli.main([*base, "--steps", "4096", "--quiet"]) == 0
    settings, analyses = calls[0]["settings"], calls[0]["analyses"]
    assert (settings.steps, settings.negative, settings.alpha) == (4096, True, False)
    assert (settings.caricature, settings.precision) == (2, "float32")
    assert analyses == build.Analyses()
    assert "seconds per view: channel 2.0, site 1.0 (total 3.0)." in capsys.readouterr().out
    argv = [*base, "--no-negative", "--alpha", "--caricature", "0", "--no-scores", "--no-tuning",
            "--no-upstream", "--no-architecture", "--no-image-tours", "--quiet"]  # fmt: skip
    assert cli.main(argv) == 0
    settings, analyses = calls[1]["settings"], calls[1]["analyses"]
    assert (settings.negative, settings.alpha, settings.caricature) == (False, True, 0)
    off = dict(scores=False, tuning=False, upstream=False, architecture=False, image_tours=False)
    assert analyses == build.Analyses(**off)
    assert cli.main([*base, "--caricature", "-1"]) == 1
    assert "--caricature must be 0 or more" in capsys.readouterr().err
    assert cli.main([*base, "--precision", "bfloat16", "--quiet"]) == 0
    assert calls[2]["settings"].precision == "bfloat16"
    with pytest.raises(SystemExit):  # argparse: not a choice
        cli.main([*base, "--precision", "float16"])
    assert "invalid choice: 'float16'" in capsys.readouterr().err


def test_alpha_needs_an_rgb_model(tmp_path):
    from tests.microscope.test_errors import _declared
    from tests.test_cli import GreyModel

    with pytest.raises(ValueError, match="alpha renders need an RGB model.*without --alpha"):
        build.build(_declared(GreyModel()), str(tmp_path), settings=jobs.RenderSettings(alpha=True),
                    progress=False)  # fmt: skip
