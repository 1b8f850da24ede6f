"""FLOPs a TensorFlow step really executes, counted from a traced run, and where its time goes.

How it works. :class:`StepRecorder` wraps ``Session.run`` for the duration of a ``with``
block, whatever code calls it (``render_vis``, ``render_units``): every call is timed, and
calls are grouped by what they fetch. The optimisation step is the fetch repeated most; runs
of it that follow each other form a segment (a render, or one batch of ``render_units``).
The call at position ``warmup`` of the first long enough segment (past the 16 steps of
redirected-ReLU gradients, so a steady-state step) is run once more with ``FULL_TRACE`` and
the partition graphs: the graphs the executor really runs, after Grappler, oneDNN's op
rewrites and the mixed-precision pass, with every op's output shapes at run time.

:func:`count` reads that trace: for each convolution and matrix product that ran, its FLOPs
(a multiply-add is 2) from its run-time shapes, and every op's time. Filter gradients are
counted apart (a render never needs them: TensorFlow prunes them). Nothing is estimated from
the Python graph, so a transform that changes the size, a rewrite that replaces an op, or an
op that TensorFlow pruned or fused are all counted as they ran.

Used by ``flop_benchmark.py``; only the benchmarks import it.
"""

import collections
import contextlib
import math
import re
import statistics
import time
from typing import NamedTuple

import tensorflow.compat.v1 as tf
from tensorflow.python.client import session as tf_session

# The kinds of op that carry FLOPs; the rest is counted by time only.
FORWARD = "conv/matmul forward"
INPUT_GRADIENT = "conv input gradient"
FILTER_GRADIENT = "conv filter gradient"
# The window sums of the fast_lrn rewrite are convolutions with a 0/1 band kernel: work LRN
# does, not the model's convolutions, so they are timed apart and not counted as model FLOPs.
LRN_WINDOW = "LRN window sum (fast_lrn)"
_LRN_WINDOW_SCOPE = "fast_lrn_window"  # lucid.optvis.rewrites.fast_lrn.WINDOW_SCOPE
_KINDS = {
    "Conv2D": FORWARD,
    "FusedConv2D": FORWARD,
    "PadWithConv2D": FORWARD,  # oneDNN's fusion of a Pad into the convolution
    "PadWithFusedConv2D": FORWARD,
    "DepthwiseConv2dNative": FORWARD,
    "FusedDepthwiseConv2dNative": FORWARD,
    "MatMul": FORWARD,
    "FusedMatMul": FORWARD,
    "BatchMatMul": FORWARD,
    "BatchMatMulV2": FORWARD,
    "BatchMatMulV3": FORWARD,
    "Conv2DBackpropInput": INPUT_GRADIENT,
    "DepthwiseConv2dNativeBackpropInput": INPUT_GRADIENT,
    "Conv2DBackpropFilter": FILTER_GRADIENT,
    "DepthwiseConv2dNativeBackpropFilter": FILTER_GRADIENT,
}
_BACKEND_PREFIXES = ("_MklNative", "_Mkl", "_")  # oneDNN's and Grappler's renamed ops
_CONVOLUTIONS = ("Conv2D", "FusedConv2D", "PadWithConv2D", "PadWithFusedConv2D")
# Ops that launch no kernel of their own (no device work) when counting kernels per step.
NON_KERNELS = ("Const", "NoOp", "Identity", "VarHandleOp", "Shape", "ShapeN", "HostConst")


class OpRecord(NamedTuple):
    name: str
    op_type: str  # normalised: oneDNN's _MklNativeConv2D is Conv2D, _FusedConv2D FusedConv2D
    kind: str  # one of FORWARD, INPUT_GRADIENT, FILTER_GRADIENT, or the op type
    flops: int
    micros: int
    output_bytes: int  # bytes of the op's outputs (what it writes to memory)
    node: object  # the NodeDef from the partition graph (None where unknown)
    input_shapes: tuple  # run-time shapes of the data inputs (None where unknown)


class StepProfile(NamedTuple):
    ops: list  # OpRecord of every op that ran in the traced step
    step_seconds: float  # median untraced step time
    steps_timed: int

    def flops(self, kinds=(FORWARD, INPUT_GRADIENT)) -> int:
        return sum(op.flops for op in self.ops if op.kind in kinds)

    def kernels(self) -> int:
        """Ops of the step that do device work (one kernel launch or more each on a GPU)."""
        return sum(op.op_type not in NON_KERNELS for op in self.ops)

    def output_bytes(self) -> int:
        """Bytes the step's ops write: a lower bound of its memory traffic."""
        return sum(op.output_bytes for op in self.ops)


def normalised_type(op_type: str) -> str:
    """The op type without oneDNN's prefix: ``_MklNativeConv2D`` is ``Conv2D``,
    ``_MklNativeFusedConv2D`` and Grappler's ``_FusedConv2D`` are ``FusedConv2D``."""
    for prefix in _BACKEND_PREFIXES:
        if op_type.startswith(prefix):
            return op_type[len(prefix) :]
    return op_type


