"""Rewrite ``"gather_rotate"``: a batch's nearest-neighbour rotation as one index map and a gather.

``transform.random_rotate`` turns every image of a batch by the same angle, with
``ImageProjectiveTransformV3`` and nearest-neighbour sampling (Lucid's
``tf.contrib.image.rotate``). That op works out the source coordinates of every output
value, ``batch * height * width * channels`` of them, and its registered gradient is the
same op again with the inverse rotation. Here the coordinates are worked out once per pixel:

1. the same op, with the same transform, rotates a one-image, one-channel "image" whose
   pixels hold their own flat index (float64, exact), filling with -1; the result is the
   index of the pixel each output pixel samples, exactly as the op chooses it, ties and
   borders included, since it is the op's own arithmetic;
2. a ``gather`` of those pixels from every image of the batch (a zero row stands in for
   the fill).

The gradient is built the same way from the inverse transform, computed as TensorFlow's
registered gradient computes it, so values and gradients are bit for bit those of
``lucid._compat.rotate(..., interpolation="NEAREST")`` (the tests compare them on random
sizes and angles).

Measured on InceptionV1 at 128 px on the 2-core CPU: alone, the rotation's forward op
goes from 5.7 to ~2.5 ms at batch 16 (and its gradient alike), and is ~10 % slower at batch 1
(the index map and the gather cost more than they save on one image). Whole steps, two graphs
alternating in one process (``benchmarks/rewrite_ab.py --without gather_rotate``): 1.034x
(float32) and 1.015x (bfloat16) at batch 16, 1.016x at batch 8 (float32); 0.99x at batch 4.
So the transform uses it from batch :data:`MIN_BATCH` up, and only on CPUs (on a GPU the op
is one kernel launch).

Applies to rank-4 images with a static batch size and a scalar angle (one rotation for
the batch); anything else keeps the op.
"""

from typing import Optional

import tensorflow.compat.v1 as tf

from lucid._compat import inverse_transforms
from lucid._compat import rotation_transforms
from lucid.optvis.overrides.gradient_override import use_gradient

# The smallest static batch size the rewrite is used at (see the module docstring).
MIN_BATCH = 8


def helps_here(batch: Optional[int]) -> bool:
    """Whether the rewrite is worth applying to a batch of static size ``batch``: at least
    ``MIN_BATCH`` (None, unknown: no) and no GPU visible to TensorFlow."""
    if batch is None or batch < MIN_BATCH:
        return False
    return not tf.config.list_physical_devices("GPU")


def applies_to(images: tf.Tensor, angle) -> bool:
    """Whether :func:`rotate` handles these arguments: rank-4 ``images`` with a static batch
    size, a float dtype, and a scalar ``angle`` (one rotation for the whole batch)."""
    images = tf.convert_to_tensor(images)
    if images.shape.ndims != 4 or tf.dimension_value(images.shape[0]) is None:
        return False
    if not images.dtype.is_floating:
        return False
    angle_shape = tf.convert_to_tensor(angle).shape
    return angle_shape.ndims == 0


def rotate(images: tf.Tensor, angle) -> tf.Tensor:
    """Rotates every image of the batch by ``angle`` (radians, counterclockwise), nearest.

    Equals ``lucid._compat.rotate(images, angle, interpolation="NEAREST")``, values and
    gradient (module docstring). Pixels rotated in from outside the image are 0.

    Args:
      images: `[batch, height, width, channels]` float tensor (see :func:`applies_to`).
      angle: scalar float tensor or number, in radians.

    Returns:
      The rotated images, same shape and dtype.
    """
    images = tf.convert_to_tensor(images)
    if not applies_to(images, angle):
        raise ValueError(
            "gather_rotate.rotate takes [batch, height, width, channels] float images with a "
            f"static batch size and one scalar angle; got images of shape {images.shape} and "
            f"dtype {images.dtype.name}, angle of shape {tf.convert_to_tensor(angle).shape}. "
            "Use lucid._compat.rotate for other cases."
        )
    transforms = rotation_transforms(tf.shape(images), angle)[:1]  # one rotation for the batch
    out = _rotated(images, transforms)
    out.set_shape(images.shape)
    return out


def _rotation_gradient(op, dy):
    """The op's registered gradient, rotating back with the inverse transform, by gather."""
    images, transforms = op.inputs
    return [_gather(dy, _index_map(tf.shape(images), inverse_transforms(transforms))), None]


@use_gradient(_rotation_gradient)  # registered once per process, not once per render
def _rotated(images, transforms):
    return _gather(images, _index_map(tf.shape(images), transforms))


def _index_map(shape, transforms):
    """`[height * width]` int32: the flat index of the pixel each output pixel samples, -1
    where it samples outside the image (the op's fill)."""
    height, width = shape[1], shape[2]
    pixels = tf.range(tf.cast(height * width, tf.float64))
    sampled = tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.reshape(pixels, [1, height, width, 1]),
        transforms=transforms,
        output_shape=shape[1:3],
        fill_value=tf.constant(-1.0, tf.float32),
        interpolation="NEAREST",
        fill_mode="CONSTANT",
    )
    return tf.reshape(tf.cast(sampled, tf.int32), [-1])


def _gather(images, index_map):
    """``images`` resampled by ``index_map`` (from :func:`_index_map`), 0 where it is -1."""
    shape = tf.shape(images)
    pixels = shape[1] * shape[2]
    total = shape[0] * pixels
    # Every pixel of the batch as a row, then one zero row (index `total`) for the fill.
    table = tf.concat(
        [tf.reshape(images, [total, shape[3]]), tf.zeros([1, shape[3]], images.dtype)], 0
    )
    index_map = tf.where(index_map < 0, tf.fill(tf.shape(index_map), total), index_map)
    # Image n's pixels start at row n * pixels; a fill index lands past `total`, clipped to it.
    rows = tf.minimum(index_map[None, :] + (tf.range(shape[0]) * pixels)[:, None], total)
    return tf.reshape(tf.gather(table, rows), shape)


__all__ = ["MIN_BATCH", "helps_here", "applies_to", "rotate"]
