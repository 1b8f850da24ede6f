"""Turn NumPy arrays into encoded images (PNG, JPEG, ...) and into JavaScript typed arrays."""

import base64
import logging
from io import BytesIO

import numpy as np
import PIL.Image

log = logging.getLogger(__name__)

JS_ARRAY_TYPES = {"int8", "int16", "int32", "uint8", "uint16", "uint32", "float32", "float64"}


def _normalize_array(array, domain=(0, 1)) -> np.ndarray:
    """Converts an image-like array to `uint8` in `[0, 255]`.

    Leading size-1 batch axes and a size-1 channel axis are dropped (so `[1, h, w, 3]` and
    `[h, w, 1]` work). Floating arrays are
    mapped linearly from `domain` to `[0, 255]` and rounded to the nearest integer (Lucid
    truncated); values outside `domain` are clipped. Integer arrays are only clipped (to `domain`, then to `[0, 255]`), never
    rescaled: pass ``domain=None`` or ``(0, 255)`` for `uint8` images.

    Args:
      array: `[h, w]`, `[h, w, c]` (c in 1..4) or `[1, ..., 1, h, w, c]` array of numbers.
      domain: `(low, high)` range of the input values, or None to use the array's min and max.

    Returns:
      A new `uint8` array (the input is never modified).
    """
    array = np.array(array)
    # Drop leading batch axes of size 1 and a single channel axis. (Lucid squeezed every
    # size-1 axis, which turned a one-row [1, w, 3] image into a [w, 3] greyscale one.)
    while array.ndim > 3 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.dtype == bool:
        array = array.astype(np.float32)
    if not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"array must be numeric; got dtype {array.dtype}.")
    if array.ndim not in (2, 3):
        raise ValueError(
            f"array must be an image of shape [h, w] or [h, w, c] (with optional leading "
            f"size-1 axes); got rank {array.ndim} after dropping those, shape {array.shape}."
        )
    if np.issubdtype(array.dtype, np.inexact) and np.isnan(array).any():
        raise ValueError("array contains NaN values, which have no pixel value; remove them first.")
    low, high = np.min(array), np.max(array)
    if domain is None:
        log.debug("No domain given; normalizing from measured range (%.3g, %.3g).", low, high)
        domain = (low, high)
    if low < domain[0] or high > domain[1]:
        log.info("Clipping values in (%.3g, %.3g) to domain (%.3g, %.3g).", low, high, *domain)
        array = array.clip(*domain)
    if np.issubdtype(array.dtype, np.inexact):
        array = array.astype(np.float64) - domain[0]
        if domain[0] != domain[1]:
            array = array * (255 / (domain[1] - domain[0]))
        # Lucid truncated here, so a k/255 image saved and loaded again came back as
        # (k-1)/255 for many k; rounding makes 8-bit round trips exact.
        array = np.rint(array)
    return array.clip(0, 255).astype(np.uint8)


def _serialize_normalized_array(array: np.ndarray, fmt: str = "png", quality: int = 70) -> bytes:
    """Encodes a `uint8` `[h, w]` or `[h, w, c]` array as image bytes in format `fmt`."""
    if array.dtype != np.uint8:
        raise TypeError(f"array must be uint8 (use _normalize_array); got dtype {array.dtype}.")
    image = PIL.Image.fromarray(array)
    if fmt.lower() in ("jpeg", "jpg") and image.mode in ("RGBA", "LA"):
        log.warning("JPEG has no alpha channel; dropping alpha from a %s image.", image.mode)
        image = image.convert(image.mode[:-1] or "L")
    buffer = BytesIO()
    image.save(buffer, "jpeg" if fmt.lower() == "jpg" else fmt, quality=quality)
    return buffer.getvalue()


def serialize_array(array, domain=(0, 1), fmt: str = "png", quality: int = 70) -> bytes:
    """Encodes an image-like array as image bytes.

    Args:
      array: `[h, w]` or `[h, w, c]` (c in 1..4) array; see `_normalize_array`.
      domain: range of the input values (default `(0, 1)`), or None for the array's range.
      fmt: a PIL format name, e.g. ``"png"``, ``"jpeg"``, ``"webp"``.
      quality: 0-100, for lossy formats.

    Returns:
      The encoded image bytes.
    """
    return _serialize_normalized_array(_normalize_array(array, domain=domain), fmt, quality)


def array_to_jsbuffer(array: np.ndarray) -> str:
    """Returns JavaScript code that evaluates to a TypedArray holding a 1-D array's values.

    The data travels as base64, much smaller and faster than a JSON list.

    Raises:
      TypeError: if the array is not 1-D or its dtype is not in `JS_ARRAY_TYPES`.
    """
    if array.ndim != 1:
        raise TypeError(f"Only 1-D arrays convert to a JS TypedArray; got shape {array.shape}.")
    if array.dtype.name not in JS_ARRAY_TYPES:
        raise TypeError(
            f"dtype {array.dtype.name} has no JS TypedArray; use one of {sorted(JS_ARRAY_TYPES)}."
        )
    js_type = array.dtype.name.capitalize() + "Array"
    data = base64.b64encode(
        np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    )
    return (
        "(function() {\n"
        f'  const data = atob("{data.decode("ascii")}");\n'
        "  const buf = new Uint8Array(data.length);\n"
        "  for (let i = 0; i < data.length; ++i) { buf[i] = data.charCodeAt(i); }\n"
        f"  return {js_type} === Uint8Array ? buf : new {js_type}(buf.buffer);\n"
        "})()"
    )
