"""Shared fixtures: a tiny atlas of the hand-weighted ToyModel, built once per session.

The reference build is what the resume and Ray tests must reproduce byte for byte.

The browser and Ray tests need extra software (``.ci/install-browser-deps``). Without it they
skip, saying what to install, except under ``LUCID_REQUIRE_ALL_TESTS=1`` (set by ``.ci/run``),
where a missing dependency fails them: CI must not pass by skipping them.
"""

import html
import importlib
import os

import numpy as np
import pytest
from PIL import Image

TOY_SPEC = "tests.toy_models:ToyModel"
# A spatial layer (every kind) and a dense one with labels (no neuron kind); tiny renders.
TOY_BUILD_ARGS = [
    "--model", TOY_SPEC, "--layers", "color", "logits", "--units", "0-2", "--steps", "4",
    "--size", "24", "--diverse", "2", "--examples", "2", "--batch-size", "4", "--quiet",
]  # fmt: skip


# ShapesNet, the bundled model, with the built-in shapes as its dataset: what `lucid microscope
# build --model ShapesNet --images builtin:shapes` does, on two layers and three units.
SHAPES_BUILD_ARGS = [
    "--model", "ShapesNet", "--layers", "conv2", "logits", "--units", "0-2", "--steps", "4",
    "--size", "32", "--diverse", "2", "--examples", "2", "--batch-size", "4", "--quiet",
    "--images", "builtin:shapes:16",
]  # fmt: skip
# Per atlas: (model directory, the first result a build commits, the last one).
ATLAS_MARKERS = {
    "toy": ("ToyModel", "color/img/unit-0000-channel.json", "logits/img/layer-deepdream.json"),
    "shapes": ("ShapesNet", "conv2/img/unit-0000-channel.json", "logits/img/layer-deepdream.json"),
}


