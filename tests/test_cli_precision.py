"""``lucid render --precision``: documented, checked before TensorFlow, passed to render_vis."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lucid import cli
from lucid.cli import render
from lucid.optvis import precision

REPO_ROOT = Path(__file__).resolve().parents[1]
TOY = "tests.toy_models:ToyModel"


def toy_render(*argv):
    return cli.main(["render", "--model", TOY, "--steps", "3", "--size", "32", *map(str, argv)])


def test_cli_choices_are_the_librarys_and_need_no_tensorflow():
    assert render.PRECISIONS is precision.PRECISIONS
    # The command lines check --precision before TensorFlow is imported.
    code = (
        "import sys; import lucid.optvis.precision_names as p; "
        "assert p.PRECISIONS == ('float32', 'bfloat16'); "
        "assert 'tensorflow' not in sys.modules, 'precision_names imported TensorFlow'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def test_help_documents_precision(capsys):
    with pytest.raises(SystemExit):
        cli.main(["render", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--precision P" in text
    assert "float32 (default), or bfloat16" in text
    assert "AVX512-BF16" in text


@pytest.mark.parametrize(
    "flags, expected",
    [
        ((), "float32"),
        (("--precision", "float32"), "float32"),
        (("--precision", "bfloat16"), "bfloat16"),
    ],
    ids=["default", "float32", "bfloat16"],
)
def test_precision_reaches_render_vis_and_the_image_is_written(
    tmp_path, monkeypatch, flags, expected
):
    seen = []
    render_module = render_vis_module()
    real_render_vis = render_module.render_vis

    def recording_render_vis(*args, **kwargs):
        seen.append(kwargs.get("precision"))
        return real_render_vis(*args, **kwargs)

    monkeypatch.setattr(render_module, "render_vis", recording_render_vis)
    out = tmp_path / "unit.png"
    assert toy_render("color:0", *flags, "--out", out, "--quiet") == 0
    assert seen == [expected]
    assert out.stat().st_size > 0


def test_unknown_precision_is_a_usage_error_before_tensorflow_is_imported(tmp_path):
    script = (
        "import sys\n"
        "from lucid.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "finally:\n"
        "    print('tensorflow' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "render", "--precision", "fp16"],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == "False\n"  # TensorFlow was never imported
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("lucid: error: argument --precision: must be one of float32, ")
    assert "got 'fp16'. Use e.g. --precision bfloat16" in lines[0]


def render_vis_module():
    from lucid.optvis import render as render_module

    return render_module
