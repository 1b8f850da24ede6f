"""Benchmark render_units against the machine's FLOP ceiling: achieved GFLOP/s and its fraction.

1. ``render_units`` over a sample of a layer's units (InceptionV1 replica, exact node names,
   random weights, served as a local mirror), in batches of the size the whole layer would
   use. One steady-state step is traced (``flops.StepRecorder``): the FLOPs of the
   convolutions and matrix products that step really ran (forward and input gradient, at the
   transformed size, from run-time shapes), and the median time of the untraced steps.
2. The FLOP ceiling: single convolutions through TensorFlow, forward and input gradient, in
   float32 and bfloat16, at the shape of the step's heaviest convolution and at a large
   reference shape; the ceiling of a precision is the fastest of its convolutions.
3. Achieved GFLOP/s = step FLOPs / step time, as a fraction of the ceiling (issue 13's target:
   at least 50 %); below it, or with ``--breakdown``, where the step's time goes by op type.

    python benchmarks/flop_benchmark.py [--layer mixed4a_pre_relu] [--units N] [--steps 64]
        [--size 128] [--batch-size B] [--precision float32|bfloat16] [--rewrites all|none|NAME ...]
"""

import argparse
import inspect
import math
import os
import platform
import statistics
import sys
import time

import flops
from replica_mirror import REPO
from replica_mirror import replica_mirror

FULL_STEPS = 512
TARGET_FRACTION = 0.5
# A large convolution (a ResNet stage-3 shape): the ceiling where little is lost to small shapes.
REFERENCE_CONV = ((16, 28, 28, 256), (3, 3, 256, 256), (1, 1, 1, 1), "SAME")
DIRECTIONS = ("forward", "input gradient")


def conv_rate(conv, dtype, direction, seconds=1.0):
    """GFLOP/s of one convolution (``(input, filter, strides, padding)``) run repeatedly."""
    import tensorflow.compat.v1 as tf

    from lucid.optvis import render_util

    input_shape, filter_shape, strides, padding = conv
    graph = tf.Graph()
    with graph.as_default():

        def variable(shape):
            return tf.Variable(tf.cast(tf.random.uniform(shape, -1, 1), dtype))

        x, w = variable(input_shape), variable(filter_shape)
        y = tf.nn.conv2d(x, w, list(strides), padding)
        if direction == "input gradient":
            dy = variable(y.shape.as_list())
            y = tf.nn.conv2d_backprop_input(input_shape, w, dy, list(strides), padding)
        # Fetch a sum: Grappler prunes an op whose output nothing reads (a bare tf.group(y)).
        # The sum costs ~1/(2 kh kw cin) of the convolution: under 1 % here.
        op = tf.reduce_sum(tf.cast(y, tf.float32))
        n_flops = 2 * math.prod(y.shape.as_list()) * math.prod(filter_shape[:3])
        init = tf.global_variables_initializer()
        graph.finalize()
    with tf.Session(graph=graph, config=render_util.session_config()) as sess:
        sess.run(init)
        for _ in range(2):
            sess.run(op)
        times, start = [], time.perf_counter()
        while len(times) < 3 or time.perf_counter() - start < seconds:
            begin = time.perf_counter()
            sess.run(op)
            times.append(time.perf_counter() - begin)
    return n_flops / statistics.median(times) / 1e9


def measure_ceiling(convs, precisions, seconds):
    """``{precision: (best GFLOP/s, lines)}``: every convolution in both directions."""
    import tensorflow.compat.v1 as tf

    result = {}
    for precision in precisions:
        dtype = tf.bfloat16 if precision == "bfloat16" else tf.float32
        rates, lines = [], []
        for label, conv in convs:
            for direction in DIRECTIONS:
                try:
                    rate = conv_rate(conv, dtype, direction, seconds)
                except (tf.errors.OpError, TypeError, ValueError) as e:
                    lines.append(f"  {precision:<8} {label:<22} {direction:<14}: not run ({e})")
                    continue
                rates.append(rate)
                lines.append(
                    f"  {precision:<8} {label:<22} {direction:<14}: {rate:7.1f} GFLOP/s  "
                    f"input {list(conv[0])}, filter {list(conv[1])}, strides {conv[2][1:3]}"
                )
        result[precision] = (max(rates) if rates else None, lines)
    return result


def shortfall(profile, ceiling):
    """One line splitting the fraction of the ceiling into its two factors: the share of op
    time spent in convolutions, and the convolutions' own rate against the ceiling."""
    kinds = (flops.FORWARD, flops.INPUT_GRADIENT)
    conv_us = sum(op.micros for op in profile.ops if op.kind in kinds)
    total_us = sum(op.micros for op in profile.ops) or 1
    conv_rate = profile.flops() / max(conv_us, 1) / 1e3
    return (
        f"  so: convolutions take {100 * conv_us / total_us:.0f} % of the op time and run at "
        f"{conv_rate:.1f} GFLOP/s inside the step ({100 * conv_rate / ceiling:.0f} % of the "
        "ceiling); the fraction achieved is about the product of the two (less where ops "
        "overlap badly)"
    )


def optional_arguments(render_units, args):
    """The ``precision`` and ``rewrites`` arguments that this version of render_units takes."""
    parameters = inspect.signature(render_units).parameters
    extra, notes = {}, []
    if "precision" in parameters:
        extra["precision"] = args.precision
    elif args.precision != "float32":
        notes.append("render_units has no precision argument yet: rendering in float32")
    if args.rewrites is not None:
        spec = (
            () if args.rewrites == ["none"] else None if args.rewrites == ["all"] else args.rewrites
        )
        if "rewrites" in parameters:
            extra["rewrites"] = spec
        else:
            notes.append("render_units has no rewrites argument yet: --rewrites ignored")
    return extra, notes


