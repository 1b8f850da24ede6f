"""Benchmark render_vis: milliseconds per optimisation step and peak memory.

Renders ``mixed4a_pre_relu:476`` of InceptionV1 at 128 px with the standard transforms, at
batch 1 and batch 16. The model is the InceptionV1 replica (exact node names, random weights)
from ``modelzoo/replicas``, served as a local mirror and loaded through the real zoo loader.
Each configuration runs in its own process so peak memory is its own.

    python benchmarks/render_benchmark.py [--steps 64] [--batches 1 16] [--size 128]
        [--precision float32|bfloat16] [--rewrites all|none|NAME ...]

Prints one line per configuration: graph build seconds (the render's time outside its
optimisation steps), median ms/step (after 20 warm-up steps; ``flops.StepRecorder``), steps/s,
the convolution FLOPs of a traced step and the GFLOP/s they make (the FLOPs depend on that
step's random scale), peak resident memory of the process and, on a GPU, peak GPU memory.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

from replica_mirror import REPO
from replica_mirror import replica_mirror

WARMUP_STEPS = 20  # past the 16 redirected-ReLU steps


def measure(batch, size, steps, precision, rewrites):
    """Runs in a child process: one render, timed per step, one steady-state step traced."""
    import inspect

    import flops
    import tensorflow.compat.v1 as tf

    import lucid.modelzoo.vision_models as models
    from lucid.optvis import param
    from lucid.optvis import render
    from lucid.optvis import transform

    parameters = inspect.signature(render.render_vis).parameters
    extra = {"precision": precision} if "precision" in parameters else {}
    if rewrites is not None and "rewrites" in parameters:
        extra["rewrites"] = (
            () if rewrites == ["none"] else None if rewrites == ["all"] else rewrites
        )
    model = models.InceptionV1()
    model.load_graphdef()
    start = time.perf_counter()
    with flops.StepRecorder(warmup=WARMUP_STEPS) as recorder:
        render.render_vis(
            model,
            "mixed4a_pre_relu:476",
            param_f=lambda: param.image(size, batch=batch),
            transforms=transform.standard_transforms,
            thresholds=(steps - 1,),
            verbose=False,
            progress=False,
            **extra,
        )
    total = time.perf_counter() - start
    profile = recorder.profile()
    result = {
        "batch": batch,
        "size": size,
        "steps": steps,
        "arguments": {k: list(v) if isinstance(v, tuple) else v for k, v in extra.items()},
        "build_s": total - sum(recorder.step_times()),
        "ms_per_step": 1000 * profile.step_seconds,
        "gflop_per_step": profile.flops() / 1e9,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "device": "GPU" if tf.config.list_physical_devices("GPU") else "CPU",
    }
    if result["device"] == "GPU":
        result["peak_gpu_mb"] = tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--precision", choices=("float32", "bfloat16"), default="float32")
    parser.add_argument(
        "--rewrites",
        nargs="+",
        help="all (render_vis' default), none, or names (default: not passed)",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.steps < WARMUP_STEPS + 3:
        parser.error(
            f"--steps must be at least {WARMUP_STEPS + 3}: {WARMUP_STEPS} warm-up steps, one "
            "traced, one timed and the final (threshold) step"
        )
    if args.child is not None:
        measure(args.child, args.size, args.steps, args.precision, args.rewrites)
        return

    with replica_mirror() as mirror_settings:
        env = dict(os.environ, **mirror_settings)
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        paths = [str(REPO), str(REPO / "benchmarks"), env.get("PYTHONPATH")]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
        print(
            f"render_vis benchmark: InceptionV1 replica, mixed4a_pre_relu:476, {args.size} px, "
            f"standard transforms, {args.steps} steps ({WARMUP_STEPS} warm-up); "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
        )
        for batch in args.batches:
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    str(batch),
                    "--steps",
                    str(args.steps),
                    "--size",
                    str(args.size),
                    "--precision",
                    args.precision,
                    *(["--rewrites", *args.rewrites] if args.rewrites else []),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode != 0:
                print(f"batch {batch}: failed\n{child.stderr[-3000:]}")
                continue
            r = json.loads(child.stdout.strip().splitlines()[-1])
            line = (
                f"batch {r['batch']:>3} on {r['device']}: build {r['build_s']:.1f} s, "
                f"{r['ms_per_step']:.1f} ms/step ({1000 / r['ms_per_step']:.2f} steps/s, "
                f"{r['batch'] * 1000 / r['ms_per_step']:.2f} images*steps/s), "
                f"{r['gflop_per_step']:.2f} GFLOP/step = "
                f"{r['gflop_per_step'] * 1000 / r['ms_per_step']:.1f} GFLOP/s, "
                f"peak RSS {r['peak_rss_mb']:.0f} MB {r['arguments']}"
            )
            if "peak_gpu_mb" in r:
                line += f", peak GPU {r['peak_gpu_mb']:.0f} MB"
            print(line)


if __name__ == "__main__":
    main()
