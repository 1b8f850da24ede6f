"""Upstream weights: the units of earlier layers that feed a unit most strongly.

The graph walk behind ``lucid.microscope.upstream`` (which writes the results).

The Distill circuits view of a unit: for unit ``j`` of a convolution (or dense) layer, the
channels of the nearest declared layer(s) below it, ranked by the size of the weights that
connect them to ``j``.

How it works:

* **Down to the weights.** From the layer's op the graph is walked down through ops that
  keep channels one to one (activations, ``BiasAdd``, ``Identity``, adding or scaling by a
  constant, batch norm with its ``scale / sqrt(variance + epsilon)`` multiplied in) to the
  ``Conv2D``, ``DepthwiseConv2dNative`` or ``MatMul`` that computes it; a ``ConcatV2`` on
  the channel axis sends unit ``j`` to the branch that produced it (``j`` minus the
  branch's offset). That op's kernel for ``j`` is a matrix ``K`` of `[positions, input
  channels]` (``W[:, :, :, j]`` of a `[kh, kw, in, out]` kernel reshaped; the column
  ``W[:, j]`` of a matmul).
* **Up to the declared layers.** ``K``'s input channels are followed up through the same
  channel-keeping ops and through pooling (``MaxPool``, ``AvgPool``, ``LRN``, spatial
  ``Mean``/``Sum``/``Max``; ``LRN`` only roughly, it divides by neighbouring channels),
  concatenations (columns split at the branches' offsets), sums of tensors (each operand
  gets ``K``; ``Sub``'s second ``-K``), a flattening ``Reshape`` (`[h, w, c]` order: input
  channel ``r`` is channel ``r % c``), until each channel reaches a declared layer.
* **Expanded weights.** A 1x1 convolution or matmul met on the way up that is not a
  declared layer (an Inception "bottleneck") is multiplied in: ``K <- K @ W1.T``, the
  product of the kernels summed over the middle channels. Exact for the linear part; the
  ReLU and bias between the two are ignored, which the unit's note says.
* **The weight of upstream unit** ``i`` is ``sign(sum(v)) * ||v||_2`` where ``v`` is ``K``'s
  column for ``i`` (the kernel ``W[:, :, i, j]`` when there is no expansion): its L2 norm,
  signed by whether it excites (positive sum) or inhibits. When ``sum(v)`` is exactly 0
  the sign is that of ``v``'s entry of largest magnitude. Scales applied on the way
  (pooling's ``1/n``, a per-example normalisation) are not included.

Units with no such weights get an empty list and a note saying why: a first layer (its
kernel reads the input image), a softmax, or a branch whose input stops at an op this walk
does not see through. A layer that pools a declared layer gets that layer's unit, weight 1.
"""

import dataclasses
from typing import Dict
from typing import List
from typing import Mapping
from typing import Optional
from typing import Sequence
from typing import Tuple

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.microscope.graph_weights import GraphWeights
from lucid.microscope.graph_weights import depth
from lucid.microscope.graph_weights import is_stored
from lucid.optvis import render_util

DEFAULT_TOP = 8
# Ops whose output channel c depends only on input 0's channel c (and constants).
ELEMENTWISE_OPS = frozenset(
    "Relu Relu6 Elu Selu LeakyRelu Sigmoid Tanh Softplus Identity BiasAdd FusedBatchNorm "
    "FusedBatchNormV2 FusedBatchNormV3 StopGradient".split()
)
POOLING_OPS = frozenset("MaxPool AvgPool LRN".split())
REDUCTION_OPS = frozenset("Mean Sum Max".split())
RESHAPE_OPS = frozenset("Reshape Squeeze ExpandDims".split())
BINARY_OPS = frozenset("Add AddV2 Sub Mul RealDiv Maximum Minimum".split())
LINEAR_OPS = frozenset("Conv2D DepthwiseConv2dNative MatMul".split())
_INPUT_OPS = frozenset("Placeholder PlaceholderWithDefault".split())
_MAX_OPS = 200  # ops visited per unit before giving up (a guard against huge residual towers)


@dataclasses.dataclass(frozen=True)
class Upstream:
    """The upstream units of one unit.

    Attributes:
      units: ``(layer, unit, weight)`` triples, largest ``|weight|`` first (ties by layer
        order, then unit), at most ``top`` of them.
      note: why the list is empty or what it leaves out or approximates; None if nothing.
    """

    units: Tuple[Tuple[str, int, float], ...]
    note: Optional[str]


