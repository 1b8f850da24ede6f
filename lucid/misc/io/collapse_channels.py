"""Collapse an array with any number of channels into an RGB image, one hue per channel."""

import math

import numpy as np

# Unit vectors of the six primary and secondary hues, 60 degrees apart, starting at red.
_HUES = np.array(
    [[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1], [1, 0, 1]], dtype=np.float64
)
_HUES /= np.linalg.norm(_HUES, axis=1, keepdims=True)


def hue_to_rgb(ang: float, warp: bool = True) -> np.ndarray:
    """Returns the unit-length RGB vector of the hue at angle `ang` (degrees; 0 is red).

    The hue interpolates linearly between the nearest of six hues (red, yellow, green,
    cyan, blue, magenta), then is normalized to length 1.

    Args:
      ang: hue angle in degrees (any real number; taken modulo 360).
      warp: if True, the interpolation weight `d` is bent with a sine towards the secondary
        hues (yellow, cyan, magenta), which makes evenly spaced angles easier to tell apart.

    Returns:
      `[3]` float array with unit norm.
    """
    ang = ang - 360 * (ang // 360)
    sector_width = 360 / len(_HUES)
    n = math.floor(ang / sector_width)
    d = (ang - n * sector_width) / sector_width
    if warp:
        if n % 2 == 0:
            d = math.sin(d * math.pi / 2)
        else:
            d = 1 - math.sin((1 - d) * math.pi / 2)
    v = (1 - d) * _HUES[n] + d * _HUES[(n + 1) % len(_HUES)]
    return v / np.linalg.norm(v)


def sparse_channels_to_rgb(X: np.ndarray) -> np.ndarray:
    """Colors each of K non-negative channels with its own hue and sums them into RGB.

    Channel i gets the hue at ``360 * i / K`` degrees. Where several channels are active,
    their overlap (sum minus max) is added as white, and each pixel's RGB vector is rescaled
    to the L2 norm of its channel vector, so brightness tracks activation strength.

    Args:
      X: `[..., K]` array with all values >= 0.

    Returns:
      `[..., 3]` float array (not clipped; values are >= 0).
    """
    X = np.asarray(X, dtype=np.float64)
    if (X < 0).any():
        raise ValueError(
            f"sparse_channels_to_rgb needs non-negative values; got a minimum of {X.min()}. "
            f"Use collapse_channels, which splits negative values into their own channels."
        )
    K = X.shape[-1]
    rgb = np.zeros(X.shape[:-1] + (3,))
    for i in range(K):
        rgb += X[..., i, None] * hue_to_rgb(360 * i / K)
    rgb += (X.sum(-1) - X.max(-1))[..., None]
    rgb /= 1e-4 + np.linalg.norm(rgb, axis=-1, keepdims=True)
    rgb *= np.linalg.norm(X, axis=-1, keepdims=True)
    return rgb


def collapse_channels(X: np.ndarray) -> np.ndarray:
    """Maps a `[..., K]` array to `[..., 3]` RGB, one hue per channel.

    If any value is negative, the channels are first split into ``max(0, X)`` and
    ``max(0, -X)`` (2K channels), so positive and negative parts get distinct hues.
    """
    X = np.asarray(X)
    if (X < 0).any():
        X = np.concatenate([np.maximum(0, X), np.maximum(0, -X)], axis=-1)
    return sparse_channels_to_rgb(X)
