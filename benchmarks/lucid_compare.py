"""Benchmark this port against the original Lucid 0.3.10: step time and cold start.

Installs Lucid 0.3.10 from the package index into its own virtualenv (see
``lucid_original/venv.py``; TF and numpy come from this machine, TF1 APIs from the stand-ins in
``lucid_original/``), then runs the port and Lucid 0.3.10 alternately, each render in a
subprocess of its own, on the same InceptionV1 replica frozen graph: the port loads it
through the zoo loader from a local mirror, Lucid 0.3.10 from the same .pb through an
``InceptionV1`` subclass whose ``model_path`` is the local file.

Alternately means, by default (``--lockstep 8``), that a round's renders (Lucid 0.3.10 and
each port configuration) are all alive at once and take turns of 8 steps, the others waiting
idle (``lockstep.py``): on a shared host, whose speed drifts by 10-20 % within minutes, block
``b`` of each render then runs under the same load, and a round's ratio is the median of
its per-block ratios. ``--lockstep 0`` runs the renders one after another instead (A B, then
B A in the next round), as before 2026-12-01; its ratios are those of whole renders.

Both run their own ``render_vis`` with the same settings: ``mixed4a_pre_relu:476``,
``param.image(size, batch=B)`` (FFT, decorrelated), ``transform.standard_transforms``,
``tf.train.AdamOptimizer(0.05)``, redirected-ReLU gradients on (both defaults). A step is
one ``session.run`` that fetches the ``vis_op``; per-step time is the median of the mean step
time over ``--windows`` windows of the steps after ``--warmup``, less the last (threshold)
step. Cold start is import + model load + graph build + first step, in the child process
(started when the previous child waits, so cold starts never overlap).

The port runs in each configuration asked for: ``--precision float32 bfloat16`` and
``--rewrites on off`` (``render_vis(..., rewrites=())`` switches the port's graph rewrites
off); Lucid 0.3.10 has neither, and runs once per round in float32. Arguments the port's
``render_vis`` does not take yet are left out, and the output says so.

    python benchmarks/lucid_compare.py [--steps 64] [--batches 1 16] [--rounds 3] [--quick]
        [--precision float32 bfloat16] [--rewrites on off] [--lockstep 8]
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

import lockstep
from compare_report import LABELS
from compare_report import config_label
from compare_report import summarise
from replica_mirror import REPO
from replica_mirror import replica_mirror

HERE = Path(__file__).resolve().parent
ENGINES = ("port", "original")
OBJECTIVE = "mixed4a_pre_relu:476"
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


def measure(engine, batch, args, precision, rewrites):
    """Runs in a child process: one ``render_vis`` of ``engine``; prints one JSON line.

    With ``args.lockstep`` (a block of steps), it waits for its turn before each block
    (``lockstep.wait_turn``); the waits are outside the timed ``session.run`` calls."""
    start = time.perf_counter()
    size, steps, warmup, windows = args.size, args.steps, args.warmup, args.windows
    pb_path, rotate = args.pb, args.original_rotate
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

    def run(self, fetches, *run_args, **kwargs):
        is_step = bool(vis_ops) and _fetches_contain(fetches, vis_ops[-1])
        if is_step:
            lockstep.wait_turn(len(spans), args.lockstep)
        begin = time.perf_counter()
        result = real_run(self, fetches, *run_args, **kwargs)
        if is_step:
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
                "step_ms": [1000 * d for d in durations],
                "import_s": import_s,
                "load_s": load_s,
                "first_step_s": first_step_s,
                "cold_s": spans[0][1] - start,
            }
        )
    )


# ----------------------------------------------------------------------------- parent process


def child_command(python, engine, batch, args, pb_path, precision="float32", rewrites="on"):
    """The command line of one child render (``measure`` in a subprocess)."""
    options = {
        "--child": engine,
        "--child-batch": batch,
        "--steps": args.steps,
        "--size": args.size,
        "--warmup": args.warmup,
        "--windows": args.windows,
        "--pb": pb_path,
        "--original-rotate": args.original_rotate,
        "--child-precision": precision,
        "--child-rewrites": rewrites,
        "--lockstep": args.lockstep,
    }
    return [str(python), __file__, *(str(x) for item in options.items() for x in item)]


def run_child(python, engine, batch, args, env, pb_path, precision="float32", rewrites="on"):
    """One child render on its own (no turns); its JSON result."""
    command = child_command(python, engine, batch, argparse.Namespace(**{**vars(args),
                            "lockstep": 0}), pb_path, precision, rewrites)  # fmt: skip
    # cwd outside the checkout: `import lucid` must not find the port by the working directory.
    child = subprocess.run(
        command, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, check=False
    )
    if child.returncode != 0:
        label = config_label(engine, precision, rewrites)
        raise RuntimeError(f"{label} at batch {batch} failed:\n{child.stderr[-4000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def run_round(runs, batch, args, pythons, envs, pb_path):
    """One round at ``batch``: every run of ``runs`` (engine, precision, rewrites), one after
    another, or with ``args.lockstep`` all at once taking turns; their JSON results."""
    if not args.lockstep:
        return [run_child(pythons[e], e, batch, args, envs[e], pb_path, p, r) for e, p, r in runs]
    return lockstep.run_turns(
        [child_command(pythons[e], e, batch, args, pb_path, p, r) for e, p, r in runs],
        [envs[e] for e, _, _ in runs],
        tempfile.gettempdir(),
        [f"{config_label(*run)} at batch {batch}" for run in runs],
    )


def check_engine(result, venv):
    """Stops the run if a child imported the wrong Lucid (e.g. the port inside the venv)."""
    in_venv = Path(result["lucid_file"]).resolve().is_relative_to(venv.resolve())
    if in_venv != (result["engine"] == "original"):
        raise RuntimeError(f"{LABELS[result['engine']]} imported lucid from {result['lucid_file']}")


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
        "--lockstep",
        type=int,
        default=8,
        metavar="STEPS",
        help="a round's renders all alive at once, taking turns of this many steps (default 8; "
        "0: one render after another, as before 2026-12-01)",
    )
    parser.add_argument(
        "--turn-skip",
        type=int,
        default=1,
        metavar="STEPS",
        help="steps not timed at the start of each turn: the first meets caches the other "
        "process filled (default 1; the summary also prints the figure with every step)",
    )
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
    parser.add_argument("--save", type=Path, help="write the runs' results (JSON) to this file")
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
    if args.lockstep < 0:
        parser.error(
            f"--lockstep must be 0 (off) or a number of steps per turn; got {args.lockstep}"
        )
    if args.turn_skip < 0 or (args.lockstep and args.turn_skip >= args.lockstep):
        parser.error(
            f"--turn-skip must be at least 0 and less than --lockstep; got {args.turn_skip}"
        )
    return args


def main():
    args = parse_args()
    if args.child:
        measure(args.child, args.child_batch, args, args.child_precision, args.child_rewrites)
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
            f"({args.warmup} warm-up, {args.windows} windows), {args.rounds} rounds, "
            + (f"turns of {args.lockstep} steps, " if args.lockstep else "one run at a time, ")
            + f"Lucid 0.3.10 "
            f"rotating {args.original_rotate}; "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
        )
        # Load once so every port run reads the model (and the compiled fused LRN kernel) from
        # its cache, as a later session would.
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
                for r in run_round(order, batch, args, pythons, envs, pb_path):
                    check_engine(r, args.venv)
                    results.append(r)
                    print(
                        f"round {round_index + 1} batch {batch:>3} {r['config']:>28}: "
                        f"{r['ms_per_step']:7.1f} ms/step (windows "
                        + ", ".join(f"{m:.1f}" for m in r["window_ms"])
                        + f"), cold start {r['cold_s']:.2f} s",
                        flush=True,
                    )
    summarise(results, args.batches, configs, args)
    if args.save:
        args.save.write_text(json.dumps(results))
        print(f"results (with every step's time) saved to {args.save}")
    print(f"wall time {time.perf_counter() - wall:.0f} s")


if __name__ == "__main__":
    main()
