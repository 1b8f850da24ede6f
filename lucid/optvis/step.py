"""The one step builder of every render: image, transforms, model, loss and optimiser step.

``render.make_vis_T`` (and so ``render_vis``) and ``batch.render_units`` build their graphs
with :func:`build_step`, so a speed-up or a fix to the step lands in both. In the default
graph, in this order:

1. the rewrites asked for are recorded in the graph (``rewrites.enable_in_graph``), so the
   parameterisation and objectives built next can apply theirs;
2. ``image_f()`` builds the image, `[batch, h, w, c]` floats in `[0, 1]`;
3. the global step is created (or reused), then ``transform_f`` transforms the image (a
   transform may read the global step, as ``render_units``'s per-item draws do);
4. the model is imported on the transformed image (from a ``GraphDef`` with its ``LRN``
   ops rewritten under ``"fused_lrn"`` or ``"fast_lrn"`` and, at batch 1, its 1x1
   convolutions under ``"pointwise_matmul"``: :func:`rewritten_graph_def`) inside the
   precision's ``import_context`` and with the gradient overrides of
   :func:`gradient_overrides` (redirected ReLU gradients, scheduled under
   ``"relu_schedule"``; the strided convolution gradient under ``"strided_conv_grad"``);
5. ``loss_f(T)`` gives the scalar to maximise, and one optimiser step on ``-loss`` is built,
   guarded by ``tf.debugging.check_numerics``: a NaN or infinite objective stops the run
   with "objective is not finite" before the image is updated.

What stays with the callers: ``render_vis``'s session, thresholds and display;
``render_units``'s per-unit seeds, per-item transforms and memory budget. Sessions get
:func:`session_config`.
"""

import dataclasses
import difflib
import inspect
from typing import Callable

import tensorflow.compat.v1 as tf

from lucid.optvis import precision as precision_lib
from lucid.optvis import render_util
from lucid.optvis import rewrites as rewrites_lib
from lucid.optvis.overrides import gradient_override_map
from lucid.optvis.overrides import relu_overrides_map
from lucid.optvis.overrides import scheduled_relu_overrides_map
from lucid.optvis.rewrites import fast_lrn
from lucid.optvis.rewrites import fused_lrn
from lucid.optvis.rewrites import pointwise_conv
from lucid.optvis.rewrites import strided_conv


@dataclasses.dataclass(frozen=True)
class Step:
    """What :func:`build_step` built.

    Attributes:
      t_image: the image before transforms, `[batch, h, w, c]` in `[0, 1]`.
      T: the layer accessor of the imported model; ``T("input")`` is ``t_image``.
      loss: float32 scalar, the objective being maximised.
      vis_op: runs one optimisation step (and increments ``global_step``).
      global_step: the graph's global step variable (int64).
      optimizer: the ``tf.train.Optimizer`` that ``vis_op`` applies.
      precision: the precision in use (``"float32"`` where bfloat16 is unsupported).
      rewrites: the frozenset of rewrite names in use.
    """

    t_image: tf.Tensor
    T: Callable
    loss: tf.Tensor
    vis_op: tf.Operation
    global_step: tf.Variable
    optimizer: tf.train.Optimizer
    precision: str
    rewrites: frozenset


def check_options(precision: str, rewrites) -> tuple:
    """Validates ``precision`` and ``rewrites`` as the renders take them.

    Returns:
      ``(precision in use, frozenset of rewrite names)``; see ``precision.check_precision``
      and ``rewrites.resolve``.
    """
    return precision_lib.check_precision(precision), rewrites_lib.resolve(rewrites)


def session_config(precision: str) -> tf.ConfigProto:
    """The options of a render's session: ``render_util.session_config()`` plus the precision's."""
    return precision_lib.session_config(precision, render_util.session_config())


def gradient_overrides(rewrite_names, relu_gradient_override: bool) -> dict:
    """The op type -> gradient function map that the model is imported under.

    Args:
      rewrite_names: the rewrites in use (from ``rewrites.resolve``).
      relu_gradient_override: redirected ReLU gradients for the first 16 steps; computed
        only during those steps under ``"relu_schedule"``.

    Under ``"strided_conv_grad"`` every convolution's input gradient is a forward
    convolution (``flip_stride_one=True``): on InceptionV1 1.03x per float32 step at batch 1
    and 1.00x at batch 16, 1.06-1.07x in bfloat16 (``rewrites.strided_conv``).
    """
    overrides = {}
    if rewrites_lib.STRIDED_CONV_GRAD in rewrite_names:
        overrides.update(strided_conv.gradient_overrides(flip_stride_one=True))
    if relu_gradient_override:
        if rewrites_lib.RELU_SCHEDULE in rewrite_names:
            overrides.update(scheduled_relu_overrides_map)
        else:
            overrides.update(relu_overrides_map)
    return overrides


