"""Benchmark render_vis: milliseconds per optimisation step and peak memory.

Renders ``mixed4a_pre_relu:476`` of InceptionV1 at 128 px with the standard transforms, at
batch 1 and batch 16. The model is the InceptionV1 replica (exact node names, random weights)
from ``modelzoo/replicas``, served as a local mirror and loaded through the real zoo loader.
Each configuration runs in its own process so peak memory is its own.

    python benchmarks/render_benchmark.py [--steps 64] [--batches 1 16] [--size 128]

Prints one line per configuration: graph build seconds, median ms/step (after warm-up),
steps/s, peak resident memory of the process and, on a GPU, peak GPU memory.
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

WARMUP_STEPS = 5


def measure(batch, size, steps):
    """Runs in a child process: one render, timed per step."""
    import numpy as np
    import tensorflow.compat.v1 as tf

    import lucid.modelzoo.vision_models as models
    from lucid.optvis import param
    from lucid.optvis import render
    from lucid.optvis import transform

    step_times = []
    real_run_step = render._run_step

    def timed_run_step(sess, fetches, step):
        start = time.perf_counter()
        result = real_run_step(sess, fetches, step)
        step_times.append(time.perf_counter() - start)
        return result

    render._run_step = timed_run_step
    model = models.InceptionV1()
    model.load_graphdef()
    start = time.perf_counter()
    render.render_vis(
        model,
        "mixed4a_pre_relu:476",
        param_f=lambda: param.image(size, batch=batch),
        transforms=transform.standard_transforms,
        thresholds=(steps - 1,),
        verbose=False,
        progress=False,
    )
    total = time.perf_counter() - start
    timed = step_times[WARMUP_STEPS:]
    result = {
        "batch": batch,
        "size": size,
        "steps": steps,
        "build_s": total - sum(step_times),
        "ms_per_step": 1000 * float(np.median(timed)),
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
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.steps <= WARMUP_STEPS:
        parser.error(f"--steps must be more than the {WARMUP_STEPS} warm-up steps")
    if args.child is not None:
        measure(args.child, args.size, args.steps)
        return

    with replica_mirror() as mirror_settings:
        env = dict(os.environ, **mirror_settings)
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
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
                f"peak RSS {r['peak_rss_mb']:.0f} MB"
            )
            if "peak_gpu_mb" in r:
                line += f", peak GPU {r['peak_gpu_mb']:.0f} MB"
            print(line)


if __name__ == "__main__":
    main()
