"""What may be fed to a model: its declared value range, and the image arrays given to it.

Lucid images are RGB floats in `[0, 1]`; ``Model.create_input`` maps them linearly into
the model's ``image_value_range``. Two things can silently ruin that mapping, and both are
checked here, once, for every caller:

* a value range that is inverted or empty (``(1, 0)``, ``(0, 0)``): the map flips or
  flattens every image, and renders still "work" (:func:`check_value_range`);
* image arrays that are not floats in `[0, 1]`: ``uint8`` photos in `0..255` fed as floats
  reach the model 255 times too bright, and a NaN anywhere spreads through a whole batch
  (:func:`as_unit_images`).
"""

from typing import Optional
from typing import Sequence

import numpy as np

_UINT8_MAX = 255
_CHECK_CHUNK = 256  # images checked at once: bounds the temporary arrays of a large dataset
_RANGE_EXAMPLES = "(0, 1), (0, 255) or (-1, 1)"


def check_value_range(
    image_value_range, channels: Optional[int] = None, model_name: str = "the model"
) -> tuple:
    """Checks a model's ``image_value_range`` and returns it as a ``(low, high)`` tuple.

    Args:
      image_value_range: ``(low, high)``, the values the model was trained on for Lucid's
        0 and 1; each a finite scalar or one value per channel (in the model's channel
        order), with ``low < high`` everywhere.
      channels: the model's channel count, if known (per-channel bounds must match it).
      model_name: named in the error, e.g. the model's name or the path it was loaded from.

    Returns:
      ``(low, high)`` as given (scalars or arrays), so the caller keeps its own types.

    Raises:
      ValueError: the range is not a pair of finite numbers or per-channel arrays, or some
        ``low >= high`` (an inverted range flips every image, an empty one makes it flat).
    """
    problem = _range_problem(image_value_range, channels)
    if problem:
        raise ValueError(
            f"{model_name}: image_value_range must be (low, high) with low < high, finite "
            f"scalars or one value per channel, in the units the model was trained on, e.g. "
            f"{_RANGE_EXAMPLES}; got {image_value_range!r} ({problem}). Set the model's "
            "image_value_range (class attribute or metadata) to the range of its training images."
        )
    return tuple(image_value_range)


def _range_problem(image_value_range, channels):
    if isinstance(image_value_range, (str, bytes)) or not isinstance(
        image_value_range, (Sequence, np.ndarray)
    ):
        return "not a pair"
    if len(image_value_range) != 2:
        return f"{len(image_value_range)} values instead of 2"
    try:
        low, high = (np.asarray(bound, np.float64) for bound in image_value_range)
    except (TypeError, ValueError):
        return "bounds that are not numbers"
    for bound in (low, high):
        if bound.ndim > 1 or bound.size not in (1, channels or bound.size):
            return f"a bound of shape {bound.shape}; expected a scalar or [{channels or 'c'}]"
    if low.size != high.size and 1 not in (low.size, high.size):
        return f"bounds of {low.size} and {high.size} values"
    if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
        return "a bound that is NaN or infinite"
    low, high = np.broadcast_arrays(np.atleast_1d(low), np.atleast_1d(high))
    bad = np.flatnonzero(low >= high)
    if len(bad) == 0:
        return None
    at = f"channel {bad[0]}: " if low.size > 1 else ""
    return f"{at}low {float(low[bad[0]])} >= high {float(high[bad[0]])}"


def check_images(images: np.ndarray, indices: Optional[Sequence] = None) -> None:
    """Raises a clear error unless ``images`` are floats in `[0, 1]` or integers in `0..255`.

    Checks in chunks and copies nothing, so a large dataset can be checked up front,
    before hours of evaluation. :func:`as_unit_images` checks and converts.

    Args:
      images: `[N, h, w, c]` array.
      indices: what to call each image in an error (default: its position, ``(i,)``).

    Raises:
      TypeError: ``images`` is not a numeric (integer or float) array (e.g. bool or str).
      ValueError: integers outside `0..255`, or NaN or infinite values; the message says
        how many images and which.
    """
    images = np.asarray(images)
    if indices is None:
        indices = [(i,) for i in range(len(images))]
    if np.issubdtype(images.dtype, np.integer):
        outside = _which(images, lambda flat: (flat < 0) | (flat > _UINT8_MAX), indices)
        if outside:
            raise ValueError(
                f"integer images must hold values in 0..{_UINT8_MAX} (they are divided by "
                f"{_UINT8_MAX}); {len(outside)} of {len(images)} images do not, at "
                f"{_first(outside)} (values from {images.min()} to {images.max()}). Scale them "
                "to 0..255, or pass floats in [0, 1]."
            )
        return
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(
            f"images must be numeric arrays: floats in [0, 1] or integers in 0..{_UINT8_MAX}; "
            f"got dtype {images.dtype}. Convert them, e.g. images.astype(np.float32)."
        )
    not_finite = _which(images, lambda flat: ~np.isfinite(flat), indices)
    if not_finite:
        raise ValueError(
            f"{len(not_finite)} of {len(images)} images contain NaN or infinite values, at "
            f"{_first(not_finite)}. Remove or repair them (e.g. np.nan_to_num) first."
        )


def as_unit_images(images: np.ndarray, indices: Optional[Sequence] = None) -> np.ndarray:
    """Checks `[N, h, w, c]` images (see :func:`check_images`) and returns float32 in `[0, 1]`.

    Integer images (e.g. ``uint8`` photos) hold `0..255` and are divided by 255; float
    images are taken to be in `[0, 1]` already.

    Args:
      images: `[N, h, w, c]` numbers: floats in `[0, 1]`, or integers in `0..255`.
      indices: what to call each image in an error (default: its position, ``(i,)``).

    Returns:
      `[N, h, w, c]` float32 array in `[0, 1]`.

    Raises:
      TypeError, ValueError: as :func:`check_images`.
    """
    images = np.asarray(images)
    check_images(images, indices)
    if np.issubdtype(images.dtype, np.integer):
        return images.astype(np.float32) / np.float32(_UINT8_MAX)
    return images.astype(np.float32)


def _which(images, is_bad, indices):
    """The indices of the images with any value for which ``is_bad`` holds (in chunks)."""
    bad = []
    for start in range(0, len(images), _CHECK_CHUNK):
        chunk = images[start : start + _CHECK_CHUNK]
        flags = is_bad(chunk.reshape(len(chunk), -1)).any(axis=1) if chunk.size else []
        bad.extend(tuple(indices[start + i]) for i in np.flatnonzero(flags))
    return bad


def _first(indices, shown=10):
    return f"{indices[:shown]}{' ...' if len(indices) > shown else ''}"
