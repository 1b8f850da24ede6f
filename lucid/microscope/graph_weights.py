"""Reading weights out of a model's graph: constants directly, anything else with a session.

Used by the upstream-weights walk (``lucid.microscope.upstream_walk``). Values come back as
float64 NumPy arrays; a value that can't be read (a variable without an initialised session,
a tensor that depends on the input) is None, and the caller says so in its note.
"""

from typing import Optional

import numpy as np
import tensorflow.compat.v1 as tf


class GraphWeights:
    """The values of weight tensors in ``graph``.

    Args:
      graph: a ``tf.Graph``.
      session: a session on ``graph`` for tensors that are not constants (a user's model
        with variables); without one a private session is opened when first needed (it can
        read what constants compute, not uninitialised variables). :meth:`close` closes it.
    """

    def __init__(self, graph: tf.Graph, session=None):
        self.graph = graph
        self._session = session
        self._own_session = None

    def close(self):
        if self._own_session is not None:
            self._own_session.close()
            self._own_session = None

    def value(self, tensor) -> Optional[np.ndarray]:
        """``tensor``'s value: a constant's (through ``Identity``), else run; None if it fails."""
        op = tensor.op
        while op.type == "Identity":
            op = op.inputs[0].op
        if op.type == "Const":
            return tf.make_ndarray(op.get_attr("value")).astype(np.float64)
        session = self._session
        if session is None:
            if self._own_session is None:
                self._own_session = tf.Session(graph=self.graph)
            session = self._own_session
        try:
            return np.asarray(session.run(tensor), np.float64)
        except (tf.errors.OpError, ValueError, TypeError):
            return None

    def channel_scale(self, op) -> np.ndarray:
        """Per output channel, the factor an elementwise op applies: a batch norm's
        ``scale / sqrt(variance + epsilon)`` (its inference form), 1 for any other op."""
        ones = np.ones([depth(op.outputs[0]) or 1])
        if not op.type.startswith("FusedBatchNorm"):
            return ones
        scale, variance = self.value(op.inputs[1]), self.value(op.inputs[4])
        if scale is None or variance is None or variance.size == 0:
            return ones  # training-mode batch statistics: no fixed scale
        return scale / np.sqrt(variance + op.get_attr("epsilon"))


def is_stored(tensor) -> bool:
    """Whether ``tensor`` is a constant or a variable (through ``Identity`` reads)."""
    op = tensor.op
    while op.type in ("Identity", "ReadVariableOp") and op.inputs:
        op = op.inputs[0].op
    return op.type in ("Const", "VariableV2", "VarHandleOp")


def depth(tensor) -> Optional[int]:
    """The last dimension of ``tensor`` (its channels), or None if unknown or a scalar."""
    if tensor.shape.ndims is None or tensor.shape.ndims == 0:
        return None
    return tf.compat.dimension_value(tensor.shape[-1])
