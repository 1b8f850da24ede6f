"""Tensors constrained to unit balls, with projected gradients (EXPERIMENTAL).

For adversarial-style optimisation one often wants to stay inside a ball. The functions
here map a tensor into the L2 or L_inf unit ball and replace the gradient of that mapping
with a projected gradient: components that would push a point already on (or beyond) the
boundary further out are removed.

Gradient convention: the incoming gradient is that of a **loss being minimised**, which is
what TensorFlow's optimizers (and ``render_vis``, which minimises ``-objective``) apply: the
value moves along ``-grad``. A component is outward when ``x . grad < 0``.

Fixed from Lucid: Lucid treated the incoming gradient as the direction of movement (an
ascent direction) although ``render_vis`` minimises, so it blocked exactly the wrong
components: a pixel of ``to_valid_rgb(..., sigmoid=False)`` that reached the edge of
``[0, 1]`` could never come back, while its variable kept growing outward unchecked.

Unlike Lucid, the projected gradients are ordinary graph ops built with
``lucid.optvis.overrides.gradient_override.use_gradient`` (Lucid used ``py_func``), so graphs
run on any device and can be serialised.

EXPERIMENTAL: check the math before relying on this for adversarial examples.
"""

from typing import Sequence

import tensorflow.compat.v1 as tf

from lucid.optvis.overrides.gradient_override import use_gradient

# Guards the division by the norm at the origin, where the gradient passes unchanged anyway.
_TINY = 1e-12


def dot(a, b):
    """Returns ``sum(a * b)`` over all elements, a scalar."""
    return tf.reduce_sum(tf.multiply(a, b))


def _constrain_L2_grad(op, grad):
    """Projected gradient for ``constrain_L2``.

    Inside the ball the gradient passes unchanged. On the boundary (or outside), a gradient
    that would move the value outward (``x . grad < 0``, as the value moves along ``-grad``)
    loses its component along the input direction; one moving it inward passes unchanged.
    """
    inp = op.inputs[0]
    inp_norm = tf.norm(inp)
    unit_inp = inp / tf.maximum(inp_norm, _TINY)
    grad_projection = dot(unit_inp, grad)
    parallel_grad = unit_inp * grad_projection
    is_in_ball = tf.less_equal(inp_norm, 1.0)
    is_pointed_inward = tf.greater(grad_projection, 0.0)  # the value moves along -grad
    allow_grad = tf.logical_or(is_in_ball, is_pointed_inward)
    return tf.where_v2(allow_grad, grad, grad - parallel_grad)


@use_gradient(_constrain_L2_grad)
def constrain_L2(x):
    """Projects ``x`` into the L2 unit ball: ``x / max(1, ||x||_2)`` (norm over all elements).

    The gradient is replaced by ``_constrain_L2_grad`` (see the module docstring).
    """
    return x / tf.maximum(1.0, tf.norm(x))


def unit_ball_L2(shape: Sequence[int]):
    """A trainable variable of ``shape`` (initialised to zeros), constrained to the L2 unit ball.

    Returns:
      A float32 tensor of ``shape`` whose L2 norm (over all elements) is at most 1.
    """
    x = tf.Variable(tf.zeros(shape))
    return constrain_L2(x)


def _constrain_L_inf_grad(precondition=True):
    """Makes the projected gradient for ``constrain_L_inf`` (optionally sign-preconditioned).

    Args:
      precondition: if True the gradient is first replaced by its sign, the L_inf direction
        of steepest descent.

    Returns:
      A gradient function ``(op, grad) -> grad``: elementwise, where ``|x| >= 1`` and the
      step would move the value outward (``x * grad < 0``, as it moves along ``-grad``),
      the gradient is zeroed.
    """

    def grad_f(op, grad):
        inp = op.inputs[0]
        dim_at_edge = tf.greater_equal(tf.abs(inp), 1.0)
        dim_outward = tf.less(inp * grad, 0.0)  # the value moves along -grad
        if precondition:
            grad = tf.sign(grad)
        return tf.where_v2(tf.logical_and(dim_at_edge, dim_outward), tf.zeros_like(grad), grad)

    grad_f.__name__ = f"constrain_L_inf_grad_precondition_{bool(precondition)}"
    return grad_f


@use_gradient(_constrain_L_inf_grad(precondition=True))
def constrain_L_inf_precondition(x):
    """Clips ``x`` elementwise into ``[-1, 1]`` as ``x / max(1, |x|)``; sign-preconditioned gradient."""
    return x / tf.maximum(1.0, tf.abs(x))


@use_gradient(_constrain_L_inf_grad(precondition=False))
def constrain_L_inf(x):
    """Clips ``x`` elementwise into ``[-1, 1]`` as ``x / max(1, |x|)``; projected gradient."""
    return x / tf.maximum(1.0, tf.abs(x))


def unit_ball_L_inf(shape: Sequence[int], precondition: bool = True):
    """A trainable variable of ``shape`` (zeros), constrained to the L_inf unit ball.

    Args:
      shape: the shape of the variable.
      precondition: if True (default) gradients are replaced by their sign (the L_inf
        direction of steepest descent) before projection.

    Returns:
      A float32 tensor of ``shape`` with values in ``[-1, 1]``.
    """
    x = tf.Variable(tf.zeros(shape))
    if precondition:
        return constrain_L_inf_precondition(x)
    return constrain_L_inf(x)
