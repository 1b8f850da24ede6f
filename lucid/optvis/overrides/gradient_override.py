"""Override the gradients of graph ops.

Two tools:

* ``gradient_override_map({"Relu": redirected_relu_grad})``: a context manager; ops of the
  given types created inside it use the given gradient functions.
* ``@use_gradient(grad_f)``: makes a Python function of tensors use ``grad_f`` as its
  gradient, like a custom op.

Each gradient function is registered with TensorFlow's global registry **once**, the first
time it is used, and reused after that: repeated renders do not grow the registry. Nothing
is registered at import. Everything here builds plain graph ops (no ``py_func``), so graphs
stay serialisable and run on any device.
"""

import functools
import threading
import uuid
from contextlib import contextmanager

import tensorflow.compat.v1 as tf

_registered_names = {}
_registry_lock = threading.Lock()


def register_to_random_name(grad_f):
    """Registers ``grad_f`` as a gradient function and returns the name it is registered under.

    The name is random (``<function name>_<uuid hex>``) the first time; later calls with the
    same function return the same name without registering again.

    Args:
      grad_f: a gradient function ``(op, *grads) -> grads`` as for ``tf.RegisterGradient``.

    Returns:
      The registered name, usable in ``graph.gradient_override_map``.
    """
    if not callable(grad_f):
        raise TypeError(
            f"grad_f must be a gradient function (op, *grads) -> grads; got {grad_f!r}."
        )
    with _registry_lock:
        name = _registered_names.get(grad_f)
        if name is None:
            name = f"{getattr(grad_f, '__name__', 'grad')}_{uuid.uuid4().hex}"
            tf.RegisterGradient(name)(grad_f)
            _registered_names[grad_f] = name
    return name


@contextmanager
def gradient_override_map(override_dict):
    """Overrides the gradient of op types in the default graph, inside the context.

    Args:
      override_dict: maps an op type (e.g. ``"Relu"``) to a gradient function or to the name
        of an already registered gradient.

    Example::

        with gradient_override_map({"Relu": redirected_relu_grad}):
            model.import_graph(t_image)
    """
    if not isinstance(override_dict, dict):
        raise TypeError(
            f"override_dict must be a dict mapping op types to gradient functions; got {override_dict!r}."
        )
    override_names = {}
    for op_type, grad_f in override_dict.items():
        if isinstance(grad_f, str):
            override_names[op_type] = grad_f
        else:
            override_names[op_type] = register_to_random_name(grad_f)
    with tf.get_default_graph().gradient_override_map(override_names):
        yield


class _OpView:
    """What ``grad_f`` sees: the wrapped function's inputs and outputs, as if it were one op."""

    def __init__(self, op, n_inputs):
        self._op = op
        self.inputs = list(op.inputs[:n_inputs])
        self.outputs = list(op.outputs[n_inputs:])

    def __getattr__(self, name):
        return getattr(self._op, name)


@functools.cache
def _identity_n_gradient(grad_f, n_inputs):
    """Adapts ``grad_f`` to the IdentityN op that ``use_gradient`` builds (cached: one per f)."""

    def adapted(op, *grads):
        output_grads = [
            tf.zeros_like(out) if grad is None else grad
            for out, grad in zip(op.outputs[n_inputs:], grads[n_inputs:])
        ]
        input_grads = grad_f(_OpView(op, n_inputs), *output_grads)
        if not isinstance(input_grads, (list, tuple)):
            input_grads = [input_grads]
        if len(input_grads) != n_inputs:
            raise ValueError(
                f"gradient function {getattr(grad_f, '__name__', grad_f)} returned "
                f"{len(input_grads)} gradients for {n_inputs} inputs; return one per input."
            )
        return list(input_grads) + [None] * len(output_grads)

    adapted.__name__ = f"use_gradient_{getattr(grad_f, '__name__', 'grad')}"
    return adapted


def use_gradient(grad_f):
    """Decorator: the decorated function of tensors uses ``grad_f`` as its gradient.

    ``grad_f(op, *output_grads)`` receives an op-like object whose ``inputs`` are the
    function's inputs and whose ``outputs`` are its outputs, and returns one gradient per
    input. Unlike Lucid's original (two stateful ``py_func`` calls), this builds ordinary
    graph ops, so it runs on GPU and graphs can be serialised.

    Example::

        def _clip_grad(op, grad):
            return tf.clip_by_value(grad, -1.0, 1.0)

        @use_gradient(_clip_grad)
        def my_identity(x):
            return tf.identity(x)
    """

    def decorator(f):
        @functools.wraps(f)
        def inner(*inputs):
            inputs = [tf.convert_to_tensor(x) for x in inputs]
            out = f(*inputs)
            single = not isinstance(out, (list, tuple))
            outs = [out] if single else list(out)
            name = register_to_random_name(_identity_n_gradient(grad_f, len(inputs)))
            with tf.get_default_graph().gradient_override_map({"IdentityN": name}):
                joined = tf.identity_n(inputs + [tf.stop_gradient(o) for o in outs])
            results = list(joined[len(inputs) :])
            for result, original in zip(results, outs):
                result.set_shape(original.shape)
            return results[0] if single else results

        return inner

    return decorator