def count(run_metadata) -> list:
    """One :class:`OpRecord` per op in a ``FULL_TRACE`` run with ``output_partition_graphs``."""
    nodes = {n.name: n for g in run_metadata.partition_graphs for n in g.node}
    shapes, micros, labels, written = {}, collections.Counter(), {}, collections.Counter()
    for device in run_metadata.step_stats.dev_stats:
        for stats in device.node_stats:
            outputs = [tuple(d.size for d in o.tensor_description.shape.dim) for o in stats.output]
            if outputs:
                shapes.setdefault(stats.node_name, outputs)
            micros[stats.node_name] += stats.all_end_rel_micros  # as TF's timeline shows
            written[stats.node_name] += sum(
                o.tensor_description.allocation_description.requested_bytes for o in stats.output
            )
            labels.setdefault(stats.node_name, stats.timeline_label)
    records = []
    for name, total in micros.items():
        if name in ("_SOURCE", "_SINK"):
            continue
        node = nodes.get(name)
        raw_type = node.op if node is not None else _type_from_label(labels.get(name, ""))
        op_type = normalised_type(raw_type)
        kind = _KINDS.get(op_type, op_type)
        if kind == FORWARD and in_gradient_scope(name):
            kind = INPUT_GRADIENT  # e.g. strided_conv_grad's stride-1 convolution
        if kind in (FORWARD, INPUT_GRADIENT) and in_lrn_window_scope(name):
            kind = LRN_WINDOW
        in_shapes = _input_shapes(node, shapes, nodes) if node is not None else None
        out_shapes = shapes.get(name, [])
        flops = 0
        if op_type in _KINDS and in_shapes is not None and out_shapes:
            flops = _flops(op_type, node, in_shapes, out_shapes[0])
        records.append(OpRecord(name, op_type, kind, flops, total, written[name], node, in_shapes))
    return records


def in_lrn_window_scope(name: str) -> bool:
    """Whether ``name`` is inside a fast_lrn window-sum scope (TensorFlow may have made the
    scope's name unique with a ``_1``, ``_2``... suffix)."""
    pattern = re.escape(_LRN_WINDOW_SCOPE) + r"(_\d+)?"
    return any(re.fullmatch(pattern, part) for part in name.split("/")[:-1])


def in_gradient_scope(name: str) -> bool:
    # tf.gradients builds the backward pass under "gradients", "gradients_1", ... scopes.
    return any(part.split("_")[0] == "gradients" for part in name.split("/")[:-1])


def _type_from_label(label: str) -> str:
    # step stats label ops "name = OpType(inputs)"
    _, _, rest = label.partition(" = ")
    return rest.split("(", 1)[0] or "unknown"


def _input_shapes(node, shapes, nodes):
    result = []
    for name in node.input:
        if name.startswith("^"):
            continue
        producer, _, index = name.partition(":")
        outputs = shapes.get(producer)
        index = int(index or 0)
        if outputs is not None and index < len(outputs):
            result.append(outputs[index])
        elif producer in nodes and "value" in nodes[producer].attr:  # a Const not in the trace
            result.append(
                tuple(d.size for d in nodes[producer].attr["value"].tensor.tensor_shape.dim)
            )
        else:
            result.append(None)
    return tuple(result)


def _flops(op_type, node, inputs, output) -> int:
    """Multiply-adds x 2 of one convolution or matrix product, from run-time shapes."""
    try:
        if op_type in _CONVOLUTIONS:
            kh, kw, cin, _ = inputs[1]
            return 2 * math.prod(output) * kh * kw * cin
        if op_type in ("DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"):
            kh, kw = inputs[1][:2]
            return 2 * math.prod(output) * kh * kw
        if op_type == "Conv2DBackpropInput":
            kh, kw, cin, _ = inputs[1]
            return 2 * math.prod(inputs[2]) * kh * kw * cin
        if op_type == "DepthwiseConv2dNativeBackpropInput":
            kh, kw = inputs[1][:2]
            return 2 * math.prod(inputs[2]) * kh * kw
        if op_type == "Conv2DBackpropFilter":
            kh, kw, cin, _ = output
            return 2 * math.prod(inputs[2]) * kh * kw * cin
        if op_type == "DepthwiseConv2dNativeBackpropFilter":
            kh, kw = output[:2]
            return 2 * math.prod(inputs[2]) * kh * kw
        a = inputs[0]
        transposed = any(
            node.attr[k].b for k in ("transpose_a", "adj_x") if k in node.attr
        )  # fmt: skip
        k = a[-2] if transposed else a[-1]
        return 2 * math.prod(output) * k
    except (TypeError, ValueError, IndexError):
        return 0  # a shape the trace did not give: reported as 0 FLOPs, never guessed


