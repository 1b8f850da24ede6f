"""The GraphDef a converted model ends up with: one ``tf.identity`` named after each layer.

Used by ``lucid.modelzoo.keras_import``: the frozen graph is imported under a scope of its
own, fed by a Placeholder named :data:`INPUT_NAME`, and each layer's output gets its name,
made valid for a graph node by :func:`valid_name`.
"""

import re

import tensorflow.compat.v1 as tf

INPUT_NAME = "input"
_VALID_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$")
_INVALID_CHARACTER = re.compile(r"[^A-Za-z0-9_.\-/]")


def valid_name(name):
    """``name`` with characters not allowed in graph node names replaced by ``_``."""
    name = _INVALID_CHARACTER.sub("_", str(name))
    return name if _VALID_NAME.match(name) else "layer_" + name


def _free_name(preferred, taken):
    """``preferred``, or ``preferred_1``, ``preferred_2``... whichever is not in ``taken``."""
    roots = {name.split("/")[0] for name in taken}
    candidate, k = preferred, 0
    while candidate in roots:
        k += 1
        candidate = f"{preferred}_{k}"
    return candidate


def assemble(frozen_graph_def, input_tensor, image_shape, named_outputs):
    """Imports the frozen graph under a private scope and names each output ``tf.identity``."""
    names = [name for name, _, _ in named_outputs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(
            f"Several layers would be named {duplicates} (after replacing characters not "
            "allowed in graph names with '_'). Give the Keras layers distinct names."
        )
    if INPUT_NAME in names:
        raise ValueError(
            f"A layer is named {INPUT_NAME!r}, the name Lucid gives the image input. "
            "Rename that layer (layer names are set with name=... when it is created)."
        )
    scope = _free_name("frozen", names)
    tensor_names = [t if isinstance(t, str) else t.name for _, t, _ in named_outputs]
    with tf.Graph().as_default() as graph:
        t_input = tf.placeholder(tf.float32, [None, *image_shape], name=INPUT_NAME)
        tensors = tf.import_graph_def(
            frozen_graph_def, {input_tensor: t_input}, return_elements=tensor_names, name=scope
        )
        layers = []
        for (name, _, tags), tensor in zip(named_outputs, tensors):
            op = tf.identity(tensor, name=name).op
            if op.name != name:
                raise ValueError(f"Could not name a graph node {name!r} (got {op.name!r}).")
            depth = tensor.shape[-1] if tensor.shape.ndims else None
            depth = None if depth is None else int(depth)
            layers.append({"name": name, "depth": depth, "tags": sorted(tags)})
    return graph.as_graph_def(), layers
