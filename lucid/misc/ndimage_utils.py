"""NumPy image helpers: resizing, compositing and alpha blending."""

import numbers

import numpy as np
from scipy import ndimage


def resize(image, target_size=None, ratios=None, **kwargs):
    """Resizes a `[h, w, c]` or `[n, h, w, c]` array with ``scipy.ndimage.zoom``.

    Args:
      image: rank-3 or rank-4 array; the two axes before the channel axis are resized.
      target_size: an int (square output) or `(height, width)`. Lucid's docstring said
        `(width, height)`, but its code always used the first value for rows; so does this.
      ratios: instead of `target_size`, the scale factors `(height_ratio, width_ratio)` or a
        single number for both.
      **kwargs: passed to ``scipy.ndimage.zoom`` (e.g. ``order=1``).

    Returns:
      The resized array; `image` itself when the size would not change.
    """
    image = np.asarray(image)
    if image.ndim not in (3, 4):
        raise ValueError(f"image must be [h, w, c] or [n, h, w, c]; got shape {image.shape}.")
    original_size = tuple(image.shape[-3:-1])
    if target_size is None:
        if ratios is None:
            raise ValueError("Pass target_size (int or (height, width)) or ratios; got neither.")
        if isinstance(ratios, numbers.Number):
            ratios = (ratios, ratios)
        ratios = tuple(ratios)
        if all(ratio == 1 for ratio in ratios):
            return image
    else:
        if isinstance(target_size, numbers.Integral):
            target_size = (target_size, target_size)
        if not isinstance(target_size, (list, tuple, np.ndarray)) or len(target_size) != 2:
            raise ValueError(f"target_size must be an int or (height, width); got {target_size!r}.")
        target_size = tuple(int(t) for t in target_size)
        if target_size == original_size:
            return image  # ndimage.zoom would still copy and resample
        ratios = tuple(t / o for t, o in zip(target_size, original_size))
    zoom = [1] * image.ndim
    zoom[-3:-1] = ratios
    resized = ndimage.zoom(image, zoom, **kwargs)
    if target_size is not None:  # rounding inside zoom can overshoot by a pixel
        resized = resized[..., : target_size[0], : target_size[1], :]
    return resized


def composite(
    background_image,
    foreground_image,
    foreground_width_ratio=0.25,
    foreground_position=(0.0, 0.0),
):
    """Pastes a square-resized copy of `foreground_image` onto `background_image`.

    Args:
      background_image: `[h, w, c]` array (not modified).
      foreground_image: `[h2, w2, c]` array; resized to a square of side
        ``int(foreground_width_ratio * w)``.
      foreground_width_ratio: foreground side as a fraction of the background width; 0 or
        less returns the background unchanged.
      foreground_position: `(y, x)` in `[0, 1]`: 0 is the top/left edge, 1 the bottom/right.

    Returns:
      A new `[h, w, c]` array.
    """
    if foreground_width_ratio <= 0:
        return background_image
    result = background_image.copy()
    width = int(foreground_width_ratio * background_image.shape[1])
    foreground = resize(foreground_image, width)
    height, width = foreground.shape[:2]
    y = int(foreground_position[0] * (background_image.shape[0] - height))
    x = int(foreground_position[1] * (background_image.shape[1] - width))
    result[y : y + height, x : x + width] = foreground
    return result


def soft_alpha_blend(image_with_alpha, amount_background=0.333, gamma=2.2):
    """Flattens an RGBA image onto a light background that faintly echoes the image itself.

    The background is ``amount_background * rgb + (1 - amount_background) * white``, and the
    image is blended over it in gamma-linearized space:
    ``(alpha * rgb**gamma + (1 - alpha) * background**gamma) ** (1 / gamma)``.

    Args:
      image_with_alpha: `[..., 4]` array in `[0, 1]`, RGB then alpha.
      amount_background: how much of the image's colour tints the background.
      gamma: display gamma used for blending.

    Returns:
      `[..., 3]` array in `[0, 1]`.
    """
    image_with_alpha = np.asarray(image_with_alpha)
    if image_with_alpha.shape[-1] != 4:
        raise ValueError(
            f"image_with_alpha must have 4 channels (RGBA) in its last axis; got shape "
            f"{image_with_alpha.shape}."
        )
    rgb, alpha = image_with_alpha[..., :3], image_with_alpha[..., 3:]
    background = amount_background * rgb + (1 - amount_background) * np.ones_like(rgb)
    linear = alpha * np.power(rgb, gamma) + (1 - alpha) * np.power(background, gamma)
    return np.power(linear, 1 / gamma)
