"""Bring your own model: Keras models and SavedModels as Lucid models.

    model = Model.from_keras(keras_model, image_value_range=(0, 1))  # or a .keras / SavedModel path
    render.render_vis(model, "block3_conv2:17")
    model.export("my_model.pb")  # later: Model.load("my_model.pb"), no Keras needed

How a Keras model is converted: its ``call`` is traced once with ``tf.function`` on a
`[batch, h, w, c]` float input in inference mode (``training=False``: BatchNorm uses its moving
statistics, Dropout is the identity), the weights are frozen into constants, and every layer's
output is given its Keras name in a plain GraphDef whose input Placeholder is ``input``.
What is exposed (``model.layers``, in the order the layers run):

* ``name``: the output of each layer the model calls, Sequential, functional or subclassed
  (sublayers assigned as attributes are tracked by Keras). The input layer is skipped, and so
  are layers whose output is not a single float tensor of rank 2 or more.
* ``name_pre_relu``: the pre-activation of a layer with a fused activation (``Conv2D(...,
  activation="relu")``, ``Dense(..., activation="softmax")``...), whatever the activation is.
* ``outer/inner``: the layers of a nested model or layer (a backbone inside a classifier is
  ``backbone`` for its output and ``backbone/block1_conv1`` for its layers).
* ``output``: the model's output, when no layer produces it (a subclassed model ending with
  plain TensorFlow ops). Other plain ops inside a subclassed ``call`` have no name.

A layer called more than once exposes its first call. Tags: ``conv`` for `[batch, h, w, c]`
outputs, ``dense`` for `[batch, c]`, plus ``pre_relu``. Layer names that are not valid graph
names have their other characters replaced by ``_``.

A SavedModel directory that is not a Keras file is frozen from its serving signature; its
layers are the top-level name scopes of the graph (e.g. ``conv1_1`` when Keras added a
suffix while tracing), with ``name_pre_relu`` where a scope ends with an activation, plus the
signature's outputs by key. Nested scopes are not split: load a Keras model or ``.keras`` file
for finer names.

Only channels-last models with one float image input are supported; Keras 3 (TensorFlow
backend) and, if installed, ``tf_keras`` models.
"""

import os

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.modelzoo import util
from lucid.modelzoo.image_input import check_value_range
from lucid.modelzoo.keras_import_graph import INPUT_NAME
from lucid.modelzoo.keras_import_graph import assemble
from lucid.modelzoo.keras_import_graph import valid_name
from lucid.modelzoo.keras_import_saved_model import discover_scopes
from lucid.modelzoo.keras_import_saved_model import signature_input_name
from lucid.modelzoo.keras_import_saved_model import signature_outputs
from lucid.modelzoo.keras_import_saved_model import single_image_spec
from lucid.modelzoo.keras_import_tracing import Recorder
from lucid.modelzoo.keras_import_tracing import eager_mode
from lucid.modelzoo.keras_import_tracing import freeze
from lucid.modelzoo.keras_import_tracing import shape_tags
from lucid.modelzoo.layer import layers_from_list_of_dicts
from lucid.modelzoo.vision_base import Model

_KERAS_FILE_EXTENSIONS = (".keras", ".h5", ".hdf5")


class ConvertedModel(Model):
    """A model converted in memory by ``Model.from_keras`` / ``Model.from_saved_model``.

    It has no ``model_path``: the graph lives in ``graph_def`` (kept when pickled). Save it
    with ``model.export(path)`` and load it anywhere with ``Model.load(path)``.
    """

    _blacklist = []

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)


def from_keras(
    model_or_path, image_value_range, input_shape=None, is_BGR=False, name=None
) -> Model:
    """See ``Model.from_keras``."""
    path = _as_path(model_or_path)
    if path is not None and os.path.isdir(path):
        return from_saved_model(
            path, image_value_range, input_shape=input_shape, is_BGR=is_BGR, name=name
        )
    keras_model = _load_keras_file(path) if path is not None else model_or_path
    _check_keras_model(keras_model)
    image_shape = _keras_image_shape(keras_model, input_shape)
    image_value_range = check_value_range(
        image_value_range, image_shape[-1], name or keras_model.name
    )
    graph_def, layers = keras_to_graph_def(keras_model, image_shape)
    return _make_model(
        graph_def, layers, image_shape, image_value_range, is_BGR, name or keras_model.name
    )


