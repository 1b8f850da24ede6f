"""Model and Layer: how Lucid describes and imports a vision network.

A :class:`Model` subclass names a frozen GraphDef (``model_path``) and the facts needed to
feed it: ``input_name``, ``image_shape``, ``image_value_range`` and ``is_BGR``. Lucid images
are always RGB floats in ``[0, 1]``; :meth:`Model.create_input` maps them into the model's
own range and channel order, so objectives and params never need model-specific code.

Graphs and labels load lazily on first use (``model.graph_def``, ``model.labels``), which
may download them once into the cache (see ``lucid.modelzoo.util``).
"""

import difflib
import logging
import os
import warnings

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.modelzoo import model_files
from lucid.modelzoo import util
from lucid.modelzoo.image_input import check_value_range  # noqa: F401 (importable here)
from lucid.modelzoo.layer import Layer  # noqa: F401 (imported from here by recipes, users)
from lucid.modelzoo.layer import LayerNotFoundError
from lucid.modelzoo.layer import layers_from_list_of_dicts
from lucid.modelzoo.vision_base_graph import layer_accessor
from lucid.modelzoo.vision_base_graph import prepare_input
from lucid.modelzoo.vision_base_resources import LazyResources

log = logging.getLogger(__name__)

IMAGENET_MEAN = np.array([123.68, 116.779, 103.939])
IMAGENET_MEAN_BGR = np.flip(IMAGENET_MEAN, 0)


# Lucid's private name, imported by zoo modules and users' notebooks.
_layers_from_list_of_dicts = layers_from_list_of_dicts


