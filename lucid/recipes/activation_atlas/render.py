"""Rendering atlas icons: one feature visualization per activation vector.

An icon shows what a direction in a layer's activation space "looks like": an image
optimised so that the layer's activation vector at the image centre points along it.
With ``S`` (a layer's inverse covariance, see ``aligned_activations``) the direction is
whitened first, which keeps frequent, correlated directions from dominating every icon.

References: Carter et al., "Activation Atlas", Distill 2019.
"""

import itertools
from typing import List
from typing import Optional
from typing import Sequence
from typing import Tuple
from typing import Union

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.modelzoo.vision_base import Layer
from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis import transform

# Lucid's icon transforms: heavier than the standard ones, since icons are small.
ICON_PAD = 16
ICON_LEARNING_RATE = 0.05
# Without alpha the image is shown as is; with alpha it is darkened where transparent:
# rgb * ((1 - k) + k * alpha) over a black background.
ALPHA_DARKENING = 0.8


def _whitened(vec, S, objective) -> np.ndarray:
    vec = np.asarray(vec, np.float32)
    if vec.ndim != 1:
        raise ValueError(f"{objective}: vec must be a [channels] vector; got shape {vec.shape}.")
    if S is None:
        return vec
    S = np.asarray(S, np.float32)
    if S.shape != (vec.shape[0], vec.shape[0]):
        raise ValueError(
            f"{objective}: S must be [channels, channels] = {(vec.shape[0],) * 2} to whiten a "
            f"{vec.shape[0]}-channel vec; got shape {S.shape}."
        )
    return vec @ S


def _acts_at(T, layer_name, batch, x, y):
    """Activation vectors at ``(x, y)`` (the centre by default): `[C]`, or `[B, C]` for all."""
    acts = T(layer_name)
    shape = tf.shape(acts)
    x_ = shape[1] // 2 if x is None else x
    y_ = shape[2] // 2 if y is None else y
    return acts[:, x_, y_] if batch is None else acts[batch, x_, y_]


@objectives.wrap_objective(require_format="NHWC")
def direction_neuron_S(layer_name, vec, batch=None, x=None, y=None, S=None):
    """Mean of ``activations * (vec @ S)`` at one position (the centre by default).

    Args:
      layer_name: layer name (or ``Layer``); a dense `[N, C]` layer counts as 1x1.
      vec: `[C]` direction.
      batch: the batch item to look at; None means every item (Lucid raised
        ``RuntimeError("requires batch")`` when the objective was evaluated).
      x, y: position along height and width.
      S: optional `[C, C]` whitening matrix applied to ``vec``.
    """
    layer_name = getattr(layer_name, "name", layer_name)
    vec_ = _whitened(vec, S, "direction_neuron_S")

    def inner(T):
        return tf.reduce_mean(_acts_at(T, layer_name, batch, x, y) * vec_)

    return inner


@objectives.wrap_objective(require_format="NHWC")
def direction_neuron_cossim_S(layer_name, vec, batch=None, x=None, y=None, cossim_pow=2, S=None):
    """:func:`direction_neuron_S` weighted by ``max(0.1, dot / (1e-4 + |acts|)) ** cossim_pow``.

    As in Lucid (and the published atlases), ``dot`` is the *mean* of ``acts * vec`` and
    ``|vec|`` is left out, so the weight is ``cos(acts, vec) * |vec| / C``, not a true
    cosine. Arguments as :func:`direction_neuron_S`.
    """
    layer_name = getattr(layer_name, "name", layer_name)
    vec_ = _whitened(vec, S, "direction_neuron_cossim_S")

    def inner(T):
        acts = _acts_at(T, layer_name, batch, x, y)
        dot = tf.reduce_mean(acts * vec_)
        cossim = dot / (1e-4 + tf.sqrt(tf.reduce_sum(acts**2)))
        return dot * tf.maximum(0.1, cossim) ** cossim_pow

    return inner


def icon_transforms(size: int, alpha: bool = False) -> list:
    """Lucid's transform stack for icons of ``size`` pixels (RGBA collapsed over noise last)."""
    angles = list(itertools.chain(range(-20, 20), range(-10, 10), range(-5, 5), 5 * [0]))
    transforms = [
        transform.pad(ICON_PAD, mode="constant"),
        transform.jitter(4),
        transform.jitter(4),
        transform.jitter(8),
        transform.jitter(8),
        transform.jitter(8),
        transform.random_scale([0.998**n for n in range(20, 40)]),
        transform.random_rotate(angles),
        transform.jitter(2),
        transform.crop_or_pad_to(size, size),
    ]
    if alpha:
        transforms.append(transform.collapse_alpha_random())
    return transforms


def _check_directions(directions) -> np.ndarray:
    directions = np.asarray(directions, np.float32)
    if directions.ndim != 2 or directions.shape[0] == 0:
        raise ValueError(
            "render_icons: directions must be a non-empty sequence of [channels] vectors; got "
            f"shape {directions.shape}."
        )
    return directions


