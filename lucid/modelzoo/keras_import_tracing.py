"""Tracing a Keras model into a frozen graph, recording every layer's output on the way.

Used by ``lucid.modelzoo.keras_import`` (see its docstring for what is exposed). A
:class:`Recorder` temporarily wraps each layer instance's ``call`` (and fused
``activation``) while ``tf.function`` traces the model; :func:`freeze` turns the traced
function's variables into constants and refuses Python ops that a GraphDef cannot hold.
"""

import contextlib

import tensorflow.compat.v1 as tf

_PYTHON_OPS = {"PyFunc", "PyFuncStateless", "EagerPyFunc"}


class _ConversionError(ValueError):
    """A layer that could not be traced; raised once, from the innermost layer."""


class Recorder:
    """Records each layer's output (and pre-activation) while the model is traced.

    ``patched()`` temporarily replaces ``call`` (and ``activation``) on the layer instances,
    never on their classes, and restores them even if tracing fails.
    """

    def __init__(self, paths):
        self.paths = paths
        self.entries = []  # [(name, tags)], parallel to the traced function's outputs
        self.tensors = []
        self._seen = set()
        self._pre_activations = {}
        self.error = None

    def run_with(self, keras_model):
        def run(images):
            self.entries, self.tensors, self._seen = [], [], set()
            self.error = None
            output = keras_model(images, training=False)
            if isinstance(output, tf.Tensor) and all(output is not t for t in self.tensors):
                self._add("output", output, shape_tags(output.shape))
            if not self.tensors:
                raise ValueError(
                    f"Keras model {keras_model.name!r} exposed no layer: no layer output is a "
                    "float tensor of rank 2 or more. Check that the model calls its layers."
                )
            return list(self.tensors)

        return run

    def _add(self, name, tensor, tags):
        if name in self._seen:
            return
        self._seen.add(name)
        self.entries.append((name, tags))
        self.tensors.append(tensor)

    @contextlib.contextmanager
    def patched(self):
        saved = [(layer, dict(layer.__dict__)) for _, layer in self.paths.values()]
        try:
            for path, layer in self.paths.values():
                self._patch_layer(path, layer)
            yield
        finally:
            for layer, state in saved:
                for key in ("call", "activation"):
                    if key in state:
                        object.__setattr__(layer, key, state[key])
                    elif key in layer.__dict__:
                        object.__delattr__(layer, key)

    def _patch_layer(self, path, layer):
        original_call = layer.call
        activation = getattr(layer, "activation", None)
        fused = (
            callable(activation)
            and getattr(activation, "__name__", "") != "linear"
            and type(layer).__name__ != "Activation"
        )
        if fused:

            def recording_activation(x, *args, **kwargs):
                self._pre_activations.setdefault(path, []).append(x)
                return activation(x, *args, **kwargs)

            object.__setattr__(layer, "activation", recording_activation)

        def recording_call(*args, **kwargs):
            self._pre_activations[path] = []
            try:
                output = original_call(*args, **kwargs)
            except Exception as e:
                if self.error is None:  # the innermost layer names the culprit
                    self.error = _conversion_error(path, layer, e)
                raise self.error from e
            pre = self._pre_activations.pop(path, [])
            if is_image_like(output):
                if len(pre) == 1 and is_image_like(pre[0]):  # one activation: a fused one
                    self._add(path + "_pre_relu", pre[0], shape_tags(pre[0].shape) | {"pre_relu"})
                self._add(path, output, shape_tags(output.shape))
            return output

        object.__setattr__(layer, "call", recording_call)


def _conversion_error(path, layer, error):
    return _ConversionError(
        f"Could not convert layer {path!r} ({type(layer).__name__}): "
        f"{type(error).__name__}: {error}\nLucid traces the model with tf.function on a "
        "symbolic image: layers must use keras.ops or TensorFlow ops (no .numpy(), "
        "no NumPy on tensors). Rewrite the layer, or convert the part of the model "
        "before it, e.g. keras.Model(model.input, model.get_layer(name).output)."
    )


def is_image_like(value):
    """Whether ``value`` is a float tensor of known rank 2 or more (a layer Lucid exposes)."""
    return (
        isinstance(value, tf.Tensor)
        and value.dtype.is_floating
        and value.shape.ndims is not None
        and value.shape.ndims >= 2
    )


def shape_tags(shape):
    """``{"conv"}`` for rank 4, ``{"dense"}`` for rank 2, else no tag."""
    ndims = tf.TensorShape(shape).ndims
    return {4: {"conv"}, 2: {"dense"}}.get(ndims, set())


def freeze(function, what):
    """``function`` with its variables made constants; ``what`` names the model in errors."""
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    frozen = convert_variables_to_constants_v2(function)
    python_ops = [op.name for op in frozen.graph.get_operations() if op.type in _PYTHON_OPS]
    if python_ops:
        raise ValueError(
            f"{what} runs Python code (tf.py_function / tf.numpy_function) in {python_ops}, "
            "which cannot be stored in a GraphDef. Rewrite those layers with TensorFlow or "
            "keras.ops operations."
        )
    return frozen


def eager_mode():
    """A context that runs eagerly, even inside a user's ``with tf.Graph().as_default()``."""
    # Freezing reads the weights eagerly; callers may be inside `with tf.Graph().as_default()`,
    # which tf.init_scope does not leave.
    from tensorflow.python.eager import context

    return context.eager_mode()
