"""The library works in both TensorFlow modes, and leaves global TensorFlow state alone.

Each check of tests/tf_mode_checks.py (render_vis, make_vis_T in the user's own graph,
get_activations, import_graph, render_units, and Lucid notebooks' TF1 patterns B, C, D, F)
runs here in plain TF2 (eager execution on) and in a subprocess after
``tf.disable_v2_behavior()``, which is process-global and cannot be undone in this process.
The ``tensorflow.contrib.slim`` -> ``tf_slim`` check is skipped when tf_slim is not installed.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tensorflow.compat.v1 as tf

from tests import tf_mode_checks

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def v1_results():
    """``{check: "ok" or traceback}`` from one subprocess with v2 behaviour disabled."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    process = subprocess.run(
        [sys.executable, "-m", "tests.tf_mode_checks", "--disable-v2"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stderr[-4000:]
    return json.loads(process.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(tf_mode_checks.CHECKS) + list(tf_mode_checks.V1_ONLY_CHECKS))
def test_with_v2_behaviour_disabled(v1_results, name):
    if v1_results[name].startswith("skipped: "):
        pytest.skip(v1_results[name])
    assert v1_results[name] == "ok", v1_results[name]


@pytest.mark.parametrize("name", list(tf_mode_checks.CHECKS))
def test_in_tf2_eager_mode(name):
    assert tf.executing_eagerly()
    tf_mode_checks.run_check(name)  # also asserts that eager execution is still on, etc.
    assert tf.executing_eagerly()
