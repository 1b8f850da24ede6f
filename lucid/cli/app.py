"""The ``lucid`` command line: render a unit to a PNG, list the zoo, list a model's layers.

    lucid render                                  # a showcase unit of ShapesNet, offline
    lucid render conv3:20 --steps 256 --batch 4   # four diverse images of one channel, as a grid
    lucid render mixed4a_pre_relu:476 --model InceptionV1 --size 128
    lucid models                                  # the zoo: dataset, input size, cached or not
    lucid layers InceptionV1                      # declared layers with depths and tags

This module only parses arguments and calls the library (``lucid.optvis.render``,
``lucid.modelzoo``, ``lucid.misc.io``); it holds no rendering logic. TensorFlow is imported
only once a command needs it, so ``--help`` is instant.

Errors in what the user typed (unknown model, layer or channel, an output path that can't
be written, a failed download) end the program with status 1 and one line on stderr,
``lucid: error: ...``, saying what to do; argument syntax errors exit with status 2 the
same way. Anything else is a bug and shows its traceback.

Hook for ``lucid microscope``: the sub-command lives in ``lucid/microscope/cli.py``, which
exposes ``add_arguments(subparsers)``. That function registers the ``microscope`` parser on
the ``subparsers`` object of ``lucid`` (with its own ``build`` / ``serve`` sub-commands) and
sets ``func`` (``args -> int exit status or None``) through ``set_defaults``; its errors are
reported like every other command's. The module is imported lazily when the parser is built;
if it cannot be imported, ``microscope`` is simply absent and asking for it says why.
"""

import argparse
import contextlib
import difflib
import math
import os
import re
import sys
import tempfile

import numpy as np

PROG = "lucid"
DEFAULT_MODEL = "ShapesNet"
DEFAULT_STEPS = 512
DEFAULT_SIZE = 128
DEFAULT_DIVERSITY = 0.3
MIN_SIZE = 16  # smaller images vanish under the standard transforms' jitter and scaling
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")

# The unit `lucid render` shows for a model when no OBJECTIVE is given. Models not listed
# here get the middle channel of their middle declared conv layer.
SHOWCASE_OBJECTIVES = {
    "ShapesNet": "conv4_pre_relu:51",  # vertical stripes
    "InceptionV1": "mixed4a_pre_relu:476",
}


_EXAMPLES = """examples:
  lucid render                                  a showcase unit of ShapesNet (bundled, offline)
  lucid render conv3:20 --steps 256 --batch 4   four diverse images of one channel, as a grid
  lucid render mixed4a_pre_relu:476 --model InceptionV1
  lucid models                                  the zoo: dataset, input size, cached or not
  lucid layers InceptionV1                      declared layers with depths and tags

'lucid COMMAND --help' describes each command."""


class UserError(Exception):
    """A mistake in the command line; reported as one ``lucid: error:`` line, no traceback."""


