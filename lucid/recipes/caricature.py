"""Feature inversion and caricatures: images a model sees the way it sees a given image.

:func:`caricature` optimises one image per layer so that the layer's activations on it
point the same way as on the input image (:func:`dot_compare`). At a low layer this
reconstructs the image ("feature inversion"); at higher layers it exaggerates what the
layer detects in it ("caricature"). The input image is the first item of the batch, so the
random transforms move it and the images being optimised together.

:func:`make_caricature` runs that over every layer of a model read from disk and saves the
results. It computes everything before writing anything, and removes what it wrote if a
later write fails, so a failed run leaves no half-written output.

References: Olah et al., "Feature Visualization", Distill 2017; Mahendran & Vedaldi,
"Understanding Deep Image Representations by Inverting Them", CVPR 2015.
"""

import logging
import os
from typing import List
from typing import Sequence
from typing import Union

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.misc import ndimage_utils
from lucid.misc.io import load
from lucid.misc.io import save
from lucid.misc.io import showing
from lucid.misc.io.scoping import scope_url
from lucid.modelzoo.vision_base import Layer
from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis import transform

log = logging.getLogger(__name__)

LayerSpec = Union[str, Layer]


@objectives.wrap_objective()
def dot_compare(layer, batch=1, cossim_pow=0):
    """How much image ``batch`` excites ``layer`` the way image 0 does.

    With ``a0 = T(layer)[0]`` and ``ab = T(layer)[batch]`` (each ``[h, w, C]`` or ``[C]``),
    returns ``dot * max(0.1, dot / (1e-6 + |ab|)) ** cossim_pow`` where
    ``dot = sum(a0 * ab)``. As in Lucid, the "cosine" is ``|a0| cos(a0, ab)``: it is not
    divided by ``|a0|``, which is a constant while ``ab`` is optimised.

    Args:
      layer: layer name (or ``Layer``) of the model.
      batch: index of the image compared with image 0.
      cossim_pow: weight of the angle between the two activations; 0 gives the plain dot
        product.
    """
    layer_name = getattr(layer, "name", layer)

    def inner(T):
        acts = T(layer_name)
        a0, ab = acts[0], acts[batch]
        dot = tf.reduce_sum(a0 * ab)
        cossim = dot / (1e-6 + tf.sqrt(tf.reduce_sum(ab**2)))
        return dot * tf.maximum(0.1, cossim) ** cossim_pow

    return inner


def _layer_names(layer) -> List[str]:
    if isinstance(layer, (str, Layer)):
        layers = [layer]
    elif isinstance(layer, (list, tuple)) and layer:
        layers = list(layer)
    else:
        raise TypeError(
            f"caricature: layer must be a layer name, a Layer, or a non-empty list of them; "
            f"got {layer!r}."
        )
    for item in layers:
        if not isinstance(item, (str, Layer)):
            raise TypeError(
                f"caricature: every layer must be a name (str) or a Layer; got {item!r} in {layer!r}."
            )
    return [getattr(item, "name", item) for item in layers]


def _prepare_image(img, model) -> np.ndarray:
    """``img`` as float32 `[h, w, 3]`, resized to the model's input size when it has one."""
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[-1] != 3:
        hint = " Drop the alpha channel with img[..., :3]." if img.ndim == 3 else ""
        raise ValueError(
            f"caricature: img must be one RGB image [height, width, 3]; got shape {img.shape}.{hint}"
        )
    if not np.issubdtype(img.dtype, np.floating) or img.min() < 0 or img.max() > 1:
        raise ValueError(
            f"caricature: img must hold floats in [0, 1]; got dtype {img.dtype} with values in "
            f"[{img.min()}, {img.max()}]. For uint8 images use img / 255."
        )
    size = tuple(model.image_shape[:2]) if model.image_shape is not None else (None, None)
    if None not in size:
        # Bilinear: unlike the default spline it cannot overshoot [0, 1].
        img = ndimage_utils.resize(img, size, order=1)
    return img.astype(np.float32)


