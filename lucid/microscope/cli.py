"""``lucid microscope build`` and ``lucid microscope serve``: the atlas on the command line.

    lucid microscope build --model ShapesNet --images builtin:shapes --out atlas
    lucid microscope build --model InceptionV1 --layers mixed4a mixed4b --units 0-63 \\
        --engine ray --address auto --memory-budget-mb 30000 --out /shared/atlas
    lucid microscope serve atlas                     # http://127.0.0.1:8000/

``lucid.cli.app`` calls :func:`add_arguments` to register the sub-command. Importing this
module is cheap: the options of ``build`` (model name, output directory, images, numbers)
are checked before TensorFlow is imported, and ``serve`` never imports it.
"""

import argparse
import os

from lucid.cli import checks
from lucid.optvis.precision_names import PRECISIONS

# The analyses a build adds (build.Analyses), each with --NAME / --no-NAME.
_ANALYSES = (
    ("scores", "per-unit quality scores"),
    ("tuning", "tuning curves over synthetic stimuli"),
    ("upstream", "the upstream units with the largest weights"),
    ("architecture", "the model's architecture diagram"),
    ("image_tours", "pages following a few dataset images through the layers"),
)

_BUILD_EXAMPLES = """examples:
  lucid microscope build --model ShapesNet --images builtin:shapes --out atlas
  lucid microscope build --model ShapesNet --layers conv2 conv3 --max-units 8 --steps 256 --out atlas
  lucid microscope build --model my_models:MyNet --images ./photos --out atlas
  lucid microscope build --model InceptionV1 --engine ray --address auto --out /shared/atlas
  lucid microscope build --model InceptionV1 --layers mixed4a --steps 4096 --alpha --out atlas
  lucid microscope build --model ShapesNet --no-negative --caricature 0 --no-tuning --out atlas

Re-running a build skips every result already done with the same parameters, so an
interrupted build resumes where it stopped. Open OUT/index.html, or 'lucid microscope serve OUT'.
The build ends with the seconds spent on each view (channel, negative, ..., scores, site)."""


def add_arguments(subparsers) -> None:
    """Registers ``microscope`` (with ``build`` and ``serve``) on ``lucid``'s ``subparsers``."""
    parser = subparsers.add_parser(
        "microscope",
        help="build a browsable atlas of every unit of a model, or serve one",
        description="Build a static site showing every unit of a model's layers, or serve one.",
    )
    commands = parser.add_subparsers(dest="microscope_command", metavar="COMMAND")
    parser.set_defaults(func=lambda args: _print_help(parser), needs_tensorflow=False)
    _add_build(commands)
    _add_serve(commands)


def _print_help(parser):
    parser.print_help()
    return 2


def _add_build(commands):
    build = commands.add_parser(
        "build",
        help="render the units of a model and write the atlas site",
        description="Render units of a model (resumable) and write a static atlas site to --out.",
        epilog=_BUILD_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument(
        "--model",
        required=True,
        help="zoo model name (see 'lucid models') or package.module:ClassName",
    )
    build.add_argument("--out", required=True, metavar="DIR", help="atlas directory (created)")
    build.add_argument(
        "--layers", nargs="+", metavar="LAYER", help="declared layers (default: all)"
    )
    build.add_argument(
        "--units", metavar="SPEC", help="units of every layer, e.g. 0-7,12 (default: all)"
    )
    build.add_argument(
        "--max-units", type=int, metavar="N", help="at most the first N units per layer"
    )
    build.add_argument(
        "--images",
        metavar="DIR|builtin:shapes[:N]",
        help="dataset examples from a directory of images, or N (default 512) generated shapes",
    )
    build.add_argument(
        "--steps", type=int, default=512, help="optimization steps (default 512; Microscope: 4096)"
    )
    build.add_argument(
        "--size", type=int, default=128, metavar="PX", help="image size (default 128)"
    )
    build.add_argument("--seed", type=int, default=0, help="seed mixed into every unit's seed")
    build.add_argument(
        "--diverse", type=int, default=4, metavar="N", help="diverse images per unit (0: none)"
    )
    build.add_argument(
        "--negative",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="render each unit minimised too (default: on)",
    )
    build.add_argument(
        "--alpha", action="store_true", help="render each unit as a transparent RGBA image too"
    )
    build.add_argument(
        "--caricature",
        type=int,
        default=2,
        metavar="N",
        help="dataset images per layer shown with their caricature (default 2; 0: none; "
        "needs --images)",
    )
    build.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="arithmetic of the renders (default float32; bfloat16 is faster on recent hardware)",
    )
    for name, what in _ANALYSES:
        build.add_argument(
            f"--{name.replace('_', '-')}",
            action=argparse.BooleanOptionalAction,
            default=True,
            help=f"{what} (default: on{'; needs --images' if name == 'image_tours' else ''})",
        )
    build.add_argument(
        "--examples", type=int, default=8, metavar="K", help="dataset examples per unit"
    )
    build.add_argument(
        "--batch-size", type=int, metavar="N", help="units per batch (default: from the budget)"
    )
    build.add_argument(
        "--memory-budget-mb", type=float, metavar="MB", help="memory for one batch (default 2048)"
    )
    build.add_argument(
        "--engine", choices=("local", "ray"), default="local", help="where to render"
    )
    build.add_argument(
        "--address", help="Ray cluster address for --engine ray (default: ray.init())"
    )
    build.add_argument("--quiet", action="store_true", help="no stage lines or progress bars")
    build.set_defaults(check=check_build, func=run_build, needs_tensorflow=True)


