"""Shapes: a procedural image dataset with unambiguous visual classes, generated offline.

Every image is drawn from a seeded ``numpy.random.Generator``: no downloads, and the same seed
always gives the same images. Each class is one visual feature (stripes at four orientations,
checkerboards, grids, zigzags, rings, dots, colour blobs, cross shapes and shape outlines)
drawn with random colours, scale, position, rotation jitter, phase, sharpness, lighting and
pixel noise, so that a network trained on it has to learn real detectors for those features.
It is the training set of ``lucid.modelzoo.vision_models.ShapesNet``.

    images, labels = shapes_dataset.generate(256, seed=1)  # [256, 64, 64, 3] floats in [0, 1]
    CLASSES[labels[0]]                                     # e.g. "checkerboard"

All lengths are given for a 64 pixel image and scale with ``size``. Drawing is vectorised over
the images of a class (about 2,000 images per second on one idle CPU core).
"""

from typing import Optional
from typing import Sequence
from typing import Tuple

import numpy as np

IMAGE_SIZE = 64

CLASSES = (
    "vertical_stripes",
    "horizontal_stripes",
    "diagonal_stripes",  # "/": rising from bottom left to top right
    "antidiagonal_stripes",  # "\": falling from top left to bottom right
    "checkerboard",
    "grid",
    "zigzag",
    "concentric_rings",
    "polka_dots",
    "red_blob",
    "green_blob",
    "blue_blob",
    "cross",
    "circle_outline",
    "square_outline",
    "triangle_outline",
)

# Orientation jitter of oriented patterns: +-15 degrees keeps the four stripe classes 15
# degrees apart at their closest.
_MAX_TILT = np.deg2rad(15)
# Hue of each blob class (0 = red, 1/3 = green, 2/3 = blue), with this much jitter either way.
_BLOB_HUES = {"red_blob": 0.0, "green_blob": 1 / 3, "blue_blob": 2 / 3}
_BLOB_HUE_JITTER = 0.04
# Foreground and background colours of the other classes differ by at least this (RGB L2).
_MIN_COLOR_DISTANCE = 0.45


# Geometry helpers. Arrays of per-image parameters have shape [n, 1, 1] so they broadcast
# against pixel coordinate grids of shape [1, H, W].


def _uniform(rng, low, high, n):
    return rng.uniform(low, high, size=(n, 1, 1)).astype(np.float32)


def _coords(n, size, rng, max_offset=0.0, max_angle=0.0, center=None):
    """Pixel coordinates `[n, H, W]` (x right, y down, in 64-pixel units), shifted and rotated.

    The origin is ``center`` (`([n, 1, 1], [n, 1, 1])` offsets from the image centre), or the
    image centre plus a random offset of up to ``max_offset`` per axis; the axes are rotated
    by a random angle in ``[-max_angle, max_angle]``.
    """
    unit = size / IMAGE_SIZE
    pixels = (np.arange(size, dtype=np.float32) + 0.5 - size / 2) / unit
    if center is None:
        center = (
            _uniform(rng, -max_offset, max_offset, n),
            _uniform(rng, -max_offset, max_offset, n),
        )
    x = pixels[None, None, :] - center[0]
    y = pixels[None, :, None] - center[1]
    angle = _uniform(rng, -max_angle, max_angle, n)
    cos, sin = np.cos(angle), np.sin(angle)
    return cos * x + sin * y, -sin * x + cos * y


def _fill(signed_distance, softness):
    """Antialiased mask: 1 inside (distance < 0), 0 outside, ramping over ``softness`` pixels."""
    return np.clip(0.5 - signed_distance / softness, 0.0, 1.0)


def _band_distance(u, period, phase):
    """Distance (pixels) from ``u`` to the nearest line ``u = phase + k * period``."""
    t = (u / period - phase) % 1.0
    return np.minimum(t, 1 - t) * period


def _stripes(u, rng, n, softness):
    period = _uniform(rng, 7, 16, n)
    width = period * _uniform(rng, 0.3, 0.6, n)
    return _fill(_band_distance(u, period, _uniform(rng, 0, 1, n)) - width / 2, softness)


# One drawing function per class family: (rng, n, size, softness) -> masks [n, H, W] in [0, 1],
# where 1 is foreground colour.