def main(args):
    import numpy as np
    import tensorflow.compat.v1 as tf

    import lucid.modelzoo.vision_models as models
    from lucid.optvis import batch
    from lucid.optvis import batch_memory

    model = models.InceptionV1()
    model.load_graphdef()
    depth = batch_memory.inspect_layer(model, args.layer, args.size).depth
    full_limit = args.batch_size or batch.estimate_batch_size(
        model, args.layer, args.size, args.memory_budget_mb or batch_memory.default_budget_mb()
    )
    n_full_batches = math.ceil(depth / full_limit)
    full_batch = math.ceil(depth / n_full_batches)  # render_units balances the batches
    m = min(args.units or full_batch, depth)
    sample = [int(u) for u in np.linspace(0, depth - 1, m).round()]
    measured_batch = math.ceil(m / math.ceil(m / full_batch))
    extra, notes = optional_arguments(batch.render_units, args)
    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    print(
        f"flop benchmark: InceptionV1 replica, {args.layer} ({depth} units), {args.size} px, "
        f"standard transforms; render_units {m} units in batches of {measured_batch}, "
        f"{args.steps} steps ({args.warmup} warm-up), {extra or 'library defaults'}; on {device} "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} CPUs)"
    )
    for note in notes:
        print(f"note: {note}")

    with flops.StepRecorder(warmup=args.warmup) as recorder:
        batch.render_units(
            model, args.layer, sample, size=args.size, steps=args.steps,
            batch_size=measured_batch, progress=False, **extra,
        )  # fmt: skip
    profile = recorder.profile()
    forward, gradient = profile.flops([flops.FORWARD]), profile.flops([flops.INPUT_GRADIENT])
    executed = forward + gradient
    print(
        f"step (batch {measured_batch}): {executed / 1e9:.2f} GFLOP executed (forward "
        f"{forward / 1e9:.2f}, input gradient {gradient / 1e9:.2f}; filter gradients "
        f"{profile.flops([flops.FILTER_GRADIENT]) / 1e9:.2f}), {executed / measured_batch / 1e9:.3f} "
        f"GFLOP per image-step; median step {1000 * profile.step_seconds:.1f} ms over "
        f"{profile.steps_timed} steps"
    )

    print(
        f"step ops: {len(profile.ops)} ran, {profile.kernels()} of them kernels (not Const, "
        f"Identity, NoOp, shape ops); outputs written {profile.output_bytes() / 2**20:.1f} MiB "
        f"({profile.output_bytes() / measured_batch / 2**20:.1f} MiB per image-step)"
    )
    convs = [("reference 3x3 conv", REFERENCE_CONV)]
    heaviest = flops.heaviest_convolution(profile)
    if heaviest is not None:
        convs.insert(0, ("step's heaviest conv", heaviest))
    precision = extra.get("precision", "float32")
    ceilings = {}
    if not args.skip_ceiling:
        print("FLOP ceiling (single convolutions through TensorFlow, same session options):")
        ceilings = measure_ceiling(convs, ("float32", "bfloat16"), args.ceiling_seconds)
        for _, lines in ceilings.values():
            print("\n".join(lines))
    achieved = executed / profile.step_seconds / 1e9
    ceiling = ceilings.get(precision, (None,))[0]
    line = f"achieved: {achieved:.1f} GFLOP/s in render_units ({precision})"
    fraction = None
    if ceiling:
        fraction = achieved / ceiling
        line += (
            f" = {100 * fraction:.0f} % of the {precision} ceiling {ceiling:.1f} GFLOP/s "
            f"(target >= {100 * TARGET_FRACTION:.0f} %)"
        )
    print(line)
    sweep_flops = executed / measured_batch * full_batch * n_full_batches * FULL_STEPS
    sweep_hours = n_full_batches * FULL_STEPS * profile.step_seconds * full_batch / measured_batch
    print(
        f"whole layer, extrapolated: {depth} units x {FULL_STEPS} steps ({n_full_batches} "
        f"batches of {full_batch}) = {sweep_flops / 1e12:.2f} TFLOP, {sweep_hours / 3600:.2f} h "
        "at this rate"
    )
    if args.breakdown or fraction is None or fraction < TARGET_FRACTION:
        print("where the step's time goes (traced step, op time by kind):")
        print("\n".join(flops.breakdown(profile)))
        if ceiling:
            print(shortfall(profile, ceiling))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", default="mixed4a_pre_relu")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=64, help="steps per batch")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps per batch (> 16)")
    parser.add_argument("--units", type=int, help="units to render (default: one whole batch)")
    parser.add_argument("--batch-size", type=int, help="default: from the memory budget")
    parser.add_argument("--memory-budget-mb", type=float)
    parser.add_argument("--precision", choices=("float32", "bfloat16"), default="float32")
    parser.add_argument(
        "--rewrites",
        nargs="+",
        help="render_units' rewrites: all (its default), none, or names from "
        "lucid.optvis.rewrites.NAMES (default: not passed)",
    )
    parser.add_argument("--breakdown", action="store_true", help="always print the op breakdown")
    parser.add_argument("--skip-ceiling", action="store_true")
    parser.add_argument("--ceiling-seconds", type=float, default=2.0, help="per convolution")
    args = parser.parse_args()
    if args.steps < args.warmup + 2:
        parser.error(f"--steps must be at least --warmup + 2 = {args.warmup + 2}")
    for name in ("units", "batch_size", "size"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    return args


if __name__ == "__main__":
    args = parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with replica_mirror() as mirror_settings:
        os.environ.update(mirror_settings)
        sys.path.insert(0, str(REPO))
        main(args)
