"""Per-item random transforms for ``lucid.optvis.batch``: every item draws its own.

``transform.standard_transforms`` draws one jitter, scale and angle for the whole batch;
``standard_transforms_per_item`` applies the same pad, jitters, scales and angles with a
draw per item, so a unit's rendering does not depend on its batch. The draws are
``per_item_uniforms``: ``N_CHOICES`` uniforms per item and step, hashed on the host from the
unit's seed and the step (SplitMix64), fed once per batch.
"""

import numpy as np
import tensorflow.compat.v1 as tf

from lucid._compat import degrees_to_radians
from lucid.optvis.rewrites import rotations

# The values of transform.standard_transforms, drawn per item.
_PAD, _PAD_VALUE, _JITTER_1, _JITTER_2 = 12, 0.5, 8, 4
_SCALES = [1 + (i - 5) / 50.0 for i in range(11)]
_ANGLES_DEGREES = list(range(-10, 11)) + 5 * [0]
N_CHOICES = 6  # per item and step: two jitter offsets, a scale, an angle, two jitter offsets
CANVAS_GROWTH = 2 * _PAD - _JITTER_1 - _JITTER_2  # the model sees size + 12 pixels


def standard_transforms_per_item(t_image, choices):
    """``transform.standard_transforms`` with every random choice made per item.

    Args:
      t_image: `[B, S, S, 3]`.
      choices: float32 `[B, N_CHOICES]` (6) uniforms in `[0, 1)`: item ``i``'s draws for this step.

    Returns:
      `[B, S + 12, S + 12, 3]`.
    """

    def choice(column, n):  # an index in 0..n-1 per item
        return tf.minimum(tf.cast(tf.floor(choices[:, column] * n), tf.int32), n - 1)

    t = tf.pad(t_image, [(0, 0), (_PAD, _PAD), (_PAD, _PAD), (0, 0)], constant_values=_PAD_VALUE)
    # jitter(8) then random_scale: one window per item, zoomed about its centre.
    scales = tf.gather(tf.constant(_SCALES, tf.float32), choice(2, len(_SCALES)))
    t = _window_per_item(t, choice(0, _JITTER_1 + 1), choice(1, _JITTER_1 + 1), _JITTER_1, scales)
    angles = tf.gather(tf.constant(_ANGLES_DEGREES, tf.float32), choice(3, len(_ANGLES_DEGREES)))
    # Bilinear (random_rotate's default is nearest, as Lucid's): a different angle per item;
    # under the "image_kernels" rewrite through a compiled kernel, bit for bit the same.
    t = rotations.rotate(t, degrees_to_radians(angles), "BILINEAR")
    return _window_per_item(t, choice(4, _JITTER_2 + 1), choice(5, _JITTER_2 + 1), _JITTER_2)


def _window_per_item(t, top, left, d, scales=None):
    """Item ``i``'s window ``d`` pixels smaller at ``(top[i], left[i])``, magnified ``scales[i]``.

    Bilinear sampling (``crop_and_resize``, whose gradient is the exact adjoint) about the
    window's centre; with no scale it is a crop, up to float rounding of the sample positions.
    Samples outside the image are 0. `[B, H, W, C]` -> `[B, H - d, W - d, C]`.
    """
    height, width = t.shape.as_list()[1:3]
    # Sample j of the window is at centre + (j - (n - 1) / 2) / scale, in pixels.
    half_extent = tf.constant([[(height - d - 1) / 2, (width - d - 1) / 2]], tf.float32)
    centre = tf.cast(tf.stack([top, left], axis=1), tf.float32) + half_extent
    if scales is not None:
        half_extent = half_extent / scales[:, None]
    size = tf.constant([height - 1, width - 1], tf.float32)
    boxes = tf.concat([(centre - half_extent) / size, (centre + half_extent) / size], axis=1)
    return tf.image.crop_and_resize(
        t, boxes, box_indices=tf.range(tf.shape(t)[0]), crop_size=[height - d, width - d]
    )


def per_item_uniforms(seeds, steps):
    """float32 `[len(seeds), steps, 6]` in `[0, 1)`; entry ``[i, t, k]`` depends only on
    ``(seeds[i], t, k)``: SplitMix64 (a counter-based hash) of the three, top 24 bits."""
    z = np.asarray(seeds, np.uint64)[:, None, None]
    z = _splitmix64(z ^ _splitmix64(np.arange(1, steps + 1, dtype=np.uint64)[None, :, None]))
    z = _splitmix64(z ^ np.arange(1, N_CHOICES + 1, dtype=np.uint64)[None, None, :])
    return ((z >> np.uint64(40)).astype(np.float64) / 2**24).astype(np.float32)


def _splitmix64(z):
    """The SplitMix64 output function on a uint64 array (wraps modulo 2**64)."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))