class Model(LazyResources):
    """Base class of every model: metadata as class attributes, graph loaded lazily.

    Subclasses set ``model_path`` (a URL or local path of a frozen ``.pb``),
    ``image_shape`` (``[h, w, c]``), ``image_value_range`` (``(lo, hi)`` with ``lo < hi``,
    scalars or per-channel arrays in the model's channel order; checked on import), ``input_name`` and optionally
    ``is_BGR``, ``labels_path``, ``synsets_path``, ``dataset`` and ``layers``.
    """

    model_path = None
    labels_path = None
    synsets_path = None
    image_value_range = (-1, 1)
    image_shape = (None, None, 3)
    input_name = "input"
    is_BGR = False
    layers = ()
    model_name = None
    dataset = None

    _blacklist = ["_graph_def"]

    # -- identity -------------------------------------------------------------------------

    @property
    def name(self):
        return self.model_name or self.__class__.__name__

    def __str__(self):
        return self.name

    def to_json(self):
        return self.name

    def __eq__(self, other):
        if isinstance(other, Model):
            return self.model_path == other.model_path
        return NotImplemented

    def __hash__(self):
        return hash(self.model_path)

    def __getstate__(self):
        return {key: val for key, val in self.__dict__.items() if key not in self._blacklist}

    def __setstate__(self, state):
        self.__dict__.update(state)

    # -- building the graph ---------------------------------------------------------------

    def post_import(self, scope):
        """Hook run after the graph is imported under ``scope``; no-op by default."""

    def create_input(self, t_input=None, forget_xy_shape=True):
        """Builds the model's input from a Lucid image.

        Args:
          t_input: `[batch, h, w, 3]` (or `[h, w, 3]`) float tensor, RGB in `[0, 1]`.
            A placeholder of ``image_shape`` is created when None.
          forget_xy_shape: let the model accept any spatial size.

        Returns:
          ``(t_input, t_prep_input)``: the input as given, and the `[batch, h, w, 3]` tensor
          to feed the model (channels reversed if ``is_BGR``, then mapped linearly from
          `[0, 1]` into ``image_value_range``, per channel if the range is per channel).

        Raises:
          TypeError: ``t_input`` is not a float tensor.
          ValueError: the image's channel count is not the model's, or the model's
            ``image_value_range`` is inverted, empty or malformed (the message names the model).
        """
        return prepare_input(self, t_input, forget_xy_shape)

    def import_graph(
        self, t_input=None, scope="import", forget_xy_shape=True, input_map=None, graph_def=None
    ):
        """Imports the model into the default graph, fed by ``t_input``.

        Args:
          t_input: `[batch, h, w, 3]` float tensor, RGB in `[0, 1]` (a placeholder if None).
          scope: name scope of the imported ops; must not be used yet in the default graph.
          forget_xy_shape: let the model accept any spatial size.
          input_map: extra ``{name_in_graph: tensor}`` replacements for ``tf.import_graph_def``.
          graph_def: the ``GraphDef`` to import instead of ``self.graph_def``, e.g. a copy
            rewritten by ``lucid.optvis.rewrites`` (same input and layer names).

        Returns:
          ``T(layer)``: the tensor ``scope/layer:0`` (or ``scope/layer`` if ``layer`` already
          names a tensor output, like ``"conv1:0"``); ``layer`` may also be a :class:`Layer`.
        """
        graph = tf.get_default_graph()
        if graph.unique_name(scope, False) != scope:
            raise ValueError(
                f"Scope {scope!r} already exists in the default graph. Pass another scope= "
                "(one per imported copy of the model) or import into a new tf.Graph()."
            )
        if graph_def is None:
            graph_def = self.graph_def  # load before adding any op: a failed load leaves no trace
        t_input, t_prep_input = self.create_input(t_input, forget_xy_shape)
        final_input_map = {self.input_name: t_prep_input}
        if input_map is not None:
            final_input_map.update(input_map)
        tf.import_graph_def(graph_def, final_input_map, name=scope)
        self.post_import(scope)

        return layer_accessor(self, graph, scope)

    def show_graph(self):
        """Displays the graph in a notebook (TensorBoard graph view)."""
        from lucid.misc.io.showing import graph

        graph(self.graph_def)

    # -- layers and activations -----------------------------------------------------------

    def get_layer(self, name):
        """The declared layer called ``name`` (else the first whose name contains it, ignoring case).

        Raises:
          LayerNotFoundError: (a KeyError and a ValueError) no layer matches; the message
            lists close matches.
        """
        for layer in self.layers:
            if layer.name == name:
                return layer
        for layer in self.layers:
            if name.lower() in layer.name.lower():
                log.warning(
                    "Found layer by fuzzy matching, please use '%s' in the future!", layer.name
                )
                return layer
        names = [layer.name for layer in self.layers]
        close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
        raise LayerNotFoundError(
            f"Layer {name!r} is not a declared layer of {self.name}. Close matches: {close}. "
            f"All {len(names)} layers: {names}"
        )

    def get_activations(
        self, layer, examples, batch_size=64, dtype=None, ind_shape=None, center_only=False
    ):
        """Activations of ``layer`` on ``examples`` (see ``lucid.modelzoo.get_activations``)."""
        from lucid.modelzoo.get_activations import get_activations

        return get_activations(
            self,
            layer,
            examples,
            batch_size=batch_size,
            dtype=dtype,
            ind_shape=ind_shape,
            center_only=center_only,
        )

    # -- saving and loading your own models -----------------------------------------------

    @staticmethod
    def suggest_save_args(graph_def=None):
        """Guesses the arguments of :meth:`save` from a graph, and prints a ready-to-edit call.

        Args:
          graph_def: the graph to inspect (default: the default graph).

        Returns:
          ``{"input_name", "image_shape", "output_names", "image_value_range"}``; values
          that could not be inferred are None. Always check them: a wrong
          ``image_value_range`` silently ruins feature visualizations.
        """
        from lucid.modelzoo._save_args import suggest_save_args

        return suggest_save_args(graph_def)

    @staticmethod
    def save(save_url, input_name, output_names, image_shape, image_value_range):
        """Freezes the default graph with the default session's variables and saves it with metadata.

        Args:
          save_url: where to write the ``.pb`` (local path or ``gs://``).
          input_name: op name (not tensor name) of the `[batch, h, w, c]` image input.
          output_names: list of op names to keep (the graph is pruned to what they need).
          image_shape: ``[h, w, c]`` the model expects.
          image_value_range: ``(lo, hi)`` of the model's input values.
        """
        return model_files.save_frozen_graph(
            save_url, input_name, output_names, image_shape, image_value_range
        )

    @classmethod
    def from_keras(
        cls, model_or_path, image_value_range, input_shape=None, is_BGR=False, name=None
    ) -> "Model":
        """Converts a Keras model (or a ``.keras`` file, or a SavedModel directory) to a Model.

        The model is traced in inference mode and frozen; ``model.layers`` lists every layer
        by its Keras name, with ``name_pre_relu`` for fused activations and ``outer/inner``
        for nested models (details in ``lucid.modelzoo.keras_import``). Keras is needed to
        convert, not to use the result or to ``Model.load`` what ``export`` wrote.

        Args:
          model_or_path: a Keras 3 (TensorFlow backend) or ``tf_keras`` model with one
            channels-last image input, a ``.keras``/``.h5`` file, or a SavedModel directory.
          image_value_range: ``(lo, hi)`` of the images the model was trained on, e.g.
            ``(0, 1)`` or ``(0, 255)``; scalars or one value per channel. Lucid maps its
            `[0, 1]` images into it. A wrong range silently ruins visualizations.
          input_shape: ``(h, w, c)`` to convert with, when the model does not declare one
            (subclassed models never built); ``h`` and ``w`` may be None.
          is_BGR: the model takes channels in BGR order.
          name: the model's name (default: the Keras model's name).

        Returns:
          A Model with ``graph_def``, ``layers``, ``image_shape`` ``[h, w, c]`` and
          ``input_name`` ``"input"``; render it with e.g. ``param.image(64, channels=c)`` if
          ``c != 3``.

        Raises:
          ValueError: no defined input shape, channels-first layers, several or non-float
            inputs, or a layer that cannot be traced into a graph (the message names it).
        """
        from lucid.modelzoo import keras_import

        return keras_import.from_keras(
            model_or_path, image_value_range, input_shape=input_shape, is_BGR=is_BGR, name=name
        )

    @classmethod
    def from_saved_model(
        cls,
        path,
        image_value_range,
        signature="serving_default",
        input_shape=None,
        is_BGR=False,
        name=None,
    ) -> "Model":
        """Freezes a SavedModel's ``signature`` into a Model (arguments as :meth:`from_keras`).

        Layers are the graph's top-level name scopes, plus the signature's outputs by key;
        see ``lucid.modelzoo.keras_import``. For Keras models prefer :meth:`from_keras` on
        the model or its ``.keras`` file, which knows the exact layer names.
        """
        from lucid.modelzoo import keras_import

        return keras_import.from_saved_model(
            path,
            image_value_range,
            signature=signature,
            input_shape=input_shape,
            is_BGR=is_BGR,
            name=name,
        )

    def export(self, path):
        """Writes this model as a frozen ``.pb`` that :meth:`load` reads back, layers included.

        Unlike the static :meth:`save` (which freezes the default graph), this writes the
        model's own ``graph_def`` with Lucid's metadata node: ``input_name``,
        ``image_shape``, ``image_value_range``, ``is_BGR``, the name and ``layers``.

        Args:
          path: where to write the ``.pb`` (local path or ``gs://``).

        Returns:
          The GraphDef written.
        """
        from lucid.modelzoo import keras_import

        return keras_import.export(self, path)

    @staticmethod
    def load(url):
        """Loads a model saved by :meth:`save` (``.pb``) or described by a manifest (``.json``)."""
        lowered = str(url).lower()
        if lowered.endswith(".pb"):
            return Model.load_from_graphdef(url)
        if lowered.endswith(".json"):
            return Model.load_from_manifest(url)
        raise ValueError(
            f"Model.load expects a .pb saved by Model.save or a .json manifest; got {url!r}. "
            "For another frozen graph, use Model.load_from_metadata(url, metadata)."
        )

    @staticmethod
    def load_from_metadata(model_url, metadata):
        """A model for the graph at ``model_url`` described by ``metadata``.

        Args:
          model_url: path or URL of the frozen ``.pb``.
          metadata: ``{"input_name", "image_shape", "image_value_range"}``, optionally
            ``is_BGR``, ``model_name`` and ``layers`` (as written by :meth:`export`).

        Raises:
          ValueError: a key is missing, or ``image_value_range`` is not ``(low, high)`` with
            ``low < high`` (the message names the model, or ``model_url``).
        """
        return model_files.describe_from_metadata(DynamicModel(), model_url, metadata)

    @staticmethod
    def load_from_graphdef(graphdef_url):
        """Loads a ``.pb`` written by :meth:`save`, using the metadata embedded in it."""
        graph_def = util.load_graphdef(graphdef_url)
        metadata = model_files.embedded_metadata(graph_def, graphdef_url)
        model = Model.load_from_metadata(graphdef_url, metadata)
        model._graph_def = graph_def
        return model

    @staticmethod
    def load_from_manifest(manifest_url):
        """Loads a model described by a ``manifest.json`` (``"type": "frozen"``, the default)."""
        manifest = model_files.read_manifest(manifest_url)
        return FrozenGraphModel(os.path.dirname(manifest_url), manifest)


