"""Helpers of ``lucid.optvis.render``: argument checks, determinism, progress and naming.

Kept apart so ``render.py`` reads as the render loop and its graph builders.
"""

import contextlib
import logging

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis.objectives_util import sum_to_scalar

log = logging.getLogger(__name__)

# A run shows a progress bar (when not printing verbosely) once it has taken this many seconds.
PROGRESS_DELAY_SECONDS = 2.0


def describe(objective_f) -> str:
    """A readable name for an Objective or a plain callable objective."""
    for attribute in ("description", "name", "__name__"):
        value = getattr(objective_f, attribute, None)
        if value:
            return value
    return repr(objective_f)


def scalar_loss(value, objective_f) -> tf.Tensor:
    """The objective's value as a float32 scalar; a non-scalar value is summed, as in Lucid.

    Args:
      value: what ``objective_f(T)`` returned (a tensor, number or list).
      objective_f: the objective, named in the INFO message logged when summing.

    Returns:
      A float32 tensor of shape ``[]``.
    """
    loss = tf.convert_to_tensor(sum_to_scalar(value, describe(objective_f)))
    return tf.reshape(tf.cast(loss, tf.float32), [])


def check_thresholds(thresholds) -> list:
    """``thresholds`` (an int or a sequence of steps) as a sorted list of distinct ints."""
    if isinstance(thresholds, (int, np.integer)):
        thresholds = (thresholds,)
    try:
        thresholds = tuple(thresholds)
    except TypeError:
        raise TypeError(
            f"thresholds must be a sequence of step numbers, e.g. (512,); got {thresholds!r}."
        ) from None
    if not thresholds or any(
        not isinstance(t, (int, np.integer)) or isinstance(t, bool) or t < 0 for t in thresholds
    ):
        raise ValueError(
            "thresholds must be a non-empty sequence of non-negative integer steps, e.g. "
            f"(64, 256, 512); got {thresholds!r}."
        )
    return sorted(set(int(t) for t in thresholds))


@contextlib.contextmanager
def deterministic_ops():
    """Enables TensorFlow's deterministic kernels for the duration, then restores the setting."""
    from tensorflow.python.framework import config as tf_config

    was_enabled = tf_config.is_op_determinism_enabled()
    if not was_enabled:
        tf_config.enable_op_determinism()
    try:
        yield
    finally:
        if not was_enabled:
            tf_config.disable_op_determinism()


def progress_bar(total: int, progress, verbose: bool):
    """A tqdm bar: forced on/off by ``progress``, else shown on long non-verbose runs."""
    from tqdm.auto import tqdm

    enabled = (not verbose) if progress is None else bool(progress)
    delay = PROGRESS_DELAY_SECONDS if progress is None else 0
    return tqdm(total=total, desc="render_vis", unit="step", disable=not enabled, delay=delay)