def _oriented_stripes(base_angle):
    def draw(rng, n, size, softness):
        x, y = _coords(n, size, rng, max_angle=_MAX_TILT)
        u = np.float32(np.cos(base_angle)) * x + np.float32(np.sin(base_angle)) * y
        return _stripes(u, rng, n, softness)

    return draw


def _checkerboard(rng, n, size, softness):
    x, y = _coords(n, size, rng, max_offset=32, max_angle=_MAX_TILT)
    cell = _uniform(rng, 5, 12, n)
    # Distance to the nearest cell edge, signed by the cell's colour.
    dx = _band_distance(x, cell, 0.0)
    dy = _band_distance(y, cell, 0.0)
    parity = (np.floor(x / cell) + np.floor(y / cell)) % 2
    distance = np.minimum(dx, dy) * (2 * parity - 1)  # cells of even parity are foreground
    return _fill(distance, softness)


def _grid(rng, n, size, softness):
    x, y = _coords(n, size, rng, max_offset=32, max_angle=_MAX_TILT)
    period = _uniform(rng, 9, 16, n)
    width = _uniform(rng, 1.5, 3.5, n)
    distance = np.minimum(_band_distance(x, period, 0.0), _band_distance(y, period, 0.0))
    return _fill(distance - width / 2, softness)


def _zigzag(rng, n, size, softness):
    x, y = _coords(n, size, rng, max_offset=32, max_angle=_MAX_TILT)
    wavelength = _uniform(rng, 12, 20, n)
    amplitude = wavelength * _uniform(rng, 0.2, 0.3, n)
    triangle = 4 * _band_distance(x, wavelength, 0.0) / wavelength - 1  # in [-1, 1]
    return _stripes(y + amplitude * triangle, rng, n, softness)


def _concentric_rings(rng, n, size, softness):
    x, y = _coords(n, size, rng, max_offset=24)
    return _stripes(np.hypot(x, y), rng, n, softness)


def _polka_dots(rng, n, size, softness):
    x, y = _coords(n, size, rng, max_offset=32, max_angle=np.pi / 4)
    period = _uniform(rng, 10, 16, n)
    radius = period * _uniform(rng, 0.2, 0.33, n)
    distance = np.hypot(_band_distance(x, period, 0.0), _band_distance(y, period, 0.0))
    return _fill(distance - radius, softness)


def _scattered(shape_distance, outline, max_angle=np.pi):
    """Draws 1 to 3 instances of a shape (one half of the time a single one), anywhere.

    Several copies teach a network that a shape's class does not depend on how many there
    are, so a visualization tiling the image with copies still belongs to the class.
    """

    def draw(rng, n, size, softness):
        count = rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2], size=n)
        max_radius = np.choose(count - 1, [20.0, 13.0, 10.0])
        radius = (max_radius[:, None] * rng.uniform(0.65, 1.0, (n, 3))).astype(np.float32)
        centers = _separated_centers(rng, radius, count)
        half_width = _uniform(rng, 0.8, 1.8, n)
        distance = np.full((n, size, size), np.inf, np.float32)
        for i in range(3):
            r = radius[:, i, None, None]
            center = (centers[:, i, 0, None, None], centers[:, i, 1, None, None])
            x, y = _coords(n, size, rng, max_angle=max_angle, center=center)
            instance = shape_distance(x, y, r, rng, n)
            if outline:
                instance = np.abs(instance) - half_width
            distance = np.where(count[:, None, None] > i, np.minimum(distance, instance), distance)
        return _fill(distance, softness)

    return draw


def _separated_centers(rng, radius, count, margin=3.0, tries=30):
    """Centres `[n, 3, 2]` of shapes of the given radii, inside the image and (almost always)
    not overlapping: overlapping ones are redrawn up to ``tries`` times."""
    n = len(radius)
    limit = (IMAGE_SIZE / 2 - margin - radius)[..., None]
    centers = rng.uniform(-1, 1, (n, 3, 2)) * limit
    for _ in range(tries):
        gap = np.linalg.norm(centers[:, :, None] - centers[:, None, :], axis=-1)
        overlap = gap < radius[:, :, None] + radius[:, None, :] + margin
        # Only later instances that exist are moved, so instance 0 always stays put.
        overlap &= np.tri(3, k=-1, dtype=bool) & (np.arange(3) < count[:, None])[:, :, None]
        moved = overlap.any(-1)
        if not moved.any():
            break
        centers[moved] = rng.uniform(-1, 1, (moved.sum(), 2)) * limit[moved]
    return centers.astype(np.float32)


