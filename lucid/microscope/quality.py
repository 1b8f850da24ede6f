"""Quality scores of a unit's renders: does the render excite the unit, robustly, diversely?

Notation, for unit ``u`` of layer ``L``:

* ``a(x)``: the unit's channel objective on image ``x``, the one its render maximised: the
  mean over positions of channel ``u`` of ``L`` (the value itself for a dense layer),
  computed on ``x`` as it is (no transforms, at its own size).
* ``v(x)``: ``L``'s activation vector on ``x``: every channel's mean over positions, `[C]`.
* ``r``: the unit's channel render, read back from its PNG; ``D``: the dataset images;
  ``d_1 .. d_n``: its diverse set.
* ``t_1 .. t_K``: ``K`` (default 8) fresh random draws of the standard transforms the renders
  were optimised under (``batch_transforms.standard_transforms_per_item``: pad 12 with grey,
  jitter 8, scale 0.9-1.1, rotate -10..10 degrees, jitter 4; `s x s` -> `s+12 x s+12`),
  drawn from the seed ``batch.unit_seed(model, L, u, "stability", seed)``: the same draws
  on every run. ``t_0``: the same pipeline with the centred draw (both jitters centred,
  scale 1, angle 0): the render unmoved on the same grey-bordered canvas, so that the
  border the transforms add does not count as lost activation.
* ``b = a(t_0(g))``: the baseline, the activation of a blank canvas (``g`` flat grey 0.5,
  the transforms' padding colour, at the render's size). 0 for most post-ReLU units; for a
  pre-ReLU unit often well below 0, and a short render's mean may stay below 0 too while
  being far above the blank canvas.

The scores (``None`` is JSON null)::

    activation_ratio = a(r) / max_{x in D} a(x)
        None without dataset images, or when max_{x in D} a(x) <= 0 (no positive reference).
        1 means the render excites the unit as much as the best dataset image; a
        well-optimised render scores about 1 or more, an image of noise near 0. The
        render is scored at its own size, the dataset images at the model's input size.

    stability = clip( ((1/K) sum_k a(t_k(r)) - b) / (a(t_0(r)) - b), 0, 1 )
        0 when a(t_0(r)) <= b. The share of the render's activation above a blank canvas
        that survives small shifts, zooms and rotations: near 1 for a robust feature, near
        0 for a brittle pixel pattern (an adversarial-looking render).

    diversity = 1 - 2 / (n (n - 1)) * sum_{i < j} cos(v(d_i), v(d_j))
        None without a diverse set (n < 2). cos(p, q) = p.q / (|p| |q|), with cos = 1
        when both vectors are 0 and 0 when only one is. In [0, 2]; in [0, 1] for
        non-negative (post-ReLU) activations. 0 when the diverse images look the same
        to the layer, 1 when their activation vectors are orthogonal.

The scores of one layer are computed with one graph (the model imported once on an RGB
placeholder, and the transforms), in batches, by the driver after the renders exist; each
unit's record is ``img/unit-NNNN-scores.json`` with ``"scores"`` and ``params`` (the
parameters of the renders it scored, the dataset fingerprint and ``K``), so a changed render
is re-scored and an unchanged one is not.
"""

import os
from typing import Dict
from typing import List
from typing import Optional
from typing import Sequence

import numpy as np
import tensorflow.compat.v1 as tf

import lucid
from lucid.microscope import dataset_examples
from lucid.microscope import layout
from lucid.microscope import results
from lucid.optvis import batch
from lucid.optvis import render_util
from lucid.optvis.batch_transforms import per_item_uniforms
from lucid.optvis.batch_transforms import standard_transforms_per_item

KIND = "scores"
DEFAULT_SAMPLES = 8
_BATCH = 64
# Uniforms choosing t_0: jitter 4 of 0..8, scale 1 (5 of 11), angle 0 (10 of 26), jitter 2 of 0..4.
BLANK_GREY = 0.5  # the blank canvas of the baseline: batch_transforms' padding colour
CENTRED_CHOICES = np.array([4.5 / 9, 4.5 / 9, 5.5 / 11, 10.5 / 26, 2.5 / 5, 2.5 / 5], np.float32)


def activation_ratio(render_activation: float, dataset_max: Optional[float]) -> Optional[float]:
    """``a(r) / max_D a(x)``; None when there is no dataset or its maximum is <= 0."""
    if dataset_max is None or dataset_max <= 0:
        return None
    return float(render_activation) / float(dataset_max)


