"""Build an atlas of a model: choose the units, render what is not done, write the site.

    from lucid.microscope import build
    build.build("ShapesNet", "atlas", images="builtin:shapes")   # then open atlas/index.html

The build is resumable: every result is committed atomically with the parameters that
produced it (``lucid.microscope.results``), finished results are skipped, and a build
killed at any point and run again ends with the same files as an uninterrupted one. The
rendering runs on an engine (``lucid.microscope.engines``: in-process, or Ray tasks on a
cluster); dataset examples are computed by the driver; the pages are regenerated from the
results on disk at the end (``lucid.microscope.site``).

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
from typing import List
from typing import Optional
from typing import Sequence

import tensorflow.compat.v1 as tf

import lucid
from lucid.microscope import dataset_examples
from lucid.microscope import engines
from lucid.microscope import jobs as jobs_lib
from lucid.microscope import layout
from lucid.microscope import models
from lucid.microscope import results
from lucid.microscope import site
from lucid.microscope.jobs import RenderSettings
from lucid.optvis import batch
from lucid.optvis import render_util

log = logging.getLogger(__name__)

DEFAULT_MEMORY_BUDGET_MB = 2048
_UNIT_RANGE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?")


@dataclasses.dataclass(frozen=True)
class BuildReport:
    """What a build did: jobs planned and run, unit examples written, pages written."""

    jobs_planned: int
    jobs_run: int
    examples_written: int
    pages: int
    model_dir: str


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
    """The render jobs for ``layers`` (every kind), chunked by batch size; deterministic."""
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
        kinds = [("channel", size), ("neuron", size)] if layer["spatial"] else [("channel", size)]
        if settings.diverse > 0:
            kinds.append(("diverse", max(1, size // settings.diverse)))
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
        (see ``lucid.microscope.dataset_examples``); None: no examples.
      settings: steps, size, seed and diverse images (``jobs.RenderSettings``).
      examples: dataset examples per unit.
      batch_size: units per batch (default: from ``memory_budget_mb``).
      memory_budget_mb: memory for one batch (default 2048).
      engine: an engine from ``lucid.microscope.engines`` (default: ``LocalEngine()``).
      progress: show progress bars.

    Returns:
      A :class:`BuildReport`.
    """
    settings = settings or RenderSettings()
    engine = engine or engines.LocalEngine()
    model_ref = model
    model = models.resolve_model(model)
    out_dir = make_atlas_dir(out_dir)
    swept = results.sweep_temp_files(out_dir)
    if swept:
        log.info("Removed %d temporary files of an interrupted build in %s.", swept, out_dir)
    info = describe_model(model)
    model_dir = os.path.join(out_dir, layout.safe_component(model.name))
    results.write_if_changed(os.path.join(model_dir, layout.MODEL_JSON), results.json_bytes(info))
    chosen = select_layers(info, layers)
    units_by_layer = {layer["name"]: select_units(layer, units, max_units) for layer in chosen}
    examples_written = 0
    if images is not None:
        height, width = (d or 224 for d in info["image_shape"][:2])
        image_set = dataset_examples.load_images(images, height, width)
        for layer in chosen:
            examples_written += dataset_examples.write_layer_examples(
                model, model_dir, layer["name"], layer["dir"], units_by_layer[layer["name"]],
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
    # A name lets Ray workers rebuild the model themselves; an instance is pickled to them.
    engine.run(
        model_ref if isinstance(model_ref, str) else model, model_dir, todo, settings, progress
    )
    pages = site.generate_site(out_dir)
    return BuildReport(len(planned), len(todo), examples_written, pages, model_dir)
