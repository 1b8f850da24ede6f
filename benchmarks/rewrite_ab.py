"""A/B one rewrite's worth, step by step: two render graphs in one process, steps alternating.

Runs in one process two ``render.make_vis_T`` graphs of one objective (``--objective``,
default ``mixed4a_pre_relu:476``) on the InceptionV1 replica (128 px, standard transforms, Adam 0.05, redirected ReLU): A with the
default rewrites minus ``--without``, B with the default rewrites. Their optimisation steps
alternate (A B, B A, ...), so a noisy neighbour slows both alike; the paired per-step ratios
resolve ~1 % where separate runs on a shared machine move by 10-20 %.

    python benchmarks/rewrite_ab.py --without pointwise_matmul [--batch 1]
        [--precision float32|bfloat16] [--steps 300] [--warmup 60]
        [--objective mixed4a_pre_relu:476]

Prints the median step of each and B's speed-up (median of the paired ratios A/B, and the
ratio of medians of each half of the run, to show how stable it is). Steady state only:
both graphs have seen every transform size before timing starts (``--warmup``).
"""

import argparse
import os
import sys
import time

from replica_mirror import replica_mirror

OBJECTIVE = "mixed4a_pre_relu:476"


def build(model, batch, precision, rewrites, objective=OBJECTIVE):
    """A session and the ``vis_op`` of one render graph, initialised."""
    import tensorflow.compat.v1 as tf

    from lucid.optvis import param
    from lucid.optvis import render
    from lucid.optvis import step
    from lucid.optvis import transform

    graph = tf.Graph()
    with graph.as_default():
        T = render.make_vis_T(
            model, objective, param_f=lambda: param.image(128, batch=batch),
            optimizer=tf.train.AdamOptimizer(0.05), transforms=transform.standard_transforms,
            relu_gradient_override=True, precision=precision, rewrites=rewrites,
        )  # fmt: skip
        session = tf.Session(graph=graph, config=step.session_config(precision))
        session.run(tf.global_variables_initializer())
    return session, T("vis_op")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--without", nargs="+", required=True, help="rewrite names A leaves out")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--precision", default="float32", choices=("float32", "bfloat16"))
    parser.add_argument("--steps", type=int, default=300, help="steps per graph, warm-up included")
    parser.add_argument("--warmup", type=int, default=60, help="untimed steps per graph")
    parser.add_argument("--objective", default=OBJECTIVE, help="objective string, 'layer:channel'")
    args = parser.parse_args(argv)
    if args.steps <= args.warmup + 1:
        parser.error(f"--steps {args.steps} must exceed --warmup {args.warmup} by at least 2.")
    from lucid.optvis import rewrites

    unknown = sorted(set(args.without) - set(rewrites.NAMES))
    if unknown:
        parser.error(f"--without: unknown rewrite(s) {unknown}; the names are {rewrites.NAMES}")
    with replica_mirror() as env:
        os.environ.update(env)
        import numpy as np

        import lucid.modelzoo.vision_models as models

        model = models.InceptionV1()
        model.load_graphdef()
        a_names = [name for name in rewrites.DEFAULT_NAMES if name not in args.without]
        runs = {
            "A": build(model, args.batch, args.precision, a_names, args.objective),
            "B": build(model, args.batch, args.precision, None, args.objective),
        }
        times = {"A": [], "B": []}
        for index in range(args.steps):
            for key in ("A", "B") if index % 2 == 0 else ("B", "A"):
                session, vis_op = runs[key]
                start = time.perf_counter()
                session.run(vis_op)
                if index >= args.warmup:
                    times[key].append(time.perf_counter() - start)
            if index % 50 == 49:
                print(f"  {index + 1}/{args.steps} steps each", file=sys.stderr)
        a, b = (1000 * np.array(times[key]) for key in ("A", "B"))
        half = len(a) // 2
        halves = [np.median(a[s]) / np.median(b[s]) for s in (slice(0, half), slice(half, None))]
        print(
            f"{args.objective}, batch {args.batch}, {args.precision}: A (without {', '.join(args.without)}) "
            f"{np.median(a):.2f} ms/step, B (default rewrites) {np.median(b):.2f} ms/step; "
            f"speed-up of B {np.median(a / b):.3f} (median of {len(a)} paired steps; halves "
            f"{halves[0]:.3f}, {halves[1]:.3f})"
        )


if __name__ == "__main__":
    main()