class StepRecorder(contextlib.AbstractContextManager):
    """Times every ``Session.run`` inside the block and traces one steady-state step.

    Args:
      warmup: untimed calls at the start of each segment of the step fetch; the call at this
        position in the first segment that reaches it is the traced one. Above 16 so that the
        redirected-ReLU steps of Lucid's renders are neither timed nor traced.
    """

    def __init__(self, warmup: int = 20):
        self.warmup = warmup
        self.calls = []  # (key, seconds, traced)
        self.run_metadata = None
        self._real_run = None

    def __enter__(self):
        self._real_run = real_run = tf_session.BaseSession.run
        recorder = self

        def run(sess, fetches, *args, **kwargs):
            return recorder._run(real_run, sess, fetches, *args, **kwargs)

        tf_session.BaseSession.run = run
        return self

    def __exit__(self, *exc):
        tf_session.BaseSession.run = self._real_run
        return False

    def _run(self, real_run, sess, fetches, *args, **kwargs):
        key = (id(sess), _fetch_key(fetches))
        position = 0
        for previous, _, _ in reversed(self.calls):
            if previous != key:
                break
            position += 1
        traced = (
            self.run_metadata is None
            and position == self.warmup
            and not args
            and "options" not in kwargs
        )  # fmt: skip
        if traced:
            self.run_metadata = tf.RunMetadata()
            kwargs["options"] = tf.RunOptions(
                trace_level=tf.RunOptions.FULL_TRACE, output_partition_graphs=True
            )
            kwargs["run_metadata"] = self.run_metadata
        start = time.perf_counter()
        result = real_run(sess, fetches, *args, **kwargs)
        self.calls.append((key, time.perf_counter() - start, traced))
        return result

    def profile(self) -> StepProfile:
        """The traced step's ops and the median time of the untraced steady-state steps."""
        if self.run_metadata is None:
            raise RuntimeError(
                f"no step was traced: no fetch was run more than {self.warmup} times in a row; "
                f"render more steps (at least {self.warmup + 2})."
            )
        step_key = self._step_key()
        timed, position = [], 0
        for i, (key, seconds, traced) in enumerate(self.calls):
            position = position + 1 if i and self.calls[i - 1][0] == key else 1
            if key == step_key and position > self.warmup and not traced:
                timed.append(seconds)
        if not timed:
            raise RuntimeError(f"no untraced step after {self.warmup} warm-up steps to time")
        return StepProfile(count(self.run_metadata), statistics.median(timed), len(timed))

    def step_times(self) -> list:
        """Seconds of every call of the step fetch, warm-up and traced ones included."""
        step_key = self._step_key()
        return [seconds for key, seconds, _ in self.calls if key == step_key]

    def _step_key(self):
        if not self.calls:
            raise RuntimeError("no Session.run call was recorded")
        return collections.Counter(k for k, _, _ in self.calls).most_common(1)[0][0]


def _fetch_key(fetches):
    if isinstance(fetches, (list, tuple)):
        return tuple(_fetch_key(f) for f in fetches)
    if isinstance(fetches, dict):
        return tuple(sorted((k, _fetch_key(v)) for k, v in fetches.items()))
    return getattr(fetches, "name", repr(fetches))


def breakdown(profile: StepProfile, top: int = 12) -> list:
    """Lines: op time per kind (convolutions by direction, other ops by type), largest first,
    with the share of summed op time and, for convolutions, their own GFLOP/s."""
    micros, flops, counts = collections.Counter(), collections.Counter(), collections.Counter()
    for op in profile.ops:
        micros[op.kind] += op.micros
        flops[op.kind] += op.flops
        counts[op.kind] += 1
    total = sum(micros.values()) or 1
    lines = []
    rows = micros.most_common()
    for kind, us in rows[:top]:
        line = f"  {kind:<28} {us / 1000:8.1f} ms {100 * us / total:5.1f} %  ({counts[kind]} ops)"
        if flops[kind]:
            line += (
                f", {flops[kind] / 1e9:.2f} GFLOP at {flops[kind] / max(us, 1) / 1e3:.1f} GFLOP/s"
            )
        lines.append(line)
    rest = sum(us for _, us in rows[top:])
    if rest:
        lines.append(f"  {'other op types':<28} {rest / 1000:8.1f} ms {100 * rest / total:5.1f} %")
    lines.append(
        f"  summed op time {total / 1000:.1f} ms in the traced step (ops overlap on several "
        f"cores, so it can exceed the step's {1000 * profile.step_seconds:.1f} ms wall time)"
    )
    return lines


def heaviest_convolution(profile: StepProfile):
    """``(input_shape, filter_shape, strides, padding)`` of the forward convolution with the
    most FLOPs in the step (summed over ops of one configuration), or None."""
    totals = collections.Counter()
    for op in profile.ops:
        # PadWithConv2D's input is the unpadded one: only plain convolutions are replayed.
        plain = op.op_type in ("Conv2D", "FusedConv2D")
        if plain and op.kind == FORWARD and op.flops and op.node is not None:
            attrs = op.node.attr
            if attrs["data_format"].s not in (b"", b"NHWC"):
                continue
            strides = tuple(attrs["strides"].list.i)
            padding = attrs["padding"].s.decode()
            if padding not in ("SAME", "VALID"):
                continue
            totals[(op.input_shapes[0], op.input_shapes[1], strides, padding)] += op.flops
    return totals.most_common(1)[0][0] if totals else None