def build_step(
    model,
    image_f: Callable[[], tf.Tensor],
    transform_f: Callable[[tf.Tensor], tf.Tensor],
    loss_f: Callable[[Callable], tf.Tensor],
    optimizer: tf.train.Optimizer,
    relu_gradient_override: bool = True,
    precision: str = "float32",
    rewrites=None,
    description: str = "the objective",
) -> Step:
    """Builds one render's optimisation step in the default graph (see the module docstring).

    Args:
      model: a ``lucid.modelzoo.vision_base.Model``.
      image_f: builds and returns the image tensor `[batch, h, w, c]`, floats in `[0, 1]`.
      transform_f: the transforms, ``t -> t`` (the identity for none).
      loss_f: ``T -> float32 scalar tensor`` to maximise.
      optimizer: a ``tf.train.Optimizer``.
      relu_gradient_override: redirected ReLU (and ReLU6) gradients for the first 16 steps.
      precision: as in ``render.render_vis``.
      rewrites: as in ``render.render_vis``.
      description: names the objective in errors.

    Returns:
      A :class:`Step`. Its variables are created, not initialised.

    Raises:
      ValueError: the loss does not depend on the image, or a bad ``precision`` or
        ``rewrites``.
    """
    precision, rewrite_names = check_options(precision, rewrites)
    rewrites_lib.enable_in_graph(rewrite_names)
    t_image = image_f()
    global_step = tf.train.get_or_create_global_step()
    t_transformed = transform_f(t_image)
    overrides = gradient_overrides(rewrite_names, relu_gradient_override)
    with precision_lib.import_context(precision), gradient_override_map(overrides):
        batch = tf.dimension_value(t_transformed.shape[0]) if t_transformed.shape.ndims else None
        graph_def = rewritten_graph_def(model, batch=batch)
        T = import_model(model, t_transformed, t_image, graph_def=graph_def)
    loss = loss_f(T)
    grads_and_vars = optimizer.compute_gradients(-loss)
    if all(grad is None for grad, _ in grads_and_vars):
        raise ValueError(
            f"The objective {description!r} does not depend on the image parameterization, so "
            "there is nothing to optimise. Check that the objective reads a layer of the model "
            "fed by param_f's image."
        )
    checked_loss = tf.debugging.check_numerics(loss, "objective is not finite")
    with tf.control_dependencies([checked_loss]):
        vis_op = optimizer.apply_gradients(grads_and_vars, global_step=global_step)
    return Step(t_image, T, loss, vis_op, global_step, optimizer, precision, rewrite_names)


def rewritten_graph_def(model, graph=None, batch=None):
    """The ``GraphDef`` to import ``model`` from in a step graph, or None to import
    ``model.graph_def`` as it is.

    ``model.graph_def`` with the GraphDef-level rewrites that are on in ``graph`` (default
    graph) and help on this machine applied: ``"fused_lrn"`` (no GPU visible and the
    kernels build: ``fused_lrn.helps_here``, ``fused_lrn.available``), ``"fast_lrn"`` for
    any ``LRN`` left (no GPU visible: ``fast_lrn.helps_here``), then ``"pointwise_matmul"``
    (``batch``, the step's static batch size, at most ``pointwise_conv.MAX_BATCH`` and no
    GPU: ``pointwise_conv.helps_here``; ``fast_lrn``'s dense window sums become matrix
    products too). None when none applies, or for a Model subclass whose own
    ``import_graph`` takes no ``graph_def``.
    """
    fused = rewrites_lib.enabled(rewrites_lib.FUSED_LRN, graph) and fused_lrn.helps_here()
    lrn = rewrites_lib.enabled(rewrites_lib.FAST_LRN, graph) and fast_lrn.helps_here()
    pointwise = rewrites_lib.enabled(
        rewrites_lib.POINTWISE_MATMUL, graph
    ) and pointwise_conv.helps_here(batch)
    if not (fused or lrn or pointwise):
        return None
    if "graph_def" not in inspect.signature(model.import_graph).parameters:
        return None  # a Model subclass with its own import_graph: imported as it defines
    original = graph_def = model.graph_def
    if fused:
        graph_def = fused_lrn.rewrite_graph_def(graph_def)
    if lrn:
        graph_def = fast_lrn.rewrite_graph_def(graph_def, matmul=pointwise)
    if pointwise:
        graph_def = pointwise_conv.rewrite_graph_def(graph_def)
    return None if graph_def is original else graph_def


def import_model(model, t_image, t_image_raw=None, scope="import", input_map=None, graph_def=None):
    """Imports ``model`` on ``t_image`` and returns the layer accessor ``T``.

    ``T("input")`` is ``t_image_raw`` (the image before transforms; ``t_image`` if None),
    ``T("labels")`` the model's labels, and ``T(layer)`` the layer's activations. An
    unknown layer raises ``ValueError`` listing close matches. ``graph_def``, if given, is
    imported instead of ``model.graph_def`` (see :func:`rewritten_graph_def`).
    """
    if t_image_raw is None:
        t_image_raw = t_image
    extra = {} if graph_def is None else {"graph_def": graph_def}
    T_model = model.import_graph(
        t_image, scope=scope, forget_xy_shape=True, input_map=input_map, **extra
    )
    graph = tf.get_default_graph()

    def T(layer):
        if layer == "input":
            return t_image_raw
        if layer == "labels":
            return model.labels
        try:
            return T_model(layer)
        except (KeyError, ValueError):
            raise ValueError(_unknown_layer_message(model, layer, graph, scope)) from None

    return T


def _unknown_layer_message(model, layer, graph, scope):
    prefix = scope + "/"
    op_names = [
        op.name[len(prefix) :] for op in graph.get_operations() if op.name.startswith(prefix)
    ]
    declared = [getattr(layer_, "name", str(layer_)) for layer_ in getattr(model, "layers", ())]
    candidates = list(dict.fromkeys(declared + op_names))
    matches = difflib.get_close_matches(layer.split(":")[0], candidates, n=5, cutoff=0.6)
    model_name = getattr(model, "name", type(model).__name__)
    message = f"layer {layer!r} is not in {model_name}."
    if matches:
        message += f" Close matches: {', '.join(matches)}."
    message += (
        " Declared layers: model.layers; every tensor: [op.name for op in graph.get_operations()]."
    )
    return message
