"""The Ray engine on a local Ray cluster started by the test: the same atlas as the local engine."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from lucid import cli
from lucid.microscope import engines
from tests.microscope.conftest import import_or_skip
from tests.microscope.conftest import read_tree
from tests.microscope.timings import differences

pytestmark = pytest.mark.slow  # a Ray cluster / a browser: a minute or two

ray = import_or_skip("ray", "the Ray engine needs ray (pip install ray)")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_cluster():
    """``ray start --head --block`` in its own process group; yields the cluster's address."""
    ray_bin = shutil.which("ray") or os.path.join(os.path.dirname(sys.executable), "ray")
    # Ray's socket paths must stay short: a temp dir right under /tmp.
    temp_dir = tempfile.mkdtemp(prefix="ray", dir="/tmp")
    port = _free_port()
    address = f"127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="3", RAY_USAGE_STATS_ENABLED="0")
    log = open(os.path.join(temp_dir, "ray-start.log"), "wb")
    process = subprocess.Popen(
        [
            ray_bin, "start", "--head", "--block", f"--port={port}", "--node-ip-address=127.0.0.1",
            "--num-cpus=2", "--num-gpus=0", "--include-dashboard=false",
            "--object-store-memory=100000000", f"--temp-dir={temp_dir}", "--disable-usage-stats",
        ],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, open(log.name).read()
            probe = subprocess.run(
                [ray_bin, "status", f"--address={address}"], env=env, capture_output=True
            )
            if probe.returncode == 0:
                break
            assert time.monotonic() < deadline, open(log.name).read()
            time.sleep(1)
        yield address
    finally:
        # Stop what this test started, by process group: SIGINT lets `ray start --block`
        # shut its processes down; whatever is left of the group is then killed.
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)


def test_ray_engine_builds_the_same_atlas_as_the_local_engine(
    tmp_path, atlas_case, ray_cluster, capsys
):
    _, argv_for, reference_atlas = atlas_case
    out_dir = tmp_path / "atlas"
    argv = argv_for(out_dir) + ["--engine", "ray", "--address", ray_cluster]
    capsys.readouterr()
    assert cli.main(argv) == 0
    # The tasks' seconds come back to the driver, per kind.
    summary = capsys.readouterr().out.splitlines()[-1]
    assert summary.startswith("seconds per view: ") and ", channel " in summary, summary
    assert not ray.is_initialized()  # the engine disconnects when it connected itself
    tree, reference = read_tree(out_dir), read_tree(reference_atlas)
    assert sorted(tree) == sorted(reference)
    # Same unit seeds and the same batches: the same PNG bytes, not just close images; the
    # JSON and pages differ only in the seconds measured.
    assert [p for p in reference if p.endswith(".png") and tree[p] != reference[p]] == []
    assert differences(tree, reference) == []


def test_ray_task_errors_reach_the_driver(tmp_path, ray_cluster):
    from lucid.microscope import jobs

    engine = engines.RayEngine(address=ray_cluster)
    bad_job = jobs.Job("color", "color", "sparkles", (0,))
    with pytest.raises(ValueError, match="Job.kind must be one of"):
        engine.run("tests.toy_models:ToyModel", str(tmp_path), [bad_job], jobs.RenderSettings())


def test_missing_ray_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match="pip install ray"):
        engines.get_engine("ray")
