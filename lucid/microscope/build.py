"""Build an atlas of a model: choose the units, render what is not done, write the site.

    from lucid.microscope import build
    build.build("ShapesNet", "atlas", images="builtin:shapes")   # then open atlas/index.html

The build is resumable: every result is committed atomically with the parameters that
produced it (``lucid.microscope.results``), finished results are skipped, and a build
killed at any point and run again ends with the same files as an uninterrupted one. The
rendering runs on an engine (``lucid.microscope.engines``: in-process, or Ray tasks on a
cluster); everything else is computed by the driver; the pages are regenerated from the
results on disk at the end (``lucid.microscope.site``). The stages, in order (each a
"view" whose seconds the :class:`BuildReport` gives):

1. ``architecture``: the model's diagram (``lucid.microscope.architecture``), once.
2. ``examples``: dataset examples per unit (with ``images``).
3. the render jobs, by kind: ``channel``, ``neuron``, ``negative``, ``diverse``, ``alpha``,
   ``deepdream`` (``lucid.microscope.jobs``; seconds summed over jobs).
4. ``caricature``: a few dataset images and their caricatures per layer (with ``images``).
5. ``scores``: each unit's quality scores (``lucid.microscope.quality``).
6. ``tuning`` and ``upstream``: tuning curves and upstream weights per layer.
7. ``image tours``: each of a few dataset images through the layers (with ``images``).
8. ``site``: the pages and the JSON API.

:class:`Analyses` switches the analyses (1, 5-7) off; ``RenderSettings`` the optional
renders (negative, alpha, caricature).

Units are rendered in jobs of one layer and one kind, in batches whose size comes from
``batch_size`` or ``memory_budget_mb`` (default 2048 MB, a CPU-sized batch: pass a budget
or a batch size for GPUs). The jobs, and so the batches every unit is rendered in, depend
only on these arguments, which makes the images independent of what was done before.
"""

import dataclasses
import difflib
import logging
import os
import re
from typing import Dict
from typing import List
from typing import Optional
from typing import Sequence

import tensorflow.compat.v1 as tf

import lucid
from lucid.microscope import architecture
from lucid.microscope import caricatures
from lucid.microscope import dataset_examples
from lucid.microscope import engines
from lucid.microscope import image_tours
from lucid.microscope import jobs as jobs_lib
from lucid.microscope import layout
from lucid.microscope import models
from lucid.microscope import quality
from lucid.microscope import results
from lucid.microscope import site
from lucid.microscope import tuning
from lucid.microscope import upstream
from lucid.microscope.jobs import RenderSettings
from lucid.microscope.stages import VIEWS  # noqa: F401 (re-exported: the report's order)
from lucid.microscope.stages import Analyses
from lucid.microscope.stages import Stages
from lucid.optvis import batch
from lucid.optvis import precision as precision_lib
from lucid.optvis import render_util

log = logging.getLogger(__name__)

DEFAULT_MEMORY_BUDGET_MB = 2048
_UNIT_RANGE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?")


@dataclasses.dataclass(frozen=True)
class BuildReport:
    """What a build did: jobs planned and run, unit examples written, pages written, and the
    seconds spent on each view (``VIEWS`` order; render kinds summed over their jobs)."""

    jobs_planned: int
    jobs_run: int
    examples_written: int
    pages: int
    model_dir: str
    seconds: Dict[str, float] = dataclasses.field(default_factory=dict)


def make_atlas_dir(out_dir: str) -> str:
    """Creates the atlas directory ``out_dir`` if needed; returns its absolute path.

    Raises:
      ValueError: ``out_dir`` (or a directory on its way) is a file, or can't be created.
    """
    path = os.path.abspath(out_dir)
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(
            f"out_dir={out_dir!r} is a file, but the atlas needs a directory; remove the file "
            "or choose another directory (--out)."
        )
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise ValueError(
            f"out_dir={out_dir!r}: can't create the atlas directory ({e.strerror}: "
            f"{e.filename!r}); choose a directory you can write (--out)."
        ) from None
    return path