# Signed distances (pixels, negative inside) of shapes of a given size centred at the origin.


def _blob_distance(x, y, radius, rng, n):
    # A circle whose radius wobbles with the angle (2nd and 3rd harmonics).
    angle = np.arctan2(y, x)
    radius = radius * (
        1
        + _uniform(rng, 0.0, 0.2, n) * np.cos(2 * angle)
        + _uniform(rng, 0.0, 0.1, n) * np.cos(3 * angle + _uniform(rng, 0, 2 * np.pi, n))
    )
    return np.hypot(x, y) - radius


def _cross_distance(x, y, radius, rng, n):
    half_width = radius * _uniform(rng, 0.16, 0.26, n)
    bar_h = np.maximum(np.abs(x) - radius, np.abs(y) - half_width)
    bar_v = np.maximum(np.abs(y) - radius, np.abs(x) - half_width)
    return np.minimum(bar_h, bar_v)


def _circle_distance(x, y, radius, rng, n):
    return np.hypot(x, y) - radius


def _square_distance(x, y, radius, rng, n):
    # Chebyshev distance is exact on the edges and close enough near the corners.
    return np.maximum(np.abs(x), np.abs(y)) - radius * 0.85


def _triangle_distance(x, y, radius, rng, n):
    # Equilateral triangle with circumradius `radius`: max over the three edge normals.
    normals = (np.pi / 2 + np.array([0, 2, 4]) * np.pi / 3).astype(np.float32)
    distances = [x * np.cos(a) + y * np.sin(a) for a in normals]
    return np.maximum(np.maximum(distances[0], distances[1]), distances[2]) - radius / 2


_DRAW = {
    "vertical_stripes": _oriented_stripes(0.0),
    "horizontal_stripes": _oriented_stripes(np.pi / 2),
    # Lines of constant x + y run "/" in image coordinates (y points down).
    "diagonal_stripes": _oriented_stripes(np.pi / 4),
    "antidiagonal_stripes": _oriented_stripes(-np.pi / 4),
    "checkerboard": _checkerboard,
    "grid": _grid,
    "zigzag": _zigzag,
    "concentric_rings": _concentric_rings,
    "polka_dots": _polka_dots,
    "red_blob": _scattered(_blob_distance, outline=False),
    "green_blob": _scattered(_blob_distance, outline=False),
    "blue_blob": _scattered(_blob_distance, outline=False),
    "cross": _scattered(_cross_distance, outline=False, max_angle=_MAX_TILT),
    "circle_outline": _scattered(_circle_distance, outline=True),
    "square_outline": _scattered(_square_distance, outline=True),
    "triangle_outline": _scattered(_triangle_distance, outline=True),
}


def _hsv_to_rgb(h, s, v):
    """HSV in [0, 1] (arrays of one shape) to RGB `[..., 3]` in [0, 1]."""
    k = (np.array([5.0, 3.0, 1.0]) + h[..., None] * 6) % 6
    return v[..., None] - (v * s)[..., None] * np.clip(np.minimum(k, 4 - k), 0, 1)


def _contrasting_colors(rng, n):
    """Random foreground and background colours `[n, 3]` at least _MIN_COLOR_DISTANCE apart."""
    fg, bg = rng.uniform(size=(n, 3)), rng.uniform(size=(n, 3))
    close = np.linalg.norm(fg - bg, axis=-1) < _MIN_COLOR_DISTANCE
    while close.any():  # rejection sampling; about one pair in six is redrawn
        fg[close], bg[close] = rng.uniform(size=(2, close.sum(), 3))
        close = np.linalg.norm(fg - bg, axis=-1) < _MIN_COLOR_DISTANCE
    return fg, bg


