"""Model and Layer: how Lucid describes and imports a vision network.

A :class:`Model` subclass names a frozen GraphDef (``model_path``) and the facts needed to
feed it: ``input_name``, ``image_shape``, ``image_value_range`` and ``is_BGR``. Lucid images
are always RGB floats in ``[0, 1]``; :meth:`Model.create_input` maps them into the model's
own range and channel order, so objectives and params never need model-specific code.
"""

import logging

import numpy as np
import tensorflow.compat.v1 as tf

log = logging.getLogger(__name__)

IMAGENET_MEAN = np.array([123.68, 116.779, 103.939])
IMAGENET_MEAN_BGR = np.flip(IMAGENET_MEAN, 0)


class Layer:
    """A named layer of a model: ``name``, ``depth`` (channels) and ``tags`` (e.g. {"conv"})."""

    width = None
    height = None
    shape = None

    def __init__(self, model_instance, name, depth, tags):
        self._activations = None
        self.model_class = model_instance.__class__
        self.model_name = model_instance.name
        self.name = name
        self.depth = depth
        self.tags = set(tags)

    def __getitem__(self, name):
        if name == "type":
            import warnings

            warnings.warn(
                "layer['type'] is deprecated; use layer.tags instead.", DeprecationWarning, stacklevel=2
            )
            return next(iter(self.tags))
        if name in ("name", "depth", "tags", "model_class", "model_name"):
            return getattr(self, name)
        raise AttributeError(f"Layer has no key {name!r}; expected one of name, depth, tags.")

    @property
    def size(self):
        """Deprecated alias of ``depth``."""
        import warnings

        warnings.warn("layer.size is deprecated; use layer.depth.", DeprecationWarning, stacklevel=2)
        return self.depth

    def to_json(self):
        return self.name

    def __repr__(self):
        return f"Layer (belonging to {self.model_name}) <{self.name}: {self.depth}> ({list(self.tags)})"


def _layers_from_list_of_dicts(model_instance, list_of_dicts):
    return tuple(Layer(model_instance, d["name"], d["depth"], d["tags"]) for d in list_of_dicts)


class Model:
    """Base class of every model: metadata as class attributes, graph loaded lazily.

    Subclasses set ``model_path`` (a URL or local path of a frozen ``.pb``),
    ``image_shape`` (``[h, w, c]``), ``image_value_range`` (``(lo, hi)``, possibly
    per-channel arrays), ``input_name`` and optionally ``is_BGR``, ``labels_path`` and
    ``layers``.
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

    _labels = None
    _synset_ids = None
    _graph_def = None
    _blacklist = ["_graph_def"]

    @property
    def name(self):
        return self.model_name or self.__class__.__name__

    def __str__(self):
        return self.name

    @property
    def graph_def(self):
        """The frozen ``tf.GraphDef``; loaded from ``model_path`` on first access (may download)."""
        if self._graph_def is None:
            from lucid.modelzoo import util

            self._graph_def = util.load_graphdef(self.model_path)
        return self._graph_def

    def post_import(self, scope):
        """Hook run after the graph is imported under ``scope``; no-op by default."""

    def create_input(self, t_input=None, forget_xy_shape=True):
        """Builds the model's input from a Lucid image.

        Args:
          t_input: `[batch, h, w, 3]` (or `[h, w, 3]`) float tensor, RGB in `[0, 1]`.
            A placeholder of ``image_shape`` is created when None.
          forget_xy_shape: let the model accept any spatial size.

        Returns:
          ``(t_input, t_prep_input)``: the input as given, and the tensor to feed the model
          (BGR if ``is_BGR``, scaled into ``image_value_range``).
        """
        if t_input is None:
            t_input = tf.placeholder(tf.float32, self.image_shape)
        t_prep_input = t_input
        if len(t_prep_input.shape) == 3:
            t_prep_input = tf.expand_dims(t_prep_input, 0)
        if forget_xy_shape:
            from lucid.modelzoo.util import forget_xy

            t_prep_input = forget_xy(t_prep_input)
        if self.is_BGR:
            t_prep_input = tf.reverse(t_prep_input, [-1])
        lo, hi = self.image_value_range
        t_prep_input = lo + t_prep_input * (hi - lo)
        return t_input, t_prep_input

    def import_graph(self, t_input=None, scope="import", forget_xy_shape=True, input_map=None):
        """Imports the model into the default graph, fed by ``t_input``.

        Returns:
          ``T(layer)``: the tensor ``scope/layer:0`` (or ``scope/layer`` if ``layer`` already
          names a tensor output, like ``"conv1:0"``).
        """
        graph = tf.get_default_graph()
        if graph.unique_name(scope, False) != scope:
            raise ValueError(
                f"Scope {scope!r} already exists in the default graph. Pass another scope= "
                "or import into a new tf.Graph()."
            )
        t_input, t_prep_input = self.create_input(t_input, forget_xy_shape)
        final_input_map = {self.input_name: t_prep_input}
        if input_map is not None:
            final_input_map.update(input_map)
        tf.import_graph_def(self.graph_def, final_input_map, name=scope)
        self.post_import(scope)

        def T(layer):
            if ":" in layer:
                return graph.get_tensor_by_name(f"{scope}/{layer}")
            return graph.get_tensor_by_name(f"{scope}/{layer}:0")

        return T

    def get_layer(self, name):
        """The declared layer called ``name``."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        names = [layer.name for layer in self.layers]
        raise KeyError(f"Layer {name!r} is not a declared layer of {self.name}. Declared layers: {names}")
