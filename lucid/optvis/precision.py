"""Numeric precision of a render: float32, or the model's convolutions in bfloat16.

How it works. ``precision="bfloat16"`` changes nothing in the graph the library builds: it
switches on TensorFlow's automatic mixed-precision graph pass (grappler) in the options of
the render's own session (:func:`session_config`), never process-wide. When the session
first runs the step, the pass rewrites the ops it knows to be safe in low precision
(convolutions and their gradients, matrix products) to bfloat16, lets the cheap ops between
them (ReLU, pooling, padding, concatenation, resampling) follow, and inserts the casts at
the edges; the ops it keeps in float32 (reductions such as ``Sum`` and ``Mean``, ``Exp``,
``Log``, softmax, TensorFlow's own LRN) stay in float32. (Under the ``"fast_lrn"`` rewrite,
LRN is a band convolution and element-wise ops, which do follow into bfloat16; a test checks
such a render still reaches float32's objective within 5 %.)

So the image variables, the loss, the gradient that reaches the variables and the optimizer's
update are float32, and so is every tensor the session hands back (``T("input")``, the loss).
What runs in bfloat16 is the model and, because the pass follows matrix products, the image
pipeline from ``param.image``'s colour-decorrelation product on (its sigmoid and the first
transforms, with their gradients); the Fourier transform and the rotation stay float32. (A
colour product written as element-wise ops, which keeps that part float32, made the step
6-9 % slower on a 2-core CPU; the fidelity tests cover the render as it runs.) A fetched op
is never rewritten (fetching a layer gives float32 values, though the layers below it ran in
bfloat16), so the pass works on the step, not on read-backs.
Measured on a 2-core AVX512-BF16 CPU (InceptionV1 replica,
``mixed4a_pre_relu:476``, 128 px, noisy shared machine): bfloat16 steps take 0.65-0.75 of
float32's at batch 1 and 16. A GraphDef rewrite casting each convolution's inputs was
tried too: as fast at batch 1, slower at batch 16 (the casts around every convolution).

The pass used:

* On a CPU with AVX512-BF16 or AMX (``avx512_bf16`` / ``amx_bf16`` in ``/proc/cpuinfo``),
  through oneDNN (``rewrite_options.auto_mixed_precision_onednn_bfloat16``). oneDNN must
  be on, which it is by default on x86 Linux (``TF_ENABLE_ONEDNN_OPTS=0`` turns it off).
* On a GPU of compute capability 7.0 or more, through the GPU pass
  (``rewrite_options.auto_mixed_precision``), which TensorFlow 2's ``ConfigProto`` offers in
  float16 only: the convolutions run in float16 on the tensor cores, the rest as above.

Where neither is present, :func:`check_precision` logs one warning per process and the
render runs in float32.

bfloat16 keeps float32's exponent range but only 8 bits of mantissa (about 2-3 significant
digits), so activations differ from float32's by ~0.5 % relative; renders show the same
patterns and reach objective values within a few percent (``tests/optvis/test_precision.py``).
"""

import contextlib
import functools
import logging
import os
from typing import Iterator

import tensorflow.compat.v1 as tf

from lucid.optvis.precision_names import BFLOAT16
from lucid.optvis.precision_names import FLOAT32
from lucid.optvis.precision_names import PRECISIONS

log = logging.getLogger(__name__)

# CPU flags (Linux /proc/cpuinfo) of the instructions oneDNN uses for bfloat16 convolutions.
CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
CPUINFO = "/proc/cpuinfo"
# The oldest GPUs whose tensor cores TensorFlow's mixed-precision pass uses (Volta).
MIN_GPU_COMPUTE_CAPABILITY = (7, 0)

_warned = []  # one fallback warning per process