def _blob_colors(rng, n, hue):
    """A saturated colour of the given hue on a dull (low saturation) background."""
    fg = _hsv_to_rgb(
        (hue + rng.uniform(-_BLOB_HUE_JITTER, _BLOB_HUE_JITTER, n)) % 1,
        rng.uniform(0.75, 1.0, n),
        rng.uniform(0.6, 1.0, n),
    )
    bg = _hsv_to_rgb(rng.uniform(0, 1, n), rng.uniform(0, 0.25, n), rng.uniform(0.05, 0.95, n))
    return fg, bg


def _check_size(size):
    if not isinstance(size, (int, np.integer)) or size < 8:
        raise ValueError(f"size must be an int >= 8 (pixels), got size={size!r}.")


def _class_images(name, n, rng, size):
    """`[n, size, size, 3]` float32 images of class ``name`` drawn from ``rng``."""
    softness = _uniform(rng, 0.8, 2.0, n)
    mask = _DRAW[name](rng, n, size, softness)
    if name in _BLOB_HUES:
        fg, bg = _blob_colors(rng, n, _BLOB_HUES[name])
    else:
        fg, bg = _contrasting_colors(rng, n)
    # Channels first while composing: numpy is several times faster on long inner loops.
    fg, bg = (c.astype(np.float32)[:, :, None, None] for c in (fg, bg))
    images = (fg - bg) * mask[:, None]
    images += bg
    # Lighting: a gentle linear brightness gradient in a random direction, then pixel noise
    # (uniform, with a random standard deviation of up to 0.06 per image).
    x, _ = _coords(n, size, rng, max_angle=np.pi)
    images *= (1 + _uniform(rng, 0.0, 0.25, n) * x / IMAGE_SIZE)[:, None]
    noise = rng.random(images.shape, np.float32) - np.float32(0.5)
    noise *= _uniform(rng, 0.0, 0.06 * np.sqrt(12), n)[:, None]
    images += noise
    np.clip(images, 0.0, 1.0, out=images)
    return images.transpose(0, 2, 3, 1)


def _class_index(name, classes=CLASSES):
    if name not in classes:
        raise ValueError(f"Unknown class {name!r}. Expected one of CLASSES: {', '.join(CLASSES)}.")
    return classes.index(name)


def generate_class(name: str, n: int, seed=0, size: int = IMAGE_SIZE) -> np.ndarray:
    """Draws ``n`` images of one class.

    Args:
      name: a class name from ``CLASSES``.
      n: number of images.
      seed: an int (or anything ``np.random.default_rng`` accepts); the same seed gives the
        same images.
      size: height and width in pixels.

    Returns:
      `[n, size, size, 3]` float32 RGB images in `[0, 1]`.
    """
    _class_index(name)
    _check_size(size)
    images = _class_images(name, int(n), np.random.default_rng(seed), size)
    return np.ascontiguousarray(images)


def generate(
    n: int,
    seed=0,
    classes: Optional[Sequence[str]] = None,
    size: int = IMAGE_SIZE,
) -> Tuple[np.ndarray, np.ndarray]:
    """Draws ``n`` labelled images, as balanced across the classes as ``n`` allows, shuffled.

    Args:
      n: number of images.
      seed: an int (or anything ``np.random.default_rng`` accepts, e.g. ``[seed, step]``);
        the same seed gives the same images and labels.
      classes: names of the classes to draw (default: all of ``CLASSES``).
      size: height and width in pixels.

    Returns:
      ``(images, labels)``: images `[n, size, size, 3]` float32 RGB in `[0, 1]`, and labels
      `[n]` int64 indices into ``CLASSES`` (always the full tuple, even when ``classes`` is a
      subset).
    """
    classes = CLASSES if classes is None else tuple(classes)
    if not classes:
        raise ValueError("classes must name at least one class; got an empty sequence.")
    class_ids = np.array([_class_index(name) for name in classes])
    _check_size(size)
    rng = np.random.default_rng(seed)
    labels = class_ids[rng.permutation(np.arange(int(n)) % len(class_ids))]
    images = np.empty((int(n), size, size, 3), np.float32)
    for class_id in class_ids:
        where = np.flatnonzero(labels == class_id)
        if where.size:
            images[where] = _class_images(CLASSES[class_id], where.size, rng, size)
    return images, labels.astype(np.int64)
