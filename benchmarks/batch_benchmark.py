"""Benchmark batch rendering: units per hour for a whole layer, batched vs one at a time.

Renders the channels of one layer of the InceptionV1 replica (exact node names, random
weights, from ``modelzoo/replicas``, served as a local mirror and loaded through the real zoo
loader) at 128 px with the standard transforms, two ways:

* ``batch.render_units`` over the units (one graph, batches sized from the memory budget);
* ``render.render_vis`` once per unit (a graph per unit, batch 1).

    python benchmarks/batch_benchmark.py [--layer mixed4a_pre_relu] [--steps 512] [--units N]
        [--single-units 3] [--size 128] [--batch-size B] [--memory-budget-mb MB]

A whole layer at 512 steps takes hours on a CPU, so ``--units`` and ``--steps`` sample: each
way is timed at 1 step (graph build) and at ``--steps`` steps, giving a build time and a time
per step; the whole layer at 512 steps is extrapolated from those, assuming the time per
step grows linearly with the batch size (exact on a CPU; on a GPU small batches use it less
well, so extrapolating from fewer units than a batch under-states the batched speed).
The output says which figures are measured and which are extrapolated.
"""

import argparse
import math
import os
import platform
import sys
import time

from replica_mirror import REPO
from replica_mirror import replica_mirror

FULL_STEPS = 512


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def measure_batched(model, layer, units, size, steps, batch_size):
    from lucid.optvis import batch

    def run(n_steps):
        return timed(
            lambda: batch.render_units(
                model, layer, units, size=size, steps=n_steps, batch_size=batch_size,
                progress=False,
            )
        )  # fmt: skip

    run(1)  # warm-up: TensorFlow's one-time start-up costs are not the graph build
    build = run(1)
    total = run(steps)
    n_batches = math.ceil(len(units) / batch_size)
    step_per_batch = _per_step(total - build, steps) / n_batches
    return build, total, step_per_batch


def measure_single(model, layer, units, size, steps):
    from lucid.optvis import param
    from lucid.optvis import render

    def run(unit, n_steps):
        return timed(
            lambda: render.render_vis(
                model, f"{layer}:{unit}", param_f=lambda: param.image(size),
                thresholds=(n_steps - 1,), verbose=False, progress=False,
            )
        )  # fmt: skip

    run(units[0], 1)  # warm-up, as in measure_batched
    builds = [run(unit, 1) for unit in units]
    totals = [run(unit, steps) for unit in units]
    build = sum(builds) / len(units)
    total = sum(totals) / len(units)
    return build, total, _per_step(total - build, steps)


def _per_step(seconds_beyond_one_step, steps):
    """Seconds per step from the time ``steps`` steps took beyond a 1-step run."""
    per_step = seconds_beyond_one_step / (steps - 1)
    if per_step <= 0:
        sys.exit(
            f"batch_benchmark: {steps} steps took no longer than 1 step, so the time per step "
            "can't be separated from the graph build; use more steps (e.g. --steps 32)."
        )
    return per_step


def main(args):
    import numpy as np
    import tensorflow.compat.v1 as tf

    import lucid.modelzoo.vision_models as models
    from lucid.optvis import batch
    from lucid.optvis import batch_memory

    model = models.InceptionV1()
    model.load_graphdef()
    layer, steps = args.layer, args.steps
    depth = batch_memory.inspect_layer(model, layer, args.size).depth
    if args.batch_size is None:
        budget = args.memory_budget_mb or batch_memory.default_budget_mb()
        full_limit = batch.estimate_batch_size(model, layer, args.size, budget)
    else:
        full_limit = args.batch_size
    n_full_batches = math.ceil(depth / full_limit)
    full_batch = math.ceil(depth / n_full_batches)  # render_units balances the batches
    m = min(args.units or depth, depth)
    sample = [int(u) for u in np.linspace(0, depth - 1, m).round()]
    measured_batch = math.ceil(m / math.ceil(m / full_batch))
    single_sample = sample[: args.single_units]
    device = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    print(
        f"batch benchmark: InceptionV1 replica, {layer} ({depth} units), {args.size} px, "
        f"standard transforms, on {device} ({platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs)"
    )

    b_build, b_total, b_step = measure_batched(
        model, layer, sample, args.size, steps, measured_batch
    )
    print(
        f"measured  render_units: {m} units in batches of {measured_batch}, {steps} steps: "
        f"{b_total:.1f} s ({b_build:.1f} s at 1 step); {b_step:.3f} s/step per batch; "
        f"{m * 3600 / b_total:.0f} units/hour at {steps} steps"
    )
    s_build, s_total, s_step = measure_single(model, layer, single_sample, args.size, steps)
    print(
        f"measured  render_vis:   {len(single_sample)} units one at a time, {steps} steps: "
        f"{s_total:.1f} s/unit ({s_build:.1f} s at 1 step); {s_step:.3f} s/step; "
        f"{3600 / s_total:.0f} units/hour at {steps} steps"
    )

    full_step = b_step * full_batch / measured_batch
    batched_hours = (b_build + n_full_batches * (FULL_STEPS - 1) * full_step) / 3600
    single_hours = depth * (s_build + (FULL_STEPS - 1) * s_step) / 3600
    exact = m == depth and steps == FULL_STEPS and measured_batch == full_batch
    label = "measured " if exact else "extrapolated"
    print(
        f"{label} whole layer, {depth} units, {FULL_STEPS} steps "
        f"({n_full_batches} batches of {full_batch}):"
    )
    print(f"  render_units: {batched_hours:.2f} h, {depth / batched_hours:.0f} units/hour")
    print(f"  render_vis:   {single_hours:.2f} h, {depth / single_hours:.0f} units/hour")
    print(f"  speed-up: {single_hours / batched_hours:.2f}x")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", default="mixed4a_pre_relu")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=FULL_STEPS, help="steps to time (>= 2)")
    parser.add_argument("--units", type=int, help="units to time batched (default: all)")
    parser.add_argument("--single-units", type=int, default=3, help="units timed one at a time")
    parser.add_argument("--batch-size", type=int, help="default: from the memory budget")
    parser.add_argument("--memory-budget-mb", type=float)
    args = parser.parse_args()
    if args.steps < 2:
        parser.error("--steps must be at least 2 (1 step is timed to separate the graph build)")
    if args.single_units < 1 or (args.units is not None and args.units < 1):
        parser.error("--units and --single-units must be positive")
    return args


if __name__ == "__main__":
    args = parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with replica_mirror() as mirror_settings:
        os.environ.update(mirror_settings)
        sys.path.insert(0, str(REPO))
        main(args)
