"""Synthetic stimuli (gratings, colour discs, curves, corners) for probing what units respond to.

Curves and corners are described implicitly ("f-rep"): a function of pixel coordinates
`(x, y)` (centred on the image) that is negative inside the shape and positive outside.
Gratings and discs are computed directly. Every stimulus is `[height, width, 3]` floats in
`[0, 1]`; the ones sampled with jitter take a ``seed`` to be reproducible.
"""

import colorsys
from typing import Optional
from typing import Sequence
from typing import Tuple
from typing import Union

import numpy as np

Size = Union[int, Tuple[int, int]]

_BOUNDARY_SAMPLES = 16


def sample_binary_image(
    size,
    alias_factor=10,
    color_a=(1, 1, 1),
    color_b=(0, 0, 0),
    boundary_line=False,
    boundary_width=1,
    blur_beyond_radius=None,
    fade_beyond_radius=None,
    fade_over_distance=10,
    fade_color=(0.5, 0.5, 0.5),
    seed=None,
    **kwds,
):
    """Returns a renderer that turns an implicit function into an anti-aliased image.

    Usable as a decorator::

        @sample_binary_image(64)
        def disc(x, y):
            return x**2 + y**2 - 20**2   # negative inside

    Args:
      size: image side in pixels.
      alias_factor: number of jittered samples per pixel (see ``seed``).
      color_a: RGB in `[0, 1]` where the function is >= 0 (outside); default white.
      color_b: RGB where it is < 0 (inside), or of the boundary line; default black.
      boundary_line: draw only the boundary between the regions.
      boundary_width: boundary line width in pixels.
      blur_beyond_radius: if set, blur increasingly beyond this distance from the centre.
      fade_beyond_radius: if set, fade to `fade_color` beyond this distance...
      fade_over_distance: ...over this many pixels.
      fade_color: RGB to fade to.
      seed: seed of the jittered sample offsets; None (Lucid's behaviour) draws them from
        the global ``np.random``.
      **kwds: ignored (lets callers pass shared option dicts).

    Returns:
      A function mapping ``E(x, y) -> float array`` (vectorized) to a `[size, size, 3]`
      float array in `[0, 1]`.
    """
    color_a = np.asarray(color_a, dtype=np.float64).reshape([1, 1, 3])
    color_b = np.asarray(color_b, dtype=np.float64).reshape([1, 1, 3])
    fade_color = np.asarray(fade_color, dtype=np.float64).reshape([1, 1, 3])
    coords = np.arange(size) - size // 2
    X, Y = coords[None, :], coords[:, None]
    random = np.random if seed is None else np.random.RandomState(seed)
    alias_offsets = [tuple(random.uniform(-0.5, 0.5, size=2)) for _ in range(alias_factor)]
    angles = 2 * np.pi * np.arange(_BOUNDARY_SAMPLES) / _BOUNDARY_SAMPLES
    boundary_offsets = list(zip(boundary_width * np.cos(angles), boundary_width * np.sin(angles)))

    radius = np.sqrt(X**2 + Y**2)
    offset_scale = 1
    fade = 0
    if blur_beyond_radius is not None:
        offset_scale = 1 + np.maximum(0, radius - blur_beyond_radius)
    if fade_beyond_radius is not None:
        fade = np.maximum(0, radius - fade_beyond_radius) / float(fade_over_distance)
        fade = np.clip(fade, 0, 1)[..., None]

    def render(E):
        def sample(x_offset, y_offset):
            values = E(X + offset_scale * x_offset, Y + offset_scale * y_offset)
            return np.greater_equal(values, 0).astype(np.float32)

        def boundary_sample(x_offset, y_offset):
            # On the boundary some of the ring of samples fall inside and some outside.
            inside = np.mean(
                [sample(x_offset + dx, y_offset + dy) for dx, dy in boundary_offsets], 0
            )
            return np.greater_equal(2 * np.abs(inside - 0.5), 0.99).astype(np.float32)

        sampler = boundary_sample if boundary_line else sample
        img = np.mean([sampler(*offset) for offset in alias_offsets], axis=0)
        img = np.clip(img, 0, 1)[..., None]
        img = img * color_a + (1 - img) * color_b
        return (1 - fade) * img + fade * fade_color

    return render