def check_precision(precision: str) -> str:
    """Validates ``precision`` and returns the precision the render will really use.

    Args:
      precision: one of ``PRECISIONS``: ``"float32"``, or ``"bfloat16"`` for the model's
        convolutions and matrix products in bfloat16 (float16 on GPUs).

    Returns:
      ``precision``, or ``"float32"`` when ``"bfloat16"`` was asked for on a machine with
      neither a bfloat16-capable CPU nor a suitable GPU (one warning is logged per process).

    Raises:
      TypeError: ``precision`` is not a string.
      ValueError: ``precision`` is not one of ``PRECISIONS``.
    """
    if not isinstance(precision, str):
        raise TypeError(
            f"precision must be one of {', '.join(map(repr, PRECISIONS))}; got "
            f"{type(precision).__name__} {precision!r}. Pass e.g. precision='bfloat16'."
        )
    if precision not in PRECISIONS:
        raise ValueError(
            f"precision {precision!r} is not supported; use one of "
            f"{', '.join(map(repr, PRECISIONS))} (e.g. precision='bfloat16')."
        )
    if precision == BFLOAT16 and not (cpu_supports_bfloat16() or gpu_supports_mixed_precision()):
        if not _warned:
            _warned.append(True)
            log.warning(
                "precision='bfloat16' asked for, but this machine has neither a CPU with "
                "bfloat16 instructions (%s, with oneDNN on) nor a GPU of compute capability "
                "%d.%d or more: rendering in float32.",
                " or ".join(CPU_BF16_FLAGS),
                *MIN_GPU_COMPUTE_CAPABILITY,
            )
        return FLOAT32
    return precision


def session_config(precision: str, config: tf.ConfigProto = None) -> tf.ConfigProto:
    """A copy of ``config`` (None: an empty one) with what ``precision`` needs switched on.

    For ``"float32"`` an unchanged copy. For ``"bfloat16"`` (after :func:`check_precision`)
    the mixed-precision graph pass of each device that supports it (see the module
    docstring); the caller's ``config`` is never modified.
    """
    precision = check_precision(precision)
    result = tf.ConfigProto()
    if config is not None:
        result.CopyFrom(config)
    if precision == BFLOAT16:
        rewrite_options = result.graph_options.rewrite_options
        if cpu_supports_bfloat16():
            rewrite_options.auto_mixed_precision_onednn_bfloat16 = rewrite_options.ON
        if gpu_supports_mixed_precision():
            rewrite_options.auto_mixed_precision = rewrite_options.ON
    return result


@contextlib.contextmanager
def import_context(precision: str) -> Iterator[None]:
    """Context for importing the model under ``precision``: a no-op for every mode.

    The mixed-precision pass rewrites the graph when the session runs it, so the model is
    imported as it is; the context exists so that a mode needing an import-time change
    (e.g. casting a GraphDef's weights) can add one without changing the callers.
    """
    check_precision(precision)
    yield


def cpu_supports_bfloat16(cpuinfo: str = CPUINFO) -> bool:
    """True where oneDNN can run bfloat16 convolutions natively on this CPU.

    Args:
      cpuinfo: the file listing the CPU's flags (Linux's ``/proc/cpuinfo``; where it is
        missing, e.g. on macOS or Windows, the answer is False).

    Returns:
      True when a ``flags`` line names one of ``CPU_BF16_FLAGS`` and oneDNN has not been
      switched off with ``TF_ENABLE_ONEDNN_OPTS=0``.
    """
    if os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").strip().lower() in ("0", "false"):
        return False
    return any(flag in cpu_flags(cpuinfo) for flag in CPU_BF16_FLAGS)


@functools.cache
def cpu_flags(cpuinfo: str = CPUINFO) -> frozenset:
    """The CPU feature flags of the ``flags`` lines of ``cpuinfo`` (empty if unreadable)."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as f:
            return frozenset(
                flag
                for line in f
                if line.startswith("flags")
                for flag in line.partition(":")[2].split()
            )
    except OSError:
        return frozenset()


@functools.cache
def gpu_supports_mixed_precision() -> bool:
    """True where TensorFlow sees a GPU of compute capability ``MIN_GPU_COMPUTE_CAPABILITY`` or more."""
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        if tuple(details.get("compute_capability", (0, 0))) >= MIN_GPU_COMPUTE_CAPABILITY:
            return True
    return False