def stability(
    render_activation: float, transformed_activations: Sequence[float], baseline: float = 0.0
) -> float:
    """``clip((mean_k a(t_k(r)) - b) / (a(t_0(r)) - b), 0, 1)`` from ``a(t_0(r))``, the
    ``a(t_k(r))`` and ``b``; 0 when ``a(t_0(r)) <= b``."""
    excess = float(render_activation) - float(baseline)
    if excess <= 0:
        return 0.0
    kept = float(np.mean(transformed_activations)) - float(baseline)
    return float(np.clip(kept / excess, 0.0, 1.0))


def diversity(vectors: np.ndarray) -> Optional[float]:
    """``1 - mean_{i<j} cos(v_i, v_j)`` of `[n, C]` activation vectors; None for n < 2."""
    vectors = np.asarray(vectors, np.float64)
    n = len(vectors)
    if n < 2:
        return None
    norms = np.linalg.norm(vectors, axis=1)
    cosines = []
    for i in range(n):
        for j in range(i + 1, n):
            if norms[i] == 0 or norms[j] == 0:
                cosines.append(1.0 if norms[i] == norms[j] else 0.0)
            else:
                cosines.append(float(vectors[i] @ vectors[j]) / (norms[i] * norms[j]))
    return 1.0 - float(np.mean(cosines))


class LayerProbe:
    """One graph for one layer: channel means of images, and the standard transforms.

    Args:
      model: a ``Model``.
      layer: a layer name of ``model``.
      transform_size: the side of the square images :meth:`transform` takes (renders).
    """

    def __init__(self, model, layer: str, transform_size: int):
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.t_images = tf.placeholder(tf.float32, [None, None, None, 3])
            t_input = dataset_examples.model_input(model, self.t_images)  # grey if 1-channel
            acts = model.import_graph(t_input, scope="import", forget_xy_shape=True)(layer)
            if acts.shape.ndims not in (2, 4):
                raise ValueError(
                    f"quality scores need layer {layer!r} to be [batch, h, w, c] or [batch, c]; "
                    f"its activations have shape {acts.shape}."
                )
            self.t_means = acts if acts.shape.ndims == 2 else tf.reduce_mean(acts, axis=[1, 2])
            self.t_square = tf.placeholder(tf.float32, [None, transform_size, transform_size, 3])
            self.t_choices = tf.placeholder(tf.float32, [None, 6])
            self.t_transformed = standard_transforms_per_item(self.t_square, self.t_choices)
            self.graph.finalize()
        self.sess = tf.Session(graph=self.graph, config=render_util.session_config())

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.sess.close()

    def channel_means(self, images: np.ndarray) -> np.ndarray:
        """`[n, C]`: ``v(x)`` of `[n, h, w, 3]` images in `[0, 1]`."""
        out = [
            self.sess.run(self.t_means, {self.t_images: images[start : start + _BATCH]})
            for start in range(0, len(images), _BATCH)
        ]
        return np.concatenate(out).astype(np.float64)

    def transformed_means(self, images: np.ndarray, choices: np.ndarray) -> np.ndarray:
        """`[n, C]`: ``v(t_i(x_i))``, the transform of item ``i`` drawn by ``choices[i]`` `[6]`."""
        out = []
        for start in range(0, len(images), _BATCH):
            feed = {
                self.t_square: images[start : start + _BATCH],
                self.t_choices: choices[start : start + _BATCH],
            }
            out.append(self.channel_means(self.sess.run(self.t_transformed, feed)))
        return np.concatenate(out)


