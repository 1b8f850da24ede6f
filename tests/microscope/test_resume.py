"""A build killed at any point resumes to the same site, byte for byte, with no leftovers."""

import os
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

from lucid import cli
from lucid.microscope import layout
from lucid.microscope import results
from tests.microscope.conftest import ATLAS_MARKERS
from tests.microscope.conftest import read_tree
from tests.microscope.conftest import toy_build_argv
from tests.microscope.timings import differences

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _check_no_corruption(out_dir):
    """Every file with a final name is whole: PNGs decode; no JSON is half written."""
    for relative, data in read_tree(out_dir).items():
        name = os.path.basename(relative)
        if layout.is_temp_file(name):
            continue
        if name.endswith(".png"):
            with Image.open(os.path.join(out_dir, relative)) as image:
                image.load()
        elif name.endswith(".json"):
            assert data.endswith(b"}\n"), relative


def _assert_same_site(out_dir, reference):
    """The same files with the same bytes, but for the seconds each render took."""
    tree = read_tree(out_dir)
    assert not [p for p in tree if layout.is_temp_file(os.path.basename(p))]
    assert sorted(tree) == sorted(read_tree(reference))
    different = differences(tree, read_tree(reference))
    assert not different, different


@pytest.mark.slow  # a build in a subprocess (TensorFlow import included)
def test_sigkilled_build_resumes_to_the_same_site(tmp_path, atlas_case):
    atlas, argv_for, reference_atlas = atlas_case
    model_dir, first_result, last_result = ATLAS_MARKERS[atlas]
    out_dir = tmp_path / "atlas"
    command = [sys.executable, "-m", "lucid", *argv_for(out_dir)]
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3")
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        # Kill it as soon as the first render job has committed a result: mid-build.
        deadline = time.monotonic() + 240
        marker = out_dir / model_dir / first_result
        while not marker.exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the build never committed a result"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    interrupted = read_tree(out_dir)
    assert not os.path.exists(out_dir / model_dir / last_result)
    assert len(interrupted) < len(read_tree(reference_atlas))
    _check_no_corruption(out_dir)

    assert cli.main(argv_for(out_dir)) == 0
    _assert_same_site(out_dir, reference_atlas)


class _Crash(BaseException):
    """Stands for the process dying: nothing in the build catches it."""


@pytest.mark.parametrize("crash_at", [5, 25])
def test_build_crashed_mid_write_resumes_to_the_same_site(
    tmp_path, toy_images, reference_atlas, monkeypatch, crash_at
):
    # Crash on the `crash_at`-th atomic write (5: among the dataset examples, 25: inside a
    # render job), leaving a half-written temporary file as a killed process would.
    out_dir = tmp_path / "atlas"
    real_atomic_write = results.atomic_write
    calls = []

    def crashing_atomic_write(path, data):
        calls.append(path)
        if len(calls) == crash_at:
            directory, name = os.path.split(path)
            with open(os.path.join(directory, f".{name}{layout.TEMP_MARKER}crash"), "wb") as f:
                f.write(data[: len(data) // 2])
            raise _Crash
        real_atomic_write(path, data)

    monkeypatch.setattr(results, "atomic_write", crashing_atomic_write)
    with pytest.raises(_Crash):
        cli.main(toy_build_argv(out_dir, toy_images))
    _check_no_corruption(out_dir)
    monkeypatch.setattr(results, "atomic_write", real_atomic_write)

    assert cli.main(toy_build_argv(out_dir, toy_images)) == 0
    _assert_same_site(out_dir, reference_atlas)


def test_only_the_measured_seconds_are_ignored():
    record = {"params": {"steps": 4}, "timing": {"seconds": 1.5}, "files": ["a.png"]}
    api = {"timings": {"channel": 1.5}, "scores": {"stability": 0.5}}
    page = b"<tr><td>channel</td><td>steps=4</td><td>1.5 s</td></tr>"
    reference = {"r.json": results.json_bytes(record), "api.json": results.json_bytes(api),
                 "u.html": page}  # fmt: skip
    slower = {
        "r.json": results.json_bytes(dict(record, timing={"seconds": 9.25})),
        "api.json": results.json_bytes(dict(api, timings={"channel": 9.25})),
        "u.html": page.replace(b"1.5 s", b"9.25 s"),
    }
    assert differences(slower, reference) == []
    changed = {
        "r.json": results.json_bytes(dict(record, params={"steps": 5})),
        "api.json": results.json_bytes(dict(api, scores={"stability": 0.25})),
        "u.html": page.replace(b"steps=4", b"steps=5"),
    }
    assert differences(changed, reference) == ["api.json", "r.json", "u.html"]
