"""Building an atlas of the hand-weighted ToyModel: results, dataset examples, skipping, errors."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from lucid import cli
from lucid.microscope import build
from lucid.microscope import dataset_examples
from lucid.microscope import jobs
from lucid.microscope import models
from lucid.optvis import batch
from tests.microscope.conftest import read_tree
from tests.microscope.conftest import toy_build_argv
from tests.toy_models import ToyModel


def _record(atlas, layer, stem):
    with open(os.path.join(atlas, "ToyModel", layer, "img", stem + ".json")) as f:
        return json.load(f)


def test_build_writes_every_kind_of_result_with_its_parameters(reference_atlas):
    atlas = reference_atlas
    for unit in range(3):
        for kind in ("channel", "neuron", "negative", "diverse", "examples", "scores"):
            record = _record(atlas, "color", f"unit-{unit:04d}-{kind}")
            assert record["params"]["unit"] == unit
            assert record["params"]["kind"] == kind
            assert record["params"]["model"] == "ToyModel"
            for name in record["files"]:
                with Image.open(os.path.join(atlas, "ToyModel", "color", "img", name)) as image:
                    image.load()
            # Renders say how long they took, outside the parameters resuming compares.
            if kind in ("channel", "neuron", "negative", "diverse"):
                assert record["timing"]["seconds"] >= 0
                assert "timing" not in record["params"]
        scores = _record(atlas, "color", f"unit-{unit:04d}-scores")["scores"]
        assert set(scores) == {"activation_ratio", "stability", "diversity"}
        assert not os.path.exists(
            os.path.join(atlas, "ToyModel", "color", "img", f"unit-{unit:04d}-alpha.json")
        )  # alpha renders only with --alpha
        channel = _record(atlas, "color", f"unit-{unit:04d}-channel")["params"]
        assert {k: channel[k] for k in ("steps", "size", "seed")} == {
            "steps": 4,
            "size": 24,
            "seed": 0,
        }
        assert len(_record(atlas, "color", f"unit-{unit:04d}-diverse")["files"]) == 2
        assert os.path.isfile(os.path.join(atlas, "ToyModel", "color", f"unit-{unit:04d}.html"))
    # The dense layer has no neuron visualization; its diversity is measured at the closest
    # spatial layer declared before it.
    assert not os.path.exists(
        os.path.join(atlas, "ToyModel", "logits", "img", "unit-0000-neuron.json")
    )
    diverse = _record(atlas, "logits", "unit-0000-diverse")["params"]
    assert diverse["diversity_layer"] == "stripes"
    assert _record(atlas, "color", "layer-deepdream")["params"]["unit"] is None
    # The analyses of the other modules are wired in: every unit's tuning curves and upstream
    # weights, the model's architecture and the image tours.
    for layer in ("color", "logits"):
        for unit in range(3):
            for kind in ("tuning", "upstream"):
                assert _record(atlas, layer, f"unit-{unit:04d}-{kind}")["params"]["unit"] == unit
    for name in ("architecture.json", "architecture.svg", "images/image-000.json"):
        assert os.path.isfile(os.path.join(atlas, "ToyModel", name)), name
    caricature = _record(atlas, "logits", "layer-caricature")
    assert [pair["caption"] for pair in caricature["pairs"]] == ["blue.png", "vertical.png"]
    assert caricature["files"] == [
        "layer-caricature-image-0.png", "layer-caricature-0.png",
        "layer-caricature-image-1.png", "layer-caricature-1.png",
    ]  # fmt: skip
    with Image.open(
        os.path.join(atlas, "ToyModel", "color", "img", "unit-0000-channel.png")
    ) as image:
        assert image.size == (24, 24)
    info = json.load(open(os.path.join(atlas, "ToyModel", "model.json")))
    assert info["labels"] == ["red", "green", "blue", "vertical", "horizontal"]
    assert [layer["spatial"] for layer in info["layers"]] == [True] * 6 + [False] * 2


def test_rendered_color_channels_show_their_color(reference_atlas):
    # color:k = channel k minus the other two: even after 4 steps channel k dominates.
    for unit in range(3):
        path = os.path.join(
            reference_atlas, "ToyModel", "color", "img", f"unit-{unit:04d}-channel.png"
        )
        pixels = np.asarray(Image.open(path), np.float32).mean(axis=(0, 1))
        assert np.argmax(pixels) == unit, pixels


def test_dataset_examples_rank_images_by_activation(reference_atlas):
    # color:0 (red minus green and blue) is largest on the red image, logits:2 on the blue one.
    # Every other image gives 0 after the ReLU; ties keep the (sorted) file order.
    red = _record(reference_atlas, "color", "unit-0000-examples")
    assert [e["caption"] for e in red["examples"]] == ["red.png", "blue.png"]
    assert [e["activation"] for e in red["examples"]] == [1.0, 0.0]
    assert red["examples"][0]["box"] == [0, 0, 1, 1]  # a 1x1 conv at the first maximum: one pixel
    blue = _record(reference_atlas, "logits", "unit-0002-examples")
    assert blue["examples"][0]["caption"] == "blue.png"
    assert blue["examples"][0]["box"] is None  # dense layer: no region


def test_activating_region_is_the_receptive_field_of_the_best_position(tmp_path):
    # stripes_pre_relu:0 is an 8x8 VALID conv matching vertical stripes of period 4. A patch of
    # such stripes at rows 10..17, cols 4..11 of a flat grey image is matched best by the
    # window at (10, 4); the kernel's weights are cos(2 pi x / 4), zero in columns 1, 3, 5
    # and 7, so the region with non-negligible gradient is rows 10..17, cols 4..10.
    image = np.full((32, 32, 3), 0.5, np.float32)
    wave = 0.5 + 0.5 * np.cos(2 * np.pi * np.arange(8) / 4)
    image[10:18, 4:12] = wave[None, :, None]
    image_set = dataset_examples.ImageSet(
        np.stack([np.full((32, 32, 3), 0.5, np.float32), image]), ("flat", "patch"), "test"
    )
    written = dataset_examples.write_layer_examples(
        ToyModel(), str(tmp_path), "stripes_pre_relu", "stripes_pre_relu", [0], image_set, count=2
    )
    assert written == 1
    with open(tmp_path / "stripes_pre_relu" / "img" / "unit-0000-examples.json") as f:
        record = json.load(f)
    best = record["examples"][0]
    assert best["caption"] == "patch"
    assert best["box"] == [10, 4, 18, 11]
    # 8 rows x 4 columns with weight 1/64 * mean over RGB of a 0.5 cosine amplitude: 0.5 * 32 / 64.
    assert best["activation"] == pytest.approx(0.25, abs=1e-5)
    highlighted = np.asarray(Image.open(tmp_path / "stripes_pre_relu" / "img" / record["files"][0]))
    assert highlighted.shape == (128, 128, 3)  # upscaled 4x
    assert highlighted[0, 0].max() < 0.5 * 255  # outside the region: dimmed


def test_dataset_examples_of_a_one_channel_model_see_grey_images(tmp_path):
    # GreyModel's ``grey`` doubles its one-channel input: fed grey versions of the RGB
    # pictures, the brightest picture's activation is twice its luma (0.2989 R + ...).
    from tests.test_cli import GreyModel

    red, white = np.zeros((32, 32, 3), np.float32), np.ones((32, 32, 3), np.float32)
    red[..., 0] = 1.0
    image_set = dataset_examples.ImageSet(np.stack([red, white]), ("red", "white"), "test")
    written = dataset_examples.write_layer_examples(
        GreyModel(), str(tmp_path), "grey", "grey", [0], image_set, count=2
    )
    assert written == 1
    with open(tmp_path / "grey" / "img" / "unit-0000-examples.json") as f:
        examples = json.load(f)["examples"]
    assert [e["caption"] for e in examples] == ["white", "red"]
    assert [e["activation"] for e in examples] == pytest.approx([2.0, 2 * 0.2989], abs=1e-3)


def test_dataset_examples_of_other_channel_counts_say_what_to_do(tmp_path):
    from tests.test_cli import GreyModel

    class FourChannels(GreyModel):
        image_shape = [32, 32, 4]

    image_set = dataset_examples.ImageSet(np.ones((1, 32, 32, 3), np.float32), ("a",), "test")
    with pytest.raises(ValueError, match="4-channel images.*leave out --images"):
        dataset_examples.write_layer_examples(
            FourChannels(), str(tmp_path), "grey", "grey", [0], image_set, count=1
        )


def test_rebuild_skips_finished_results_and_changes_nothing(tmp_path, toy_images, monkeypatch):
    out_dir = tmp_path / "atlas"
    args = toy_build_argv(out_dir, toy_images)
    args[args.index("--layers") + 1 : args.index("--units")] = ["color"]
    args[args.index("--diverse") + 1] = "0"
    assert cli.main(args) == 0
    before = read_tree(out_dir)
    mtimes = {p: os.stat(out_dir / p).st_mtime_ns for p in before}

    def no_rendering(*args, **kwargs):
        raise AssertionError("a finished result was rendered again")

    monkeypatch.setattr(batch, "render_units", no_rendering)
    assert cli.main(args) == 0
    assert read_tree(out_dir) == before
    assert {p: os.stat(out_dir / p).st_mtime_ns for p in before} == mtimes


def test_results_with_other_parameters_are_pending(reference_atlas):
    job = jobs.Job("color", "color", "channel", (0, 1, 2))
    results_dir = os.path.join(reference_atlas, "ToyModel", "color", "img")
    same = jobs.RenderSettings(steps=4, size=24, seed=0, diverse=2)
    assert jobs.pending_units("ToyModel", results_dir, job, same) == []
    for changed in (dict(steps=5), dict(size=32), dict(seed=1)):
        settings = jobs.RenderSettings(**{**same.__dict__, **changed})
        assert jobs.pending_units("ToyModel", results_dir, job, settings) == [0, 1, 2]
    os.rename(
        os.path.join(results_dir, "unit-0001-channel.png"), os.path.join(results_dir, "x.png")
    )
    try:
        assert jobs.pending_units("ToyModel", results_dir, job, same) == [1]
    finally:
        os.rename(
            os.path.join(results_dir, "x.png"), os.path.join(results_dir, "unit-0001-channel.png")
        )


def test_jobs_are_chunked_by_batch_size_and_stable():
    model = ToyModel()
    info = build.describe_model(model)
    layers = build.select_layers(info, ["color", "logits"])
    units = {"color": [0, 1, 2], "logits": [0, 1, 2, 3, 4]}
    settings = jobs.RenderSettings(diverse=2)
    planned = build.plan_jobs(model, info, layers, units, settings, batch_size=2)
    summary = [(job.layer, job.kind, job.units) for job in planned]
    assert summary == [
        ("color", "channel", (0, 1)), ("color", "channel", (2,)),
        ("color", "neuron", (0, 1)), ("color", "neuron", (2,)),
        ("color", "negative", (0, 1)), ("color", "negative", (2,)),
        ("color", "diverse", (0,)), ("color", "diverse", (1,)), ("color", "diverse", (2,)),
        ("color", "deepdream", (0,)),
        ("logits", "channel", (0, 1)), ("logits", "channel", (2, 3)), ("logits", "channel", (4,)),
        ("logits", "negative", (0, 1)), ("logits", "negative", (2, 3)),
        ("logits", "negative", (4,)),
        ("logits", "diverse", (0,)), ("logits", "diverse", (1,)), ("logits", "diverse", (2,)),
        ("logits", "diverse", (3,)), ("logits", "diverse", (4,)),
        ("logits", "deepdream", (0,)),
    ]  # fmt: skip
    assert build.plan_jobs(model, info, layers, units, settings, batch_size=2) == planned
    # Without negatives, with alpha renders (batched as the channels are):
    settings = jobs.RenderSettings(diverse=0, negative=False, alpha=True)
    color = build.plan_jobs(model, info, layers[:1], units, settings, batch_size=2)
    assert [(job.kind, job.units) for job in color] == [
        ("channel", (0, 1)), ("channel", (2,)), ("neuron", (0, 1)), ("neuron", (2,)),
        ("alpha", (0, 1)), ("alpha", (2,)), ("deepdream", (0,)),
    ]  # fmt: skip


def test_parse_units():
    assert build.parse_units("0-3,7") == [0, 1, 2, 3, 7]
    assert build.parse_units(" 5 , 2-2,5") == [2, 5]
    for bad in ("", "a", "3-", "5-2", "1;2", "-1"):
        with pytest.raises(ValueError, match="units="):
            build.parse_units(bad)


def test_bad_selections_say_what_to_do():
    info = build.describe_model(ToyModel())
    with pytest.raises(
        ValueError, match=r"'colour' is not a declared layer.*Close matches: \['color'"
    ):
        build.select_layers(info, ["colour"])
    color = build.select_layers(info, ["color"])[0]
    with pytest.raises(
        ValueError, match=r"units \[3, 9\] are out of range for layer 'color' of depth 3"
    ):
        build.select_units(color, [0, 3, 9], None)
    assert build.select_units(color, None, 2) == [0, 1]
    with pytest.raises(ValueError, match="can't load class 'Nope' from module 'tests.toy_models'"):
        models.resolve_model("tests.toy_models:Nope")


def test_image_sets(tmp_path, toy_images):
    image_set = dataset_examples.load_images(toy_images, 16, 16)
    assert image_set.images.shape == (6, 16, 16, 3)
    assert image_set.captions[0] == "blue.png"  # sorted by path
    np.testing.assert_allclose(image_set.images[0].mean(axis=(0, 1)), [0, 0, 1], atol=1e-6)
    assert dataset_examples.load_images(toy_images, 16, 16).fingerprint == image_set.fingerprint
    assert dataset_examples.load_images(toy_images, 8, 8).fingerprint != image_set.fingerprint
    shapes = dataset_examples.load_images("builtin:shapes:5", 32, 32)
    assert shapes.images.shape == (5, 32, 32, 3)
    with pytest.raises(ValueError, match="unknown built-in image set 'cats'"):
        dataset_examples.load_images("builtin:cats", 32, 32)
    with pytest.raises(ValueError, match="must be a positive integer"):
        dataset_examples.load_images("builtin:shapes:0", 32, 32)
    with pytest.raises(ValueError, match="is not a directory"):
        dataset_examples.load_images(str(tmp_path / "missing"), 32, 32)
    with pytest.raises(ValueError, match="holds no image files"):
        dataset_examples.load_images(str(tmp_path), 32, 32)


def test_cli_user_errors_are_one_line(tmp_path, capsys):
    base = ["microscope", "build", "--model", "tests.toy_models:ToyModel", "--out", str(tmp_path)]
    assert cli.main([*base, "--layers", "colour"]) == 1
    assert cli.main([*base, "--address", "auto"]) == 1
    assert cli.main([*base, "--steps", "0"]) == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("lucid: error: ") for line in errors)
    assert "'colour' is not a declared layer" in errors[0]
    assert "--engine ray" in errors[1]
    assert "--steps must be at least 1" in errors[2]