def _add_serve(commands):
    serve = commands.add_parser(
        "serve",
        help="serve an atlas directory over HTTP",
        description="Serve an atlas directory over HTTP (loopback only by default).",
    )
    serve.add_argument("directory", metavar="DIR", help="the --out directory of a build")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8000, help="port (default 8000; 0: any free port)"
    )
    serve.set_defaults(func=run_serve, needs_tensorflow=False)


def check_build(args) -> None:
    """Checks ``build``'s options before TensorFlow is imported (the model name is normalised)."""
    for name in ("steps", "size", "examples", "batch_size", "memory_budget_mb"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise checks.UserError(f"--{name.replace('_', '-')} must be at least 1; got {value}.")
    if args.size > checks.MAX_IMAGE_SIZE:
        raise checks.UserError(f"--size must be at most {checks.MAX_IMAGE_SIZE}; got {args.size}.")
    for name in ("diverse", "caricature"):
        if getattr(args, name) < 0:
            raise checks.UserError(f"--{name} must be 0 or more; got {getattr(args, name)}.")
    if args.address is not None and args.engine != "ray":
        raise checks.UserError(
            "--address is only used with --engine ray; add --engine ray or drop it."
        )
    args.model = checks.check_model_spec(args.model)
    checks.check_output_path(args.out, "--out", directory=True)
    images = args.images
    if images is not None and not images.startswith("builtin:") and not os.path.isdir(images):
        raise checks.UserError(
            f"--images {images!r} is not a directory; give a directory of images or "
            "builtin:shapes[:N]."
        )


def run_build(args) -> int:
    """``lucid microscope build``: builds (after :func:`check_build`), prints where the site is."""
    from lucid.microscope import build
    from lucid.microscope import engines
    from lucid.microscope.jobs import RenderSettings

    try:
        engine = engines.get_engine(args.engine, args.address)
    except ImportError as e:
        raise checks.UserError(str(e)) from None
    settings = RenderSettings(
        steps=args.steps, size=args.size, seed=args.seed, diverse=args.diverse,
        negative=args.negative, alpha=args.alpha, caricature=args.caricature,
        precision=args.precision,
    )  # fmt: skip
    analyses = build.Analyses(**{name: getattr(args, name) for name, _ in _ANALYSES})
    units = None if args.units is None else build.parse_units(args.units)
    report = build.build(
        args.model,
        args.out,
        layers=args.layers,
        units=units,
        max_units=args.max_units,
        images=args.images,
        settings=settings,
        examples=args.examples,
        batch_size=args.batch_size,
        memory_budget_mb=args.memory_budget_mb,
        engine=engine,
        progress=not args.quiet,
        analyses=analyses,
    )
    print(
        f"{report.jobs_run} of {report.jobs_planned} render jobs run, "
        f"{report.examples_written} units' dataset examples written; "
        f"site: {args.out}/index.html ({report.pages} pages)."
    )
    print(seconds_summary(report.seconds))
    return 0


def seconds_summary(seconds) -> str:
    """``"seconds per view: channel 12.3, ..., site 0.4 (total 20.1)"``, views in build order."""
    if not seconds:
        return "seconds per view: nothing was done."
    # Tenths of a second, or hundredths below 0.1 s so that a quick view does not read as 0.
    parts = ", ".join(
        f"{view} {value:.1f}" if value >= 0.1 else f"{view} {value:.2f}"
        for view, value in seconds.items()
    )
    return f"seconds per view: {parts} (total {sum(seconds.values()):.1f})."


def run_serve(args) -> int:
    """``lucid microscope serve``."""
    from lucid.microscope import serve

    return serve.serve(args.directory, args.host, args.port)
