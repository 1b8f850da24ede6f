"""Helpers of ``lucid.optvis.render``: argument checks, determinism, progress and naming.

Kept apart so ``render.py`` reads as the render loop and its graph builders.
"""

import collections
import contextlib
import logging
import re

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.modelzoo import nets_factory
from lucid.optvis.objectives_util import POSITION_ERROR
from lucid.optvis.objectives_util import sum_to_scalar

log = logging.getLogger(__name__)

# A run shows a progress bar (when not printing verbosely) once it has taken this many seconds.
PROGRESS_DELAY_SECONDS = 2.0
# The image size used when the model's image_shape does not give one (Lucid's default).
DEFAULT_IMAGE_SIZE = 128
DEFAULT_CHANNELS = 3


def resolve_model(model):
    """``model`` itself, or the zoo model a name such as ``"ShapesNet"`` refers to.

    Names are looked up as ``lucid.modelzoo.nets_factory.get_model`` does.

    Raises:
      ValueError: an unknown name (the message lists close matches).
      TypeError: ``model`` is neither a Model (an object with ``import_graph``) nor a str.
    """
    if isinstance(model, str):
        return nets_factory.get_model(model)
    if not callable(getattr(model, "import_graph", None)):
        raise TypeError(
            "model must be a lucid.modelzoo Model or a zoo name such as 'InceptionV1' "
            f"(see lucid.modelzoo.nets_factory.models_map); got {type(model).__name__}: "
            f"{model!r:.80}. For a Keras model use Model.from_keras(model, image_value_range=...)."
        )
    return model


def default_image_shape(model) -> tuple:
    """``(height, width, channels)`` of the default image for ``model``.

    Taken from ``model.image_shape`` where it is known, so that 1-channel, RGBA or other
    N-channel models and non-square ones get an image they accept; otherwise Lucid's
    128 x 128 RGB.
    """
    shape = list(getattr(model, "image_shape", None) or [None, None, None])
    if len(shape) != 3:
        shape = [None, None, None]
    height, width, channels = (tf.compat.dimension_value(d) for d in shape)
    height = height or width or DEFAULT_IMAGE_SIZE
    return int(height), int(width or height), int(channels or DEFAULT_CHANNELS)


def eager_value_message(param_f, example: str) -> str:
    """The error for a ``param_f`` that is an eager tensor or variable: it was called."""
    kind = "variable" if "Variable" in type(param_f).__name__ else "tensor"
    return (
        f"param_f must be a callable that builds the image, such as {example}; got an eager "
        f"{kind} of shape {tuple(param_f.shape)}, so the function was called before the "
        "graph it belongs in existed. Pass the function, not its result."
    )


def is_eager(value) -> bool:
    """Whether ``value`` is an eager tensor or variable (one that belongs to no graph)."""
    if not tf.is_tensor(value):
        return False
    try:
        value.graph  # noqa: B018 (eager tensors raise on .graph)
    except AttributeError:
        return True
    return getattr(value, "graph", None) is None


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
    repeated = sorted(
        t for t, n in collections.Counter(int(t) for t in thresholds).items() if n > 1
    )
    if repeated:
        # One image per distinct step: a repeat would silently return fewer images.
        raise ValueError(
            f"thresholds={thresholds!r} repeats step(s) {repeated}; one image is recorded "
            "per step, so the result would have fewer images than thresholds. Remove the "
            "duplicates."
        )
    return sorted(int(t) for t in thresholds)


def run_step(sess, fetches, step: int, caller: str = "render_vis"):
    """``sess.run(fetches)`` for optimisation step ``step``, with readable graph errors.

    ``caller`` names the function in the messages.

    Raises:
      FloatingPointError: the objective became NaN or infinite.
      ValueError: a neuron position is outside its layer at this step.
    """
    try:
        return sess.run(fetches)
    except tf.errors.InvalidArgumentError as e:
        if "objective is not finite" in e.message:
            raise FloatingPointError(
                f"{caller} stopped at step {step}: the objective became NaN or infinite. "
                "Lower the optimizer's learning rate, add a regulariser, or check the objective "
                "(e.g. a log or division of activations that can reach 0)."
            ) from None
        if POSITION_ERROR in e.message:
            raise ValueError(f"{caller} stopped at step {step}: {_position_message(e)}") from None
        raise


def _position_message(error) -> str:
    """The message of a failed position assertion (``checked_position``), made readable."""
    lines = [line for line in error.message.splitlines() if POSITION_ERROR in line]
    # TensorFlow escapes the quotes of the assertion's message.
    line = lines[0].replace("\\'", "'") if lines else error.message
    parts = re.findall(r"\[([^\[\]]*)\]", line)
    if len(parts) < 3:
        return line
    text, height, width = parts[:3]
    return (
        f"{text} ({height}, {width}). Positions count from 0: pass x below the height and y "
        "below the width (the transforms change the size by a few pixels), or None for the "
        "centre."
    )


def session_config() -> tf.ConfigProto:
    """The session options of every render: soft placement, GPU memory grown as needed."""
    config = tf.ConfigProto(allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    return config


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