def rmin(X, Y, r):
    """A "rounded minimum": ``min(X, Y)`` with the corner bevelled to radius `r`.

    Used to round intersections of implicit shapes.

    References:
      Olah (2011), "Manipulation of Implicit Functions (With an Eye on CAD)".
    """
    safe_r = np.maximum(r, 1e-6)
    rounded = (
        Y + r * np.sin(np.pi / 4 + np.arcsin(np.clip((X - Y) / safe_r / np.sqrt(2), -1, 1))) - r
    )
    return np.where(np.less_equal(np.abs(X - Y), r), rounded, np.minimum(X, Y))


def rounded_corner_function(orientation, r, angular_width=90):
    """The implicit function of a rounded corner: ``E(X, Y)`` in pixels, negative inside.

    Args: as :func:`rounded_corner`. ``X`` and ``Y`` are pixel offsets from the centre.
    """
    orientation = np.deg2rad(orientation) + np.pi / 2
    angular_width = np.deg2rad(angular_width)
    ang1 = orientation - angular_width / 2
    ang2 = orientation + angular_width / 2 + np.pi
    shift = r * (1 - 1 / np.sqrt(2))

    def corner(X, Y):
        X_ = np.cos(ang1) * X + np.sin(ang1) * Y + shift
        Y_ = np.cos(ang2) * X + np.sin(ang2) * Y + shift
        return rmin(X_, Y_, r)

    return corner


def rounded_corner(orientation, r, angular_width=90, size=224, **kwds):
    """Renders a "rounded corner" (a curve) stimulus.

    Args:
      orientation: direction the corner points, in degrees.
      r: radius of the rounding, in pixels (0 gives a sharp corner).
      angular_width: angle between the two edges, in degrees (90 for a right angle).
      size: image side in pixels.
      **kwds: options of `sample_binary_image` (colours, boundary_line, fading, seed, ...).

    Returns:
      `[size, size, 3]` float array in `[0, 1]`.
    """
    corner = rounded_corner_function(orientation, r, angular_width)
    return sample_binary_image(size, **kwds)(lambda X, Y: 10 * corner(X, Y))


def line_image(size, line_width=1.0, color=(0, 0, 0), background=(1, 1, 1)):
    """Returns a renderer that draws the zero set of an implicit function as a line.

    Unlike ``sample_binary_image(..., boundary_line=True)`` this evaluates the function
    once, with no random jitter: the distance to the line is taken as ``E / |grad E|``
    (central differences on the pixel grid), and a pixel's coverage is
    ``clip(line_width / 2 + 0.5 - distance, 0, 1)``, an anti-aliased line of that width.

    Args:
      size: image side in pixels (coordinates as in :func:`sample_binary_image`).
      line_width: in pixels.
      color: RGB in `[0, 1]` of the line; background: of the rest.

    Returns:
      A function mapping ``E(x, y)`` (vectorized) to a `[size, size, 3]` float array in `[0, 1]`.
    """
    coords = np.arange(size, dtype=np.float64) - size // 2
    X, Y = coords[None, :], coords[:, None]
    color = np.asarray(color, np.float64).reshape([1, 1, 3])
    background = np.asarray(background, np.float64).reshape([1, 1, 3])

    def render(E):
        values = np.broadcast_to(E(X, Y), (size, size)).astype(np.float64)
        d_rows, d_cols = np.gradient(values)
        distance = np.abs(values) / np.maximum(np.hypot(d_rows, d_cols), 1e-6)
        coverage = np.clip(line_width / 2 + 0.5 - distance, 0.0, 1.0)[..., None]
        return coverage * color + (1 - coverage) * background

    return render


