"""Collect a layer's activations over many images, in batches.

Images go in as RGB floats in `[0, 1]` (as everywhere in Lucid), or as integers in `0..255`
(e.g. ``uint8`` photos), which are divided by 255 first; NaN or infinite values are an error
(see ``lucid.modelzoo.image_input.check_images``). The model's own value range and channel
order are applied by ``model.import_graph``. An empty batch gives an empty result of the
layer's shape, found from the graph without running it.
"""

import itertools

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.modelzoo.image_input import as_unit_images
from lucid.modelzoo.image_input import check_images

_REDUCERS = ("mean", "rms", "max")


def get_activations_iter(
    model,
    layer,
    generator,
    reducer="mean",
    batch_size=64,
    dtype=None,
    ind_shape=None,
    center_only=False,
):
    """Evaluates ``layer`` on ``(index, image)`` pairs and stores each result at its index.

    Args:
      model: a ``lucid.modelzoo.vision_base.Model``.
      layer: layer name (or ``Layer``) passed to the model's ``T``.
      generator: iterable of ``(index, image)``: ``index`` an int or a tuple (an n-d index),
        ``image`` a `[h, w, 3]` array, floats in `[0, 1]` or integers in `0..255` (divided
        by 255). Images in one batch must share a size.
      reducer: how to combine several images with the same index: "mean", "rms" or "max".
      batch_size: images evaluated per ``session.run``.
      dtype: numpy dtype of the result (default: the layer's dtype).
      ind_shape: the extent of the indices, if known (faster: results go straight into one
        array instead of a dict).
      center_only: keep only the spatial centre ``[h // 2, w // 2]`` of a `[N, h, w, c]` layer.

    Returns:
      Array of shape ``index_shape + activation_shape``. Indices never produced are 0.

    Raises:
      ValueError: an unknown reducer, images of different sizes in one batch, integers
        outside `0..255`, NaN or infinite values (naming the indices), or no images at all.
      TypeError: a non-numeric image.
    """
    if reducer not in _REDUCERS:
        raise ValueError(f"reducer must be one of {_REDUCERS}; got {reducer!r}.")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int; got {batch_size!r}.")
    layer = getattr(layer, "name", layer)
    with tf.Graph().as_default(), tf.Session() as sess:
        t_images = tf.placeholder(tf.float32, [None, None, None, 3])
        T = model.import_graph(t_images)
        t_layer = T(layer)
        totals, counts = None, None
        for batch in _batches(generator, batch_size):
            indices = [_as_index(index) for index, _ in batch]
            images = as_unit_images(_stack([image for _, image in batch]), indices)
            acts = sess.run(t_layer, {t_images: images})
            if center_only:
                acts = _center(acts, layer)
            if dtype is not None:
                acts = acts.astype(dtype)
            if totals is None:
                totals, counts = _new_accumulators(ind_shape, acts, reducer)
            for index, act in zip(indices, acts):
                _accumulate(totals, counts, index, act, reducer)
    if totals is None:
        raise ValueError("The generator produced no (index, image) pairs; nothing to evaluate.")
    return _finish(totals, counts, reducer, ind_shape)


def get_activations(
    model, layer, examples, batch_size=64, dtype=None, ind_shape=None, center_only=False
):
    """Activations of ``layer`` on every image of ``examples``, keeping their nesting.

    Args:
      model: a ``lucid.modelzoo.vision_base.Model``.
      layer: layer name (or ``Layer``).
      examples: one `[h, w, 3]` image, a `[..., h, w, 3]` array, or (nested) lists of
        images; RGB floats in `[0, 1]`, or integers in `0..255` (divided by 255).
      batch_size, dtype, ind_shape, center_only: as in :func:`get_activations_iter`.

    Returns:
      Array of shape ``nesting_shape + activation_shape``, e.g. `[N, h', w', c]` for a
      `[N, h, w, 3]` batch (`[N, c]` with ``center_only``). An empty batch (`[0, h, w, 3]`,
      or ``[]`` for a model with a fixed ``image_shape``) gives `[0, h', w', c]`, without
      running the model.

    Raises:
      ValueError, TypeError: as :func:`get_activations_iter`; for an array, every image is
        checked before any is evaluated.
    """
    if isinstance(examples, (list, tuple)) and len(examples) == 0:
        return _empty_activations(model, layer, (0,), model.image_shape, dtype, center_only)
    if isinstance(examples, np.ndarray) and examples.ndim > 3:
        nesting, image_shape = examples.shape[:-3], examples.shape[-3:]
        if examples.size == 0:
            return _empty_activations(model, layer, nesting, image_shape, dtype, center_only)
        check_images(examples.reshape((-1,) + image_shape), list(np.ndindex(*nesting)))
        if ind_shape is None:
            ind_shape = nesting
    return get_activations_iter(
        model,
        layer,
        _enumerate_nd(examples),
        batch_size=batch_size,
        dtype=dtype,
        ind_shape=ind_shape,
        center_only=center_only,
    )


