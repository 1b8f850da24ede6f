"""Feeding a Lucid image to a model, and finding the tensors of its imported layers.

The work behind :meth:`lucid.modelzoo.vision_base.Model.create_input` (channel check, BGR
order, value range) and the ``T`` accessor that :meth:`Model.import_graph` returns.
"""

import difflib

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.modelzoo import util
from lucid.modelzoo.image_input import check_value_range
from lucid.modelzoo.layer import Layer
from lucid.modelzoo.layer import LayerNotFoundError


def _channels(model):
    """The model's channel count (``image_shape[-1]``), or None if it does not declare one."""
    return model.image_shape[-1] if model.image_shape else None


def _check_channels(model, t_input):
    expected = _channels(model)
    # dimension_value: a Dimension once the user disabled v2 behaviour, else an int or None.
    received = tf.compat.dimension_value(t_input.shape[-1]) if t_input.shape.ndims else None
    if expected is not None and received is not None and int(expected) != int(received):
        raise ValueError(
            f"{model.name} takes {expected}-channel images (image_shape={list(model.image_shape)}), "
            f"but got an image of shape {t_input.shape}. For a non-RGB model render with "
            f"param_f=lambda: param.image(size, channels={expected})."
        )


def prepare_input(model, t_input=None, forget_xy_shape=True):
    """``(t_input, t_prep_input)`` for ``model``: see ``Model.create_input``."""
    if t_input is None:
        t_input = tf.placeholder(tf.float32, model.image_shape)
    t_prep_input = tf.convert_to_tensor(t_input)
    if not t_prep_input.dtype.is_floating:
        raise TypeError(
            f"t_input must be a float tensor with values in [0, 1]; got dtype "
            f"{t_prep_input.dtype.name}. Cast it first, e.g. tf.cast(images, tf.float32) / 255."
        )
    if t_prep_input.shape.ndims == 3:
        t_prep_input = tf.expand_dims(t_prep_input, 0)
    _check_channels(model, t_prep_input)
    if forget_xy_shape:
        t_prep_input = util.forget_xy(t_prep_input)
    if model.is_BGR:
        t_prep_input = tf.reverse(t_prep_input, [-1])
    value_range = check_value_range(model.image_value_range, _channels(model), model.name)
    lo, hi = (np.asarray(bound, t_prep_input.dtype.as_numpy_dtype) for bound in value_range)
    t_prep_input = lo + t_prep_input * (hi - lo)
    return t_input, t_prep_input


def layer_accessor(model, graph, scope):
    """``T(layer)``: the tensor of ``layer`` in ``model`` imported under ``scope`` of ``graph``."""

    def T(layer):
        if isinstance(layer, Layer):
            layer = layer.name
        tensor_name = f"{scope}/{layer}" if ":" in layer else f"{scope}/{layer}:0"
        try:
            return graph.get_tensor_by_name(tensor_name)
        except (KeyError, ValueError):
            prefix = scope + "/"
            names = [
                op.name[len(prefix) :]
                for op in graph.get_operations()
                if op.name.startswith(prefix)
            ]
            raise LayerNotFoundError(
                f"No tensor {tensor_name!r} in the imported {model.name}. "
                f"Close matches: {difflib.get_close_matches(layer, names, n=5)}. "
                "Declared layers: model.layers."
            ) from None

    return T
