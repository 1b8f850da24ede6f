"""Render jobs: one batch of units of one layer, one kind of visualization, written as results.

A :class:`Job` is what an engine runs (in-process or as a Ray task): :func:`run_job` renders
its units with ``lucid.optvis.batch.render_units`` and writes each unit's result atomically
into the atlas (see ``lucid.microscope.results``). Kinds:

* ``"channel"``: the mean of the channel over all positions.
* ``"neuron"``: the channel at the centre position (spatial layers only).
* ``"diverse"``: ``settings.diverse`` images of the channel rendered together, with a
  diversity penalty between them (Olah et al. 2017) computed at ``Job.diversity_layer``
  (the layer itself, or for a dense layer the closest spatial layer before it).
* ``"deepdream"``: one image per layer maximizing the mean squared activation.

A job always renders all of its units, even when some are done already, so every unit is
rendered in the same batch as in an uninterrupted build (batched kernels may round
differently with another batch); only results not done yet are written. Seeds come from
``batch.unit_seed``; the diverse copies and the DeepDream image use their own seed streams.
"""

import dataclasses
import os
from typing import Optional
from typing import Tuple

import tensorflow.compat.v1 as tf

import lucid
from lucid.microscope import layout
from lucid.microscope import results
from lucid.optvis import batch
from lucid.optvis import objectives

KINDS = ("channel", "neuron", "diverse", "deepdream")
# Second words of the per-item stateless seeds: render_units' own items use 0.
_DIVERSE_STREAM = 1  # copy k of a diverse set uses _DIVERSE_STREAM + k
_DEEPDREAM_STREAM = 1000


@dataclasses.dataclass(frozen=True)
class RenderSettings:
    """How units are rendered; part of every result's parameters.

    Attributes:
      steps: optimization steps per image.
      size: image width and height in pixels.
      seed: mixed into every unit's seed (``batch.unit_seed``).
      diverse: images per unit in the diverse set (0: none).
      diversity_weight: weight of the diversity penalty.
    """

    steps: int = 512
    size: int = 128
    seed: int = 0
    diverse: int = 4
    diversity_weight: float = 100.0


@dataclasses.dataclass(frozen=True)
class Job:
    """Units of one layer to render as one kind, in one batch.

    Attributes:
      layer: the layer name (as in the model).
      layer_dir: the layer's directory under the model's directory (``layout.layer_dirs``).
      kind: one of ``KINDS``.
      units: the units, in batch order (``(0,)`` for ``"deepdream"``).
      diversity_layer: where the ``"diverse"`` penalty is computed (None: no penalty).
    """

    layer: str
    layer_dir: str
    kind: str
    units: Tuple[int, ...]
    diversity_layer: Optional[str] = None


def result_params(model_name: str, job: Job, unit: Optional[int], settings: RenderSettings):
    """The parameters recorded with (and identifying) one result of ``job``."""
    params = {
        "model": model_name,
        "layer": job.layer,
        "unit": unit,
        "kind": job.kind,
        "steps": settings.steps,
        "size": settings.size,
        "seed": settings.seed,
        "version": lucid.__version__,
    }
    if job.kind == "diverse":
        params.update(
            count=settings.diverse,
            diversity_weight=settings.diversity_weight,
            diversity_layer=job.diversity_layer,
        )
    return params


def pending_units(model_name: str, results_dir: str, job: Job, settings: RenderSettings):
    """The units of ``job`` whose result is not done with these parameters."""
    if job.kind == "deepdream":
        params = result_params(model_name, job, None, settings)
        return (
            [] if results.is_done(results_dir, layout.result_stem(None, job.kind), params) else [0]
        )
    return [
        unit
        for unit in job.units
        if not results.is_done(
            results_dir,
            layout.result_stem(unit, job.kind),
            result_params(model_name, job, unit, settings),
        )
    ]


def run_job(model, model_dir: str, job: Job, settings: RenderSettings, progress=False) -> int:
    """Renders ``job`` and writes the results not done yet; returns how many it wrote.

    Args:
      model: a ``lucid.modelzoo.vision_base.Model``.
      model_dir: the model's directory in the atlas (``<out>/<model>``).
      job: what to render.
      settings: how to render it.
      progress: show render_units' progress bar.
    """
    if job.kind not in KINDS:
        raise ValueError(f"Job.kind must be one of {KINDS}; got {job.kind!r}.")
    results_dir = os.path.join(model_dir, job.layer_dir, layout.RESULTS_DIR)
    todo = set(pending_units(model.name, results_dir, job, settings))
    if not todo:
        return 0
    written = []

    def write(unit, images):
        if unit not in todo or unit in written:
            return
        stem = layout.result_stem(None if job.kind == "deepdream" else unit, job.kind)
        unit_key = None if job.kind == "deepdream" else unit
        params = result_params(model.name, job, unit_key, settings)
        if job.kind == "diverse":
            named = {str(k): image for k, image in enumerate(images)}
        else:
            named = {"": images[0]}
        results.write_result(results_dir, stem, params, named)
        written.append(unit)

    _render(model, job, settings, progress, write)
    return len(written)


def _render(model, job, settings, progress, write):
    """Renders the job's units, calling ``write(unit, images [k, h, w, 3])`` per unit."""
    common = dict(size=settings.size, steps=settings.steps, seed=settings.seed, progress=progress)
    units = list(job.units)
    if job.kind in ("channel", "neuron"):

        def on_batch(batch_units, images):
            for unit, image in zip(batch_units, images):
                write(unit, image[None])

        batch.render_units(
            model,
            job.layer,
            units,
            kind=job.kind,
            batch_size=len(units),
            on_batch=on_batch,
            **common,
        )
    elif job.kind == "diverse":
        n = settings.diverse
        copies = [unit for unit in units for _ in range(n)]
        images = batch.render_units(
            model,
            job.layer,
            copies,
            batch_size=len(copies),
            param_f=_stream_image(n, _DIVERSE_STREAM),
            objective_f=_diverse_objective_f(n, job.diversity_layer, settings.diversity_weight),
            **common,
        )
        for i, unit in enumerate(units):
            write(unit, images[i * n : (i + 1) * n])
    else:
        image = batch.render_units(
            model,
            job.layer,
            [0],
            batch_size=1,
            param_f=_stream_image(1, _DEEPDREAM_STREAM),
            objective_f=lambda layer, unit, index: objectives.deepdream(layer),
            **common,
        )
        write(0, image)


def _stream_image(copies, stream):
    """A ``render_units`` param_f giving item ``i`` the seed ``(unit_seed, stream + i % copies)``."""

    def param_f(batch_n, size, seeds):
        copy = tf.range(batch_n, dtype=tf.int64) % copies + stream
        return batch.image(batch_n, size, tf.stack([seeds[:, 0], seeds[:, 1] + copy], axis=1))

    return param_f


def _diverse_objective_f(copies, diversity_layer, weight):
    """Item ``i``: its channel; the first item of each group of copies adds the group's penalty."""

    def objective_f(layer, unit, index):
        objective = objectives.channel(layer, unit, batch=index)
        if diversity_layer is not None and copies > 1 and index % copies == 0:
            objective = objective - weight * _group_diversity(diversity_layer, index, copies)
        return objective

    return objective_f


def _group_diversity(layer, start, count):
    """``objectives.diversity(layer)`` over batch items ``start .. start + count - 1`` only."""
    diversity = objectives.diversity(layer)

    def inner(T):
        return diversity(lambda name: T(name)[start : start + count])

    return objectives.Objective(inner, "diversity", f"Diversity {layer} [{start}:{start + count}]")
