"""Models described by files: Lucid's metadata node, ``manifest.json`` and ``Model.save``.

``Model.save`` freezes a graph and embeds ``{"input_name", "image_shape",
"image_value_range"}`` (plus ``is_BGR``, ``model_name`` and ``layers`` when written by
``Model.export``) in it; ``Model.load`` reads that back, or a manifest naming a frozen
graph. The functions here read and check those descriptions and fill in a model object
given to them, so this module needs no ``Model`` class (``vision_base`` builds on it).
"""

import os

from lucid.modelzoo import util
from lucid.modelzoo._save_args import check_image_metadata
from lucid.modelzoo.image_input import check_value_range
from lucid.modelzoo.layer import layers_from_list_of_dicts

METADATA_KEYS = ("input_name", "image_shape", "image_value_range")
MANIFEST_KEYS = ("model_path", "image_value_range", "input_name", "image_shape")


def save_frozen_graph(save_url, input_name, output_names, image_shape, image_value_range):
    """Implements ``Model.save``: checks the arguments, freezes, embeds metadata, writes.

    Returns:
      The frozen ``tf.GraphDef`` written to ``save_url``.
    """
    if not isinstance(input_name, str) or ":" in input_name:
        raise ValueError(
            f"input_name must be an op name such as 'input', not a tensor name; got {input_name!r}."
        )
    if isinstance(output_names, str) or not all(isinstance(n, str) for n in output_names):
        raise TypeError(f"output_names must be a list of op names; got {output_names!r}.")
    if any(":" in name for name in output_names):
        raise ValueError(
            f"output_names must be op names such as 'Softmax', not tensor names; got {output_names!r}."
        )
    check_image_metadata(image_shape, image_value_range)
    metadata = {
        "input_name": input_name,
        "image_shape": image_shape,
        "image_value_range": image_value_range,
    }
    graph_def = util.frozen_default_graph_def([input_name], list(output_names))
    util.infuse_metadata(graph_def, metadata)
    util.write_graph_def(graph_def, save_url)
    return graph_def


def describe_from_metadata(model, model_url, metadata):
    """Sets ``model``'s path, input, value range, channel order, name and layers from metadata.

    Raises:
      ValueError: a key of ``METADATA_KEYS`` is missing, or the value range is not
        ``(low, high)`` with ``low < high`` (naming the model, or ``model_url``).
    """
    missing = [key for key in METADATA_KEYS if key not in metadata]
    if missing:
        raise ValueError(f"metadata for {model_url!r} lacks {missing}; got {metadata!r}.")
    model.model_path = model_url
    model.model_name = metadata.get("model_name")
    model.input_name = metadata["input_name"]
    model.image_shape = metadata["image_shape"]
    model.image_value_range = metadata["image_value_range"]
    check_value_range(
        model.image_value_range,
        _channels(model.image_shape),
        model.model_name or f"the model at {model_url!r}",
    )
    # Written by Model.export; absent from graphs saved by Model.save.
    model.is_BGR = bool(metadata.get("is_BGR", False))
    model.layers = layers_from_list_of_dicts(model, metadata.get("layers") or [])
    return model


def embedded_metadata(graph_def, graphdef_url) -> dict:
    """The metadata ``Model.save`` embedded in ``graph_def``; a clear error if there is none."""
    metadata = util.extract_metadata(graph_def)
    if not metadata:
        raise ValueError(
            f"The GraphDef at {graphdef_url!r} does not contain Lucid's metadata node "
            f"({util.metadata_node_name!r}). Model.load only works for models saved with "
            "Model.save; for other graphs call Model.load_from_metadata(url, metadata)."
        )
    return metadata


def read_manifest(manifest_url) -> dict:
    """The parsed ``manifest.json`` of a frozen model (``"type": "frozen"``, the default)."""
    try:
        manifest = util.load_json(manifest_url)
    except ValueError as e:
        raise ValueError(f"Could not parse the manifest {manifest_url!r} as JSON: {e}") from e
    model_type = manifest.get("type", "frozen")
    if model_type != "frozen":
        raise NotImplementedError(
            f"Manifest {manifest_url!r} has type {model_type!r}; only 'frozen' models are supported."
        )
    return manifest


def describe_from_manifest(model, model_directory, manifest):
    """Sets every manifest key but ``labels`` as an attribute of ``model`` (``FrozenGraphModel``).

    Raises:
      ValueError: a key of ``MANIFEST_KEYS`` is missing, or the value range is invalid.
    """
    missing = [key for key in MANIFEST_KEYS if key not in manifest]
    if missing:
        raise ValueError(
            f"The manifest in {model_directory!r} lacks the mandatory keys {missing}; "
            f"expected all of {list(MANIFEST_KEYS)}. Got keys {sorted(manifest)}."
        )
    model.manifest = manifest
    for key, value in manifest.items():
        if key == "labels":  # a path like labels_path, or the labels (the model's own business)
            continue
        if key == "name":
            model.model_name = value
        elif not isinstance(getattr(type(model), key, None), property):
            setattr(model, key, value)
    check_value_range(
        model.image_value_range,
        _channels(model.image_shape),
        f"the model in {model_directory!r}",
    )
    model_path = manifest["model_path"]
    if model_path.startswith("./"):
        model_path = os.path.join(model_directory, model_path[2:])
    model.model_path = model_path
    layers = manifest.get("layers") or []
    if layers and isinstance(layers[0], str):
        layers = [{"name": name, "depth": None, "tags": []} for name in layers]
    model.layers = layers_from_list_of_dicts(model, layers)
    model.layer_names = [layer.name for layer in model.layers]
    return model


def _channels(image_shape):
    return image_shape[-1] if image_shape else None
