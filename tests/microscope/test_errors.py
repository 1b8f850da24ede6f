"""Microscope mistakes: each says what is wrong and what to do (one line on the command line)."""

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from lucid import cli
from lucid.microscope import build
from lucid.microscope import dataset_examples
from lucid.microscope import models
from tests.microscope.conftest import write_toy_images
from tests.toy_models import ToyModel

REPO_ROOT = Path(__file__).resolve().parents[2]


def one_error_line(capsys):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lucid: error: "), captured.err
    return lines[0]


def test_unknown_model_says_where_to_find_models():
    with pytest.raises(ValueError) as error:
        models.resolve_model("NoSuchNet")
    message = str(error.value)
    assert "nothing close" not in message
    assert "model='NoSuchNet' is not a zoo model" in message
    assert "'lucid models'" in message and "'package.module:ClassName'" in message
    with pytest.raises(ValueError, match="Close matches: ShapesNet"):
        models.resolve_model("ShapeNet")


def test_unreadable_images_are_skipped_with_a_warning_naming_each(tmp_path, caplog):
    directory = write_toy_images(str(tmp_path))
    with open(os.path.join(directory, "red.png"), "rb") as f:
        start = f.read(60)
    (tmp_path / "truncated.png").write_bytes(start)  # a PNG cut short
    (tmp_path / "notes.jpg").write_text("not an image")
    with caplog.at_level(logging.WARNING, logger="lucid.microscope.dataset_examples"):
        image_set = dataset_examples.load_images(directory, 16, 16)
    assert len(image_set.captions) == 6
    assert "truncated.png" not in image_set.captions and "notes.jpg" not in image_set.captions
    warned = [record.getMessage() for record in caplog.records]
    assert len(warned) == 2
    assert any(str(tmp_path / "truncated.png") in message for message in warned)
    assert any(str(tmp_path / "notes.jpg") in message for message in warned)


def test_a_directory_of_unreadable_images_is_one_error(tmp_path):
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "b.jpg").write_text("not an image")
    with pytest.raises(ValueError, match="none of its 2 image files could be read"):
        dataset_examples.load_images(str(tmp_path), 16, 16)


def test_unreadable_images_on_the_command_line(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "x.png").write_text("not an image")
    argv = ["microscope", "build", "--model", "ShapesNet", "--out", "atlas", "--images", "photos"]
    result = subprocess.run(
        [sys.executable, "-m", "lucid", *argv],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [  # nothing else: no TensorFlow banner either
        "Skipping photos/x.png: not a readable image (cannot identify image file 'photos/x.png').",
        "lucid: error: images='photos': none of its 1 image files could be read (e.g. "
        "photos/x.png: cannot identify image file 'photos/x.png'); give a directory of valid "
        "images, or builtin:shapes.",
    ]


def test_out_dir_that_is_a_file(tmp_path, capsys):
    (tmp_path / "atlas").write_text("a file")
    with pytest.raises(ValueError, match="is a file, but the atlas needs a directory"):
        build.build(ToyModel(), str(tmp_path / "atlas"))
    with pytest.raises(ValueError, match="can't create the atlas directory"):
        build.build(ToyModel(), str(tmp_path / "atlas" / "inside"))
    argv = ["microscope", "build", "--model", "tests.toy_models:ToyModel"]
    assert cli.main([*argv, "--out", str(tmp_path / "atlas")]) == 1
    assert f"--out '{tmp_path / 'atlas'}' is a file, but a directory is needed" in one_error_line(
        capsys
    )


def test_port_in_use_names_the_port(tmp_path):
    # In a fresh process: serving never imports TensorFlow.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys\nfrom lucid.cli import main\nstatus = main(sys.argv[1:])\n"
                "print('tensorflow' in sys.modules)\nsys.exit(status)\n",
                *["microscope", "serve", str(tmp_path), "--port", str(port)],
            ],
            env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1, result.stderr
    assert result.stdout == "False\n"
    assert result.stderr.splitlines() == [
        f"lucid: error: port {port} on 127.0.0.1 is already in use (another server is running "
        f"there); choose another port, e.g. --port {port + 1}, or --port 0 for any free one."
    ]


def test_a_one_channel_model_is_described():
    from tests.test_cli import GreyModel

    info = build.describe_model(_declared(GreyModel()))
    assert info["image_shape"] == [32, 32, 1]
    assert [layer["spatial"] for layer in info["layers"]] == [True]


def _declared(model):
    from lucid.modelzoo.vision_base import Layer

    model.layers = [Layer(model, "grey", 1, ("conv",))]
    return model