class DynamicModel(Model):
    """A model made by :meth:`Model.load_from_metadata` (no labels; layers if the metadata has them)."""


class SerializedModel(Model):
    """Base class of models described by files on disk (currently only frozen graphs)."""

    @classmethod
    def from_directory(cls, model_path, manifest_path=None):
        """Deprecated: use ``Model.load_from_manifest(path)``."""
        warnings.warn(
            "SerializedModel.from_directory is deprecated; use Model.load_from_manifest.",
            DeprecationWarning,
            stacklevel=2,
        )
        if manifest_path is None:
            manifest_path = os.path.join(model_path, "manifest.json")
        return Model.load_from_manifest(manifest_path)


class FrozenGraphModel(SerializedModel):
    """A frozen graph described by a manifest: every manifest key becomes an attribute.

    A ``model_path`` starting with ``./`` is relative to ``model_directory``. ``layers``
    may be a list of dicts (``name``, ``depth``, ``tags``) or a list of names (depth None).
    """

    _mandatory_properties = list(model_files.MANIFEST_KEYS)

    def __init__(self, model_directory, manifest):
        model_files.describe_from_manifest(self, model_directory, manifest)
        labels = manifest.get("labels")
        if isinstance(labels, str):
            self.labels_path = labels
        elif labels is not None:
            self._labels = list(labels)
