"""A layer's caricatures: a few dataset images and how the layer sees them.

For each of ``count`` dataset images (evenly spaced through the image set), an image is
optimised so that the layer's activations on it point the way they do on the dataset image
(``lucid.recipes.caricature.dot_compare``, the objective of ``recipes.caricature``), with
the standard random transforms. At a low layer that reconstructs the picture; higher up it
exaggerates what the layer detects in it.

Unlike ``recipes.caricature`` every image is rendered with a graph-level seed from
``batch.unit_seed(model, layer, k, "caricature", seed)``, so an atlas is reproducible: the
same images on every run, engine and resume. The driver renders them (they need the
dataset images), one graph per image, at the dataset images' size.

The result is ``img/layer-caricature.json`` with
``"pairs": [{"image": file, "caricature": file, "caption": str}]`` and the PNGs
``layer-caricature-image-K.png`` and ``layer-caricature-K.png``.
"""

import os
import time

import numpy as np
import tensorflow.compat.v1 as tf

import lucid
from lucid.microscope import jobs
from lucid.microscope import layout
from lucid.microscope import renderers
from lucid.microscope import results
from lucid.optvis import batch
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis import transform
from lucid.optvis.precision import FLOAT32
from lucid.recipes.caricature import dot_compare

KIND = "caricature"


def chosen_images(image_count: int, count: int):
    """Indices of ``count`` images spread evenly over ``image_count`` (all if fewer)."""
    if count >= image_count:
        return list(range(image_count))
    return [int(i) for i in np.round(np.linspace(0, image_count - 1, count))]


def caricature_params(model_name: str, layer: str, image_set, settings) -> dict:
    """The parameters recorded with (and identifying) a layer's caricatures."""
    params = {
        "model": model_name,
        "layer": layer,
        "unit": None,
        "kind": KIND,
        "steps": settings.steps,
        "seed": settings.seed,
        "count": settings.caricature,
        "images": image_set.fingerprint,
        "version": lucid.__version__,
        **jobs.precision_params(settings),
    }
    return params


def write_layer_caricature(model, model_dir: str, layer: str, layer_dir: str, image_set, settings):
    """Renders and writes the caricatures of ``layer`` unless done; returns 1 if written, else 0.

    Args:
      model: a ``Model`` that reads RGB images.
      image_set: a ``dataset_examples.ImageSet`` (`[n, h, w, 3]` in `[0, 1]`).
      settings: a ``jobs.RenderSettings`` (``caricature`` images, ``steps``, ``seed``,
        ``precision``).
    """
    results_dir = os.path.join(model_dir, layer_dir, layout.RESULTS_DIR)
    params = caricature_params(model.name, layer, image_set, settings)
    if settings.caricature == 0 or results.is_done(results_dir, layout.CARICATURE_STEM, params):
        return 0
    start = time.perf_counter()
    images, pairs = {}, []
    for k, index in enumerate(chosen_images(len(image_set.images), settings.caricature)):
        seed = batch.unit_seed(model.name, layer, k, KIND, settings.seed)
        picture = image_set.images[index]
        images[f"image-{k}"] = picture
        images[str(k)] = render_caricature(model, layer, picture, settings.steps, seed,
                                           settings.precision)  # fmt: skip
        pairs.append(
            {
                "image": f"{layout.CARICATURE_STEM}-image-{k}.png",
                "caricature": f"{layout.CARICATURE_STEM}-{k}.png",
                "caption": image_set.captions[index],
            }
        )
    seconds = round(time.perf_counter() - start, 3)
    results.write_result(
        results_dir, layout.CARICATURE_STEM, params, images, pairs=pairs,
        timing={"seconds": seconds},
    )  # fmt: skip
    return 1


def render_caricature(
    model, layer: str, image: np.ndarray, steps: int, seed: int, precision: str = FLOAT32
) -> np.ndarray:
    """``image``'s caricature at ``layer``: float32 `[h, w, 3]` in `[0, 1]`.

    Args:
      image: `[h, w, 3]` floats in `[0, 1]`, at the size the model reads.
      seed: the graph-level seed of the render (its initial image and random transforms).
    """
    image = np.asarray(image, np.float32)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"caricature: image must be [h, w, 3] RGB; got shape {image.shape}.")
    height, width = image.shape[:2]
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        t_input = tf.constant(image[None])

        def param_f():
            return tf.concat([t_input, param.image(width, h=height, batch=1)], 0)

        T = render.make_vis_T(
            model,
            dot_compare(layer, batch=1),
            param_f,
            transforms=transform.standard_transforms + [transform.crop_or_pad_to(height, width)],
            precision=precision,
        )
    return renderers.optimise(graph, T, steps, precision, "microscope caricature")[1]
