"""The ``lucid`` command line (lucid/cli/), run in-process through ``main(argv)``.

Renders use the hand-weighted ToyModel (tests/toy_models.py), given as
``--model tests.toy_models:ToyModel``, with a few steps on small images; ShapesNet tests
use the bundled model. Subprocesses prove ``python -m lucid`` itself, that mistakes are
reported before TensorFlow is imported, and that Ctrl-C exits with 130.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lucid import cli
from lucid.cli import app
from lucid.cli import checks
from lucid.cli import models
from lucid.cli import render
from lucid.misc.io import reading
from lucid.modelzoo import nets_factory
from lucid.modelzoo import vision_models
from tests.toy_models import ToyModel

REPO_ROOT = Path(__file__).resolve().parents[1]


TOY = "tests.toy_models:ToyModel"


@pytest.fixture
def toy_cli(monkeypatch):
    """The CLI with ToyModel as the default model."""
    monkeypatch.setattr(render, "DEFAULT_MODEL", TOY)


def run(*argv):
    return cli.main([str(arg) for arg in argv])


def toy_render(*argv):
    return run("render", "--model", TOY, "--steps", 3, "--size", 32, *argv)


def image_size(path):
    with Image.open(path) as image:
        return image.size


# -- lucid render ---------------------------------------------------------------------------


def test_render_writes_png_of_requested_size_with_progress(toy_cli, tmp_path, capsys):
    out = tmp_path / "unit.png"
    assert (
        run(
            "render",
            "color_pre_relu:0",
            "--model",
            TOY,
            "--steps",
            4,
            "--size",
            40,
            "--out",
            out,
        )
        == 0
    )
    assert image_size(out) == (40, 40)
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out)
    assert "render_vis" in captured.err and "4/4" in captured.err  # tqdm's bar, on stderr


def test_render_optimises_the_requested_channel(toy_cli, tmp_path):
    # color_pre_relu channel 2 is blue minus the other two colours: its render is blue.
    out = tmp_path / "blue.png"
    assert toy_render("color_pre_relu:2", "--steps", 48, "--seed", 0, "--out", out, "--quiet") == 0
    mean_rgb = np.asarray(Image.open(out), np.float64).mean(axis=(0, 1))
    assert mean_rgb[2] > mean_rgb[0] + 15 and mean_rgb[2] > mean_rgb[1] + 15, mean_rgb


def test_render_defaults_to_showcase_unit_and_model_layer_channel_name(
    toy_cli, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    assert run("render", "--steps", 2, "--size", 16) == 0
    # ToyModel's conv layers: const_pre_relu, const, color_pre_relu, color, stripes_pre_relu,
    # stripes; the middle one is color (depth 3), whose middle channel is 1.
    assert (tmp_path / "ToyModel_color_1.png").is_file()
    assert capsys.readouterr().out.strip() == "ToyModel_color_1.png"


def test_showcase_objective_comes_from_the_table_first():
    assert render.showcase_objective(vision_models.InceptionV1()) == "mixed4a_pre_relu:476"
    assert render.showcase_objective(ToyModel()) == "color:1"


def test_render_batch_writes_a_near_square_grid(toy_cli, tmp_path):
    out = tmp_path / "grid.png"
    assert toy_render("stripes:0", "--batch", 3, "--size", 20, "--out", out, "--quiet") == 0
    # 3 images -> 2 columns x 2 rows of 20 px with 2 px gaps; the fourth cell stays white.
    assert image_size(out) == (42, 42)
    pixels = np.asarray(Image.open(out))
    assert (pixels[:, 20:22] == 255).all() and (pixels[20:22, :] == 255).all()
    assert (pixels[22:, 22:] == 255).all()


def test_quiet_render_prints_nothing(toy_cli, tmp_path, capsys):
    out = tmp_path / "quiet.png"
    assert toy_render("const:0", "--out", out, "--quiet") == 0
    assert out.is_file()
    assert capsys.readouterr() == ("", "")


def test_seed_makes_renders_reproducible(toy_cli, tmp_path):
    paths = [tmp_path / name for name in ("a.png", "b.png", "c.png")]
    for path, seed in zip(paths, (5, 5, 6)):
        assert toy_render("stripes_pre_relu:1", "--seed", seed, "--out", path, "--quiet") == 0
    images = [np.asarray(Image.open(path)) for path in paths]
    np.testing.assert_array_equal(images[0], images[1])
    assert not np.array_equal(images[0], images[2])


def test_diversity_penalty_is_relative_to_the_objective(graph):
    import tensorflow.compat.v1 as tf

    x = tf.constant(2.0)
    combined = render.with_relative_penalty(lambda T: -x * x, lambda T: 3 * x, weight=0.5)
    value = combined(None)
    (gradient,) = tf.gradients(value, [x])
    # -x^2 - 0.5 * |-x^2| * 3x at x = 2: -4 - 0.5 * 4 * 6; |objective| is held constant, so
    # the gradient is -2x - 0.5 * 4 * 3.
    np.testing.assert_allclose(graph.sess.run([value, gradient]), [-16.0, -10.0])


def test_diversity_layer_is_a_conv_layer():
    model = ToyModel()
    assert render.diversity_layer(model, "color_pre_relu") == "color"  # the ReLU, as in Lucid
    assert render.diversity_layer(model, "stripes") == "stripes"
    assert render.diversity_layer(model, "logits") == "stripes"  # dense: the last conv layer


def test_image_grid_layout():
    images = np.arange(5, dtype=np.float32)[:, None, None, None] * np.ones([5, 2, 3, 1]) / 10
    grid = render.image_grid(images, gap=1)
    assert grid.shape == (2 * 2 + 1, 3 * 3 + 2, 1)  # 5 images: 3 columns, 2 rows
    np.testing.assert_allclose(grid[3:5, 4:7, 0], 0.4)  # image 4: row 1, column 1
    np.testing.assert_allclose(grid[2, :, 0], 1.0)  # the gap row
    np.testing.assert_allclose(grid[3:, 8:, 0], 1.0)  # the empty sixth cell
    single = np.zeros([1, 4, 4, 3])
    assert render.image_grid(single).shape == (4, 4, 3)


class GreyModel(ToyModel):
    """A one-channel model: its input is grey, its 1x1 conv ``grey`` doubles it."""

    image_shape = [32, 32, 1]

    def __init__(self):
        import tensorflow.compat.v1 as tf

        with tf.Graph().as_default() as graph:
            t_input = tf.placeholder(tf.float32, [None, None, None, 1], name="input")
            tf.nn.conv2d(t_input, np.full([1, 1, 1, 1], 2.0, np.float32), 1, "SAME", name="grey")
        self._graph_def = graph.as_graph_def()
        self._labels = []
        self.layers = []


def test_render_gives_a_one_channel_model_a_one_channel_image(tmp_path):
    out = tmp_path / "grey.png"
    assert run("render", "grey:0", "--model", "tests.test_cli:GreyModel", "--steps", 3,
               "--size", 32, "--out", out, "--quiet") == 0  # fmt: skip
    with Image.open(out) as image:
        assert image.mode == "L" and image.size == (32, 32)


# -- errors ---------------------------------------------------------------------------------


def assert_one_line_error(capsys, *fragments):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("lucid: error: "), lines[0]
    assert "Traceback" not in captured.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert captured.out == ""


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["ShapeNet"], ["unknown model 'ShapeNet'", "Did you mean ShapesNet", "lucid models"]),
        (
            ["colr:1"],
            ["layer 'colr' is not in ToyModel", "Close matches: color", f"lucid layers {TOY}"],
        ),
        (["color:7"], ["channel 7 is out of range for layer 'color' with depth 3; use 0..2"]),
        (["color"], ["'color' has no ':<channel>' part"]),
        (["color:-1"], ["has channel -1, which is negative: channels count from 0"]),
        (["color:1", "--out", "unit.txt"], ["--out 'unit.txt' must end in one of .png"]),
    ],
    ids=[
        "unknown-model",
        "unknown-layer",
        "channel-out-of-range",
        "bad-objective",
        "negative-channel",
        "bad-extension",
    ],
)
def test_bad_render_input_is_one_line_and_status_1(
    toy_cli, capsys, tmp_path, monkeypatch, argv, fragments
):
    monkeypatch.chdir(tmp_path)
    if argv == ["ShapeNet"]:
        argv = ["--model", "ShapeNet"]
    assert toy_render(*argv) == 1
    assert_one_line_error(capsys, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_output_under_a_file_is_refused_before_rendering(toy_cli, tmp_path, capsys, monkeypatch):
    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered despite an unwritable --out")

    monkeypatch.setattr("lucid.optvis.render.render_vis", must_not_render)
    (tmp_path / "file").write_text("not a directory")
    assert toy_render("color:1", "--out", tmp_path / "file" / "unit.png") == 1
    assert_one_line_error(capsys, "is a file, not a directory")


@pytest.mark.parametrize(
    "option, value, expected",
    [
        ("--steps", 0, "at least 1"),
        ("--steps", "many", "at least 1"),
        ("--size", 8, "from 16 to 2048"),
        ("--size", 100000, "from 16 to 2048; got '100000'"),  # not a numpy MemoryError
        ("--batch", 0, "from 1 to 64"),
        ("--diversity", -1, "at least 0"),
    ],
)
def test_bad_numbers_are_usage_errors(option, value, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run("render", option, value)
    assert exit_info.value.code == 2
    assert_one_line_error(capsys, f"argument {option}: must be a", expected)


def test_unknown_command_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run("paint")
    assert exit_info.value.code == 2
    assert_one_line_error(capsys, "invalid choice: 'paint'")


def test_unexpected_exceptions_keep_their_traceback(toy_cli, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not a user error")

    monkeypatch.setattr("lucid.optvis.render.render_vis", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        toy_render("color:1", "--out", tmp_path / "x.png")


def test_render_output_gets_the_usual_permissions(toy_cli, tmp_path):
    previous = os.umask(0o022)
    try:
        assert toy_render("color:1", "--out", tmp_path / "unit.png") == 0
    finally:
        os.umask(previous)
    assert oct((tmp_path / "unit.png").stat().st_mode & 0o777) == oct(0o644)  # not mkstemp's 0600


# -- lucid models / lucid layers ------------------------------------------------------------


def table_rows(text):
    lines = text.strip().split("\n\n")[0].splitlines()
    return {line.split()[0]: line.split()[1:] for line in lines[1:]}, lines[0].split()


def test_models_lists_the_zoo_with_cached_status(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LUCID_MODELZOO_MIRROR", raising=False)
    # Copied in by hand: no record of where it came from.
    Path(reading.local_cache_path(vision_models.InceptionV1.model_path)).write_bytes(b"pb")
    assert run("models") == 0
    out = capsys.readouterr().out
    rows, header = table_rows(out)
    assert header == ["NAME", "DATASET", "INPUT", "CACHED", "SOURCE"]
    zoo = set(nets_factory.models_map) - {"ShapesNet"}
    assert len(zoo) == 31 and zoo <= set(rows)
    assert len(rows) == 32
    assert rows["InceptionV1"] == ["ImageNet", "224x224x3", "yes*", "unknown"]
    assert rows["AlexNet"] == ["ImageNet", "227x227x3", "no", "-"]
    assert rows["Clip_ResNet50_4x"][-2:] == ["no", "-"]
    assert rows["ShapesNet"][-2:] == ["bundled", "-"]
    assert "* cached from another source than the one configured now" in out
    assert str(tmp_path / "cache") in out


def test_models_shows_where_each_cached_model_came_from(http_server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    relative = vision_models.AlexNet.model_path[len("gs://modelzoo/") :]
    for mirror in ("replicas", "real"):
        (http_server.root / mirror / relative).parent.mkdir(parents=True)
        (http_server.root / mirror / relative).write_bytes(mirror.encode())
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", http_server.url + "replicas")
    reading.fetch_to_cache(vision_models.AlexNet.model_path)
    assert run("models") == 0
    out = capsys.readouterr().out
    rows, _ = table_rows(out)
    assert rows["AlexNet"][-2:] == ["yes", http_server.url + "replicas/" + relative]
    assert "* cached from another source" not in out

    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", http_server.url + "real")
    assert run("models") == 0
    out = capsys.readouterr().out
    rows, _ = table_rows(out)
    assert rows["AlexNet"][-2:] == ["yes*", http_server.url + "replicas/" + relative]
    assert "* cached from another source than the one configured now" in out


def test_models_works_when_the_cache_directory_is_a_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "cache").write_text("not a directory")
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LUCID_MODELZOO_MIRROR", raising=False)
    assert run("models") == 0
    out = capsys.readouterr().out
    rows, _ = table_rows(out)
    assert rows["ShapesNet"][-2:] == ["bundled", "-"]
    assert rows["InceptionV1"][-2:] == ["no", "-"]
    assert (
        f"Cache directory: {tmp_path / 'cache'} (set LUCID_CACHE_DIR to change it); it is a "
        "file, so nothing can be downloaded: point LUCID_CACHE_DIR at a directory"
    ) in out


def test_models_reports_files_in_a_directory_mirror(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", str(tmp_path / "mirror"))
    relative = vision_models.AlexNet.model_path[len("gs://modelzoo/") :]
    mirrored = tmp_path / "mirror" / relative
    mirrored.parent.mkdir(parents=True)
    mirrored.write_bytes(b"pb")
    assert run("models") == 0
    rows, _ = table_rows(capsys.readouterr().out)
    assert rows["AlexNet"][-2:] == ["mirror", str(mirrored)]
    assert rows["InceptionV1"][-2:] == ["no", "-"]


def test_layers_lists_inception_v1_with_depths(capsys):
    assert run("layers", "InceptionV1") == 0
    rows, header = table_rows(capsys.readouterr().out)
    assert header == ["LAYER", "DEPTH", "TAGS"]
    assert len(rows) == 19
    assert rows["mixed4a"] == ["508", "conv"]
    assert rows["softmax2"] == ["1008", "dense"]


def test_layers_accepts_names_in_any_case(capsys):
    assert run("layers", "inceptionv1") == 0
    assert len(table_rows(capsys.readouterr().out)[0]) == 19


def test_layers_of_a_model_given_as_module_and_class(capsys):
    assert run("layers", TOY) == 0
    rows, _ = table_rows(capsys.readouterr().out)
    assert rows["color"] == ["3", "conv"]


def test_layers_of_unknown_model_suggests_names(capsys):
    assert run("layers", "InceptionV5") == 1
    assert_one_line_error(capsys, "unknown model 'InceptionV5'", "InceptionV4_slim")


# -- help and the microscope hook -----------------------------------------------------------


@pytest.mark.parametrize("argv", [[], ["render"], ["models"], ["layers"]])
def test_help_everywhere(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(*argv, "--help")
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: lucid {' '.join(argv)}".rstrip())


def test_no_command_prints_help(capsys):
    assert run() == 2
    assert "render" in capsys.readouterr().out


def test_missing_microscope_module_leaves_the_command_out(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "lucid.microscope", None)  # makes its import fail
    monkeypatch.setitem(sys.modules, "lucid.microscope.cli", None)
    parser, problem = app.build_parser()
    assert problem
    assert "microscope" not in parser.format_help()
    assert run("microscope", "build") == 1
    assert_one_line_error(capsys, "the 'microscope' command is not available")


def test_microscope_registers_through_the_hook(capsys):
    pytest.importorskip("lucid.microscope.cli")
    with pytest.raises(SystemExit) as exit_info:
        run("microscope", "--help")
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: lucid microscope")


# -- ShapesNet, the default model -----------------------------------------------------------


def test_render_defaults_to_shapesnet_showcase(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run("render", "--steps", 4, "--size", 32) == 0
    layer, channel = render.SHOWCASE_OBJECTIVES["ShapesNet"].split(":")
    expected = f"ShapesNet_{layer}_{channel}.png"
    assert capsys.readouterr().out.strip() == expected
    assert image_size(tmp_path / expected) == (32, 32)


def test_shapesnet_showcase_render_shows_its_feature(tmp_path):
    # The showcase unit detects vertical stripes: ShapesNet itself must see them in the render.
    import tensorflow.compat.v1 as tf

    out = tmp_path / "showcase.png"
    assert run("render", "--steps", 64, "--size", 64, "--seed", 0, "--out", out, "--quiet") == 0
    image = np.asarray(Image.open(out), np.float32) / 255
    model = models.load_model("ShapesNet")
    with tf.Graph().as_default(), tf.Session() as sess:
        t_input = tf.placeholder(tf.float32, [None, None, None, 3])
        probabilities = sess.run(model.import_graph(t_input)("softmax"), {t_input: image[None]})
    assert model.labels[probabilities[0].argmax()] == "vertical_stripes"
    assert probabilities[0].max() > 0.9


def test_layers_of_shapesnet(capsys):
    assert run("layers", "ShapesNet") == 0
    rows, _ = table_rows(capsys.readouterr().out)
    showcase_layer, channel = render.SHOWCASE_OBJECTIVES["ShapesNet"].split(":")
    assert int(channel) < int(rows[showcase_layer][0])


# -- the real entry point -------------------------------------------------------------------


def run_module(*argv, cwd):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the CLI must quiet TensorFlow by itself
    return subprocess.run(
        [sys.executable, "-m", "lucid", *map(str, argv)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_python_m_lucid_error_is_exactly_one_line(tmp_path):
    result = run_module("render", "conv9:1", "--model", "NoSuchNet", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "lucid: error: unknown model 'NoSuchNet'. Run 'lucid models' to list all 32, or give "
        "your own as package.module:ClassName."
    ]


def test_python_m_lucid_render_writes_png(tmp_path):
    result = run_module("render", "--steps", 8, "--size", 32, "--out", "X.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "X.png"
    assert image_size(tmp_path / "X.png") == (32, 32)
    assert "render_vis" in result.stderr and "Traceback" not in result.stderr


# -- mistakes are reported before TensorFlow is imported ------------------------------------

_MAIN_THEN_REPORT_TENSORFLOW = (
    "import sys\n"
    "from lucid.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "print('tensorflow' in sys.modules)\n"
    "sys.exit(status)\n"
)


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["render", "--model", "NoSuchNet"], "unknown model 'NoSuchNet'. Run 'lucid models'"),
        (["render", "--model", "no_such_module:Net"], "no module 'no_such_module' can be imported"),
        (["render", "--out", "unit.txt"], "--out 'unit.txt' must end in one of .png"),
        (["render", "--out", "a_file/unit.png"], "a_file' is a file, not a directory"),
        (["layers", "NoSuchNet"], "unknown model 'NoSuchNet'"),
        (
            ["microscope", "build", "--model", "ShapesNet", "--out", "a_file"],
            "--out 'a_file' is a file, but a directory is needed",
        ),
        (
            ["microscope", "build", "--model", "shapesnt", "--out", "atlas"],
            "unknown model 'shapesnt'. Did you mean ShapesNet?",
        ),
    ],
    ids=[
        "unknown-model",
        "missing-module",
        "bad-extension",
        "file-on-the-way",
        "layers-unknown-model",
        "microscope-out-is-a-file",
        "microscope-unknown-model",
    ],
)
def test_mistakes_are_reported_before_tensorflow_is_imported(tmp_path, argv, expected):
    (tmp_path / "a_file").write_text("not a directory")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run(
        [sys.executable, "-c", _MAIN_THEN_REPORT_TENSORFLOW, *argv],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == "False\n"  # TensorFlow was never imported
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lucid: error: "), result.stderr
    assert expected in lines[0]


def test_zoo_names_are_read_without_tensorflow():
    assert checks.zoo_model_names() == list(models.model_classes())  # ShapesNet first
    assert set(checks.zoo_model_names()) == set(nets_factory.models_map)


def test_model_names_are_checked_in_any_case():
    assert checks.check_model_spec("inceptionv1") == "InceptionV1"
    assert checks.check_model_spec(TOY) == TOY
    with pytest.raises(checks.UserError, match="neither a zoo name nor package.module:ClassName"):
        checks.check_model_spec("tests.toy_models:")


# -- Ctrl-C ---------------------------------------------------------------------------------


def test_ctrl_c_saves_the_partial_image_and_exits_130(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    argv = ["render", "--steps", 100000, "--size", 32, "--out", "partial.png"]
    process = subprocess.Popen(
        [sys.executable, "-m", "lucid", *map(str, argv)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # As from a terminal: a shell's background jobs start with Ctrl-C ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    stderr = []
    # tqdm redraws its bar with "\r", so read raw chunks rather than lines.
    reader = threading.Thread(
        target=lambda: stderr.extend(iter(lambda: os.read(process.stderr.fileno(), 4096), b""))
    )
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while not re.search(rb" [1-9][0-9]*/100000", b"".join(stderr)):  # steps are being taken
            assert process.poll() is None, b"".join(stderr).decode()
            assert time.monotonic() < deadline, "no progress within 120 s"
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        stdout = process.stdout.read()
        status = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        reader.join(timeout=10)
    err = b"".join(stderr).decode()
    assert status == 130, err
    assert "lucid: interrupted; the partial image is in partial.png" in err
    assert stdout == b""
    assert image_size(tmp_path / "partial.png") == (32, 32)