def parse_units(spec: str) -> List[int]:
    """``"0-7,12"`` -> ``[0, 1, ..., 7, 12]``: comma-separated indices and inclusive ranges, sorted.

    Raises:
      ValueError: anything else, or a range whose end is before its start.
    """
    units = set()
    for part in str(spec).split(","):
        match = _UNIT_RANGE.fullmatch(part)
        if match is None:
            raise ValueError(
                f"units={spec!r}: {part.strip()!r} is not a unit index or range; write e.g. "
                "'0-7,12' (comma-separated indices and inclusive ranges)."
            )
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) is not None else start
        if end < start:
            raise ValueError(f"units={spec!r}: the range {part.strip()!r} ends before it starts.")
        units.update(range(start, end + 1))
    return sorted(units)


def describe_model(model) -> dict:
    """The ``model.json`` of ``model``: name, dataset, labels and layers with their directories.

    Each layer has ``name``, ``depth``, ``tags``, ``dir`` and ``spatial`` (whether its
    activations are `[batch, h, w, c]`; found by importing the graph once).
    """
    if not model.layers:
        raise ValueError(
            f"{model.name} declares no layers; set its `layers` (names, depths and tags) to "
            "build an atlas of it."
        )
    names = [layer.name for layer in model.layers]
    with tf.Graph().as_default():
        channels = render_util.default_image_shape(model)[2]  # 1, 3 or N, as the model reads
        T = model.import_graph(tf.placeholder(tf.float32, [None, None, None, channels]))
        ranks = [T(name).shape.ndims for name in names]
    dirs = layout.layer_dirs(names)
    try:
        labels = [str(label) for label in model.labels]
    except (RuntimeError, OSError, ValueError):
        labels = None
    return {
        "name": model.name,
        "dataset": model.dataset,
        "image_shape": [None if d is None else int(d) for d in model.image_shape],
        "labels": labels,
        "layers": [
            {
                "name": layer.name,
                "depth": int(layer.depth),
                "tags": sorted(layer.tags),
                "dir": dirs[layer.name],
                "spatial": rank != 2,
            }
            for layer, rank in zip(model.layers, ranks)
        ],
        "version": lucid.__version__,
    }


def select_layers(info: dict, layers: Optional[Sequence[str]]) -> List[dict]:
    """The layers of ``info`` named in ``layers`` (all of them if None), in the model's order.

    Raises:
      ValueError: a name that is not a declared layer (close matches listed).
    """
    if layers is None:
        return list(info["layers"])
    by_name = {layer["name"]: layer for layer in info["layers"]}
    for name in layers:
        if name not in by_name:
            close = difflib.get_close_matches(name, list(by_name), n=5, cutoff=0.5)
            raise ValueError(
                f"layers: {name!r} is not a declared layer of {info['name']}. Close matches: "
                f"{close}. All layers: {list(by_name)} (see 'lucid layers {info['name']}')."
            )
    wanted = set(layers)
    return [layer for layer in info["layers"] if layer["name"] in wanted]


def select_units(layer: dict, units: Optional[Sequence[int]], max_units: Optional[int]):
    """The units of ``layer`` to render: ``units`` (all if None), then at most ``max_units``.

    Raises:
      ValueError: a unit outside ``0 .. depth - 1``, or a ``max_units`` below 1.
    """
    chosen = list(range(layer["depth"])) if units is None else sorted(set(units))
    bad = [u for u in chosen if not 0 <= u < layer["depth"]]
    if bad:
        raise ValueError(
            f"units {bad[:10]} are out of range for layer {layer['name']!r} of depth "
            f"{layer['depth']}: units must be in 0..{layer['depth'] - 1}. Choose --layers whose "
            "depth fits, or use --max-units to take the first N units of every layer."
        )
    if max_units is not None:
        if max_units < 1:
            raise ValueError(f"max_units must be at least 1; got max_units={max_units!r}.")
        chosen = chosen[:max_units]
    return chosen