def caricature(
    img: np.ndarray,
    model: Model,
    layer: Union[LayerSpec, Sequence[LayerSpec]],
    n_steps: int = 512,
    cossim_pow: float = 0.0,
    verbose: bool = True,
    progress: bool = True,
) -> np.ndarray:
    """Optimises one image per layer to match ``img``'s activations at that layer.

    Args:
      img: `[h, w, 3]` float RGB image in `[0, 1]`; resized (bilinearly) to the model's
        ``image_shape[:2]`` when that is known.
      model: a ``lucid.modelzoo.vision_base.Model``.
      layer: a layer name or ``Layer``, or a list or tuple of L of them.
      n_steps: optimisation steps (Adam, learning rate 0.05).
      cossim_pow: passed to :func:`dot_compare`.
      verbose: show the caricatures, labelled by layer, when done.
      progress: show a progress bar over the steps.

    Returns:
      float32 `[1 + L, h, w, 3]` in `[0, 1]`: item 0 is the (resized) input image, item
      ``i + 1`` the image optimised for the i-th layer.

    Raises:
      TypeError: ``layer`` is not a name, a Layer or a non-empty list of them.
      ValueError: ``img`` is not one RGB image in `[0, 1]`, or a layer is not in the model.
    """
    from tqdm.auto import tqdm

    layers = _layer_names(layer)
    img = _prepare_image(img, model)
    h, w = img.shape[:2]
    graph = tf.Graph()
    with graph.as_default(), tf.Session(graph=graph) as sess:
        t_input = tf.placeholder(tf.float32, img.shape)
        t_params = param.image(w, h=h, batch=len(layers), decorrelate=True, fft=True)
        t_image = tf.concat([t_input[None], t_params], 0)
        objective = objectives.Objective.sum(
            [dot_compare(name, batch=i + 1, cossim_pow=cossim_pow) for i, name in enumerate(layers)]
        )
        transforms = transform.standard_transforms + [transform.crop_or_pad_to(h, w)]
        T = render.make_vis_T(model, objective, t_image, transforms=transforms)
        vis_op = T("vis_op")
        sess.run(tf.global_variables_initializer())
        for _ in tqdm(range(n_steps), desc="caricature", unit="step", disable=not progress):
            sess.run(vis_op, {t_input: img})
        result = sess.run(t_image, {t_input: img})
    if verbose:
        showing.images(result[1:], layers)
    return result


def feature_inversion(*args, **kwargs) -> np.ndarray:
    """Alias of :func:`caricature` (Lucid's name for it in ``modelzoo.ipynb``)."""
    return caricature(*args, **kwargs)


def _load_model(model_or_url) -> Model:
    if isinstance(model_or_url, Model):
        return model_or_url
    url = os.fspath(model_or_url)
    if url.lower().endswith((".pb", ".json")):
        return Model.load(url)
    # Lucid's SerializedModel.from_directory: a folder holding manifest.json.
    return Model.load_from_manifest(url.rstrip("/") + "/manifest.json")


def _model_layer_names(model) -> List[str]:
    names = getattr(model, "layer_names", None) or [layer.name for layer in model.layers]
    if not names:
        raise ValueError(
            f"make_caricature: {model.name} declares no layers, so there is nothing to "
            "caricature. List them under 'layers' in the manifest (or give the Model layers)."
        )
    return list(names)


def _join(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


def _save_all(items):
    """Saves ``(thing, url)`` pairs in order; if one fails, deletes those already written."""
    written = []
    try:
        for thing, url in items:
            save(thing, url)
            written.append(scope_url(url))
    except BaseException:
        for path in reversed(written):
            try:
                tf.io.gfile.remove(path)
            except (OSError, tf.errors.OpError) as error:
                log.warning("make_caricature: could not remove %s after a failure: %s", path, error)
        raise


def make_caricature(image_url: str, saved_model_folder_url, to: str, *args, **kwargs) -> dict:
    """Caricatures an image at every layer of a saved model and saves the results.

    Args:
      image_url: path or URL of the input image (loaded with ``lucid.misc.io.load``).
      saved_model_folder_url: a folder with a ``manifest.json`` (as Lucid's
        ``SerializedModel.from_directory``), a ``.pb``/``.json`` that ``Model.load``
        reads, or a ``Model``. Its declared layers are all caricatured.
      to: output folder (local path or ``gs://``).
      *args, **kwargs: passed to :func:`caricature` (e.g. ``n_steps``), except ``verbose``.

    Returns:
      The dict also written to ``<to>/results.json``: ``{"type": "caricature",
      "input_image": image_url, "values": [{"type": "image", "url": ..., "shape": [h, w,
      3]}, ...]}`` with one value per layer, saved as ``<to>/<layer name>.jpg`` (a ``/`` in a
      name makes a subfolder). The resized input is saved as ``<to>/input.jpg``.

    Nothing is written until every caricature is computed, and a failed write removes
    the files written before it, so a failure leaves no partial results.
    """
    image = load(image_url)
    model = _load_model(saved_model_folder_url)
    layers = _model_layer_names(model)
    kwargs["verbose"] = False
    caricatures = caricature(image, model, layers, *args, **kwargs)

    values = []
    items = [(caricatures[0], _join(to, "input.jpg"))]
    for single, layer_name in zip(caricatures[1:], layers):
        url = _join(to, layer_name + ".jpg")
        items.append((single, url))
        values.append({"type": "image", "url": url, "shape": list(single.shape)})
    results = {"type": "caricature", "input_image": image_url, "values": values}
    items.append((results, _join(to, "results.json")))  # last: its presence marks success
    _save_all(items)
    return results
