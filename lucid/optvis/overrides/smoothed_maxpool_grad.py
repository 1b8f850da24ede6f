"""Smoothed MaxPool gradients: spread the gradient over the pooling window.

The true MaxPool gradient reaches only the arg-max pixel of each window, which makes
visualisations blotchy. These replace it with the gradient of an average pool (or of an
L2-weighted average pool) with the same window, strides and padding.
"""

import tensorflow.compat.v1 as tf

_SMOOTH_TYPES = ("avg", "L2", "L2_abs")


def make_smoothed_maxpool_grad(smooth_type="avg", epsilon=1e-2):
    """Returns a MaxPool gradient function.

    Args:
      smooth_type: "avg" (gradient of avg_pool), "L2" (of
        ``avg_pool(x**2) / (eps + avg_pool(x))``) or "L2_abs" (of
        ``avg_pool(x**2) / (eps + avg_pool(|x|))``, rl_util's attribution variant, safe for
        negative inputs).
      epsilon: stabiliser for "L2" and "L2_abs".
    """
    if smooth_type not in _SMOOTH_TYPES:
        raise ValueError(
            f"smooth_type={smooth_type!r} is not supported; expected one of {_SMOOTH_TYPES}."
        )

    def smoothed_maxpool_grad(op, grad):
        x = op.inputs[0]
        pool_args = dict(
            ksize=op.get_attr("ksize"),
            strides=op.get_attr("strides"),
            padding=op.get_attr("padding"),
            data_format=op.get_attr("data_format").decode(),
        )
        if smooth_type in ("L2", "L2_abs"):
            weights = tf.abs(x) if smooth_type == "L2_abs" else x
            smooth_out = tf.nn.avg_pool(x**2, **pool_args) / (
                epsilon + tf.nn.avg_pool(weights, **pool_args)
            )
        else:
            smooth_out = tf.nn.avg_pool(x, **pool_args)
        return tf.gradients(smooth_out, [x], grad)[0]

    smoothed_maxpool_grad.__name__ = f"{smooth_type}_smoothed_maxpool_grad"
    return smoothed_maxpool_grad


avg_smoothed_maxpool_grad = make_smoothed_maxpool_grad("avg")
l2_smoothed_maxpool_grad = make_smoothed_maxpool_grad("L2")
