"""Mapping unconstrained tensors to valid RGB colours, optionally decorrelated.

Natural images have strongly correlated colour channels. Optimising in a decorrelated
colour space (then multiplying by the square root of ImageNet's colour correlation matrix)
gives better-balanced visualisations; see the Feature Visualization article.

References: Olah et al., "Feature Visualization", Distill 2017.
"""

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis.param.unit_balls import constrain_L_inf

# Square root of ImageNet's colour correlation matrix (from its SVD), as in Lucid.
color_correlation_svd_sqrt = np.asarray(
    [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]]
).astype("float32")

max_norm_svd_sqrt = np.max(np.linalg.norm(color_correlation_svd_sqrt, axis=0))

color_mean = [0.48, 0.46, 0.41]


def _linear_decorelate_color(t):
    """Maps the last axis of ``t`` from the decorrelated colour space back to RGB.

    Multiplies each colour vector by the normalised square root of the colour
    correlation matrix: ``rgb = t @ (color_correlation_svd_sqrt / max_norm_svd_sqrt).T``.

    Args:
      t: tensor of shape ``[..., 3]``.

    Returns:
      A tensor of the same shape.
    """
    t = tf.convert_to_tensor(t)
    if t.shape.ndims is not None and t.shape[-1] not in (None, 3):
        raise ValueError(
            f"colour decorrelation needs 3 channels in the last axis; got shape {t.shape}. "
            "Pass decorrelate=False for other channel counts."
        )
    color_correlation_normalized = color_correlation_svd_sqrt / max_norm_svd_sqrt
    t_flat = tf.matmul(tf.reshape(t, [-1, 3]), color_correlation_normalized.T)
    return tf.reshape(t_flat, tf.shape(t))


def to_valid_rgb(t, decorrelate: bool = False, sigmoid: bool = True):
    """Maps the last axis of ``t`` to valid RGB colours in ``[0, 1]``.

    Args:
      t: float tensor ``[..., 3]`` (any number of channels if ``decorrelate`` is False).
      decorrelate: if True, ``t`` is read as colours in the decorrelated space and mapped
        back with the colour correlation square root; ``color_mean`` is added when
        ``sigmoid`` is False.
      sigmoid: if True, squash with ``tf.nn.sigmoid``. Otherwise clip with
        ``constrain_L_inf(2 * t - 1) / 2 + 0.5``, whose gradient is projected at the edges.

    Returns:
      A tensor of the same shape, values in ``[0, 1]``.
    """
    t = tf.convert_to_tensor(t)
    if decorrelate:
        t = _linear_decorelate_color(t)
    if decorrelate and not sigmoid:
        t += color_mean
    if sigmoid:
        return tf.nn.sigmoid(t)
    return constrain_L_inf(2 * t - 1) / 2 + 0.5
