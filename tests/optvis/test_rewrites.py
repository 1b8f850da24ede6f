"""lucid.optvis.rewrites: the registry, and the rewrites of the step builder itself.

``relu_schedule`` and ``split_spectrum`` are compared with what they replace on random
inputs; the rewrites of ``rewrites.strided_conv`` and ``rewrites.concat_slice`` have their
own tests in tests/optvis/rewrites/.
"""

import pytest
import tensorflow.compat.v1 as tf

from lucid.optvis import rewrites


def test_resolve_defaults_none_and_names():
    assert rewrites.resolve(None) == frozenset(rewrites.DEFAULT_NAMES)
    assert rewrites.resolve(True) == frozenset(rewrites.DEFAULT_NAMES)
    assert rewrites.resolve(()) == frozenset()
    assert rewrites.resolve(False) == frozenset()
    assert rewrites.resolve(["relu_schedule"]) == {"relu_schedule"}
    assert rewrites.resolve("split_spectrum") == {"split_spectrum"}
    assert set(rewrites.DEFAULT_NAMES) <= set(rewrites.NAMES)


@pytest.mark.parametrize(
    "spec, error, match",
    [
        (["relu_shedule"], ValueError, "unknown name.*relu_shedule.*relu_schedule"),
        (3, TypeError, "rewrites must be None"),
        ([None], TypeError, "names"),
    ],
)
def test_resolve_rejects_what_is_not_a_rewrite(spec, error, match):
    with pytest.raises(error, match=match):
        rewrites.resolve(spec)


def test_enabled_only_in_graphs_the_step_builder_recorded():
    with tf.Graph().as_default() as graph:
        assert not any(rewrites.enabled(name) for name in rewrites.NAMES)
        rewrites.enable_in_graph(["relu_schedule"])
        assert rewrites.enabled("relu_schedule")
        assert not rewrites.enabled("split_spectrum")
        rewrites.enable_in_graph(())  # the latest build decides
        assert not rewrites.enabled("relu_schedule", graph)
    with tf.Graph().as_default():
        assert not rewrites.enabled("relu_schedule", graph)
        with pytest.raises(ValueError, match="unknown rewrite"):
            rewrites.enabled("nope")
