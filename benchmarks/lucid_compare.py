"""Benchmark this port against the original Lucid 0.3.10: step time and cold start.

Installs Lucid 0.3.10 from the package index into its own virtualenv (see
``lucid_original/venv.py``; TF and numpy come from this machine, TF1 APIs from the stand-ins in
``lucid_original/``), then runs the port and Lucid 0.3.10 alternately, each render in a
subprocess of its own (A B, B A, A B ... per batch size), on the same InceptionV1 replica
frozen graph: the port loads it through the zoo loader from a local mirror, Lucid 0.3.10 from
the same .pb through an ``InceptionV1`` subclass whose ``model_path`` is the local file.

Both run their own ``render_vis`` with the same settings: ``mixed4a_pre_relu:476``,
``param.image(size, batch=B)`` (FFT, decorrelated), ``transform.standard_transforms``,
``tf.train.AdamOptimizer(0.05)``, redirected-ReLU gradients on (both defaults). A step is
one ``session.run`` that fetches the ``vis_op``; per-step time is the median of the mean step
time over ``--windows`` windows of the steps after ``--warmup``, less the last (threshold)
step. Cold start is import + model load + graph build + first step, in the child process.

The port runs in each configuration asked for: ``--precision float32 bfloat16`` and
``--rewrites on off`` (``render_vis(..., rewrites=())`` switches the port's graph rewrites
off); Lucid 0.3.10 has neither, and runs once per round in float32. Arguments the port's
``render_vis`` does not take yet are left out, and the output says so.

    python benchmarks/lucid_compare.py [--steps 64] [--batches 1 16] [--rounds 3] [--quick]
        [--precision float32 bfloat16] [--rewrites on off]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from replica_mirror import REPO
from replica_mirror import replica_mirror

HERE = Path(__file__).resolve().parent
ENGINES = ("port", "original")
LABELS = {"port": "port", "original": "Lucid 0.3.10"}
OBJECTIVE = "mixed4a_pre_relu:476"
# issue 13: the port >= 1.5x faster per step in float32, 2x in bfloat16, at batch 1 and 16
TARGET_SPEEDUP = {"float32": 1.5, "bfloat16": 2.0}
PRECISIONS = ("float32", "bfloat16")
REPLICA_PB = ("vision", "other_models", "InceptionV1.pb")


def default_venv() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache, "lucid-benchmark", "lucid-0.3.10")


# ----------------------------------------------------------------------------- child process


def _fetches_contain(fetches, op) -> bool:
    if fetches is op:
        return True
    return isinstance(fetches, (list, tuple)) and any(f is op for f in fetches)


def port_arguments(render_vis, precision, rewrites_on):
    """The port's ``precision``/``rewrites`` keyword arguments that its render_vis takes, and
    notes on those it does not take (then the library's default is used)."""
    import inspect

    parameters = inspect.signature(render_vis).parameters
    extra, notes = {}, []
    if "precision" in parameters:
        extra["precision"] = precision
        try:
            from lucid.optvis.precision import check_precision

            if check_precision(precision) != precision:
                notes.append(f"{precision} is not supported on this machine: ran in float32")
        except ImportError:
            pass
    elif precision != "float32":
        notes.append("render_vis has no precision argument: ran in float32")
    if "rewrites" in parameters:
        extra["rewrites"] = None if rewrites_on else ()
    elif not rewrites_on:
        notes.append("render_vis has no rewrites argument: ran with the port as it is")
    return extra, notes


def measure(engine, batch, size, steps, warmup, windows, pb_path, rotate, precision, rewrites):
    """Runs in a child process: one ``render_vis`` of ``engine``; prints one JSON line."""
    start = time.perf_counter()
    if engine == "original":
        from lucid_original import tf1_shim

        tf1_shim.install(rotate_interpolation=rotate.upper())
    import numpy as np
    import tensorflow.compat.v1 as tf
    from tensorflow.python.client import session as tf_session

    import lucid
    import lucid.modelzoo.vision_models as models
    from lucid.optvis import param
    from lucid.optvis import render
    from lucid.optvis import transform

    import_s = time.perf_counter() - start

    load_start = time.perf_counter()
    if engine == "original":

        class Replica(models.InceptionV1):
            model_path = pb_path

        model = Replica()
        _ = model.graph_def  # Lucid 0.3.10 loads lazily on first access
    else:
        model = models.InceptionV1()
        model.load_graphdef()
    load_s = time.perf_counter() - load_start

    vis_ops, spans = [], []
    real_make_vis_T, real_run = render.make_vis_T, tf_session.BaseSession.run

    def make_vis_T(*args, **kwargs):
        T = real_make_vis_T(*args, **kwargs)
        vis_ops.append(T("vis_op"))
        return T

    def run(self, fetches, *args, **kwargs):
        begin = time.perf_counter()
        result = real_run(self, fetches, *args, **kwargs)
        if vis_ops and _fetches_contain(fetches, vis_ops[-1]):
            spans.append((begin, time.perf_counter()))
        return result

    render.make_vis_T = make_vis_T
    tf_session.BaseSession.run = run
    extra, notes = {}, []
    if engine == "port":
        extra, notes = port_arguments(render.render_vis, precision, rewrites == "on")
        extra["progress"] = False
    render_start = time.perf_counter()
    render.render_vis(
        model,
        OBJECTIVE,
        param_f=lambda: param.image(size, batch=batch),
        optimizer=tf.train.AdamOptimizer(0.05),
        transforms=transform.standard_transforms,
        thresholds=(steps - 1,),
        verbose=False,
        relu_gradient_override=True,
        **extra,
    )
    if len(spans) != steps:
        raise RuntimeError(f"counted {len(spans)} optimisation steps, expected {steps}")
    durations = [end - begin for begin, end in spans]
    # The last step is the threshold step: the port fetches the loss there for the first time,
    # and a new fetch list costs TensorFlow a one-time executor build, which is not a step cost.
    timed = durations[warmup:-1]
    window_means = [float(np.mean(w)) for w in np.array_split(timed, windows)]
    first_step_s = spans[0][1] - render_start
    print(
        json.dumps(
            {
                "engine": engine,
                "config": config_label(engine, precision, rewrites),
                "notes": notes,
                "batch": batch,
                "lucid_file": lucid.__file__,
                "ms_per_step": 1000 * statistics.median(window_means),
                "window_ms": [1000 * m for m in window_means],
                "import_s": import_s,
                "load_s": load_s,
                "first_step_s": first_step_s,
                "cold_s": spans[0][1] - start,
            }
        )
    )


# ----------------------------------------------------------------------------- parent process


def config_label(engine, precision="float32", rewrites="on"):
    if engine == "original":
        return LABELS[engine]
    return (
        "port"
        + (f" {precision}" if precision != "float32" else "")
        + (" no rewrites" if rewrites == "off" else "")
    )


def run_child(python, engine, batch, args, env, pb_path, precision="float32", rewrites="on"):
    command = [
        python,
        __file__,
        "--child",
        engine,
        "--child-batch",
        str(batch),
        "--steps",
        str(args.steps),
        "--size",
        str(args.size),
        "--warmup",
        str(args.warmup),
        "--windows",
        str(args.windows),
        "--pb",
        pb_path,
        "--original-rotate",
        args.original_rotate,
        "--child-precision",
        precision,
        "--child-rewrites",
        rewrites,
    ]
    # cwd outside the checkout: `import lucid` must not find the port by the working directory.
    child = subprocess.run(
        [str(c) for c in command],
        env=env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        label = config_label(engine, precision, rewrites)
        raise RuntimeError(f"{label} at batch {batch} failed:\n{child.stderr[-4000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def check_engine(result, venv):
    """Stops the run if a child imported the wrong Lucid (e.g. the port inside the venv)."""
    in_venv = Path(result["lucid_file"]).resolve().is_relative_to(venv.resolve())
    if in_venv != (result["engine"] == "original"):
        raise RuntimeError(f"{LABELS[result['engine']]} imported lucid from {result['lucid_file']}")


def summarise(results, batches, configs):
    print("\nsummary (medians over rounds; each ratio pairs a port run with Lucid's in its round):")
    for batch in batches:
        original = [r for r in results if r["batch"] == batch and r["engine"] == "original"]
        if not original:
            continue
        original_ms = statistics.median(r["ms_per_step"] for r in original)
        print(f"batch {batch:>3}: Lucid 0.3.10 {original_ms:.1f} ms/step")
        labels = [config_label("port", *config) for config in configs]
        for label, (precision, _) in zip(labels, configs):
            port = [r for r in results if r["batch"] == batch and r["config"] == label]
            ratios = [p["ms_per_step"] / o["ms_per_step"] for p, o in zip(port, original)]
            if not ratios:
                continue
            ratio = statistics.median(ratios)
            print(
                f"  {label:>28}: {statistics.median(r['ms_per_step'] for r in port):.1f} ms/step;"
                f" port/original step time {ratio:.3f} (rounds {min(ratios):.3f}-"
                f"{max(ratios):.3f}), speed-up {1 / ratio:.2f}x (target >= "
                f"{TARGET_SPEEDUP[precision]}x)"
            )
            for note in sorted({n for r in port for n in r["notes"]}):
                print(f"  {'':>28}  note: {note}")
        for label in [*labels, LABELS["original"]]:
            runs = [r for r in results if r["batch"] == batch and r["config"] == label]
            if not runs:
                continue
            part = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k.endswith("_s")}
            print(
                f"  cold start {label:>28}: {part['cold_s']:.2f} s (import "
                f"{part['import_s']:.2f} s, model load {part['load_s']:.2f} s, graph build + "
                f"first step {part['first_step_s']:.2f} s)"
            )


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, help="steps per render (default 64; quick 28)")
    parser.add_argument("--batches", type=int, nargs="+", help="batch sizes (default 1 16)")
    parser.add_argument("--rounds", type=int, help="A/B rounds per batch size (default 3)")
    parser.add_argument("--quick", action="store_true", help="28 steps, batch 1, 1 round")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps (> 16: redirect)")
    parser.add_argument("--windows", type=int, default=4, help="timed windows per render")
    parser.add_argument(
        "--original-rotate",
        choices=("nearest", "bilinear"),
        default="nearest",
        help="Lucid 0.3.10's rotation interpolation: nearest (contrib's default, as in Lucid) "
        "or bilinear (as in the port), to see what that difference costs",
    )
    parser.add_argument(
        "--precision",
        nargs="+",
        choices=PRECISIONS,
        default=["float32"],
        help="the port's precisions (Lucid 0.3.10 always runs in float32)",
    )
    parser.add_argument(
        "--rewrites",
        nargs="+",
        choices=("on", "off"),
        default=["on"],
        help="the port with its graph rewrites on (render_vis' default) and/or off (rewrites=())",
    )
    parser.add_argument("--venv", type=Path, default=default_venv(), help="Lucid 0.3.10 venv")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--child-batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pb", help=argparse.SUPPRESS)
    parser.add_argument("--child-precision", default="float32", help=argparse.SUPPRESS)
    parser.add_argument("--child-rewrites", default="on", help=argparse.SUPPRESS)
    args = parser.parse_args()
    quick = args.quick
    args.steps = args.steps or (28 if quick else 64)
    args.batches = args.batches or ([1] if quick else [1, 16])
    args.rounds = args.rounds or (1 if quick else 3)
    if args.steps < args.warmup + args.windows + 1:
        parser.error(
            f"--steps {args.steps} leaves fewer than one step per window after the "
            f"{args.warmup} warm-up steps (the last step is not timed); use --steps "
            f"{args.warmup + args.windows + 1} or more"
        )
    if min(args.batches) < 1 or args.rounds < 1 or args.size < 1:
        parser.error("--batches, --rounds and --size must be positive")
    return args


def main():
    args = parse_args()
    if args.child:
        measure(
            args.child,
            args.child_batch,
            args.size,
            args.steps,
            args.warmup,
            args.windows,
            args.pb,
            args.original_rotate,
            args.child_precision,
            args.child_rewrites,
        )
        return
    from lucid_original.venv import ensure_venv

    original_python = ensure_venv(args.venv)
    pythons = {"port": Path(sys.executable), "original": original_python}
    wall = time.perf_counter()
    with replica_mirror() as mirror_settings:
        pb_path = Path(mirror_settings["LUCID_MODELZOO_MIRROR"], *REPLICA_PB)
        base = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        base.pop("PYTHONPATH", None)
        envs = {
            "port": dict(
                base, **mirror_settings, PYTHONPATH=os.pathsep.join([str(HERE), str(REPO)])
            ),
            # No checkout on the path: the venv's lucid (0.3.10) must be the one imported.
            "original": dict(base, PYTHONPATH=str(HERE)),
        }
        print(
            f"lucid_compare: InceptionV1 replica, {OBJECTIVE}, {args.size} px, param.image fft + "
            f"decorrelate, standard transforms, Adam 0.05, redirected ReLU; {args.steps} steps "
            f"({args.warmup} warm-up, {args.windows} windows), {args.rounds} rounds, Lucid 0.3.10 "
            f"rotating {args.original_rotate}; "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
        )
        # Load once so every port run reads the model from its cache, as a later session would.
        run_child(
            pythons["port"],
            "port",
            1,
            argparse.Namespace(**{**vars(args), "steps": args.warmup + args.windows + 1}),
            envs["port"],
            pb_path,
        )
        configs = [(p, r) for p in args.precision for r in args.rewrites]
        runs = [("original", "float32", "on")] + [("port", p, r) for p, r in configs]
        results = []
        for round_index in range(args.rounds):
            for batch in args.batches:
                order = runs if round_index % 2 == 0 else runs[::-1]
                for engine, precision, rewrites in order:
                    r = run_child(
                        pythons[engine], engine, batch, args, envs[engine], pb_path, precision,
                        rewrites,
                    )  # fmt: skip
                    check_engine(r, args.venv)
                    results.append(r)
                    print(
                        f"round {round_index + 1} batch {batch:>3} {r['config']:>28}: "
                        f"{r['ms_per_step']:7.1f} ms/step (windows "
                        + ", ".join(f"{m:.1f}" for m in r["window_ms"])
                        + f"), cold start {r['cold_s']:.2f} s",
                        flush=True,
                    )
    summarise(results, args.batches, configs)
    print(f"wall time {time.perf_counter() - wall:.0f} s")


if __name__ == "__main__":
    main()
