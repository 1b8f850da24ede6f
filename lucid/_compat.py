"""Replacements for TensorFlow 1.x APIs that TensorFlow 2 removed.

Everything Lucid took from ``tf.contrib`` or from TF1-only import paths lives here, so
the rest of the library can stay on plain ``tensorflow.compat.v1`` graph ops. Nothing in
this module changes global TensorFlow state.
"""

import numpy as np
import tensorflow.compat.v1 as tf

# `from tensorflow import gfile` is gone in TF2; tf.io.gfile has the same functions.
gfile = tf.io.gfile

_INTERPOLATIONS = ("NEAREST", "BILINEAR")


def check_interpolation(interpolation):
    """Raises ``ValueError`` unless ``interpolation`` is "NEAREST" or "BILINEAR"."""
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"interpolation={interpolation!r} is not supported; expected one of "
            f"{_INTERPOLATIONS} (upper case)."
        )


def rotate(images, angles, interpolation="BILINEAR"):
    """Rotates images counterclockwise about their centres (replaces tf.contrib.image.rotate).

    Args:
      images: `[batch, height, width, channels]` float tensor (a rank-3 image is accepted
        and returned as rank 3).
      angles: scalar or `[batch]` tensor of angles in **radians**, counterclockwise.
      interpolation: "BILINEAR" (default; smooth gradients) or "NEAREST".

    Returns:
      The rotated images, same shape and dtype. Pixels rotated in from outside the
      image are 0, as with tf.contrib.image.rotate.
    """
    check_interpolation(interpolation)
    images = tf.convert_to_tensor(images)
    rank3 = images.shape.ndims == 3
    if rank3:
        images = images[None]
    shape = tf.shape(images)
    out = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=rotation_transforms(shape, angles),
        output_shape=shape[1:3],
        fill_value=tf.constant(0.0, tf.float32),  # float32 whatever the images are
        interpolation=interpolation,
        fill_mode="CONSTANT",
    )
    out.set_shape(images.shape)
    return out[0] if rank3 else out


def rotation_transforms(shape, angles):
    """The `[batch, 8]` projective transforms of :func:`rotate`, one per image.

    Args:
      shape: int32 `[4]` tensor, the shape of the `[batch, height, width, channels]` images.
      angles: scalar or `[batch]` tensor of angles in radians, counterclockwise.

    Returns:
      float32 `[batch, 8]`: for ``ImageProjectiveTransformV3``, mapping each output pixel
      back to the input pixel it samples (a rotation about the image centre).
    """
    height = tf.cast(shape[1], tf.float32)
    width = tf.cast(shape[2], tf.float32)
    angles = tf.cast(tf.convert_to_tensor(angles), tf.float32)
    angles = tf.broadcast_to(tf.reshape(angles, [-1]), [shape[0]])
    cos, sin = tf.cos(angles), tf.sin(angles)
    x_offset = ((width - 1) - (cos * (width - 1) - sin * (height - 1))) / 2.0
    y_offset = ((height - 1) - (sin * (width - 1) + cos * (height - 1))) / 2.0
    zeros = tf.zeros_like(angles)
    return tf.stack([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros], axis=1)


def inverse_transforms(transforms):
    """The `[n, 8]` projective transforms undoing ``transforms`` (`[n, 8]`), computed as
    TensorFlow's registered gradient of ``ImageProjectiveTransformV3`` computes them (3x3
    inverse scaled to a last entry of 1), so their rounding is the same."""
    count = tf.shape(transforms)[0]
    matrices = tf.reshape(tf.concat([transforms, tf.ones([count, 1])], axis=1), [-1, 3, 3])
    inverse = tf.reshape(tf.linalg.inv(matrices), [-1, 9])
    inverse /= inverse[:, 8:9]
    return inverse[:, :8]


def degrees_to_radians(angle):
    """Converts degrees to radians with the exact value of pi (Lucid used 3.14)."""
    return angle * np.pi / 180.0
