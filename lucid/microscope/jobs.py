"""Render jobs: one batch of units of one layer, one kind of visualization, written as results.

A :class:`Job` is what an engine runs (in-process or as a Ray task): :func:`run_job` renders
its units (``lucid.microscope.renderers``) and writes each unit's result atomically into
the atlas (see ``lucid.microscope.results``). Kinds:

* ``"channel"``: the mean of the channel over all positions.
* ``"neuron"``: the channel at the centre position (spatial layers only).
* ``"negative"``: the channel's mean *minimised*: what turns the unit off.
* ``"diverse"``: ``settings.diverse`` images of the channel rendered together, with a
  diversity penalty between them (Olah et al. 2017) computed at ``Job.diversity_layer``
  (the layer itself, or for a dense layer the closest spatial layer before it).
* ``"alpha"``: a transparent (RGBA) render of the channel, as in
  ``notebooks/transparency.ipynb`` (only with ``RenderSettings.alpha``).
* ``"deepdream"``: one image per layer maximizing the mean squared activation.

A job always renders all of its units, even when some are done already, so every unit is
rendered in the same batch as in an uninterrupted build (batched kernels may round
differently with another batch); only results not done yet are written. Seeds come from
``batch.unit_seed``; the negative renders, the diverse copies and the DeepDream image use
their own seed streams, the alpha renders their own seed kind.

Every result records ``"timing": {"seconds": s}``, the unit's share of its batch's wall
time, outside ``params``: resuming ignores it, and it is the only thing in an atlas that
differs between two builds.
"""

import dataclasses
import os
from typing import Optional
from typing import Tuple

import lucid
from lucid.microscope import layout
from lucid.microscope import renderers
from lucid.microscope import results
from lucid.optvis.precision import FLOAT32
from lucid.optvis.precision import PRECISIONS

KINDS = renderers.KINDS
LAYER_KINDS = ("deepdream",)  # one result per layer, not per unit


@dataclasses.dataclass(frozen=True)
class RenderSettings:
    """How units are rendered; part of every result's parameters.

    Attributes:
      steps: optimization steps per image (Microscope's renders use 4096).
      size: image width and height in pixels.
      seed: mixed into every unit's seed (``batch.unit_seed``).
      diverse: images per unit in the diverse set (0: none).
      diversity_weight: weight of the diversity penalty.
      negative: also render each unit minimised.
      alpha: also render each unit as a transparent RGBA image (RGB models only).
      caricature: dataset images per layer shown with their caricature at that layer
        (0: none; only built with dataset images).
      precision: ``"float32"`` or ``"bfloat16"`` (``lucid.optvis.precision``); recorded in
        the results' parameters only when not float32, so float32 atlases stay done.
    """

    steps: int = 512
    size: int = 128
    seed: int = 0
    diverse: int = 4
    diversity_weight: float = 100.0
    negative: bool = True
    alpha: bool = False
    caricature: int = 2
    precision: str = FLOAT32

    def __post_init__(self):
        if not isinstance(self.caricature, int) or self.caricature < 0:
            raise ValueError(
                f"RenderSettings: caricature must be an int >= 0 (images per layer, 0: none); "
                f"got caricature={self.caricature!r}."
            )
        check_precision(self.precision)


def check_precision(precision: str) -> None:
    """Raises ValueError unless ``precision`` is one of ``lucid.optvis.precision.PRECISIONS``."""
    if precision not in PRECISIONS:
        raise ValueError(
            f"precision must be one of {PRECISIONS}; got precision={precision!r}. Use float32 "
            "(the default) or bfloat16 (--precision)."
        )


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


def precision_params(settings: RenderSettings) -> dict:
    """``{"precision": ...}`` when not float32, else ``{}``: atlases built before precision
    existed stay done."""
    return {} if settings.precision == FLOAT32 else {"precision": settings.precision}


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
        **precision_params(settings),
    }
    if job.kind == "diverse":
        params.update(
            count=settings.diverse,
            diversity_weight=settings.diversity_weight,
            diversity_layer=job.diversity_layer,
        )
    return params


def _unit_key(job: Job, unit: int) -> Optional[int]:
    return None if job.kind in LAYER_KINDS else unit


def pending_units(model_name: str, results_dir: str, job: Job, settings: RenderSettings):
    """The units of ``job`` whose result is not done with these parameters."""
    return [
        unit
        for unit in job.units
        if not results.is_done(
            results_dir,
            layout.result_stem(_unit_key(job, unit), job.kind),
            result_params(model_name, job, _unit_key(job, unit), settings),
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

    def write(unit, images, seconds):
        if unit not in todo or unit in written:
            return
        key = _unit_key(job, unit)
        params = result_params(model.name, job, key, settings)
        if job.kind == "diverse":
            named = {str(k): image for k, image in enumerate(images)}
        else:
            named = {"": images[0]}
        timing = {"seconds": round(float(seconds), 3)}
        results.write_result(
            results_dir, layout.result_stem(key, job.kind), params, named, timing=timing
        )
        written.append(unit)

    renderers.render_job(model, job, settings, progress, write)
    return len(written)
