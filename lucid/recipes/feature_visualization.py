"""One-call feature visualization of neurons or channels, one batch item per unit.

``neuron(model, layer, channel_indices)`` and ``channel(model, layer, channel_indices)``
render, in one graph, an FFT-parameterised, colour-decorrelated image per index, with
Lucid's standard transforms, redirected ReLU gradients and Adam. Batch item ``b`` maximises
unit ``channel_indices[b]`` (or minimises it, with ``negative=True``).

Differences from Lucid 0.3.10, all fixes:

* ``channel_indices`` may be any sequence of ints (a list, tuple, ``range`` or NumPy array),
  or one int; Lucid treated anything but a list or tuple as a single index.
* Non-square models work: the image is ``image_shape[0]`` high and ``image_shape[1]``
  wide (Lucid swapped them).
* ``decorrelation_matrix`` is implemented instead of raising ``NotImplementedError``.
"""

import numbers
from typing import List
from typing import Optional
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

# What a unit means in a whitened basis: the direction S[index] instead of one channel.
_DIRECTION_OBJECTIVES = {
    objectives.neuron: objectives.direction_neuron,
    objectives.channel: objectives.direction,
}

Result = Union[Tuple[np.ndarray, np.ndarray], List[Tuple[np.ndarray, np.ndarray]]]


def _as_indices(channel_indices) -> List[int]:
    if isinstance(channel_indices, numbers.Integral) and not isinstance(channel_indices, bool):
        return [int(channel_indices)]
    indices = np.asarray(channel_indices)
    if indices.ndim != 1 or indices.size == 0 or not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(
            "channel_indices must be an int or a non-empty sequence of ints (list, tuple, range "
            f"or 1-d integer array); got {channel_indices!r}."
        )
    return [int(i) for i in indices]


def _layer_name(layer) -> str:
    if isinstance(layer, Layer):
        return layer.name
    if isinstance(layer, str):
        return layer
    raise ValueError(f"layer must be a Layer or a layer name (str); got {layer!r}.")


def _image_size(model) -> Tuple[int, int]:
    shape = list(model.image_shape or [])
    if len(shape) != 3 or None in shape[:2]:
        raise ValueError(
            f"{model.name}.image_shape is {model.image_shape!r}; feature_visualization needs a "
            "known [height, width, channels] to render at. Set image_shape on the model."
        )
    return int(shape[0]), int(shape[1])


def _unit_objectives(objective_f, layer_name, indices, sign, decorrelation_matrix):
    if decorrelation_matrix is None:
        return [sign * objective_f(layer_name, i, batch=b) for b, i in enumerate(indices)]
    direction_f = _DIRECTION_OBJECTIVES.get(objective_f)
    if direction_f is None:
        raise ValueError(
            "decorrelation_matrix works with objectives.neuron and objectives.channel (via "
            f"neuron() and channel()); got objective_f={objective_f!r}."
        )
    matrix = np.asarray(decorrelation_matrix, np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(
            "decorrelation_matrix must be a square [channels, channels] array, e.g. "
            "aligned_activations.layer_inverse_covariance(layer); got shape "
            f"{matrix.shape}."
        )
    for i in indices:
        if not 0 <= i < matrix.shape[0]:
            raise ValueError(
                f"channel index {i} is outside decorrelation_matrix's {matrix.shape[0]} channels."
            )
    return [sign * direction_f(layer_name, matrix[i], batch=b) for b, i in enumerate(indices)]


def _main(
    objective_f,
    model: Model,
    layer: Union[str, Layer],
    channel_indices,
    alpha: bool = False,
    negative: bool = False,
    decorrelation_matrix: Optional[np.ndarray] = None,
    n_steps: int = 128,
    parallel_transforms: int = 16,
    lr: float = 0.05,
    override_gradients: bool = True,
) -> Result:
    """Renders one image per index of ``channel_indices``; see :func:`neuron`."""
    del parallel_transforms  # accepted for Lucid compatibility; Lucid never used it either
    layer_name = _layer_name(layer)
    indices = _as_indices(channel_indices)
    sign = -1 if negative else 1
    h, w = _image_size(model)
    objs = _unit_objectives(objective_f, layer_name, indices, sign, decorrelation_matrix)
    objective = objectives.Objective.sum(objs)
    if alpha:
        # Reward transparency and keep the alpha channel smooth (Lucid's weighting).
        opacity = objectives.Objective(lambda T: 1.0 - tf.reduce_mean(T("input")[..., -1]))
        objective = objective * opacity - 0.1 * objectives.blur_alpha_each_step()
    transforms = transform.standard_transforms + [transform.crop_or_pad_to(h, w)]
    if alpha:
        transforms = transforms + [transform.collapse_alpha_random()]

    graph = tf.Graph()
    with graph.as_default(), tf.Session(graph=graph) as sess:
        t_image = param.image(w, h=h, batch=len(indices), alpha=alpha)
        T = render.make_vis_T(
            model,
            objective,
            t_image,
            optimizer=tf.train.AdamOptimizer(lr),
            transforms=transforms,
            relu_gradient_override=override_gradients,
        )
        reported = tf.stack([obj(T) for obj in objs])
        vis_op = T("vis_op")
        sess.run(tf.global_variables_initializer())
        losses = np.zeros((len(indices), n_steps), np.float32)
        for step in range(n_steps):
            losses[:, step], _ = sess.run([reported, vis_op])
        visualization = sess.run(t_image)
    if len(indices) == 1:
        return visualization, losses
    return list(zip(visualization, losses))


def neuron(*args, **kwargs) -> Result:
    """Visualizes neurons: the centre position of channels of a layer.

    Args:
      model: a ``lucid.modelzoo.vision_base.Model`` with a known ``image_shape``.
      layer: a ``Layer`` or a layer name.
      channel_indices: one channel index, or a sequence of them (one image each).
      alpha: render RGBA images, rewarding transparency (composited over noise in training).
      negative: minimise the units instead of maximising them.
      decorrelation_matrix: `[C, C]` array, e.g. a layer's inverse covariance; index ``i``
        then means the direction ``decorrelation_matrix[i]`` (``objectives.direction_neuron``)
        instead of channel ``i``, so correlated channels are visualised apart.
      n_steps: optimisation steps.
      parallel_transforms: ignored (kept from Lucid, which ignored it too).
      lr: Adam learning rate.
      override_gradients: redirected ReLU gradients (help dead units start).

    Returns:
      With one index: ``(images, losses)``, images `[1, h, w, 3]` (4 with ``alpha``) float32
      in `[0, 1]` and losses `[1, n_steps]`, each unit's objective value per step (negated
      with ``negative``). With several: a list of ``(image [h, w, 3|4], losses [n_steps])``
      pairs, one per index, in order.
    """
    return _main(objectives.neuron, *args, **kwargs)


def channel(*args, **kwargs) -> Result:
    """Visualizes whole channels (their mean over positions); arguments as :func:`neuron`.

    With ``decorrelation_matrix``, index ``i`` means ``objectives.direction`` along
    ``decorrelation_matrix[i]``.
    """
    return _main(objectives.channel, *args, **kwargs)
