"""Memory budget of ``lucid.optvis.batch``: how many units fit in one batch.

``inspect_layer`` runs the model once at batch 1 on the canvas the transforms give and adds
up the float outputs of every op the layer depends on: the forward activation memory of one
item. ``batch_size_for`` budgets one item at ``3 x`` that (the backward pass keeps the
activations and holds gradients of about the same size; workspaces and allocator slack
take more) plus the weights once, between 1 and 128 items. See ``batch``'s docstring.
"""

import logging
import math
import numbers
from typing import NamedTuple
from typing import Optional

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis import render
from lucid.optvis import render_util
from lucid.optvis.batch_transforms import CANVAS_GROWTH
from lucid.optvis.objectives_util import T_force_NHWC

log = logging.getLogger(__name__)

_CPU_BUDGET_MB = 2048
_GPU_BUDGET_FRACTION = 0.8  # of the memory TensorFlow may use; the rest is cuDNN's headroom
_ACTIVATION_FACTOR = 3  # per-item memory / forward activation memory; see the module docstring
_MAX_BATCH_SIZE = 128


class LayerInfo(NamedTuple):
    depth: Optional[int]
    activation_bytes: int  # forward float activations of one item, up to the layer
    weight_bytes: int


def inspect_layer(model, layer, size, channels=3):
    """The layer's depth and the memory of one item, from one forward pass at batch 1.

    The model is imported as ``render`` does (spatial shapes unknown, so fixed-size heads
    elsewhere in the graph don't break the import) on a ``size + 12`` pixel zero image, and
    the shapes of the float outputs of every op ``layer`` depends on are computed.
    """
    canvas = size + CANVAS_GROWTH
    with tf.Graph().as_default() as graph:
        t_zeros = tf.zeros([1, canvas, canvas, channels])
        T = T_force_NHWC(render.import_model(model, t_zeros))
        t_layer = T(layer)  # a ValueError listing close matches for an unknown layer
        weights, activations = [], []
        for op in _ancestors(t_layer.op):
            floats = [t for t in op.outputs if t.dtype.is_floating]
            (weights if op.type == "Const" else activations).extend(floats)
        shapes_t = [tf.shape(t, out_type=tf.int64) for t in activations + [t_layer]]
        with tf.Session(graph=graph, config=render_util.session_config()) as sess:
            try:
                shapes = sess.run(shapes_t)
            except tf.errors.InvalidArgumentError as e:
                raise ValueError(
                    f"layer {layer!r} of {model.name} cannot be computed on the {canvas}x{canvas} "
                    f"images that size={size} gives after the transforms: "
                    f"{e.message.splitlines()[0]} Use a larger size or an earlier layer."
                ) from None
    activation_bytes = sum(int(np.prod(s)) * t.dtype.size for s, t in zip(shapes, activations))
    weight_bytes = sum(t.shape.num_elements() * t.dtype.size for t in weights)
    depth = None if t_layer.shape.ndims not in (2, 4) else int(shapes[-1][-1])
    return LayerInfo(depth, activation_bytes, weight_bytes)


def _ancestors(op):
    """``op`` and every op it depends on through data inputs."""
    seen, stack = {}, [op]
    while stack:
        op = stack.pop()
        if op.name not in seen:
            seen[op.name] = op
            stack.extend(t.op for t in op.inputs)
    return list(seen.values())


def batch_size_for(info, memory_budget_mb):
    per_item = _ACTIVATION_FACTOR * max(info.activation_bytes, 1)
    fits = int((memory_budget_mb * 2**20 - info.weight_bytes) // per_item)
    if fits < 1:
        log.warning(
            "One item needs about %.3g MB (plus %.3g MB of weights), more than the %s MB budget; "
            "rendering one unit per batch.",
            per_item / 2**20,
            info.weight_bytes / 2**20,
            memory_budget_mb,
        )
    return min(max(fits, 1), _MAX_BATCH_SIZE)


def default_budget_mb():
    if not tf.config.list_physical_devices("GPU"):
        return _CPU_BUDGET_MB
    from tensorflow.python.client import device_lib

    # With render's allow_growth config, so that this first use of the GPU reserves nothing.
    devices = device_lib.list_local_devices(session_config=render_util.session_config())
    limits = [d.memory_limit for d in devices if d.device_type == "GPU"]
    return _GPU_BUDGET_FRACTION * limits[0] / 2**20 if limits else _CPU_BUDGET_MB


def check_budget(memory_budget_mb):
    ok = isinstance(memory_budget_mb, numbers.Real) and not isinstance(memory_budget_mb, bool)
    if not ok or not math.isfinite(memory_budget_mb) or memory_budget_mb <= 0:
        raise ValueError(
            f"memory_budget_mb must be a positive number of megabytes (e.g. 2048); got "
            f"memory_budget_mb={memory_budget_mb!r}. Or pass batch_size directly."
        )
