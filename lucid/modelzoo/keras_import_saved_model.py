"""Reading a SavedModel's serving signature and naming its layers after its name scopes.

Used by ``lucid.modelzoo.keras_import.from_saved_model``: the signature must take one float
`[batch, h, w, c]` image; the layers are the top-level name scopes of the frozen graph, with
``name_pre_relu`` where a scope ends with an activation.
"""

import os

import tensorflow.compat.v1 as tf

from lucid.modelzoo.keras_import_graph import valid_name
from lucid.modelzoo.keras_import_tracing import is_image_like
from lucid.modelzoo.keras_import_tracing import shape_tags

_ACTIVATION_OPS = {"Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh", "Softmax", "Softplus"}
_ACTIVATION_OPS |= {"LeakyRelu", "Softsign"}
_PLUMBING_OPS = {"Const", "Identity", "NoOp", "Placeholder", "ReadVariableOp"}


def signature_input_name(function):
    """The keyword name of the signature's (single) input."""
    return next(iter(function.structured_input_signature[1]))


def single_image_spec(function, path):
    """The signature's one input spec, checked to be a float `[batch, h, w, c]` image."""
    args, kwargs = function.structured_input_signature
    specs = list(args) + list(kwargs.values())
    if len(specs) != 1:
        raise ValueError(
            f"The signature of the SavedModel at {path!r} has {len(specs)} inputs; Lucid models "
            "take one image. Export a signature with a single image input."
        )
    spec = specs[0]
    if not spec.dtype.is_floating or spec.shape.ndims != 4:
        raise ValueError(
            f"The SavedModel at {path!r} takes {spec.dtype.name} {spec.shape}; Lucid needs a "
            "float [batch, h, w, c] image. Export a signature with such an input."
        )
    return spec


def signature_outputs(function, frozen):
    """``[(key, tensor)]`` for the signature's image-like outputs (``output_i`` if unnamed)."""
    outputs = function.structured_outputs
    keys = (
        sorted(outputs)
        if isinstance(outputs, dict)
        else [f"output_{i}" for i in range(len(frozen.outputs))]
    )
    return [(key, t) for key, t in zip(keys, frozen.outputs) if is_image_like(t)]


def discover_scopes(graph_def, input_tensor, image_shape):
    """``[(scope, tensor, tags)]`` for the top-level name scopes of a frozen graph."""
    with tf.Graph().as_default() as graph:
        t_input = tf.placeholder(tf.float32, [None, *image_shape])
        tf.import_graph_def(graph_def, {input_tensor: t_input}, name="")
    ops = [op for op in graph.get_operations() if op.type not in _PLUMBING_OPS]
    paths = [op.name.split("/") for op in ops if "/" in op.name]
    prefix = os.path.commonprefix(paths) if paths else []
    depth = len(prefix)

    def scope(op):
        parts = op.name.split("/")
        return parts[depth] if len(parts) > depth + 1 and parts[:depth] == prefix else None

    found = []
    for name in dict.fromkeys(scope(op) for op in ops if scope(op)):
        members = [op for op in ops if scope(op) == name]
        outputs = [
            op
            for op in members
            if op.outputs
            and is_image_like(op.outputs[0])
            and any(scope(c) != name for c in op.outputs[0].consumers())
        ]
        if not outputs:
            continue
        last = outputs[-1]
        source = last.inputs[0].op if last.inputs else None
        if last.type in _ACTIVATION_OPS and source is not None and scope(source) == name:
            found.append(
                (
                    name + "_pre_relu",
                    source.outputs[0],
                    shape_tags(source.outputs[0].shape) | {"pre_relu"},
                )
            )
        found.append((name, last.outputs[0], shape_tags(last.outputs[0].shape)))
    return [(valid_name(name), t.name, tags) for name, t, tags in found]
