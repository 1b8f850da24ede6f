"""Image tours: a few dataset images, each followed through the network.

For each of ``count`` images of the build's image set, and each chosen layer, the ``top``
rendered units that the image activates most, ranked by the channel's maximum over positions
on that image (a dense unit's value), rounded to 6 decimals. The images are spread evenly over the set (indices
``k * n // count``), so a set sorted by class shows several classes; one forward pass
computes every layer (``dataset_examples.channel_maxima``, which also feeds one-channel
models grey pictures). Ties rank the lower unit first.

Files, in ``M/images/`` (``M`` the model directory), one result per image ``K``:

* ``image-00K.png``: the image, upscaled as the dataset examples are;
* ``image-00K.json``, written last (the commit marker): ``{"caption", "file", "layers":
  [{"layer", "dir", "units": [{"unit", "activation"}, ...]}, ...], "params", "files"}``.

A tour is redone only when its ``params`` (model, image set, image index, layers and units,
``top``, Lucid version) change; tours past ``count`` left by an earlier build are removed.
"""

import os
import re
from typing import Dict
from typing import List
from typing import Sequence

import numpy as np

import lucid
from lucid.microscope import dataset_examples
from lucid.microscope import layout
from lucid.microscope import results

IMAGES_DIR = layout.IMAGES_DIR
_TOUR_FILE = re.compile(r"image-(\d{3,})\.(json|png)")


def tour_stem(k: int) -> str:
    """``"image-003"``: the file stem of the ``k``-th tour."""
    return f"image-{int(k):03d}"


def tour_indices(num_images: int, count: int) -> List[int]:
    """The indices of the ``count`` images toured among ``num_images``, spread evenly."""
    count = min(count, num_images)
    return [k * num_images // count for k in range(count)]


def tour_params(
    model_name: str,
    image_set: dataset_examples.ImageSet,
    index: int,
    units_by_layer: Dict[str, Sequence[int]],
    top: int,
) -> dict:
    """The parameters recorded with (and identifying) one image's tour."""
    return {
        "model": model_name,
        "kind": "image-tour",
        "images": image_set.fingerprint,
        "index": index,
        "layers": [[name, [int(u) for u in units]] for name, units in units_by_layer.items()],
        "top": top,
        "version": lucid.__version__,
    }


def top_units(maxima: np.ndarray, units: Sequence[int], top: int) -> List[dict]:
    """The ``top`` of ``units`` with the highest ``maxima`` (`[channels]`), highest first.

    Returns:
      ``[{"unit": int, "activation": float}, ...]``, activations rounded to 6 decimals;
      activations equal once rounded rank the lower unit first (so float noise in a tie of
      zeros does not decide the order).
    """
    rounded = {int(unit): round(float(maxima[unit]), 6) for unit in units}
    ranked = sorted(rounded, key=lambda unit: (-rounded[unit], unit))[:top]
    return [{"unit": unit, "activation": rounded[unit]} for unit in ranked]


def write_image_tours(
    model,
    model_dir: str,
    info: dict,
    image_set: dataset_examples.ImageSet,
    layers: Sequence[dict],
    units_by_layer: Dict[str, Sequence[int]],
    count: int = 4,
    top: int = 8,
) -> int:
    """Writes the tours of ``count`` images of ``image_set`` not done yet; returns how many.

    Args:
      model: the lucid ``Model``.
      model_dir: the model's atlas directory ``M/``; tours go to ``M/images/``.
      info: ``build.describe_model(model)``.
      image_set: from ``dataset_examples.load_images`` at the model's input size.
      layers: the chosen layers, as dicts of ``info["layers"]`` (``name``, ``dir``).
      units_by_layer: ``{layer name: rendered units}``; only these are ranked.
      count: images to tour (0: none; at most the set's size).
      top: units listed per layer.

    Raises:
      ValueError: ``count`` below 0, ``top`` below 1, or a layer that is not in ``info``
        or has no entry in ``units_by_layer``.
    """
    if count < 0 or top < 1:
        raise ValueError(
            f"image tours need count >= 0 and top >= 1; got count={count!r}, top={top!r}."
        )
    _check_layers(info, layers, units_by_layer)
    directory = os.path.join(model_dir, IMAGES_DIR)
    indices = tour_indices(len(image_set.images), count)
    units = {layer["name"]: list(units_by_layer[layer["name"]]) for layer in layers}
    params = [tour_params(model.name, image_set, i, units, top) for i in indices]
    _remove_stale_tours(directory, len(indices))
    todo = [
        k for k in range(len(indices)) if not results.is_done(directory, tour_stem(k), params[k])
    ]
    if not todo:
        return 0
    maxima = dataset_examples.channel_maxima(
        model, list(units), image_set.images[[indices[k] for k in todo]]
    )
    for row, k in enumerate(todo):
        image = image_set.images[indices[k]]
        tour_layers = [
            {
                "layer": layer["name"],
                "dir": layer["dir"],
                "units": top_units(maxima[layer["name"]][row], units[layer["name"]], top),
            }
            for layer in layers
        ]
        results.write_result(
            directory,
            tour_stem(k),
            params[k],
            {"": dataset_examples.highlight(image, None)},
            caption=image_set.captions[indices[k]],
            file=tour_stem(k) + ".png",
            layers=tour_layers,
        )
    return len(todo)


def _check_layers(info, layers, units_by_layer):
    known = {layer["name"] for layer in info["layers"]}
    for layer in layers:
        if layer["name"] not in known:
            raise ValueError(
                f"image tours: layer {layer['name']!r} is not a layer of {info['name']} "
                f"(known: {sorted(known)}); pass dicts from describe_model(model)['layers']."
            )
        if layer["name"] not in units_by_layer:
            raise ValueError(
                f"image tours: units_by_layer has no entry for layer {layer['name']!r}; give "
                "the rendered units of every chosen layer."
            )


def _remove_stale_tours(directory: str, count: int) -> None:
    """Removes tours numbered ``count`` and up (each JSON, the commit marker, before its PNG)."""
    try:
        names = sorted(os.listdir(directory), key=lambda name: not name.endswith(".json"))
    except FileNotFoundError:
        return
    for name in names:
        match = _TOUR_FILE.fullmatch(name)
        if match and int(match.group(1)) >= count:
            os.remove(os.path.join(directory, name))
