"""``tf.contrib.image.rotate`` for Lucid 0.3.10 on TF2 (contrib is gone)."""

import tensorflow.compat.v1 as tf


def rotate(images, angles, interpolation: str = "NEAREST", name=None):
    """Rotates images counterclockwise about their centres, as TF1's contrib op did.

    Args:
      images: `[batch, height, width, channels]` float tensor.
      angles: scalar or `[batch]` angles in radians, counterclockwise.
      interpolation: "NEAREST" (contrib's default, which Lucid 0.3.10 used) or "BILINEAR".
      name: unused; contrib's signature had it.

    Returns:
      The rotated images, same shape; pixels rotated in from outside are 0.
    """
    del name
    images = tf.convert_to_tensor(images)
    shape = tf.shape(images)
    height = tf.cast(shape[1], tf.float32)
    width = tf.cast(shape[2], tf.float32)
    angles = tf.broadcast_to(tf.reshape(tf.cast(angles, tf.float32), [-1]), [shape[0]])
    cos, sin = tf.cos(angles), tf.sin(angles)
    # Maps each output pixel back to the input pixel it samples (contrib's formula).
    x_offset = ((width - 1) - (cos * (width - 1) - sin * (height - 1))) / 2.0
    y_offset = ((height - 1) - (sin * (width - 1) + cos * (height - 1))) / 2.0
    zeros = tf.zeros_like(angles)
    transforms = tf.stack([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros], axis=1)
    out = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=shape[1:3],
        fill_value=tf.constant(0.0, images.dtype),
        interpolation=interpolation,
        fill_mode="CONSTANT",
    )
    out.set_shape(images.shape)
    return out
