"""How each kind of render job is rendered: ``render_job(model, job, settings, progress, write)``.

``lucid.microscope.jobs`` decides what to render and writes the results; this module turns
one job into images. Every kind except ``"alpha"`` goes through
``lucid.optvis.batch.render_units`` (one graph per job, per-unit seeds); the alpha renders
need an RGBA parameterization that ``render_units`` does not take, so a job of them is one
``render.make_vis_T`` graph over a batch of RGBA images, seeded from the job's first unit
(a job always renders the same units together, so its images do not depend on the build).

``write(unit, images, seconds)`` is called once per unit with its images
(`[k, size, size, c]` in `[0, 1]`; `c = 4` for alpha) and its share of the wall time of the
batch it was rendered in.
"""

import time

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis import batch
from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import precision as precision_lib
from lucid.optvis import render
from lucid.optvis import render_util
from lucid.optvis import transform

KINDS = ("channel", "neuron", "negative", "diverse", "alpha", "deepdream")
# Second words of the per-item stateless seeds: render_units' own items use 0.
_DIVERSE_STREAM = 1  # copy k of a diverse set uses _DIVERSE_STREAM + k
_DEEPDREAM_STREAM = 1000
_NEGATIVE_STREAM = 2000
ALPHA_BLUR_WEIGHT = 0.1  # as notebooks/transparency.ipynb


def render_job(model, job, settings, progress, write) -> None:
    """Renders ``job`` (a ``jobs.Job``) with ``settings``, calling ``write`` per unit."""
    if job.kind not in _RENDERERS:
        raise ValueError(f"Job.kind must be one of {KINDS}; got {job.kind!r}.")
    common = dict(
        size=settings.size, steps=settings.steps, seed=settings.seed, progress=progress,
        precision=settings.precision,
    )  # fmt: skip
    _RENDERERS[job.kind](model, job, settings, common, write)


def _render_channels(model, job, settings, common, write):
    """``"channel"`` and ``"neuron"``: render_units' own objectives, written batch by batch."""
    clock = _Clock()

    def on_batch(batch_units, images):
        seconds = clock.lap() / len(batch_units)
        for unit, image in zip(batch_units, images):
            write(unit, image[None], seconds)

    batch.render_units(
        model, job.layer, list(job.units), kind=job.kind, batch_size=len(job.units),
        on_batch=on_batch, **common,
    )  # fmt: skip


def _render_negative(model, job, settings, common, write):
    """Each unit's channel mean minimised, from its own seed stream."""
    clock = _Clock()
    images = batch.render_units(
        model,
        job.layer,
        list(job.units),
        batch_size=len(job.units),
        param_f=_stream_image(1, _NEGATIVE_STREAM),
        objective_f=lambda layer, unit, index: -objectives.channel(layer, unit, batch=index),
        **common,
    )
    seconds = clock.lap() / len(job.units)
    for unit, image in zip(job.units, images):
        write(unit, image[None], seconds)


def _render_diverse(model, job, settings, common, write):
    """``settings.diverse`` copies per unit, each group with its diversity penalty."""
    clock = _Clock()
    n = settings.diverse
    copies = [unit for unit in job.units for _ in range(n)]
    images = batch.render_units(
        model,
        job.layer,
        copies,
        batch_size=len(copies),
        param_f=_stream_image(n, _DIVERSE_STREAM),
        objective_f=_diverse_objective_f(n, job.diversity_layer, settings.diversity_weight),
        **common,
    )
    seconds = clock.lap() / len(job.units)
    for i, unit in enumerate(job.units):
        write(unit, images[i * n : (i + 1) * n], seconds)


def _render_deepdream(model, job, settings, common, write):
    """One image of the layer maximising its mean squared activation."""
    clock = _Clock()
    image = batch.render_units(
        model,
        job.layer,
        [0],
        batch_size=1,
        param_f=_stream_image(1, _DEEPDREAM_STREAM),
        objective_f=lambda layer, unit, index: objectives.deepdream(layer),
        **common,
    )
    write(0, image, clock.lap())


class _Clock:
    """Wall seconds since it was made, then since the previous lap."""

    def __init__(self):
        self.last = time.perf_counter()

    def lap(self) -> float:
        now = time.perf_counter()
        elapsed, self.last = now - self.last, now
        return elapsed


def _render_alpha(model, job, settings, common, write):
    """RGBA renders of the job's units: channel x transparency - blur of alpha, over noise."""
    clock = _Clock()
    units = list(job.units)
    channels = render_util.default_image_shape(model)[2]
    if channels != 3:
        raise ValueError(
            f"alpha renders need an RGB model; {model.name} reads {channels}-channel images. "
            "Build without --alpha."
        )
    graph = tf.Graph()
    with graph.as_default():
        # The job's image parameters and random transforms.
        tf.set_random_seed(batch.unit_seed(model.name, job.layer, units[0], "alpha", settings.seed))
        objective = objectives.Objective.sum(
            [
                objectives.channel(job.layer, unit, batch=i) * _transparency(i)
                for i, unit in enumerate(units)
            ]
        )
        objective = objective - ALPHA_BLUR_WEIGHT * objectives.blur_alpha_each_step()
        T = render.make_vis_T(
            model,
            objective,
            lambda: param.image(settings.size, batch=len(units), alpha=True),
            transforms=[transform.collapse_alpha_random()] + transform.standard_transforms,
            relu_gradient_override=True,
            precision=settings.precision,
        )
    images = optimise(graph, T, settings.steps, settings.precision, "microscope alpha render")
    seconds = clock.lap() / len(units)
    for unit, image in zip(units, images):
        write(unit, image[None], seconds)


def optimise(graph: tf.Graph, T, steps: int, precision: str, caller: str) -> np.ndarray:
    """Initialises ``graph`` (built by ``render.make_vis_T``, accessor ``T``), runs ``steps``
    steps of ``T("vis_op")`` and returns ``T("t_image")`` as float32 NumPy."""
    with graph.as_default():
        init_op = tf.global_variables_initializer()
    config = precision_lib.session_config(precision, render_util.session_config())
    with tf.Session(graph=graph, config=config) as sess:
        sess.run(init_op)
        for step in range(steps):
            render_util.run_step(sess, T("vis_op"), step, caller=caller)
        return sess.run(T("t_image")).astype(np.float32)


@objectives.wrap_objective()
def _transparency(index):
    """``1 - mean(alpha)`` of item ``index`` of the RGBA input, in `[0, 1]`."""
    return lambda T: 1.0 - tf.reduce_mean(T("input")[index, ..., 3])


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


_RENDERERS = {
    "channel": _render_channels,
    "neuron": _render_channels,
    "negative": _render_negative,
    "diverse": _render_diverse,
    "alpha": _render_alpha,
    "deepdream": _render_deepdream,
}
