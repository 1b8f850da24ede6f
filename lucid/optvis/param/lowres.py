"""Tensors parameterised by a lower-resolution variable, bilinearly upsampled.

Also holds the small argument checks shared by the parameterisation modules (this is the
lowest module of the package that needs them, so ``spatial``, ``images`` and ``random``
can import them without a cycle).
"""

import math
import numbers
import os
from typing import Optional
from typing import Sequence
from typing import Tuple

import tensorflow.compat.v1 as tf

from lucid.optvis.param.resize_bilinear_nd import resize_bilinear_nd

DEFAULT_SD = 0.01
# Bytes per image value while optimising: float32 parameters, their gradient, Adam's two
# slots, the image, the transforms' copies and NumPy's float64 frequency grid, rounded up.
BYTES_PER_IMAGE_VALUE = 32
# Used when the machine's memory cannot be read (not Linux or macOS).
FALLBACK_MEMORY_LIMIT_BYTES = 16 * 2**30


def memory_limit_bytes() -> int:
    """The memory an image may need: this machine's physical memory.

    ``os.sysconf`` where it is available; otherwise ``FALLBACK_MEMORY_LIMIT_BYTES`` (16 GiB).
    """
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return FALLBACK_MEMORY_LIMIT_BYTES


def check_image_memory(shape: Sequence[int], what: str) -> None:
    """Raises a one-line ValueError when an image of ``shape`` cannot fit in memory.

    The estimate is ``BYTES_PER_IMAGE_VALUE`` (32) bytes per value of ``shape``, compared
    with :func:`memory_limit_bytes`; the model's own activations come on top. This catches
    sizes such as ``param.image(100000)`` before NumPy or TensorFlow try to allocate them.

    Args:
      shape: the image's shape, e.g. ``[batch, h, w, channels]`` (positive ints).
      what: the call, named in the message, e.g. ``"param.image(w=100000)"``.
    """
    needed = math.prod(int(d) for d in shape) * BYTES_PER_IMAGE_VALUE
    limit = memory_limit_bytes()
    if needed > limit:
        raise ValueError(
            f"{what}: an image of shape {list(shape)} needs about {needed / 1e9:.3g} GB to "
            f"optimise, more than the {limit / 1e9:.3g} GB of memory of this machine. Use a "
            "smaller size or batch (feature visualizations are usually 128 to 512 pixels)."
        )


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _as_positive_int(name: str, value) -> int:
    """Returns ``value`` as an int, or raises a readable error if it is not a positive int."""
    if not _is_int(value):
        raise TypeError(f"{name} must be a positive int; got {value!r} ({type(value).__name__}).")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int; got {name}={value}.")
    return int(value)


def _as_shape(name: str, shape, rank: Optional[int] = None) -> Tuple[int, ...]:
    """Returns ``shape`` as a tuple of positive ints, checking its rank if ``rank`` is given."""
    example = "(1, 128, 128, 3)" if rank in (None, 4) else str(tuple([8] * rank))
    try:
        dims = tuple(tf.compat.dimension_value(d) for d in shape)  # also TF1 Dimensions
    except TypeError:
        raise TypeError(
            f"{name} must be a sequence of positive ints such as {example}; got {shape!r}."
        ) from None
    if not all(_is_int(d) and d > 0 for d in dims):
        raise ValueError(
            f"{name} must contain only positive ints, e.g. {example}; got {name}={shape!r}."
        )
    if rank is not None and len(dims) != rank:
        raise ValueError(
            f"{name} must have {rank} entries; got {name}={shape!r} with {len(dims)}. "
            + ("Images use [batch, height, width, channels]." if rank == 4 else "")
        )
    return tuple(int(d) for d in dims)


def _as_sd(sd) -> float:
    """Returns the initial standard deviation: ``DEFAULT_SD`` for None, else a number >= 0."""
    if sd is None:
        return DEFAULT_SD
    if not isinstance(sd, numbers.Real) or isinstance(sd, bool):
        raise TypeError(f"sd must be a non-negative number or None; got sd={sd!r}.")
    if sd < 0:
        raise ValueError(f"sd must be a non-negative number or None; got sd={sd}.")
    return float(sd)


def _offsets(offset, shape, underlying_shape):
    """Normalises ``offset`` (see ``lowres_tensor``) to one non-negative int per dimension."""
    if isinstance(offset, (list, tuple)):
        if len(offset) != len(shape):
            raise ValueError(
                f"offset={offset!r} has {len(offset)} entries but shape={shape} has "
                f"{len(shape)}; give one offset per dimension, or a single value."
            )
        offsets = list(offset)  # copy: Lucid mutated the caller's list
    else:
        offsets = len(shape) * [offset]
    result = []
    for n, value in enumerate(offsets):
        if value is True:
            value = shape[n] / underlying_shape[n] / 2
        elif value is False or value is None:
            value = 0
        elif not isinstance(value, numbers.Real):
            raise TypeError(f"offset entries must be numbers or bools; got offset={offset!r}.")
        value = int(value)
        if not 0 <= value <= shape[n]:
            raise ValueError(
                f"offset {value} for dimension {n} is outside [0, {shape[n]}] (shape={shape}); "
                "offsets shift by symmetric padding, so they must be between 0 and the size."
            )
        result.append(value)
    return result


def lowres_tensor(
    shape: Sequence[int],
    underlying_shape: Sequence[int],
    offset=None,
    sd: Optional[float] = None,
):
    """A tensor parameterised by a lower-resolution variable, bilinearly interpolated.

    Like one level of a Laplacian pyramid, but more general: any dimension can be
    upsampled. The variable is trainable and drawn from ``N(0, sd)`` with TensorFlow's
    random ops, so ``tf.set_random_seed`` makes it reproducible.

    Args:
      shape: desired shape of the result (positive ints).
      underlying_shape: shape of the variable being resized; same rank as ``shape``.
      offset: shifts the interpolated tensor (like a phase). None or False: no shift. A
        number: the same shift on every dimension. A list/tuple: one entry per dimension.
        True (overall or as an entry): half the ratio ``shape / underlying_shape``. Shifting
        pads symmetrically at the start and crops back to ``shape``.
      sd: standard deviation of the initial variable (default 0.01).

    Returns:
      A float32 tensor of ``shape``.
    """
    shape = _as_shape("shape", shape)
    underlying_shape = _as_shape("underlying_shape", underlying_shape)
    if len(shape) != len(underlying_shape):
        raise ValueError(
            f"underlying_shape={underlying_shape} and shape={shape} must have the same rank."
        )
    sd = _as_sd(sd)
    check_image_memory(shape, f"lowres_tensor(shape={list(shape)})")
    underlying_t = tf.Variable(tf.random_normal(underlying_shape, stddev=sd), dtype=tf.float32)
    t = resize_bilinear_nd(underlying_t, shape)
    if offset is not None:
        offsets = _offsets(offset, shape, underlying_shape)
        t = tf.pad(t, [(pad, 0) for pad in offsets], "SYMMETRIC")
        t = tf.slice(t, len(shape) * [0], shape)
    return t