def skip_or_fail(reason):
    """Skips the calling test module, or fails it under ``LUCID_REQUIRE_ALL_TESTS=1``."""
    if os.environ.get("LUCID_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"{reason} (LUCID_REQUIRE_ALL_TESTS=1: run .ci/install-browser-deps)")
    pytest.skip(reason, allow_module_level=True)


def import_or_skip(module_name, reason):
    """``importlib.import_module(module_name)``, else :func:`skip_or_fail` with ``reason``."""
    try:
        return importlib.import_module(module_name)
    except ImportError:
        skip_or_fail(reason)


def write_toy_images(directory):
    """Six 32x32 PNGs: red, green, blue, vertical and horizontal stripes (period 4), grey."""
    os.makedirs(directory, exist_ok=True)
    stripes = (0.5 + 0.5 * np.cos(2 * np.pi * np.arange(32) / 4)).astype(np.float32)
    images = {
        "red.png": np.broadcast_to([1.0, 0.0, 0.0], (32, 32, 3)),
        "green.png": np.broadcast_to([0.0, 1.0, 0.0], (32, 32, 3)),
        "blue.png": np.broadcast_to([0.0, 0.0, 1.0], (32, 32, 3)),
        "vertical.png": np.repeat(np.tile(stripes[None, :], (32, 1))[..., None], 3, axis=-1),
        "horizontal.png": np.repeat(np.tile(stripes[:, None], (1, 32))[..., None], 3, axis=-1),
        "grey.png": np.full((32, 32, 3), 0.5),
    }
    for name, pixels in images.items():
        pixels = np.round(np.asarray(pixels) * 255).astype(np.uint8)
        Image.fromarray(pixels, "RGB").save(os.path.join(directory, name))
    return directory


def toy_build_argv(out_dir, images_dir):
    return [
        "microscope",
        "build",
        *TOY_BUILD_ARGS,
        "--images",
        str(images_dir),
        "--out",
        str(out_dir),
    ]


def shapes_build_argv(out_dir):
    return ["microscope", "build", *SHAPES_BUILD_ARGS, "--out", str(out_dir)]


def build_argv(atlas, out_dir, images_dir):
    """The ``lucid`` argv building the ``atlas`` ("toy" or "shapes") into ``out_dir``."""
    if atlas == "toy":
        return toy_build_argv(out_dir, images_dir)
    return shapes_build_argv(out_dir)


def read_tree(root):
    """``{relative path: bytes}`` of every file under ``root``."""
    tree = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                tree[os.path.relpath(path, root)] = f.read()
    return tree


@pytest.fixture(scope="session")
def toy_images(tmp_path_factory):
    return write_toy_images(str(tmp_path_factory.mktemp("toy_images")))


@pytest.fixture(scope="session")
def reference_atlas(tmp_path_factory, toy_images):
    """The toy atlas built in-process, uninterrupted, with the local engine."""
    from lucid import cli

    out_dir = tmp_path_factory.mktemp("reference_atlas")
    assert cli.main(toy_build_argv(out_dir, toy_images)) == 0
    return str(out_dir)


@pytest.fixture(scope="session")
def shapes_reference_atlas(tmp_path_factory):
    """A small ShapesNet atlas built in-process, uninterrupted, with the local engine."""
    from lucid import cli

    out_dir = tmp_path_factory.mktemp("shapes_reference_atlas")
    assert cli.main(shapes_build_argv(out_dir)) == 0
    return str(out_dir)


@pytest.fixture(params=["toy", "shapes"])
def atlas_case(request, toy_images):
    """``(name, argv_for(out_dir), reference atlas directory)`` for the toy and ShapesNet atlases."""
    name = request.param
    fixture = "reference_atlas" if name == "toy" else "shapes_reference_atlas"
    reference = request.getfixturevalue(fixture)
    return name, lambda out_dir: build_argv(name, out_dir, toy_images), reference


# -- a hand-written atlas in the on-disk formats of every result (no build needed) ---------

EVIL_LABEL = "<img src=x onerror=alert(1)>"
SCRIPT_LABEL = "</script><img src=x onerror=alert(2)>"
EVIL_LAYERS = ["mixed4a/conv", "<script>alert('layer')</script>", "../../etc", "index.html", "a_b"]
FAKE_UNITS = (0, 1, 2)
FAKE_TIMING = {"seconds": 0.25}


def _fake_image(size=8, channels=3, shift=0.0):
    pixels = np.linspace(0, 1, size * size * channels).reshape(size, size, channels)
    return (pixels + shift) % 1.0


def _write_json(path, value):
    from lucid.microscope import results

    results.atomic_write(path, results.json_bytes(value))


def fake_model_info():
    """``model.json`` of the fake atlas: hostile layer names, labels and dataset name."""
    from lucid.microscope import layout

    names = EVIL_LAYERS + ["logits"]
    dirs = layout.layer_dirs(names)
    layers = [
        {"name": name, "depth": 3, "tags": ["conv"], "dir": dirs[name], "spatial": True}
        for name in EVIL_LAYERS
    ]
    layers.append(
        {"name": "logits", "depth": 3, "tags": ["dense"], "dir": dirs["logits"], "spatial": False}
    )
    return {
        "name": "Evil<Net>",
        "dataset": "<i>shapes</i>",
        "image_shape": [8, 8, 3],
        "labels": ["cat", EVIL_LABEL, f"dog & <b>bird</b> {SCRIPT_LABEL}"],
        "layers": layers,
    }


def _write_unit(img_dir, layer, unit, upstream, note):
    from lucid.microscope import layout
    from lucid.microscope import results

    params = {"model": "Evil<Net>", "layer": layer["name"], "unit": unit, "steps": 4}
    stem = layout.unit_stem(unit)
    image = _fake_image(shift=0.1 * unit)
    timing = dict(timing=FAKE_TIMING)
    results.write_result(img_dir, f"{stem}-channel", params, {"": image}, **timing)
    results.write_result(img_dir, f"{stem}-negative", params, {"": 1 - image}, **timing)
    if unit == 0:
        results.write_result(img_dir, f"{stem}-alpha", params, {"": image}, **timing)
    results.write_result(
        img_dir, f"{stem}-diverse", params, {"0": image, "1": 1 - image}, **timing
    )  # fmt: skip
    captions = [EVIL_LABEL, "red circle", SCRIPT_LABEL]
    results.write_result(
        img_dir, f"{stem}-examples", params, {"0": image},
        examples=[{"index": 0, "caption": captions[unit], "activation": 1.5, "box": None}],
    )  # fmt: skip
    scores = {"activation_ratio": 2.5 + unit, "stability": 0.75, "diversity": None}
    results.write_result(img_dir, f"{stem}-scores", params, {}, scores=scores)
    results.write_result(img_dir, f"{stem}-upstream", params, {}, upstream=upstream, note=note)
    if layer["spatial"]:
        svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><path d="M0,20 L40,0"/></svg>'
        results.atomic_write(os.path.join(img_dir, f"{stem}-tuning.svg"), svg.encode())
        curves = [{"name": "angle", "unit": "degrees", "x": [0, 90], "y": [1.0, 0.5]}]
        _write_json(
            os.path.join(img_dir, f"{stem}-tuning.json"),
            {"params": params, "files": [f"{stem}-tuning.svg"], "curves": curves},
        )


def fake_architecture_svg(info):
    """An architecture drawing in M3's format, with hostile extras the page must drop."""
    nodes = "".join(
        f'<a href="{layer["dir"]}/index.html" xlink:href="{layer["dir"]}/index.html">'
        f'<g class="node"><title>{html.escape(layer["name"])}</title>'
        f'<rect x="0" y="{40 * i}" width="120" height="30"/>'
        f'<text x="60" y="{40 * i + 20}">{html.escape(layer["name"])}</text></g></a>'
        for i, layer in enumerate(info["layers"])
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 200 {40 * len(info["layers"])}" width="200">'
        f"<g class=\"nodes\">{nodes}</g><script>alert('svg')</script>"
        '<a href="javascript:alert(3)"><text onclick="alert(4)">bad link</text></a>'
        "<foreignObject><div>html</div></foreignObject></svg>"
    )


def write_fake_atlas(out_dir):
    """A one-model atlas on disk as a build leaves it, with every kind of result.

    Layers ``EVIL_LAYERS`` and a dense ``logits``, units 0-2 each: channel, negative, alpha
    (unit 0), diverse, examples, scores, upstream (each unit of layer ``i > 0`` names units 1,
    2 and the unrendered 7 of layer ``i - 1``; the first layer has a note instead), tuning
    (spatial layers), timings; per layer DeepDream and caricatures; the architecture diagram
    and two image tours. Returns ``(model directory, info)``.
    """
    from lucid.microscope import layout
    from lucid.microscope import results

    info = fake_model_info()
    model_dir = os.path.join(out_dir, layout.safe_component(info["name"]))
    _write_json(os.path.join(model_dir, layout.MODEL_JSON), info)
    previous = None
    for layer in info["layers"]:
        img_dir = os.path.join(model_dir, layer["dir"], layout.RESULTS_DIR)
        for unit in FAKE_UNITS:
            if previous is None:
                upstream, note = [], "no direct weights: first conv layer"
            else:
                upstream = [
                    {"layer": previous, "unit": 1, "weight": 0.5},
                    {"layer": previous, "unit": 2, "weight": -0.25},
                    {"layer": previous, "unit": 7, "weight": 0.125},
                ]
                note = None
            _write_unit(img_dir, layer, unit, upstream, note)
        results.write_result(
            img_dir, layout.DEEPDREAM_STEM, {"layer": layer["name"]}, {"": _fake_image()}
        )
        results.write_result(
            img_dir, "layer-caricature", {"layer": layer["name"]},
            {"0-image": _fake_image(), "0-caricature": 1 - _fake_image()},
            pairs=[{"image": "layer-caricature-0-image.png",
                    "caricature": "layer-caricature-0-caricature.png", "caption": SCRIPT_LABEL}],
        )  # fmt: skip
        previous = layer["name"]
    with open(os.path.join(model_dir, "architecture.svg"), "w", encoding="utf-8") as f:
        f.write(fake_architecture_svg(info))
    images_dir = os.path.join(model_dir, "images")
    for index, caption in enumerate(["red circle", EVIL_LABEL]):
        stem = f"image-{index:03d}"
        results.atomic_write(
            os.path.join(images_dir, stem + ".png"), results.png_bytes(_fake_image())
        )
        tour_layers = [
            {"layer": layer["name"], "dir": layer["dir"],
             "units": [{"unit": 2, "activation": 3.0}, {"unit": 9, "activation": 1.0}]}
            for layer in info["layers"]
        ]  # fmt: skip
        _write_json(
            os.path.join(images_dir, stem + ".json"),
            {"caption": caption, "file": stem + ".png", "layers": tour_layers},
        )
    return model_dir, info


@pytest.fixture(scope="session")
def fake_atlas(tmp_path_factory):
    """:func:`write_fake_atlas` with its site generated: ``(directory, model dir, info)``."""
    from lucid.microscope import site

    out_dir = str(tmp_path_factory.mktemp("fake_atlas"))
    model_dir, info = write_fake_atlas(out_dir)
    site.generate_site(out_dir)
    return out_dir, os.path.basename(model_dir), info