def rounded_corner_line(orientation, r, angular_width=90, size=224, line_width=1.0, **kwds):
    """A rounded corner drawn as a line (black on white by default), without random jitter.

    Args: as :func:`rounded_corner`; ``line_width`` and ``**kwds`` (``color``,
    ``background``) as :func:`line_image`.

    Returns:
      `[size, size, 3]` float array in `[0, 1]`.
    """
    corner = rounded_corner_function(orientation, r, angular_width)
    return line_image(size, line_width, **kwds)(corner)


def _height_width(size: Size) -> Tuple[int, int]:
    height, width = (size, size) if np.isscalar(size) else size
    if int(height) < 1 or int(width) < 1:
        raise ValueError(f"size must be a positive int or (height, width); got size={size!r}.")
    return int(height), int(width)


def _centred_grid(size: Size):
    """Column and row offsets from the image centre, `[1, w]` and `[h, 1]` (pixels)."""
    height, width = _height_width(size)
    x = np.arange(width, dtype=np.float64) - (width - 1) / 2
    y = np.arange(height, dtype=np.float64) - (height - 1) / 2
    return x[None, :], y[:, None]


def grating(
    size: Size,
    angle: float,
    frequency: float,
    phase: float = 0.0,
    contrast: float = 1.0,
) -> np.ndarray:
    """A grey sinusoidal grating (stripes).

    Args:
      size: image side in pixels, or ``(height, width)``.
      angle: orientation of the stripes in degrees, counter-clockwise from horizontal as
        seen on screen: 0 gives horizontal stripes (varying down the rows), 90 vertical
        ones (varying along the columns).
      frequency: cycles per pixel across the stripes (at most 0.5, the Nyquist limit).
      phase: phase in degrees of the wave at the image centre (0: a bright stripe there).
      contrast: peak-to-peak amplitude in `[0, 1]` around mid-grey 0.5.

    Returns:
      `[height, width, 3]` float array in `[0, 1]`.

    Raises:
      ValueError: a frequency outside ``(0, 0.5]`` or a contrast outside ``[0, 1]``.
    """
    if not 0 < frequency <= 0.5:
        raise ValueError(
            f"frequency must be in (0, 0.5] cycles per pixel; got frequency={frequency!r}."
        )
    if not 0 <= contrast <= 1:
        raise ValueError(f"contrast must be in [0, 1]; got contrast={contrast!r}.")
    x, y = _centred_grid(size)
    theta = np.deg2rad(angle)
    across = np.sin(theta) * x + np.cos(theta) * y  # distance across the stripes
    wave = np.cos(2 * np.pi * frequency * across - np.deg2rad(phase))
    return np.repeat((0.5 + 0.5 * contrast * wave)[..., None], 3, axis=-1)


def hue_color(hue: float, saturation: float = 1.0, value: float = 1.0) -> np.ndarray:
    """RGB in `[0, 1]` of an HSV colour; ``hue`` in degrees (0 red, 120 green, 240 blue)."""
    return np.array(colorsys.hsv_to_rgb((hue % 360) / 360.0, saturation, value))


def disc(
    size: Size,
    color: Sequence[float],
    radius: Optional[float] = None,
    background: Sequence[float] = (0.5, 0.5, 0.5),
) -> np.ndarray:
    """A centred disc of ``color`` on ``background``, its edge anti-aliased over one pixel.

    Args:
      size: image side in pixels, or ``(height, width)``.
      color: RGB in `[0, 1]` (e.g. ``hue_color(h)``).
      radius: in pixels; default a third of the smaller side.
      background: RGB in `[0, 1]`.

    Returns:
      `[height, width, 3]` float array in `[0, 1]`.
    """
    x, y = _centred_grid(size)
    if radius is None:
        radius = min(_height_width(size)) / 3
    inside = np.clip(radius + 0.5 - np.sqrt(x**2 + y**2), 0.0, 1.0)[..., None]
    color = np.asarray(color, np.float64).reshape([1, 1, 3])
    background = np.asarray(background, np.float64).reshape([1, 1, 3])
    return inside * color + (1 - inside) * background