def plan_jobs(
    model, info, layers, units_by_layer, settings, batch_size=None, memory_budget_mb=None
):
    """The render jobs for ``layers`` (every kind ``settings`` asks for), chunked by batch
    size; deterministic."""
    planned = []
    spatial_before = {}
    last_spatial = None
    for layer in info["layers"]:
        spatial_before[layer["name"]] = layer["name"] if layer["spatial"] else last_spatial
        last_spatial = layer["name"] if layer["spatial"] else last_spatial
    for layer in layers:
        size = batch_size or batch.estimate_batch_size(
            model, layer["name"], settings.size, memory_budget_mb or DEFAULT_MEMORY_BUDGET_MB
        )
        units = units_by_layer[layer["name"]]
        kinds = [("channel", size)]
        if layer["spatial"]:
            kinds.append(("neuron", size))
        if settings.negative:
            kinds.append(("negative", size))
        if settings.diverse > 0:
            kinds.append(("diverse", max(1, size // settings.diverse)))
        if settings.alpha:
            kinds.append(("alpha", size))
        for kind, chunk in kinds:
            for start in range(0, len(units), chunk):
                planned.append(
                    jobs_lib.Job(
                        layer["name"],
                        layer["dir"],
                        kind,
                        tuple(units[start : start + chunk]),
                        spatial_before[layer["name"]] if kind == "diverse" else None,
                    )  # fmt: skip
                )
        planned.append(jobs_lib.Job(layer["name"], layer["dir"], "deepdream", (0,)))
    return planned


def build(
    model,
    out_dir: str,
    layers: Optional[Sequence[str]] = None,
    units: Optional[Sequence[int]] = None,
    max_units: Optional[int] = None,
    images: Optional[str] = None,
    settings: Optional[RenderSettings] = None,
    examples: int = 8,
    batch_size: Optional[int] = None,
    memory_budget_mb: Optional[float] = None,
    engine=None,
    progress: bool = True,
    analyses: Optional[Analyses] = None,
) -> BuildReport:
    """Renders what is missing of ``model``'s atlas into ``out_dir`` and regenerates its pages.

    Args:
      model: a zoo model name, ``"package.module:ClassName"``, or a ``Model`` (a name lets a
        Ray engine rebuild the model on its workers; an instance is pickled to them).
      out_dir: the atlas directory (created if needed; other models' atlases may share it).
      layers: declared layer names to render (default: all).
      units: unit indices to render in every chosen layer (default: all).
      max_units: render at most the first N of those units per layer.
      images: dataset examples from a directory or ``"builtin:shapes[:N]"``
        (see ``lucid.microscope.dataset_examples``); None: no examples, caricatures,
        activation ratios or image tours.
      settings: steps, size, seed, the optional renders (``jobs.RenderSettings``).
      examples: dataset examples per unit.
      batch_size: units per batch (default: from ``memory_budget_mb``).
      memory_budget_mb: memory for one batch (default 2048).
      engine: an engine from ``lucid.microscope.engines`` (default: ``LocalEngine()``).
      progress: say each stage on stderr and show progress bars.
      analyses: the analyses to add (:class:`Analyses`; default: all).

    Returns:
      A :class:`BuildReport`.

    Raises:
      ValueError: a bad selection, or ``settings.alpha`` for a model that is not RGB.
    """
    settings = settings or RenderSettings()
    # The precision that will really run (bfloat16 falls back to float32, with one warning,
    # where the hardware lacks it), so the results record what produced them.
    settings = dataclasses.replace(
        settings, precision=precision_lib.check_precision(settings.precision)
    )
    analyses = analyses or Analyses()
    engine = engine or engines.LocalEngine()
    stages = Stages(progress)
    model_ref = model
    model = models.resolve_model(model)
    out_dir = make_atlas_dir(out_dir)
    swept = results.sweep_temp_files(out_dir)
    if swept:
        log.info("Removed %d temporary files of an interrupted build in %s.", swept, out_dir)
    info = describe_model(model)
    rgb = render_util.default_image_shape(model)[2] == 3
    if settings.alpha and not rgb:
        raise ValueError(
            f"alpha renders need an RGB model; {model.name} reads "
            f"{render_util.default_image_shape(model)[2]}-channel images. Build without --alpha."
        )
    model_dir = os.path.join(out_dir, layout.safe_component(model.name))
    results.write_if_changed(os.path.join(model_dir, layout.MODEL_JSON), results.json_bytes(info))
    chosen = select_layers(info, layers)
    units_by_layer = {layer["name"]: select_units(layer, units, max_units) for layer in chosen}
    image_set = None
    if images is not None:  # loaded first: a bad image directory fails before any work
        height, width = (d or 224 for d in info["image_shape"][:2])
        image_set = dataset_examples.load_images(images, height, width)
    if analyses.architecture:
        stages.run(
            "architecture", model.name, architecture.write_architecture, model, model_dir, info
        )
    examples_written = 0
    if image_set is not None:
        for layer in chosen:
            examples_written += stages.run(
                "examples", layer["name"], dataset_examples.write_layer_examples, model,
                model_dir, layer["name"], layer["dir"], units_by_layer[layer["name"]],
                image_set, examples,
            )  # fmt: skip
    planned = plan_jobs(model, info, chosen, units_by_layer, settings, batch_size, memory_budget_mb)
    todo = [
        job
        for job in planned
        if jobs_lib.pending_units(
            model.name, os.path.join(model_dir, job.layer_dir, layout.RESULTS_DIR), job, settings
        )
    ]
    log.info("%s: %d of %d jobs to run.", model.name, len(todo), len(planned))
    stages.say(f"renders: {len(todo)} of {len(planned)} jobs to run")
    # A name lets Ray workers rebuild the model themselves; an instance is pickled to them.
    job_seconds = engine.run(
        model_ref if isinstance(model_ref, str) else model, model_dir, todo, settings, progress
    )
    for kind, seconds in sorted((job_seconds or {}).items()):
        stages.add(kind, seconds)
    for layer in chosen:
        _analyse_layer(model, model_dir, info, layer, units_by_layer[layer["name"]], image_set,
                       settings, analyses, stages, rgb)  # fmt: skip
    if image_set is not None and analyses.image_tours and analyses.tours > 0:
        stages.run(
            "image tours", f"{analyses.tours} images", image_tours.write_image_tours, model,
            model_dir, info, image_set, chosen, units_by_layer, analyses.tours,
        )  # fmt: skip
    pages = stages.run("site", out_dir, site.generate_site, out_dir)
    return BuildReport(len(planned), len(todo), examples_written, pages, model_dir, stages.report())


def _analyse_layer(model, model_dir, info, layer, units, image_set, settings, analyses, stages,
                   rgb):  # fmt: skip
    """The driver's per-layer stages after the renders: caricature, scores, tuning, upstream."""
    name, layer_dir = layer["name"], layer["dir"]
    if image_set is not None and settings.caricature > 0:
        if rgb:
            stages.run("caricature", name, caricatures.write_layer_caricature, model, model_dir,
                       name, layer_dir, image_set, settings)  # fmt: skip
        else:
            log.info("%s: no caricatures: they need an RGB model.", model.name)
    if analyses.scores:
        stages.run("scores", name, quality.write_layer_scores, model, model_dir, name, layer_dir,
                   units, image_set, settings.seed)  # fmt: skip
    if analyses.tuning:
        stages.run("tuning", name, tuning.write_layer_tuning, model, model_dir, name, layer_dir,
                   units)  # fmt: skip
    if analyses.upstream:
        stages.run("upstream", name, upstream.write_layer_upstream, model, model_dir, info, name,
                   layer_dir, units)  # fmt: skip