class _Trace:
    """What one walk up found: ``{layer: [K, ...]}`` (`[positions, layer depth]` each) and notes."""

    def __init__(self):
        self.blocks: Dict[str, List[np.ndarray]] = {}
        self.notes: List[str] = []
        self.visited = 0

    def note(self, text):
        if text not in self.notes:
            self.notes.append(text)


class UpstreamFinder:
    """Finds upstream units in a graph whose declared layers are ops of ``graph``.

    Args:
      graph: a ``tf.Graph`` holding the model.
      layers: ``{op name in graph: declared layer name}``, in the model's layer order.
      scope: name scope of the model's ops (``"import/"``); ops outside it are the input.
      session: a session on ``graph`` to read weights that are not constants (variables of
        a user's model); without one, a private session tries (constants only).
    """

    def __init__(self, graph: tf.Graph, layers: Mapping[str, str], scope: str = "", session=None):
        self.graph = graph
        self.layers = dict(layers)
        self.names = list(dict.fromkeys(self.layers.values()))  # declared layers, in order
        self.order = {name: k for k, name in enumerate(self.names)}
        self.scope = scope
        self.weights = GraphWeights(graph, session)

    @classmethod
    def from_model(cls, model, layer_names: Sequence[str]) -> "UpstreamFinder":
        """The finder for ``model`` (a Lucid ``Model``), imported into a new graph."""
        graph = tf.Graph()
        with graph.as_default():
            channels = render_util.default_image_shape(model)[2]
            model.import_graph(tf.placeholder(tf.float32, [None, None, None, channels]))
        names = {_op_name(name): name for name in layer_names}
        return cls(graph, {"import/" + op: name for op, name in names.items()}, "import/")

    def close(self):
        """Closes the private session, if one was opened to read weights."""
        self.weights.close()

    def upstream(self, layer: str, unit: int, top: int = DEFAULT_TOP) -> Upstream:
        """The ``top`` upstream units of ``unit`` of the declared ``layer``.

        Raises:
          ValueError: ``layer`` is not declared, ``unit`` is not one of its channels, or
            ``top`` is below 1.
        """
        if not isinstance(top, (int, np.integer)) or top < 1:
            raise ValueError(f"top must be a positive int; got top={top!r}.")
        ops = [op for op, name in self.layers.items() if name == layer]
        if not ops:
            raise ValueError(
                f"layer {layer!r} is not a declared layer; expected one of "
                f"{list(self.layers.values())}."
            )
        tensor = self.graph.get_operation_by_name(ops[0]).outputs[0]
        channels = depth(tensor)
        if not isinstance(unit, (int, np.integer)) or not 0 <= unit < (channels or unit + 1):
            raise ValueError(f"unit={unit!r} is not a channel of {layer!r} (depth {channels}).")
        found = self._unit_kernel(tensor, int(unit), layer)
        if isinstance(found, str):
            return Upstream((), f"no direct weights: {found}")
        if isinstance(found, Upstream):
            return found
        source, kernel, linear_name = found
        trace = _Trace()
        self._resolve(source, kernel, trace)
        ranked = self._ranked(trace, top)
        if not ranked:
            reasons = "; ".join(trace.notes) or "nothing upstream"
            return Upstream((), f"no direct weights: {linear_name} {reasons}")
        return Upstream(tuple(ranked), "; ".join(trace.notes) or None)

    def _unit_kernel(self, tensor, unit, layer):
        """``(input tensor, K [positions, in], op name)``, an identity Upstream, or a reason."""
        factor = 1.0
        pooled = None
        for _ in range(_MAX_OPS):
            op = tensor.op
            if op.type in LINEAR_OPS:
                kernel = self._kernel_column(op, unit)
                if isinstance(kernel, str):
                    return kernel
                return op.inputs[0], kernel * factor, self._short(op.name)
            if op.name in self.layers and pooled is not None and self.layers[op.name] != layer:
                other = self.layers[op.name]
                return Upstream(
                    ((other, unit, 1.0),),
                    f"no weights of its own: {layer} is a {pooled} of {other}",
                )
            if op.type in ELEMENTWISE_OPS:
                factor = factor * self.weights.channel_scale(op)[unit]
                tensor = op.inputs[0]
            elif op.type in POOLING_OPS:
                pooled = pooled or op.type
                tensor = op.inputs[0]
            elif op.type in ("ConcatV2", "Concat"):
                branch = self._concat_branches(op)
                if isinstance(branch, str):
                    return branch
                for start, part in branch:
                    if start <= unit < start + depth(part):
                        tensor, unit = part, unit - start
                        break
            elif op.type in BINARY_OPS:
                operands = [self._operand(x, depth(op.outputs[0])) for x in op.inputs]
                kinds = [kind for kind, _ in operands]
                if kinds.count("full") != 1 or "other" in kinds:
                    return f"{layer} is a {op.type} of " + " and ".join(self._sources(op))
                (full,) = [x for x, (kind, _) in zip(op.inputs, operands) if kind == "full"]
                constant = [value for kind, value in operands if kind == "const"]
                if constant and op.type in ("Mul", "RealDiv"):
                    value = np.broadcast_to(constant[0], [depth(op.outputs[0])])[unit]
                    factor *= value if op.type == "Mul" else 1.0 / value
                if op.type == "Sub" and full is op.inputs[1]:
                    factor = -factor
                tensor = full
            else:
                return f"{layer} is a {op.type} of " + " and ".join(self._sources(op))
        return f"{layer}: more than {_MAX_OPS} ops before its weights"

    def _kernel_column(self, op, unit):
        """`[positions, in channels]` weights of output channel ``unit`` of a linear op."""
        weights = self.weights.value(op.inputs[1])
        if weights is None:
            return f"the weights of {self._short(op.name)} are not constants (pass a session)"
        if op.type == "MatMul":
            if op.get_attr("transpose_a"):
                return f"{self._short(op.name)} is a MatMul with transpose_a, not a dense layer"
            weights = weights.T if op.get_attr("transpose_b") else weights
            return weights[:, unit][None, :]
        if op.get_attr("data_format") not in (b"NHWC", "NHWC"):
            return f"{self._short(op.name)} is not NHWC"
        kh, kw, cin, cout = weights.shape
        if op.type == "Conv2D":
            return weights[:, :, :, unit].reshape(kh * kw, cin)
        column = np.zeros([kh * kw, cin])  # depthwise: output unit = input unit // multiplier
        column[:, unit // cout] = weights[:, :, unit // cout, unit % cout].ravel()
        return column

    def _resolve(self, tensor, kernel, trace):
        """Adds to ``trace`` where each input channel (column of ``kernel``) comes from."""
        trace.visited += 1
        op = tensor.op
        short = self._short(op.name)
        if op.name in self.layers:
            trace.blocks.setdefault(self.layers[op.name], []).append(kernel)
        elif trace.visited > _MAX_OPS:
            trace.note(f"stops after {_MAX_OPS} ops")
        elif op.type in _INPUT_OPS or not op.name.startswith(self.scope):
            trace.note("reads the input image")
        elif op.type in ELEMENTWISE_OPS:
            self._resolve(op.inputs[0], kernel * self.weights.channel_scale(op), trace)
        elif op.type in POOLING_OPS:
            self._resolve(op.inputs[0], kernel, trace)
        elif op.type in ("ConcatV2", "Concat"):
            branches = self._concat_branches(op)
            if isinstance(branches, str):
                trace.note(branches)
                return
            for start, part in branches:
                self._resolve(part, kernel[:, start : start + depth(part)], trace)
        elif op.type in BINARY_OPS:
            self._resolve_binary(op, kernel, trace)
        elif op.type in REDUCTION_OPS:
            axes = np.atleast_1d(self.weights.value(op.inputs[1]))
            rank = op.inputs[0].shape.ndims
            if rank is None or (rank - 1) in np.mod(axes, rank):
                trace.note(f"stops at {short}: a {op.type} over channels")
            else:
                self._resolve(op.inputs[0], kernel, trace)
        elif op.type in RESHAPE_OPS:
            channels = depth(op.inputs[0])
            if channels and kernel.shape[1] % channels == 0:
                self._resolve(op.inputs[0], kernel.reshape(-1, channels), trace)
            else:
                trace.note(f"stops at {short}: a {op.type} that mixes channels")
        elif op.type in ("Conv2D", "MatMul"):
            self._expand(op, kernel, trace)
        else:
            trace.note(f"stops at {short} ({op.type})")

    def _resolve_binary(self, op, kernel, trace):
        channels = kernel.shape[1]
        operands = [self._operand(x, channels) for x in op.inputs]
        full = [k for k, (kind, _) in enumerate(operands) if kind == "full"]
        consts = [value for kind, value in operands if kind == "const"]
        scales = [op.inputs[k] for k, (kind, _) in enumerate(operands) if kind == "other"]
        short = self._short(op.name)
        if op.type in ("Mul", "RealDiv", "Maximum", "Minimum") and len(full) != 1:
            trace.note(f"stops at {short}: a {op.type} of two tensors")
            return
        if consts and op.type in ("Mul", "RealDiv"):
            value = np.broadcast_to(consts[0], [channels])
            kernel = kernel * value if op.type == "Mul" else kernel / value
        for scale in scales:
            trace.note(f"leaves out the scale {self._short(scale.op.name)} ({op.type})")
        for k in full:
            sign = -1.0 if op.type == "Sub" and k == 1 else 1.0
            self._resolve(op.inputs[k], sign * kernel, trace)

    def _expand(self, op, kernel, trace):
        """Multiplies a 1x1 convolution or matmul that is not a declared layer into ``kernel``."""
        short = self._short(op.name)
        weights = self.weights.value(op.inputs[1])
        if weights is None:
            trace.note(f"stops at {short}: its weights are not constants")
            return
        if op.type == "Conv2D":
            strides = list(op.get_attr("strides"))
            if weights.shape[:2] != (1, 1) or strides != [1, 1, 1, 1]:
                trace.note(
                    f"stops at {short}: a {weights.shape[0]}x{weights.shape[1]} convolution "
                    "that is not a declared layer (only 1x1 ones are expanded)"
                )
                return
            weights = weights[0, 0]
        elif op.get_attr("transpose_a"):
            trace.note(f"stops at {short}: a MatMul with transpose_a")
            return
        elif op.get_attr("transpose_b"):
            weights = weights.T
        trace.note(f"expanded through {short} (its bias and ReLU ignored)")
        self._resolve(op.inputs[0], kernel @ weights.T, trace)

    def _concat_branches(self, op):
        """``[(channel offset, input tensor)]`` of a channel concatenation, or a reason."""
        inputs = list(op.inputs[:-1]) if op.type == "ConcatV2" else list(op.inputs[1:])
        axis = self.weights.value(op.inputs[-1] if op.type == "ConcatV2" else op.inputs[0])
        rank = op.outputs[0].shape.ndims
        if axis is None or rank is None or int(axis) % rank != rank - 1:
            return f"{self._short(op.name)} concatenates along another axis than channels"
        depths = [depth(x) for x in inputs]
        if None in depths:
            return f"{self._short(op.name)} has inputs of unknown depth"
        return list(zip(np.cumsum([0] + depths[:-1]).tolist(), inputs))

    def _operand(self, tensor, channels):
        """("const", value), ("full", None) (one value per channel) or ("other", None)."""
        value = self.weights.value(tensor) if is_stored(tensor) else None
        if value is not None and value.size in (1, channels):
            return "const", value.reshape(-1)
        if tensor.shape.ndims and tensor.shape.ndims >= 2 and depth(tensor) == channels:
            return "full", None
        return "other", None

    def _ranked(self, trace, top) -> List[Tuple[str, int, float]]:
        """The ``top`` ``(layer, unit, weight)``: largest ``|weight|``, then layer order, unit."""
        layers, units, weights = [], [], []
        for layer, blocks in trace.blocks.items():
            # Paths that meet at a layer with the same positions add up; others are stacked.
            same = len({block.shape for block in blocks}) == 1
            block = sum(blocks) if same else np.concatenate(blocks)
            layers += [self.order[layer]] * block.shape[1]
            units.append(np.arange(block.shape[1]))
            weights.append(signed_norms(block))
        if not weights:
            return []
        units, weights = np.concatenate(units), np.concatenate(weights)
        order = np.lexsort((units, layers, -np.abs(weights)))[:top]
        return [(self.names[layers[k]], int(units[k]), _significant(weights[k])) for k in order]

    def _sources(self, op) -> List[str]:
        """The names of ``op``'s inputs, or ``["constants"]``."""
        return [self._short(x.op.name) for x in op.inputs] or ["constants"]

    def _short(self, name):
        return name[len(self.scope) :] if name.startswith(self.scope) else name


def signed_norms(kernel: np.ndarray) -> np.ndarray:
    """Per column ``v`` of `[positions, channels]` ``kernel``: ``sign(sum(v)) * ||v||_2``.

    When ``sum(v)`` is exactly 0 the sign is that of ``v``'s entry of largest magnitude.
    """
    kernel = np.asarray(kernel, np.float64)
    totals = kernel.sum(axis=0)
    largest = kernel[np.argmax(np.abs(kernel), axis=0), np.arange(kernel.shape[1])]
    signs = np.sign(np.where(totals == 0, largest, totals))
    return signs * np.linalg.norm(kernel, axis=0)


def signed_norm(vector: np.ndarray) -> float:
    """:func:`signed_norms` of one vector, to 6 significant digits."""
    return _significant(signed_norms(np.asarray(vector, np.float64).reshape(-1, 1))[0])


def _significant(value: float) -> float:
    return float(f"{value:.6g}") + 0.0  # + 0.0: no negative zero


def _op_name(layer_name: str) -> str:
    return layer_name[:-2] if layer_name.endswith(":0") else layer_name