def from_saved_model(
    path, image_value_range, signature="serving_default", input_shape=None, is_BGR=False, name=None
) -> Model:
    """See ``Model.from_saved_model``."""
    path = _as_path(path)
    if path is None or not os.path.isfile(os.path.join(path, "saved_model.pb")):
        raise ValueError(
            f"path must be a SavedModel directory (containing saved_model.pb); got "
            f"{path!r}. For a Keras file (.keras, .h5) or a Keras model use Model.from_keras."
        )
    with eager_mode():
        loaded = tf.compat.v2.saved_model.load(path)
        if signature not in loaded.signatures:
            raise ValueError(
                f"signature={signature!r} is not in the SavedModel at {path!r}; it has "
                f"{sorted(loaded.signatures)}. Pass one of them as signature=."
            )
        function = loaded.signatures[signature]
        spec = single_image_spec(function, path)
        image_shape = _merge_shapes(tuple(spec.shape[1:]), input_shape, f"SavedModel {path!r}")
        image_value_range = check_value_range(
            image_value_range, image_shape[-1], name or f"the SavedModel at {path!r}"
        )
        if tuple(spec.shape[1:]) != image_shape:
            function = tf.function(function).get_concrete_function(
                **{signature_input_name(function): tf.TensorSpec([None, *image_shape], spec.dtype)}
            )
        frozen = freeze(function, f"the SavedModel at {path!r}")
    frozen_graph_def = frozen.graph.as_graph_def()
    input_tensor = frozen.inputs[0].name
    named_outputs = discover_scopes(frozen_graph_def, input_tensor, image_shape)
    for key, tensor in signature_outputs(function, frozen):
        named_outputs.append((valid_name(key), tensor, shape_tags(tensor.shape)))
    graph_def, layers = assemble(frozen_graph_def, input_tensor, image_shape, named_outputs)
    name = name or os.path.basename(os.path.normpath(path))
    return _make_model(graph_def, layers, image_shape, image_value_range, is_BGR, name)


def export(model, path):
    """See ``Model.export``: writes ``model.graph_def`` with Lucid's metadata (and layers)."""
    graph_def = tf.GraphDef()
    graph_def.CopyFrom(model.graph_def)
    metadata = {
        "input_name": model.input_name,
        "image_shape": model.image_shape,
        "image_value_range": model.image_value_range,
        "is_BGR": bool(model.is_BGR),
        "model_name": model.name,
        "layers": [
            {"name": layer.name, "depth": layer.depth, "tags": sorted(layer.tags)}
            for layer in model.layers
        ],
    }
    util.infuse_metadata(graph_def, metadata)
    util.write_graph_def(graph_def, path)
    return graph_def


def keras_to_graph_def(keras_model, image_shape):
    """Freezes a Keras model into a GraphDef with one named node per layer output.

    Args:
      keras_model: a built Keras model (or layer) taking one channels-last image.
      image_shape: ``(h, w, c)`` to trace with; ``h`` and ``w`` may be None (any size).

    Returns:
      ``(graph_def, layers)``: the GraphDef (input Placeholder ``input``, `[batch, h, w, c]`
      float32 in the model's own value range) and ``[{"name", "depth", "tags"}, ...]``.
    """
    _build(keras_model, image_shape)
    paths = _layer_paths(keras_model)
    recorder = Recorder(paths)
    spec = tf.TensorSpec([None, *image_shape], tf.float32)
    with eager_mode():
        with recorder.patched():
            try:
                function = tf.function(recorder.run_with(keras_model)).get_concrete_function(spec)
            except Exception:
                # tf.function and Keras re-wrap errors; raise the one naming the layer.
                if recorder.error is None:
                    raise
                raise recorder.error from recorder.error.__cause__
        frozen = freeze(function, f"Keras model {keras_model.name!r}")
    named = [(name, tensor, tags) for (name, tags), tensor in zip(recorder.entries, frozen.outputs)]
    return assemble(frozen.graph.as_graph_def(), frozen.inputs[0].name, image_shape, named)


# -- loading and checking ------------------------------------------------------------------


def _as_path(model_or_path):
    if isinstance(model_or_path, (str, os.PathLike)):
        return os.fspath(model_or_path)
    return None


def _load_keras_file(path):
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such Keras file or SavedModel directory: {path!r}.")
    if not path.lower().endswith(_KERAS_FILE_EXTENSIONS):
        raise ValueError(
            f"model_or_path={path!r} is neither a SavedModel directory nor a Keras file "
            f"({', '.join(_KERAS_FILE_EXTENSIONS)}). Pass a Keras model object, a .keras file "
            "saved with model.save(path), or a SavedModel directory."
        )
    import keras

    return keras.models.load_model(path, compile=False)


def _keras_classes():
    import keras

    classes = [keras.layers.Layer]
    try:
        import tf_keras
    except ImportError:
        pass
    else:
        classes.append(tf_keras.layers.Layer)
    return tuple(classes)


