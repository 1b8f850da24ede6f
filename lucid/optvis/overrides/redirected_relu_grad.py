"""Redirected ReLU gradients: keep optimisation from stalling on dead ReLUs.

When a feature visualisation starts, many ReLUs feeding the objective are inactive, so the
true gradient is zero and the image never changes (the "grey image" of Lucid issue #68).
For batch items whose ReLU gradient is entirely zero, these functions let through the
gradient components that would push the input back into the ReLU's active range. After 16
optimisation steps (read from the graph's global step) they return the true gradient.

``scheduled_relu_grad`` and ``scheduled_relu6_grad`` (the ``"relu_schedule"`` rewrite of
``lucid.optvis.rewrites``) give the same gradients but choose inside the graph, once per
step, between computing the redirected gradient (steps 0 to 16) and TensorFlow's native
``ReluGrad`` / ``Relu6Grad`` (afterwards), instead of computing both at every step and
selecting; their selections use the v1 ``Select`` op, several times faster on CPU than
the broadcasting ``SelectV2``.

References: Lucid's ``redirected_relu_grad``; Olah et al., "Feature Visualization",
Distill 2017.
"""

import tensorflow.compat.v1 as tf
from tensorflow.python.ops import gen_nn_ops

_REDIRECT_STEPS = 16
# Holds the graph's predicate "global step <= 16", for _redirecting.
_PREDICATE_COLLECTION = "lucid_optvis_redirect_relu_predicate"


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


def _redirecting(graph):
    """The bool scalar ``global_step <= 16``: one op per graph, shared by every ReLU.

    One predicate means one read of the global step per step (on a GPU, one copy of the
    predicate to the host, where the branch is chosen).
    """
    cached = graph.get_collection(_PREDICATE_COLLECTION)
    if cached:
        return cached[0]
    global_step = tf.train.get_or_create_global_step()
    # Outside the gradient's name scope, control dependencies and control flow, so that
    # every later gradient can use it.
    with graph.name_scope(None), graph.control_dependencies(None):
        limit = tf.constant(_REDIRECT_STEPS, global_step.dtype)
        predicate = tf.less_equal(global_step, limit, name="redirect_relu_gradients")
    graph.add_to_collection(_PREDICATE_COLLECTION, predicate)
    return predicate


def _redirect_steps_cond(inputs, redirected_f, native_f):
    """``redirected_f(*inputs)`` while the global step is at most 16, else ``native_f(*inputs)``.

    Chosen in-graph with ``Switch`` and ``Merge``, the ops ``tf.cond`` lowers to when the step
    runs: each branch receives ``inputs`` through a ``Switch``, so only the chosen branch
    computes. Built directly, in both control-flow versions, there are no function graphs to
    build (two per ReLU with ``tf.cond``) and lower before the first step: ~0.05 s less per
    InceptionV1 render at batch 1 (graph build 0.62 -> 0.60 s, first step 0.30 -> 0.28 s, 2-core
    CPU, three alternating runs each).
    """
    predicate = _redirecting(tf.get_default_graph())
    with tf.name_scope("redirect_steps"):
        switched = [tf.raw_ops.Switch(data=t, pred=predicate) for t in inputs]
        native = native_f(*(s.output_false for s in switched))
        redirected = redirected_f(*(s.output_true for s in switched))
        return tf.raw_ops.Merge(inputs=[native, redirected]).output


def _select_redirected_v1(relu_grad, redirected_grad):
    """``_select_redirected`` for steps 0 to 16, with v1 ``Select`` on a `[batch]` condition."""
    if relu_grad.shape.ndims is not None and relu_grad.shape.ndims < 2:
        raise ValueError(
            f"redirected ReLU gradients need a batch dimension (rank >= 2); got shape {relu_grad.shape}."
        )
    batch = tf.shape(relu_grad)[0]
    # sum(g**2) > 0 exactly when the norm that _select_redirected compares is > 0.
    has_gradient = tf.reduce_sum(tf.square(tf.reshape(relu_grad, [batch, -1])), axis=1) > 0.0
    # v1 Select with a vector condition picks whole batch items.
    return tf.where(has_gradient, relu_grad, redirected_grad)


def scheduled_relu_grad(op, grad):
    """``redirected_relu_grad``, computed only for steps 0 to 16; native ``ReluGrad`` after."""
    _check_op(op, "Relu")

    # Reads only the ReLU's output (x <= 0 exactly where y <= 0), never its input, so that
    # grappler can still fuse the convolution, bias and ReLU into one op. It differs from
    # redirected_relu_grad only where x == 0 exactly, where it gives 0 as TF's ReluGrad does.
    def redirected(grad, y):
        dead = y <= 0.0
        zeros = tf.zeros_like(grad)
        relu_grad = tf.where(dead, zeros, grad)
        redirected_grad = tf.where(tf.logical_and(dead, grad > 0.0), zeros, grad)
        return _select_redirected_v1(relu_grad, redirected_grad)

    return _redirect_steps_cond([grad, op.outputs[0]], redirected, gen_nn_ops.relu_grad)


def scheduled_relu6_grad(op, grad):
    """``redirected_relu6_grad``, computed only for steps 0 to 16; native ``Relu6Grad`` after."""
    _check_op(op, "Relu6")

    # As scheduled_relu_grad: only the output is read (y <= 0 for x <= 0, y >= 6 for x >= 6).
    def redirected(grad, y):
        low, high = y <= 0.0, y >= 6.0
        zeros = tf.zeros_like(grad)
        relu_grad = tf.where(tf.logical_or(low, high), zeros, grad)
        pushing_out = tf.logical_or(
            tf.logical_and(low, grad > 0.0), tf.logical_and(high, grad < 0.0)
        )
        return _select_redirected_v1(relu_grad, tf.where(pushing_out, zeros, grad))

    return _redirect_steps_cond([grad, op.outputs[0]], redirected, gen_nn_ops.relu6_grad)