def _render_attempt(model, obj_parts, size, batch, alpha, n_steps, bar):
    """One optimisation of all icons in a fresh graph: `([B, size, size, 3], [B] values)`."""
    objective = objectives.Objective.sum(obj_parts)
    graph = tf.Graph()
    with graph.as_default(), tf.Session(graph=graph) as sess:
        t_image = param.image(size, batch=batch, fft=True, decorrelate=True, alpha=alpha)
        T = render.make_vis_T(
            model,
            objective,
            t_image,
            optimizer=tf.train.AdamOptimizer(ICON_LEARNING_RATE),
            transforms=icon_transforms(size, alpha),
        )
        t_parts = [part(T) for part in obj_parts[:batch]]
        vis_op = T("vis_op")
        sess.run(tf.global_variables_initializer())
        values = np.zeros(batch, np.float32)
        for _ in range(n_steps):
            values, _ = sess.run([t_parts, vis_op])
            bar.update(1)
        img = sess.run(t_image)
    rgb = img[..., :3]
    if alpha:
        rgb = rgb * ((1 - ALPHA_DARKENING) + ALPHA_DARKENING * img[..., 3:])
    return rgb, np.asarray(values, np.float32)


def render_icons(
    directions: Sequence[np.ndarray],
    model: Model,
    layer: Union[str, Layer],
    size: int = 80,
    n_steps: int = 128,
    verbose: bool = False,
    S: Optional[np.ndarray] = None,
    num_attempts: int = 3,
    cossim: bool = True,
    alpha: bool = False,
    progress: bool = True,
    boundary_penalty: float = 1.0,
) -> Tuple[List[np.ndarray], List[float]]:
    """Renders one icon per direction; keeps the best of ``num_attempts`` tries for each.

    Each attempt optimises all icons as one batch in a fresh graph (Adam 0.05, ``n_steps``
    steps, :func:`icon_transforms`), maximising :func:`direction_neuron_cossim_S` (or
    :func:`direction_neuron_S` if not ``cossim``) at the image centre, minus Lucid's
    ``penalize_boundary_complexity`` border penalty.

    Args:
      directions: `[B, C]` array or sequence of `[C]` vectors, one icon each.
      model: a ``lucid.modelzoo.vision_base.Model``.
      layer: the layer (name or ``Layer``) the directions live in.
      size: icon height and width in pixels.
      n_steps: optimisation steps per attempt.
      verbose: print each attempt's mean objective value.
      S: optional `[C, C]` whitening matrix (e.g. ``layer_inverse_covariance``).
      num_attempts: independent tries; each icon keeps its highest-scoring try.
      cossim: use the cosine-weighted objective.
      alpha: optimise RGBA and darken transparent parts (black background).
      progress: show a progress bar over all steps of all attempts.
      boundary_penalty: weight of the border penalty (Lucid's is 1). Models with small
        activations (e.g. ShapesNet, whose direction objectives are ~1e-3..1e-1) need a smaller
        one such as 0.01, or the penalty wins and the icons stay blank.

    Returns:
      ``(icons, values)``: a list of B float32 `[size, size, 3]` images in `[0, 1]`, and a
      list of B floats, each icon's objective value in the attempt kept (its last step).
      Lucid returned an always empty list as the second item.
    """
    from tqdm.auto import tqdm

    directions = _check_directions(directions)
    if not isinstance(num_attempts, int) or num_attempts < 1:
        raise ValueError(
            f"render_icons: num_attempts must be a positive int; got {num_attempts!r}."
        )
    layer_name = getattr(layer, "name", layer)
    objective_f = direction_neuron_cossim_S if cossim else direction_neuron_S
    batch = len(directions)
    obj_parts = [objective_f(layer_name, v, batch=n, S=S) for n, v in enumerate(directions)]
    shape = (batch, size, size, 4 if alpha else 3)
    if not isinstance(boundary_penalty, (int, float)) or boundary_penalty < 0:
        raise ValueError(
            f"render_icons: boundary_penalty must be a number >= 0; got {boundary_penalty!r}."
        )
    if boundary_penalty:
        penalty = objectives.penalize_boundary_complexity(shape, w=5)
        obj_parts.append(boundary_penalty * penalty)

    attempts, scores = [], []
    with tqdm(
        total=num_attempts * n_steps, desc="render_icons", unit="step", disable=not progress
    ) as bar:
        for attempt in range(num_attempts):
            icons, values = _render_attempt(model, obj_parts, size, batch, alpha, n_steps, bar)
            attempts.append(icons)
            scores.append(values)
            if verbose:
                print(f"render_icons attempt {attempt}: mean objective {values.mean():.4g}")
    scores = np.stack(scores)  # [attempts, B]
    best = np.argmax(scores, axis=0)  # an objective, not a loss: higher is better
    icons = [attempts[a][i] for i, a in enumerate(best)]
    values = [float(scores[a, i]) for i, a in enumerate(best)]
    return icons, values