def _check_keras_model(keras_model):
    if not isinstance(keras_model, _keras_classes()):
        raise TypeError(
            f"model_or_path must be a Keras model, a .keras file or a SavedModel directory; got "
            f"{type(keras_model).__name__}. For a TF1 graph, use Model.save in its session."
        )
    import keras

    if isinstance(keras_model, keras.layers.Layer) and keras.backend.backend() != "tensorflow":
        raise ValueError(
            f"Lucid converts Keras models through TensorFlow, but the Keras backend is "
            f"{keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before importing keras, "
            "or save the model (model.save('m.keras')) and convert the file in such a process."
        )
    for _, layer in _layer_paths(keras_model).values():
        if getattr(layer, "data_format", None) == "channels_first":
            raise ValueError(
                f"Layer {layer.name!r} uses data_format='channels_first', but Lucid feeds "
                "channels-last images [batch, h, w, c]. Rebuild the model with channels-last "
                "layers (keras.config.set_image_data_format('channels_last')) and copy the "
                "weights, transposing the input with a Permute((2, 3, 1)) layer if needed."
            )


def _keras_image_shape(keras_model, input_shape):
    inputs = getattr(keras_model, "inputs", None)
    what = f"Keras model {keras_model.name!r}"
    if inputs:
        if len(inputs) != 1:
            raise ValueError(
                f"{what} has {len(inputs)} inputs; Lucid models take one image. Wrap it in a "
                "model with one image input, building or fixing the other inputs inside."
            )
        dtype = tf.as_dtype(inputs[0].dtype)
        if not dtype.is_floating:
            raise ValueError(
                f"{what} takes {dtype.name} images; Lucid optimises float images. Rebuild it "
                "with keras.Input(..., dtype='float32') and copy the weights."
            )
        declared = tuple(inputs[0].shape[1:])
    else:  # subclassed models have no inputs; Keras remembers the shape they were built with
        shapes = getattr(keras_model, "_build_shapes_dict", None) or {}
        declared = next((tuple(s)[1:] for s in shapes.values() if s is not None), None)
    return _merge_shapes(declared, input_shape, what)


def _merge_shapes(declared, input_shape, what):
    if input_shape is not None:
        shape = tuple(input_shape)
        if len(shape) != 3 or not isinstance(shape[2], (int, np.integer)):
            raise ValueError(
                f"input_shape must be (height, width, channels), height and width may be None; "
                f"got {input_shape!r}."
            )
        if declared is not None and len(declared) == 3 and declared[2] not in (None, shape[2]):
            raise ValueError(
                f"input_shape={input_shape!r} has {shape[2]} channels but {what} takes "
                f"{declared[2]}."
            )
        return tuple(None if d is None else int(d) for d in shape)
    if declared is None or len(declared) != 3 or declared[2] is None:
        raise ValueError(
            f"{what} has no defined image input shape (got {declared!r}; expected (height, "
            "width, channels), height and width may be None). Pass input_shape=(h, w, c), or "
            "give the model a keras.Input(shape=(h, w, c)), or call it once on a batch of images."
        )
    return tuple(None if d is None else int(d) for d in declared)


def _build(keras_model, image_shape):
    if keras_model.built and all(layer.built for _, layer in _layer_paths(keras_model).values()):
        return
    if None in image_shape:
        raise ValueError(
            f"Keras model {keras_model.name!r} is not built (some weights do not exist yet) and "
            f"its input size {image_shape} is not fully known. Call it once on a batch of "
            "images, or pass input_shape=(h, w, c) with a height and width."
        )
    with eager_mode():
        keras_model(np.zeros([1, *image_shape], np.float32), training=False)


def _sublayers(layer):
    if hasattr(layer, "_flatten_layers"):
        children = layer._flatten_layers(include_self=False, recursive=False)
    else:
        children = getattr(layer, "layers", [])
    return [child for child in children if type(child).__name__ != "InputLayer"]


def _layer_paths(keras_model):
    """``{id(layer): "outer/inner"}`` for every (nested) layer, first path wins."""
    paths = {}

    def visit(layer, prefix):
        for child in _sublayers(layer):
            if id(child) not in paths:
                paths[id(child)] = (prefix + valid_name(child.name), child)
                visit(child, paths[id(child)][0] + "/")

    visit(keras_model, "")
    return paths


def _make_model(graph_def, layers, image_shape, image_value_range, is_BGR, name):
    model = ConvertedModel()
    model.model_name = name
    model.input_name = INPUT_NAME
    model.image_shape = list(image_shape)
    model.image_value_range = image_value_range
    model.is_BGR = bool(is_BGR)
    model._graph_def = graph_def
    model.layers = layers_from_list_of_dicts(model, layers)
    return model