def score_units(
    probe: LayerProbe,
    units: Sequence[int],
    renders: np.ndarray,
    choices: np.ndarray,
    diverse_sets: Sequence[Optional[np.ndarray]],
    dataset_images: Optional[np.ndarray],
) -> List[Dict[str, Optional[float]]]:
    """The scores of ``units`` (see the module docstring).

    Args:
      probe: the layer's :class:`LayerProbe`.
      units: channel indices.
      renders: `[n, s, s, 3]`: unit ``units[i]``'s channel render.
      choices: `[n, K, 6]` uniforms: the transform draws ``t_1 .. t_K`` of each unit.
      diverse_sets: per unit, its diverse images `[m, s, s, 3]`, or None.
      dataset_images: `[N, h, w, 3]`, or None.
    """
    units = list(units)
    raw = probe.channel_means(renders)[np.arange(len(units)), units]
    centred = np.broadcast_to(CENTRED_CHOICES, (len(units), len(CENTRED_CHOICES)))
    reference = probe.transformed_means(renders, centred)[np.arange(len(units)), units]
    blank = np.full((1,) + renders.shape[1:], BLANK_GREY, np.float32)
    baseline = probe.transformed_means(blank, centred[:1])[0]
    samples = choices.shape[1]
    transformed = np.zeros([len(units), samples])
    chunk = max(1, _BATCH // samples)  # units per chunk: K copies of each in memory at once
    for start in range(0, len(units), chunk):
        part = slice(start, start + chunk)
        repeated = np.repeat(renders[part], samples, axis=0)
        means = probe.transformed_means(repeated, choices[part].reshape(-1, choices.shape[-1]))
        picked = means[np.arange(len(repeated)), np.repeat(units[part], samples)]
        transformed[part] = picked.reshape(-1, samples)
    dataset_max = None
    if dataset_images is not None:
        dataset_max = probe.channel_means(dataset_images).max(axis=0)
    scores = []
    for i, unit in enumerate(units):
        diverse = diverse_sets[i]
        scores.append(
            {
                "activation_ratio": activation_ratio(
                    raw[i], None if dataset_max is None else dataset_max[unit]
                ),
                "stability": stability(reference[i], transformed[i], baseline[unit]),
                "diversity": None if diverse is None else diversity(probe.channel_means(diverse)),
            }
        )
    return scores


def score_params(model_name, layer, unit, channel, diverse, image_set, samples) -> dict:
    """The parameters of a scores record: the scored renders' params, dataset and ``K``."""
    return {
        "model": model_name,
        "layer": layer,
        "unit": unit,
        "kind": KIND,
        "channel": channel["params"],
        "diverse": None if diverse is None else diverse["params"],
        "images": None if image_set is None else image_set.fingerprint,
        "samples": samples,
        "version": lucid.__version__,
    }


def write_layer_scores(
    model, model_dir: str, layer: str, layer_dir: str, units: Sequence[int], image_set=None,
    seed: int = 0, samples: int = DEFAULT_SAMPLES,
) -> int:  # fmt: skip
    """Scores the rendered units of ``layer`` not scored yet; returns how many it wrote.

    Units without a channel render are skipped; the diverse set is used when it exists.

    Args:
      image_set: the dataset (a ``dataset_examples.ImageSet``) or None.
      seed: the build's seed (``RenderSettings.seed``), mixed into the transforms' seeds.
      samples: ``K``, random transforms per unit.
    """
    results_dir = os.path.join(model_dir, layer_dir, layout.RESULTS_DIR)
    todo = []
    for unit in units:
        channel = _read_done(results_dir, layout.result_stem(unit, "channel"))
        if channel is None:
            continue
        diverse = _read_done(results_dir, layout.result_stem(unit, "diverse"))
        params = score_params(model.name, layer, unit, channel, diverse, image_set, samples)
        if not results.is_done(results_dir, layout.result_stem(unit, KIND), params):
            todo.append((unit, channel, diverse, params))
    if not todo:
        return 0
    renders = np.stack([_read_images(results_dir, channel)[0] for _, channel, _, _ in todo])
    diverse_sets = [
        None if diverse is None else _read_images(results_dir, diverse) for _, _, diverse, _ in todo
    ]
    choices = np.stack(
        [
            per_item_uniforms(
                [batch.unit_seed(model.name, layer, unit, "stability", seed)], samples
            )[0]
            for unit, _, _, _ in todo
        ]
    )
    dataset = None if image_set is None else image_set.images
    with LayerProbe(model, layer, renders.shape[1]) as probe:
        scores = score_units(probe, [t[0] for t in todo], renders, choices, diverse_sets, dataset)
    for (unit, _, _, params), unit_scores in zip(todo, scores):
        rounded = {k: None if v is None else round(v, 6) for k, v in unit_scores.items()}
        results.write_result(results_dir, layout.result_stem(unit, KIND), params, {},
                             scores=rounded)  # fmt: skip
    return len(todo)


def _read_done(results_dir, stem):
    """The record of a result whose files all exist, else None."""
    record = results.read_result(results_dir, stem)
    if record is None or not record["files"]:
        return None
    if not all(os.path.isfile(os.path.join(results_dir, name)) for name in record["files"]):
        return None
    return record


def _read_images(results_dir, record):
    return np.stack([results.read_png(os.path.join(results_dir, name)) for name in record["files"]])
