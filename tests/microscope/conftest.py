"""Shared fixtures: a tiny atlas of the hand-weighted ToyModel, built once per session.

The reference build is what the resume and Ray tests must reproduce byte for byte.

The browser and Ray tests need extra software (``.ci/install-browser-deps``). Without it they
skip, saying what to install, except under ``LUCID_REQUIRE_ALL_TESTS=1`` (set by ``.ci/run``),
where a missing dependency fails them: CI must not pass by skipping them.
"""

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
