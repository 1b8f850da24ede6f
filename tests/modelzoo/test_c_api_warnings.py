"""The library's graph building triggers no TensorFlow C-API mutation warnings.

TensorFlow logs ``c_api.cc ... Operation '...' was changed by setting attribute after it
was run by a session ... will trigger an error in the future`` when an op that a session
has already run is modified. ``tf.global_variables_initializer()`` modifies every
variable's ``Assign`` (it marks it as a control dependency), so building it after any
``session.run`` on the same graph warns; ``make_vis_T`` used to run the global step's
initializer itself, and every ``render_vis`` printed the line once (22 times in the
tutorial). The check runs in a subprocess because the line comes from C++ at log level 0.
"""

import os
import subprocess
import sys
import textwrap

import pytest

WARNING = "will trigger an error in the future"

SCRIPT = textwrap.dedent(
    """
    import sys

    import numpy as np
    import tensorflow.compat.v1 as tf

    from lucid.modelzoo.vision_models import ShapesNet
    from lucid.optvis import param
    from lucid.optvis import render
    from lucid.recipes import feature_visualization

    def mark(name):
        print("=== " + name, file=sys.stderr, flush=True)

    model = ShapesNet()
    mark("get_activations")
    model.get_activations("conv2", np.random.rand(2, 32, 32, 3))
    mark("render_vis")
    render.render_vis(model, "conv2:3", lambda: param.image(32), thresholds=(1,), verbose=False)
    mark("make_vis_T then global_variables_initializer, as in Lucid's notebooks")
    with tf.Graph().as_default(), tf.Session() as sess:
        T = render.make_vis_T(model, "conv2:3", lambda: param.image(32))
        tf.global_variables_initializer().run()
        sess.run(T("vis_op"))
    mark("feature_visualization.channel")
    feature_visualization.channel(model, "conv2", 3, n_steps=1)
    mark("control: modifying a run op does warn")
    with tf.Graph().as_default(), tf.Session() as sess:
        variable = tf.Variable(1.0)
        sess.run(variable.initializer)
        sess.run(tf.group(variable.initializer))
    mark("done")
    """
)


def _sections(stderr):
    """``{section name: [warning lines]}`` for the ``=== name`` markers the script prints."""
    sections, current = {}, None
    for line in stderr.splitlines():
        if line.startswith("=== "):
            current = line[4:]
            sections[current] = []
        elif WARNING in line and current is not None:
            sections[current].append(line[:300])
    return sections


@pytest.mark.slow  # ~15-25 s: a fresh TensorFlow process and four small renders
def test_rendering_and_activations_log_no_c_api_mutation_warnings():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    sections = _sections(result.stderr)
    assert "done" in sections, result.stderr[-3000:]
    control = sections.pop("control: modifying a run op does warn")
    assert len(control) == 1, "the warning is not visible at this log level; the check is void"
    assert {name: lines for name, lines in sections.items() if lines} == {}
