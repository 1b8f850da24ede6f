"""Gradients and attributions of a layer with respect to observations or an earlier layer.

Every function imports ``model`` into a fresh graph on the observations ``obses``
(`[N, H, W, C]` floats in the model's ``[0, 1]`` input range), runs in its own session and
returns NumPy arrays. The *score* is ``score_fn(acts)``, one value per observation (by default
the sum of the layer's activations), optionally after weighting the channels by ``act_dir``
(`[C]`) or picking one position per observation with ``act_poses`` (`[N, 2]` of ``(h, w)``).

``get_attr`` gives ``acts_prev * d(score)/d(acts_prev)``: how much each activation of the
earlier layer contributes. With ``integrate_steps > 1`` the gradient is averaged over the
activations scaled by ``alpha = 1/steps, 2/steps, ..., 1``, i.e. integrated gradients from a
zero baseline. ``get_multi_path_attr`` integrates along several paths through an NMF basis
of the earlier layer instead, so that attribution to interacting features is shared fairly.

References: Hilton et al., "Understanding RL Vision", Distill 2020.
"""

import itertools
from typing import Callable
from typing import Iterator
from typing import List
from typing import Optional

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.misc.gradient_override import gradient_override_map
from lucid.optvis import render
from lucid.optvis.overrides.smoothed_maxpool_grad import make_smoothed_maxpool_grad

ATTRIBUTION_KINDS = ("grad", "attr")


# The gradient of ``avg_pool(x**2) / (1e-2 + avg_pool(|x|))`` in place of MaxPool's.
_smooth_maxpool_grad = make_smoothed_maxpool_grad("L2_abs", epsilon=1e-2)


def maxpool_override() -> dict:
    """``{"MaxPool": grad_f}`` for ``override=``: spreads MaxPool's gradient over its window.

    MaxPool's own gradient goes to one input per window; this smooth stand-in, a weighted
    average favouring large inputs, gives less patchy attributions.
    """
    return {"MaxPool": _smooth_maxpool_grad}


def default_score_fn(t: tf.Tensor) -> tf.Tensor:
    """Sums ``t`` over every axis but the batch axis: `[N, ...]` -> `[N]`."""
    return tf.reduce_sum(t, axis=list(range(1, t.shape.ndims)))


def _import_on(model, obses):
    obses = np.asarray(obses, np.float32)
    if obses.ndim != 4:
        raise ValueError(f"obses must be [N, H, W, C] observations; got shape {obses.shape}.")
    t_obses = tf.placeholder_with_default(obses, (None, None, None, obses.shape[-1]))
    return t_obses, render.import_model(model, t_obses, t_obses)


def get_acts(model, layer_name: str, obses: np.ndarray) -> np.ndarray:
    """Activations of ``layer_name`` on ``obses`` (`[N, H, W, C]`)."""
    with tf.Graph().as_default(), tf.Session():
        _, T = _import_on(model, obses)
        return T(layer_name).eval()


def _score_and_prev(model, layer_name, prev_layer_name, obses, act_dir, act_poses, score_fn):
    """Builds the summed score and the tensor it is differentiated against (default graph)."""
    t_obses, T = _import_on(model, obses)
    t_acts = T(layer_name)
    t_acts_prev = t_obses if prev_layer_name is None else T(prev_layer_name)
    if act_dir is not None:
        t_acts = t_acts * np.asarray(act_dir, np.float32)
    if act_poses is not None:
        act_poses = np.asarray(act_poses, np.int32)
        batch_index = np.arange(len(act_poses), dtype=np.int32)[:, None]
        t_acts = tf.gather_nd(t_acts, np.concatenate([batch_index, act_poses], axis=-1))
    t_scores = score_fn(t_acts)
    if t_scores.shape.ndims == 0:
        raise ValueError(
            "score_fn must keep the batch axis (one score per observation, shape [N]); it "
            "returned a scalar. Reduce over the other axes only, as default_score_fn does."
        )
    t_grad = tf.gradients(tf.reduce_sum(t_scores), [t_acts_prev])[0]
    if t_grad is None:
        raise ValueError(
            f"{layer_name!r} does not depend on {prev_layer_name or 'the observations'!r}."
        )
    return t_acts_prev, t_grad


def get_grad_or_attr(
    model,
    layer_name: str,
    prev_layer_name: Optional[str],
    obses: np.ndarray,
    *,
    act_dir: Optional[np.ndarray] = None,
    act_poses: Optional[np.ndarray] = None,
    score_fn: Callable[[tf.Tensor], tf.Tensor] = default_score_fn,
    grad_or_attr: str,
    override: Optional[dict] = None,
    integrate_steps: int = 1,
) -> np.ndarray:
    """The gradient of the score, or the attribution, at ``prev_layer_name``.

    Args:
      model: a Lucid ``Model``.
      layer_name: the layer whose activations are scored.
      prev_layer_name: the earlier layer to differentiate against; None: the observations.
      obses: `[N, H, W, C]` observations.
      act_dir: `[C]` weights of ``layer_name``'s channels.
      act_poses: `[N, 2]` ``(h, w)``: score only this position of each observation.
      score_fn: `[N, ...]` activations -> `[N]` scores.
      grad_or_attr: ``"grad"`` (the gradient) or ``"attr"`` (activations times gradient).
      override: ``{op type: gradient function}``, e.g. :func:`maxpool_override`.
      integrate_steps: average the gradient over this many scalings of the activations.

    Returns:
      An array shaped like ``prev_layer_name``'s activations.
    """
    if grad_or_attr not in ATTRIBUTION_KINDS:
        raise ValueError(f"grad_or_attr must be one of {ATTRIBUTION_KINDS}; got {grad_or_attr!r}.")
    with tf.Graph().as_default(), tf.Session() as sess, gradient_override_map(override or {}):
        t_acts_prev, t_grad = _score_and_prev(
            model, layer_name, prev_layer_name, obses, act_dir, act_poses, score_fn
        )
        acts_prev = sess.run(t_acts_prev)
        if integrate_steps > 1:
            alphas = np.linspace(0, 1, integrate_steps + 1)[1:]
            grad = np.mean([sess.run(t_grad, {t_acts_prev: acts_prev * a}) for a in alphas], axis=0)
        else:
            grad = sess.run(t_grad)
    return grad if grad_or_attr == "grad" else acts_prev * grad


