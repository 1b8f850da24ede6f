"""Edit the constant weights of a frozen ``GraphDef`` with NumPy indexing.

Example (the "Understanding RL Vision" notebook's model editing)::

    edited = copy.deepcopy(model)           # Model caches its graph_def
    editor = ParameterEditor(edited.graph_def)
    editor["conv1_w", :, :, :, 3] = 0.0     # silence output channel 3 of conv1
    weights = editor["conv1_w"]             # a copy, `[3, 3, 3, 16]` float32

The ``GraphDef`` is edited **in place**; importing it afterwards computes with the new values.
"""

import difflib
from typing import Any
from typing import Tuple
from typing import Union

import numpy as np
import tensorflow.compat.v1 as tf

EDITED_MARKER = "lucid_is_edited"

Key = Union[str, Tuple[Any, ...]]


class ParameterEditor:
    """NumPy-style access to every constant (a node with a ``value`` attr) of a GraphDef.

    ``editor[name]`` is a copy of the constant's value as an ndarray (its own dtype; Lucid
    always gave float32); ``editor[name, *index]`` a slice of it. ``editor[name] = array``
    replaces the value (same shape, cast to the constant's dtype) and ``editor[name, *index]
    = value`` edits a slice. Constants stored as ``tensor_content`` and as ``float_val`` /
    ``int_val`` lists (including a single "splat" value for a whole tensor) are both read and
    written.

    Creating an editor appends a ``Const`` named ``lucid_is_edited`` (bool True) to the
    GraphDef, unless it is there already, so edited models can be told apart.

    Args:
      graph_def: the ``tf.GraphDef`` to edit in place.
    """

    def __init__(self, graph_def: tf.GraphDef):
        self.graph_def = graph_def
        self.nodes = {node.name: node for node in graph_def.node if "value" in node.attr}
        if EDITED_MARKER not in {node.name for node in graph_def.node}:
            marker = graph_def.node.add()
            marker.name = EDITED_MARKER
            marker.op = "Const"
            marker.attr["dtype"].type = tf.bool.as_datatype_enum
            marker.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(True))

    def _split(self, key: Key):
        name, index = (key[0], key[1:]) if isinstance(key, tuple) else (key, None)
        if name not in self.nodes:
            close = difflib.get_close_matches(str(name), list(self.nodes), n=5)
            raise KeyError(
                f"{name!r} is not a constant of this graph_def. Close matches: {close}. "
                "All constants: list(editor.nodes)."
            )
        return self.nodes[name], index

    def __getitem__(self, key: Key) -> np.ndarray:
        node, index = self._split(key)
        value = tf.make_ndarray(node.attr["value"].tensor).copy()
        return value if index is None else value[index].copy()

    def __setitem__(self, key: Key, value: Any) -> None:
        node, index = self._split(key)
        tensor = node.attr["value"].tensor
        current = tf.make_ndarray(tensor)
        if index is None:
            value = np.asarray(value)
            if value.shape != current.shape:
                raise ValueError(
                    f"Cannot replace {node.name!r} of shape {list(current.shape)} with an array "
                    f"of shape {list(value.shape)}. Pass an array of the same shape, or edit a "
                    f"slice with editor[{node.name!r}, index] = value."
                )
            new_value = value.astype(current.dtype)
        else:
            new_value = current.copy()
            new_value[index] = value
        # make_tensor_proto writes arrays as tensor_content (ndarray.tobytes; Lucid's
        # ndarray.tostring is gone in NumPy 2) and scalars as float_val/int_val.
        dtype = tf.as_dtype(tensor.dtype)
        tensor.CopyFrom(tf.make_tensor_proto(new_value, dtype=dtype, shape=current.shape))