# Errors the library raises for bad input (``DownloadError`` is an ``OSError``).
_USER_ERRORS = (UserError, ValueError, KeyError, TypeError, OSError, FloatingPointError)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one ``lucid: error:`` line."""

    def error(self, message):
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help').\n")


# -- entry point ---------------------------------------------------------------------------


def main(argv=None) -> int:
    """Runs the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # TensorFlow's C++ info, warning and error log lines (e.g. "failed call to cuInit" on
    # machines without a GPU driver) would bury this program's output; real failures still
    # raise Python exceptions. Set TF_CPP_MIN_LOG_LEVEL yourself to see them.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser, microscope_problem = build_parser()
    if argv[:1] == ["microscope"] and microscope_problem:
        return _report(
            f"the 'microscope' command is not available: lucid.microscope.cli could not be "
            f"imported ({microscope_problem}). Reinstall lucid to get it."
        )
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        with _quiet_native_stderr():
            import tensorflow  # noqa: F401 (every command needs it; import it without its banner)
        status = args.func(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except _USER_ERRORS as e:
        return _report(_message(e))
    return 0 if status is None else status


def build_parser():
    """Returns ``(parser, microscope_problem)``; the problem is None when microscope loaded."""
    from lucid import __version__

    parser = _Parser(
        prog=PROG,
        description="Feature visualization for neural networks (Lucid on TensorFlow 2).",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lucid {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_render(subparsers)
    _add_models(subparsers)
    _add_layers(subparsers)
    return parser, _add_microscope(subparsers)


def _add_microscope(subparsers):
    """Registers ``lucid microscope`` from lucid/microscope/cli.py (see the module docstring)."""
    try:
        with _quiet_native_stderr():
            from lucid.microscope import cli as microscope_cli
    except ImportError as e:
        return str(e) or type(e).__name__
    microscope_cli.add_arguments(subparsers)
    return None


def _report(message):
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1


def _message(error):
    """The first line of an exception's message (the library puts details for Python users after it)."""
    if isinstance(error, KeyError) and not isinstance(error, UserError) and error.args:
        text = str(error.args[0])  # str(KeyError) would quote the message
    else:
        text = str(error)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


# -- lucid render ---------------------------------------------------------------------------


def _add_render(subparsers):
    render = subparsers.add_parser(
        "render",
        help="render a unit of a model to an image file",
        description=(
            "Optimise an image to excite one channel of a model and save it as a PNG. With "
            "--batch N, render N diverse images (channel objective minus a diversity penalty) "
            "as a grid. Prints the path of the written file."
        ),
    )
    render.add_argument(
        "objective",
        nargs="?",
        metavar="OBJECTIVE",
        help="LAYER:CHANNEL, e.g. conv4_pre_relu:51 (default: a showcase unit of the model; "
        "see 'lucid layers MODEL')",
    )
    render.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        metavar="NAME",
        help=f"model name from 'lucid models' (default: {DEFAULT_MODEL}, bundled, no download); "
        "zoo models are downloaded once into the cache",
    )
    render.add_argument(
        "--steps",
        type=_bounded_int(1, "e.g. --steps 256"),
        default=DEFAULT_STEPS,
        metavar="N",
        help=f"optimisation steps (default: {DEFAULT_STEPS})",
    )
    render.add_argument(
        "--size",
        type=_bounded_int(MIN_SIZE, f"e.g. --size {DEFAULT_SIZE}"),
        default=DEFAULT_SIZE,
        metavar="PX",
        help=f"image width and height in pixels, at least {MIN_SIZE} (default: {DEFAULT_SIZE})",
    )
    render.add_argument(
        "--batch",
        type=_bounded_int(1, "e.g. --batch 4"),
        default=1,
        metavar="N",
        help="render N diverse images, saved as a grid (default: 1)",
    )
    render.add_argument(
        "--diversity",
        type=_non_negative_float,
        default=DEFAULT_DIVERSITY,
        metavar="W",
        help="weight of the diversity penalty when --batch > 1, relative to the objective's "
        f"size (default: {DEFAULT_DIVERSITY:g}; 0 renders the images independently; above 1 "
        "the penalty may drown the unit)",
    )
    render.add_argument(
        "--out",
        metavar="FILE",
        help="output image (.png, .jpg or .webp; default: MODEL_LAYER_CHANNEL.png in the "
        "current directory)",
    )
    render.add_argument(
        "--seed",
        type=int,
        metavar="S",
        help="make the render reproducible: graph seed S and deterministic kernels",
    )
    render.add_argument(
        "--quiet", action="store_true", help="no progress bar, and don't print the path"
    )
    render.set_defaults(func=run_render)


def run_render(args):
    """``lucid render``: renders, writes the image, prints its path."""
    spec = args.objective
    if spec is not None:
        layer, channel = _parse_objective(spec)  # bad syntax fails before any model loads
    model = load_model(args.model)
    if spec is None:
        spec = showcase_objective(model)
        layer, channel = _parse_objective(spec)
    out = args.out or default_output_name(model, layer, channel)
    _check_output_path(out)

    from lucid.misc.io import save
    from lucid.optvis import objectives
    from lucid.optvis import param
    from lucid.optvis import render

    objective = objectives.channel(layer, channel)
    if args.batch > 1:
        diversity = objectives.diversity(_diversity_layer(model, layer))
        objective = _with_relative_penalty(objective, diversity, args.diversity)

    def param_f():
        if args.seed is not None:
            import tensorflow.compat.v1 as tf

            tf.set_random_seed(args.seed)  # render_vis's fresh graph; the image and transforms
        return param.image(args.size, batch=args.batch)

    try:
        (images,) = render.render_vis(
            model,
            objective,
            param_f=param_f,
            thresholds=(args.steps - 1,),
            verbose=False,
            progress=not args.quiet,
            use_fixed_seed=args.seed is not None,
        )
    except ValueError as e:
        if not model.layers or layer in {declared.name for declared in model.layers}:
            raise
        raise UserError(
            f"{_message(e)} Run 'lucid layers {model.name}' to list its declared layers."
        ) from e
    save(image_grid(images), out)
    if not args.quiet:
        print(out)
    return 0


def _bounded_int(minimum, example):
    """An argparse ``type`` accepting integers >= ``minimum``, with a one-line error otherwise."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(
                f"must be an integer of at least {minimum}; got {text!r}. Use {example}"
            )
        return value

    return parse


def _non_negative_float(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also rejects nan
        raise argparse.ArgumentTypeError(
            f"must be a number of at least 0; got {text!r}. Use e.g. --diversity 0.3"
        )
    return value


def _parse_objective(spec):
    from lucid.optvis import objectives

    return objectives._parse_layer_channel(spec)  # the library's one "layer:channel" grammar


def showcase_objective(model):
    """The default ``"layer:channel"`` of ``model`` (see ``SHOWCASE_OBJECTIVES``)."""
    if model.name in SHOWCASE_OBJECTIVES:
        return SHOWCASE_OBJECTIVES[model.name]
    layers = [layer for layer in model.layers if "conv" in layer.tags] or list(model.layers)
    if not layers:
        raise UserError(
            f"{model.name} declares no layers, so there is no default unit: pass an OBJECTIVE "
            "such as LAYER:CHANNEL naming a tensor of its graph."
        )
    layer = layers[len(layers) // 2]
    return f"{layer.name}:{(layer.depth or 0) // 2}"


def _with_relative_penalty(objective, penalty, weight):
    """``objective - weight * |objective| * penalty``, with ``|objective|`` a constant.

    Activation scales differ by orders of magnitude between models (a ShapesNet channel
    averages ~0.05, while Lucid's tutorials weigh diversity by 100 for InceptionV1), so a
    fixed weight that suits one model drowns the objective of another. Scaling the penalty by the objective's current size
    makes one ``--diversity`` weight mean the same thing for every model.
    """
    import tensorflow.compat.v1 as tf

    def relative(T):
        value = objective(T)
        return value - weight * tf.stop_gradient(tf.abs(value)) * penalty(T)

    return relative


def _diversity_layer(model, layer):
    """The conv layer whose Gram matrices the diversity penalty pushes apart.

    As in Lucid's tutorial, the ReLU output for a ``*_pre_relu`` layer; for a dense layer
    (no spatial Gram matrix), the last declared conv layer.
    """
    declared = {declared_layer.name: declared_layer for declared_layer in model.layers}
    relu_name = layer[: -len("_pre_relu")] if layer.endswith("_pre_relu") else None
    if relu_name in declared:
        return relu_name
    if layer in declared and "conv" not in declared[layer].tags:
        convs = [name for name, declared_layer in declared.items() if "conv" in declared_layer.tags]
        if convs:
            return convs[-1]
    return layer


def default_output_name(model, layer, channel):
    """``<model>_<layer>_<channel>.png``, with characters unsafe in file names replaced."""
    name = f"{model.name}_{layer}_{channel}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) + ".png"


def _check_output_path(path):
    """Fails before rendering if ``path`` can't be written (the writer creates missing dirs)."""
    if os.path.splitext(path)[1].lower() not in IMAGE_EXTENSIONS:
        raise UserError(
            f"--out {path!r} must end in one of {', '.join(IMAGE_EXTENSIONS)}, e.g. --out unit.png."
        )
    if os.path.isdir(path):
        raise UserError(f"--out {path!r} is a directory; give a file name such as {path}/unit.png.")
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise UserError(f"cannot write --out {path!r}: {parent!r} is a file, not a directory.")
    if not os.access(parent, os.W_OK):
        raise UserError(
            f"cannot write --out {path!r}: no write permission in {parent!r}; choose another path."
        )


def image_grid(images, gap=None):
    """Lays `[n, h, w, c]` images out in a near-square grid on white, with small gaps.

    Returns `[h, w, c]` for ``n == 1``, else `[rows*h + (rows-1)*gap, cols*w + (cols-1)*gap, c]`
    with ``cols = ceil(sqrt(n))`` and ``rows = ceil(n / cols)``; ``gap`` defaults to
    ``max(2, w // 32)`` pixels. Values are kept as given (floats in `[0, 1]`).
    """
    images = np.asarray(images)
    n, h, w, c = images.shape
    if n == 1:
        return images[0]
    gap = max(2, w // 32) if gap is None else gap
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    grid = np.ones([rows * h + (rows - 1) * gap, cols * w + (cols - 1) * gap, c], images.dtype)
    for i, image in enumerate(images):
        top, left = (i // cols) * (h + gap), (i % cols) * (w + gap)
        grid[top : top + h, left : left + w] = image
    return grid


# -- lucid models / lucid layers -----------------------------------------------------------


def _add_models(subparsers):
    models = subparsers.add_parser(
        "models",
        help="list the model zoo",
        description="List every model by name, with its training dataset, input size, "
        "whether its graph is already on this machine (cached, in a mirror, or bundled) and "
        "where the cached copy came from.",
    )
    models.set_defaults(func=run_models)


def run_models(args):
    """``lucid models``: one row per model; needs no usable cache directory."""
    from lucid.misc.io import reading

    rows = [
        (name, cls.dataset or "-", _input_size(cls), *_cached_status(cls, reading))
        for name, cls in model_classes().items()
    ]
    _print_table(("NAME", "DATASET", "INPUT", "CACHED", "SOURCE"), rows)
    if any(row[3] == "yes*" for row in rows):
        print(
            "\n* cached from another source than the one configured now (SOURCE unknown: "
            "cached without a record); downloaded again from the configured source on next "
            "use, or used with a warning when LUCID_OFFLINE is set."
        )
    directory = reading.cache_dir(create=False)
    note = ""
    if os.path.exists(directory) and not os.path.isdir(directory):
        note = "; it is a file, so nothing can be downloaded: point LUCID_CACHE_DIR at a directory"
    print(f"\nCache directory: {directory} (set LUCID_CACHE_DIR to change it){note}")
    return 0


def _input_size(cls):
    shape = getattr(cls, "image_shape", None)
    if not shape:
        return "-"
    return "x".join("?" if dim is None else str(dim) for dim in shape)


def _cached_status(cls, reading):
    """``(CACHED, SOURCE)``: ``bundled``, ``mirror``, ``yes``/``yes*`` (another or unknown
    source than the configured one) or ``no``, and where the file is or came from."""
    url = cls.model_path
    if not url:
        return "-", "-"
    if "://" not in url:
        return ("bundled" if os.path.isfile(url) else "missing"), "-"
    source = reading.configured_source(url)
    if "://" not in source:  # LUCID_MODELZOO_MIRROR is a local directory
        return ("mirror", source) if os.path.isfile(source) else ("no", "-")
    if not os.path.isfile(reading.local_cache_path(url)):
        return "no", "-"
    record = reading.cache_record(url)
    if record is None:
        return "yes*", "unknown"
    return ("yes" if record.source == source else "yes*"), record.source


def _add_layers(subparsers):
    layers = subparsers.add_parser(
        "layers",
        help="list a model's layers",
        description="List the declared layers of a model with their depth (channels) and tags; "
        "use them as LAYER:CHANNEL in 'lucid render'.",
    )
    layers.add_argument("model", metavar="MODEL", help="model name from 'lucid models'")
    layers.set_defaults(func=run_layers)


def run_layers(args):
    """``lucid layers MODEL``: one row per declared layer."""
    model = load_model(args.model)
    rows = [
        (layer.name, "?" if layer.depth is None else str(layer.depth), ",".join(sorted(layer.tags)))
        for layer in model.layers
    ]
    if not rows:
        print(
            f"{model.name} declares no layers; any tensor of its graph can still be rendered "
            "by name (LAYER:CHANNEL)."
        )
        return 0
    _print_table(("LAYER", "DEPTH", "TAGS"), rows)
    return 0


def _print_table(header, rows):
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


# -- models by name -------------------------------------------------------------------------


def model_classes():
    """``{name: Model subclass}``: ShapesNet (bundled) first, then every zoo model."""
    from lucid.modelzoo import nets_factory

    classes = {"ShapesNet": nets_factory.models_map["ShapesNet"]}
    classes.update(nets_factory.models_map)
    return classes


def load_model(name):
    """An instance of the model called ``name`` (exact, else the one case-insensitive match)."""
    classes = model_classes()
    if name not in classes:
        folded = [key for key in classes if key.lower() == name.lower()]
        if len(folded) != 1:
            raise UserError(_unknown_model_message(name, classes))
        name = folded[0]
    return classes[name]()


def _unknown_model_message(name, classes):
    lowered = {key.lower(): key for key in classes}
    close = [lowered[key] for key in difflib.get_close_matches(name.lower(), lowered, n=5)]
    containing = [key for key in classes if name.lower() in key.lower()]
    suggestions = list(dict.fromkeys(close + containing))[:5]
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    return f"unknown model {name!r}.{hint} Run 'lucid models' to list all {len(classes)}."


# -- TensorFlow's native log lines --------------------------------------------------------


@contextlib.contextmanager
def _quiet_native_stderr():
    """Hides what native code writes to file descriptor 2 (TensorFlow's start-up banner).

    TensorFlow's C++ logs some lines before ``TF_CPP_MIN_LOG_LEVEL`` takes effect; they
    would bury the one-line errors of this program. The captured text is replayed if the
    block raises, so nothing is lost when an import fails.
    """
    if "tensorflow" in sys.modules:  # the banner is printed once, at TensorFlow's import
        yield
        return
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced (pytest capsys, notebooks)
        fd = 2
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        except BaseException:
            os.dup2(saved, fd)
            capture.seek(0)
            sys.stderr.write(capture.read().decode("utf-8", "replace"))
            raise
        finally:
            os.dup2(saved, fd)
            os.close(saved)
