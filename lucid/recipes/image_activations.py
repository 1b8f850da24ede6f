"""Activations of several layers of a model on one image."""

import time
from typing import Dict
from typing import Optional
from typing import Sequence

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.misc import ndimage_utils
from lucid.modelzoo.image_input import as_unit_images
from lucid.modelzoo.vision_base import Model


def _check_image(image, model) -> np.ndarray:
    image = np.asarray(image)
    channels = model.image_shape[-1] if model.image_shape else None
    if image.ndim != 3 or (channels is not None and image.shape[-1] != channels):
        raise ValueError(
            f"image_activations: image must be one image [height, width, {channels or 'c'}] "
            f"for {model.name}; got shape {image.shape}."
        )
    # As Model.get_activations: integer images (uint8 photos) are 0..255 and divided by 255.
    image = as_unit_images(image[None])[0]
    size = tuple(model.image_shape[:2]) if model.image_shape else (None, None)
    if None not in size:
        image = ndimage_utils.resize(image, size, order=1)
    return image.astype(np.float32)


def _default_layer_names(model) -> list:
    names = [layer.name for layer in model.layers if "conv" in layer.tags]
    if not names:
        raise ValueError(
            f"image_activations: {model.name} declares no layers tagged 'conv'; pass "
            "layer_names=[...] explicitly."
        )
    return names


def image_activations(
    model: Model, image: np.ndarray, layer_names: Optional[Sequence[str]] = None
) -> Dict[str, np.ndarray]:
    """Runs ``model`` on ``image`` and returns the activations of each layer.

    Args:
      model: a ``lucid.modelzoo.vision_base.Model``.
      image: `[h, w, c]` float image in `[0, 1]`; resized (bilinearly) to the model's
        ``image_shape[:2]`` when that is known.
      layer_names: names (or ``Layer``s) to evaluate; default: every declared layer tagged
        ``"conv"``. A name may name a tensor, e.g. ``"conv1:0"``.

    Returns:
      ``{name: activations}`` with the batch axis dropped: `[h', w', C]` for conv layers,
      `[C]` for dense ones. Keys are the names as given (a ``Layer`` gives its name).
    """
    image = _check_image(image, model)
    if layer_names is None:
        layer_names = _default_layer_names(model)
    names = [getattr(name, "name", name) for name in layer_names]
    graph = tf.Graph()
    with graph.as_default(), tf.Session(graph=graph) as sess:
        t_input = tf.placeholder_with_default(image, image.shape)
        T = model.import_graph(t_input, scope="import")
        tensors = [T(name) for name in names]
        values = sess.run(tensors)
    return {name: value[0] for name, value in zip(names, values)}


def manifest_image_activations(model: Model, image: np.ndarray, **kwargs) -> dict:
    """:func:`image_activations` as a manifest, with the time it took.

    Returns:
      ``{"type": "image-activations", "took": seconds, "values": [{"type": "activations",
      "value": array, "shape": shape, "layer_name": name}, ...]}``, one value per layer.
    """
    start = time.time()
    activations = image_activations(model, image, **kwargs)
    took = time.time() - start
    values = [
        {"type": "activations", "value": value, "shape": value.shape, "layer_name": name}
        for name, value in activations.items()
    ]
    return {"type": "image-activations", "took": took, "values": values}
