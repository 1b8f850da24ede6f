"""README.md: its two first commands are the ones CI and a new user run, and they work.

The main command's ``lucid ...`` part runs here for real on ShapesNet (with fewer steps), and
the test command is the one ``.ci/run`` extracts. Images and relative links must exist.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _block_after(marker):
    """The first fenced code block after ``<!-- marker -->``, as one string."""
    match = re.search(rf"<!-- {marker} -->\s*```\w*\n(.*?)```", README, re.DOTALL)
    assert match, f"README.md has no code block after <!-- {marker} -->"
    return match.group(1).strip()


def test_readme_starts_with_the_main_command_then_the_test_command():
    main_at = README.index("<!-- main-command -->")
    test_at = README.index("<!-- test-command -->")
    first_section = README.find("\n## ")
    assert main_at < test_at < first_section
    assert _block_after("main-command").startswith("pip install -e . && lucid render")
    assert _block_after("test-command") == 'pip install -e ".[test]" && python -m pytest -q'


def test_ci_runs_the_readme_test_command():
    ci_run = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in ci_run if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == _block_after("test-command"), ".ci/run must end with README's command"


def test_the_main_command_renders_a_png_offline(tmp_path):
    install, lucid_command = _block_after("main-command").split(" && ", 1)
    assert install == "pip install -e ."
    argv = shlex.split(lucid_command)
    assert argv[:2] == ["lucid", "render"]
    out = argv[argv.index("--out") + 1]
    env = {**os.environ, "LUCID_OFFLINE": "1", "LUCID_CACHE_DIR": str(tmp_path / "cache")}
    # `python -m lucid` is the console script's entry point; fewer steps keep this quick.
    result = subprocess.run(
        [sys.executable, "-m", "lucid", *argv[1:], "--steps", "16", "--quiet"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    pixels = np.asarray(Image.open(tmp_path / out))
    assert pixels.shape == (128, 128, 3)
    assert pixels.std() > 10, "the render is flat"


def test_readme_images_and_relative_links_exist():
    targets = re.findall(r"\]\(([^)#\s]+)\)", README)
    local = [target for target in targets if "://" not in target]
    assert any(target.endswith(".png") for target in local), "README.md shows no picture"
    missing = [target for target in local if not (REPO / target).exists()]
    assert not missing, f"README.md links to missing files: {missing}"