def _enumerate_nd(data, index=()):
    """Yields ``(index, image)`` for every `[h, w, c]` array nested in arrays / lists."""
    if isinstance(data, np.ndarray) and data.ndim <= 3:
        yield index, data
    elif isinstance(data, (np.ndarray, list, tuple)):
        for i, item in enumerate(data):
            yield from _enumerate_nd(item, index + (i,))
    else:
        raise TypeError(
            f"examples must be images ([h, w, 3] numpy arrays) nested in arrays, lists or "
            f"tuples; found a {type(data).__name__} at index {index}."
        )


def _batches(iterable, batch_size):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, batch_size)):
        yield batch


def _stack(images):
    shapes = {np.shape(image) for image in images}
    if len(shapes) > 1:
        raise ValueError(
            f"Images evaluated in one batch must have the same shape; got {sorted(shapes)}. "
            "Resize them, or use batch_size=1."
        )
    return np.stack(images)


def _empty_activations(model, layer, nesting, image_shape, dtype, center_only):
    """`nesting + layer shape` zeros, the layer's shape read from the graph, not by running it."""
    if not image_shape or None in tuple(image_shape):
        raise ValueError(
            f"examples is empty and {model.name} has no fixed image_shape ({image_shape}), so "
            "the layer's shape is unknown. Pass an empty [0, h, w, c] array instead."
        )
    with tf.Graph().as_default():
        t_images = tf.placeholder(tf.float32, [None, *image_shape])
        t_layer = model.import_graph(t_images, forget_xy_shape=False)(getattr(layer, "name", layer))
        shape = t_layer.shape[1:]
        if shape.is_fully_defined():
            shape = shape.as_list()
        else:
            # Ops such as a Reshape to -1 hide the shape from inference: run on no images.
            with tf.Session() as sess:
                shape = sess.run(t_layer, {t_images: np.zeros([0, *image_shape])}).shape[1:]
        acts = np.zeros([0, *shape], dtype or t_layer.dtype.as_numpy_dtype)
    if center_only:
        acts = _center(acts, layer)
    return acts.reshape(tuple(nesting) + acts.shape[1:])


def _as_index(index):
    return tuple(index) if isinstance(index, (tuple, list)) else (int(index),)


def _center(acts, layer):
    if acts.ndim != 4:
        raise ValueError(
            f"center_only=True needs a [batch, h, w, c] layer; {layer!r} has shape {acts.shape}."
        )
    return acts[:, acts.shape[1] // 2, acts.shape[2] // 2]


def _new_accumulators(ind_shape, acts, reducer):
    if ind_shape is None:
        return {}, {}
    fill = -np.inf if reducer == "max" else 0
    totals = np.full(tuple(ind_shape) + acts.shape[1:], fill, dtype=acts.dtype)
    return totals, np.zeros(tuple(ind_shape), dtype=np.int64)


def _accumulate(totals, counts, index, act, reducer):
    value = act**2 if reducer == "rms" else act
    if isinstance(totals, dict) and index not in totals:
        totals[index], counts[index] = value.copy(), 1
        return
    if reducer == "max":
        totals[index] = np.maximum(totals[index], value)
    else:
        totals[index] = totals[index] + value
    counts[index] += 1


def _finish(totals, counts, reducer, ind_shape):
    if isinstance(totals, dict):
        rank = len(next(iter(totals)))
        shape = tuple(max(index[d] for index in totals) + 1 for d in range(rank))
        act = next(iter(totals.values()))
        array = np.zeros(shape + act.shape, dtype=act.dtype)
        count_array = np.zeros(shape, dtype=np.int64)
        for index, total in totals.items():
            array[index], count_array[index] = total, counts[index]
        totals, counts = array, count_array
    seen = counts > 0
    extra_axes = (slice(None),) * counts.ndim + (None,) * (totals.ndim - counts.ndim)
    n = np.maximum(counts, 1)[extra_axes]
    if reducer == "mean":
        result = totals / n
    elif reducer == "rms":
        result = np.sqrt(totals / n)
    else:
        result = totals
    result = np.where(seen[extra_axes], result, 0)
    return result.astype(totals.dtype)