def get_attr(
    model, layer_name: str, prev_layer_name: Optional[str], obses: np.ndarray, **kwargs
) -> np.ndarray:
    """``get_grad_or_attr(..., grad_or_attr="attr")``: activations of the earlier layer times gradient."""
    return get_grad_or_attr(
        model, layer_name, prev_layer_name, obses, grad_or_attr="attr", **kwargs
    )


def get_grad(model, layer_name: str, obses: np.ndarray, **kwargs) -> np.ndarray:
    """``get_grad_or_attr(..., grad_or_attr="grad")`` with respect to the observations."""
    return get_grad_or_attr(model, layer_name, None, obses, grad_or_attr="grad", **kwargs)


def get_paths(
    acts: np.ndarray, nmf, *, max_paths: Optional[int], integrate_steps: int
) -> Iterator[List[np.ndarray]]:
    """Yields paths from 0 to ``acts`` through the NMF feature space of ``nmf``.

    Each path splits the features into two halves: one half grows fast first
    (``1 - (1 - alpha)**2``) while the other grows slowly (``alpha**2``), then the roles are
    swapped on the complementary path. The part of ``acts`` outside the NMF basis grows
    linearly. Every path ends at ``acts``.

    Args:
      acts: `[..., C]` activations.
      nmf: an object with ``features``, ``transform`` and ``inverse_transform`` (a
        ``LayerNMF``).
      max_paths: the most paths to yield (splits are sampled with ``np.random``); None: all.
      integrate_steps: points per path.

    Yields:
      Lists of ``integrate_steps`` arrays shaped like ``acts``, for ``alpha = 1/steps .. 1``.
    """
    acts_reduced = nmf.transform(acts)
    residual = acts - nmf.inverse_transform(acts_reduced)
    combinations = list(itertools.combinations(range(nmf.features), nmf.features // 2))
    if nmf.features % 2 == 0:  # a split and its complement are the same pair of paths
        combinations = [c for c in combinations if 0 in c]
    splits = np.array(combinations, dtype=int).reshape(len(combinations), -1)
    if max_paths is not None:
        num_splits = min((max_paths + 1) // 2, len(splits))
        splits = splits[np.random.choice(len(splits), size=num_splits, replace=False)]
    alphas = np.linspace(0, 1, integrate_steps + 1)[1:]
    for i, split in enumerate(splits):
        fast = np.zeros(nmf.features)
        fast[split] = 1.0
        complements = [False, True]
        if max_paths is not None and 2 * i + 1 == max_paths:
            complements = [bool(np.random.choice(complements))]
        for complement in complements:
            first = 1.0 - fast if complement else fast
            yield [
                nmf.inverse_transform(
                    acts_reduced * (first * (1 - (1 - a) ** 2) + (1 - first) * a**2)
                )
                + residual * a
                for a in alphas
            ]


def get_multi_path_attr(
    model,
    layer_name: str,
    prev_layer_name: Optional[str],
    obses: np.ndarray,
    prev_nmf,
    *,
    act_dir: Optional[np.ndarray] = None,
    act_poses: Optional[np.ndarray] = None,
    score_fn: Callable[[tf.Tensor], tf.Tensor] = default_score_fn,
    override: Optional[dict] = None,
    max_paths: Optional[int] = 50,
    integrate_steps: int = 10,
) -> np.ndarray:
    """Attribution to ``prev_layer_name`` averaged over the paths of :func:`get_paths`.

    Along each path the attribution is ``sum(delta_acts * gradient)``; the result, shaped
    like ``prev_layer_name``'s activations, is the mean over paths. Arguments are as for
    :func:`get_grad_or_attr`; ``prev_nmf`` is the ``LayerNMF`` of ``prev_layer_name``.
    """
    with tf.Graph().as_default(), tf.Session() as sess, gradient_override_map(override or {}):
        t_acts_prev, t_grad = _score_and_prev(
            model, layer_name, prev_layer_name, obses, act_dir, act_poses, score_fn
        )
        acts_prev = sess.run(t_acts_prev)
        total, count = 0.0, 0
        for path in get_paths(
            acts_prev, prev_nmf, max_paths=max_paths, integrate_steps=integrate_steps
        ):
            previous = np.zeros_like(acts_prev)
            for point in path:
                total = total + (point - previous) * sess.run(t_grad, {t_acts_prev: point})
                previous = point
            count += 1
    if count == 0:
        raise ValueError(f"get_paths gave no path (max_paths={max_paths}); use max_paths >= 1.")
    return total / count
