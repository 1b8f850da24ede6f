"""``lucid render``: optimise an image for one channel of a model and save it.

Everything the user typed is checked by :func:`check_render` before TensorFlow is imported;
:func:`run_render` then loads the model, calls ``lucid.optvis.render.render_vis`` and saves
the result. Ctrl-C during the optimisation saves the image reached so far and exits with
status 130, saying where that partial image is.
"""

import argparse
import contextlib
import math
import os
import re
import signal
import sys
import threading

import numpy as np

from lucid.cli import checks
from lucid.cli import models
from lucid.optvis.precision_names import PRECISIONS

DEFAULT_MODEL = "ShapesNet"
DEFAULT_STEPS = 512
DEFAULT_SIZE = 128
DEFAULT_DIVERSITY = 0.3
MIN_SIZE = 16  # smaller images vanish under the standard transforms' jitter and scaling
MAX_SIZE = checks.MAX_IMAGE_SIZE
MAX_BATCH = 64
INTERRUPTED = 130  # the shell's status for a program ended by Ctrl-C (128 + SIGINT)

# The unit `lucid render` shows for a model when no OBJECTIVE is given. Models not listed
# here get the middle channel of their middle declared conv layer.
SHOWCASE_OBJECTIVES = {
    "ShapesNet": "conv4_pre_relu:51",  # vertical stripes
    "InceptionV1": "mixed4a_pre_relu:476",
}


