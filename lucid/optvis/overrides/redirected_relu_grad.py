"""Redirected ReLU gradients: keep optimisation from stalling on dead ReLUs.

When a feature visualisation starts, many ReLUs feeding the objective are inactive, so the
true gradient is zero and the image never changes (the "grey image" of Lucid issue #68).
For batch items whose ReLU gradient is entirely zero, these functions let through the
gradient components that would push the input back into the ReLU's active range. After 16
optimisation steps (read from the graph's global step) they return the true gradient.

References: Lucid's ``redirected_relu_grad``; Olah et al., "Feature Visualization",
Distill 2017.
"""

import tensorflow.compat.v1 as tf

_REDIRECT_STEPS = 16


def _check_op(op, expected):
    if op.type != expected:
        raise TypeError(
            f"this gradient is for {expected} ops; it was applied to a {op.type} op ({op.name})."
        )


def _select_redirected(relu_grad, redirected_grad):
    """Per batch item: the true gradient if any of it is non-zero, else the redirected one."""
    if relu_grad.shape.ndims is not None and relu_grad.shape.ndims < 2:
        raise ValueError(
            f"redirected ReLU gradients need a batch dimension (rank >= 2); got shape {relu_grad.shape}."
        )
    batch = tf.shape(relu_grad)[0]
    magnitude = tf.norm(tf.reshape(relu_grad, [batch, -1]), axis=1)
    keep_shape = tf.concat([[batch], tf.ones([tf.rank(relu_grad) - 1], tf.int32)], axis=0)
    has_gradient = tf.reshape(magnitude > 0.0, keep_shape)
    result = tf.where_v2(has_gradient, relu_grad, redirected_grad)
    global_step = tf.train.get_or_create_global_step()
    redirect_over = tf.greater(global_step, tf.constant(_REDIRECT_STEPS, global_step.dtype))
    return tf.where_v2(redirect_over, relu_grad, result)


def redirected_relu_grad(op, grad):
    """Gradient for ``Relu`` ops that redirects dead units for the first 16 steps."""
    _check_op(op, "Relu")
    x = op.inputs[0]
    zeros = tf.zeros_like(grad)
    relu_grad = tf.where_v2(x < 0.0, zeros, grad)
    # Don't let the gradient push an already negative input further down.
    neg_pushing_lower = tf.logical_and(x < 0.0, grad > 0.0)
    redirected_grad = tf.where_v2(neg_pushing_lower, zeros, grad)
    return _select_redirected(relu_grad, redirected_grad)


def redirected_relu6_grad(op, grad):
    """Gradient for ``Relu6`` ops that redirects saturated units for the first 16 steps."""
    _check_op(op, "Relu6")
    x = op.inputs[0]
    zeros = tf.zeros_like(grad)
    relu_grad = tf.where_v2(tf.logical_or(x < 0.0, x > 6.0), zeros, grad)
    neg_pushing_lower = tf.logical_and(x < 0.0, grad > 0.0)
    pos_pushing_higher = tf.logical_and(x > 6.0, grad < 0.0)
    redirected_grad = tf.where_v2(tf.logical_or(neg_pushing_lower, pos_pushing_higher), zeros, grad)
    return _select_redirected(relu_grad, redirected_grad)