def add_render(subparsers) -> None:
    """Registers ``lucid render``."""
    render = subparsers.add_parser(
        "render",
        help="render a unit of a model to an image file",
        description=(
            "Optimise an image to excite one channel of a model and save it as a PNG. With "
            "--batch N, render N diverse images (channel objective minus a diversity penalty) "
            "as a grid. Prints the path of the written file. Ctrl-C saves the image reached "
            "so far and exits with status 130."
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
        help=f"model name from 'lucid models' (default: {DEFAULT_MODEL}, bundled, no download), "
        "or package.module:ClassName; zoo models are downloaded once into the cache",
    )
    render.add_argument(
        "--steps",
        type=checks.bounded_int(1, None, "e.g. --steps 256"),
        default=DEFAULT_STEPS,
        metavar="N",
        help=f"optimisation steps (default: {DEFAULT_STEPS})",
    )
    render.add_argument(
        "--size",
        type=checks.bounded_int(MIN_SIZE, MAX_SIZE, f"e.g. --size {DEFAULT_SIZE}"),
        default=DEFAULT_SIZE,
        metavar="PX",
        help=f"image width and height in pixels, {MIN_SIZE} to {MAX_SIZE} (default: {DEFAULT_SIZE})",
    )
    render.add_argument(
        "--batch",
        type=checks.bounded_int(1, MAX_BATCH, "e.g. --batch 4"),
        default=1,
        metavar="N",
        help=f"render N diverse images, saved as a grid (1 to {MAX_BATCH}; default: 1)",
    )
    render.add_argument(
        "--diversity",
        type=checks.non_negative_float,
        default=DEFAULT_DIVERSITY,
        metavar="W",
        help="weight of the diversity penalty when --batch > 1, relative to the objective's "
        f"size (default: {DEFAULT_DIVERSITY:g}; 0 renders the images independently; above 1 "
        "the penalty may drown the unit)",
    )
    render.add_argument(
        "--precision",
        type=precision_choice,
        default=PRECISIONS[0],
        metavar="P",
        help="float32 (default), or bfloat16: the model's convolutions in bfloat16, faster "
        "per step, through oneDNN on CPUs with AVX512-BF16 or AMX (float16 on GPUs); the image "
        "and the objective stay float32. Without such hardware: a warning, then float32",
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
    render.set_defaults(check=check_render, func=run_render)


def precision_choice(text: str) -> str:
    """An argparse ``type`` for ``--precision``: one of ``PRECISIONS``, as typed."""
    if text not in PRECISIONS:
        raise argparse.ArgumentTypeError(
            f"must be one of {', '.join(PRECISIONS)}; got {text!r}. Use e.g. --precision bfloat16"
        )
    return text


def check_render(args: argparse.Namespace) -> None:
    """Checks ``--model`` and ``--out`` without TensorFlow (the model name is normalised)."""
    args.model = checks.check_model_spec(args.model)
    if args.out is not None:
        checks.check_output_path(args.out)
    elif not os.access(os.getcwd(), os.W_OK):
        raise checks.UserError(
            f"cannot write the image into the current directory {os.getcwd()!r}: no write "
            "permission; give --out PATH."
        )


def run_render(args: argparse.Namespace) -> int:
    """``lucid render``: renders, writes the image, prints its path (after :func:`check_render`)."""
    from lucid.misc.io import save
    from lucid.optvis import objectives
    from lucid.optvis import param
    from lucid.optvis import render
    from lucid.optvis import render_util

    if args.objective is not None:  # bad syntax fails before the model loads
        layer, channel = objectives.parse_layer_channel(args.objective)
    model = models.load_model(args.model)
    if args.objective is None:
        layer, channel = objectives.parse_layer_channel(showcase_objective(model))
    out = args.out or default_output_name(model, layer, channel)
    channels = render_util.default_image_shape(model)[2]  # 1, 3 or N, as the model reads

    objective = objectives.channel(layer, channel)
    if args.batch > 1:
        diversity = objectives.diversity(diversity_layer(model, layer))
        objective = with_relative_penalty(objective, diversity, args.diversity)

    def param_f():
        if args.seed is not None:
            import tensorflow.compat.v1 as tf

            tf.set_random_seed(args.seed)  # render_vis's fresh graph; the image and transforms
        return param.image(args.size, batch=args.batch, channels=channels)

    with _noting_interrupts() as interrupted:
        try:
            (images,) = render.render_vis(
                model,
                objective,
                param_f=param_f,
                thresholds=(args.steps - 1,),
                verbose=False,
                progress=not args.quiet,
                use_fixed_seed=args.seed is not None,
                precision=args.precision,
            )
        except ValueError as e:
            if not model.layers or layer in {declared.name for declared in model.layers}:
                raise
            first_line = str(e).strip().splitlines()[0]
            raise checks.UserError(
                f"{first_line} Run 'lucid layers {args.model}' to list its declared layers."
            ) from e
    save(image_grid(images), out)
    if interrupted:
        print(f"lucid: interrupted; the partial image is in {out}", file=sys.stderr)
        return INTERRUPTED
    if not args.quiet:
        print(out)
    return 0


@contextlib.contextmanager
def _noting_interrupts():
    """Yields a list that gets an entry when Ctrl-C arrives (still raised as KeyboardInterrupt).

    ``render_vis`` catches the KeyboardInterrupt and returns the image so far, so this is
    how the command knows the render was cut short.
    """
    seen = []
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN  # e.g. started with nohup or &
    if ignored or threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def note(signum, frame):
        seen.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, previous)


def showcase_objective(model) -> str:
    """The default ``"layer:channel"`` of ``model`` (see ``SHOWCASE_OBJECTIVES``)."""
    if model.name in SHOWCASE_OBJECTIVES:
        return SHOWCASE_OBJECTIVES[model.name]
    layers = [layer for layer in model.layers if "conv" in layer.tags] or list(model.layers)
    if not layers:
        raise checks.UserError(
            f"{model.name} declares no layers, so there is no default unit: pass an OBJECTIVE "
            "such as LAYER:CHANNEL naming a tensor of its graph."
        )
    layer = layers[len(layers) // 2]
    return f"{layer.name}:{(layer.depth or 0) // 2}"


def with_relative_penalty(objective, penalty, weight: float):
    """``objective - weight * |objective| * penalty``, with ``|objective|`` a constant.

    Activation scales differ by orders of magnitude between models (a ShapesNet channel
    averages ~0.05, while Lucid's tutorials weigh diversity by 100 for InceptionV1), so a
    fixed weight that suits one model drowns the objective of another. Scaling the penalty
    by the objective's current size makes one ``--diversity`` weight mean the same thing
    for every model.
    """
    import tensorflow.compat.v1 as tf

    def relative(T):
        value = objective(T)
        return value - weight * tf.stop_gradient(tf.abs(value)) * penalty(T)

    return relative


def diversity_layer(model, layer: str) -> str:
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


def default_output_name(model, layer: str, channel: int) -> str:
    """``<model>_<layer>_<channel>.png``, with characters unsafe in file names replaced."""
    name = f"{model.name}_{layer}_{channel}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) + ".png"


def image_grid(images, gap: int = None) -> np.ndarray:
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
