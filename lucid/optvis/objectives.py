"""Objectives: what feature visualization maximizes.

An objective is a function ``T -> scalar tensor`` wrapped in :class:`Objective`, where the
layer accessor ``T`` returns activations: ``T(layer)`` is `[batch, h, w, channels]` for
conv layers and `[batch, channels]` for dense ones, ``T("input")`` is the image
`[batch, h, w, channels]` with floats in `[0, 1]`, and ``T("labels")`` is the model's label
list. Objectives are **maximized**; regularizers such as ``L1`` or ``total_variation`` are
penalties, so give them a negative weight::

    obj = objectives.channel("mixed4a_pre_relu", 476) - 1e-3 * objectives.total_variation()

Every factory below returns an :class:`Objective` immediately and builds graph ops only
when that objective is called with ``T``. Objectives combine with ``+``, ``-``, ``*``
(by a number, or by another objective to multiply their values), ``/`` by a number and unary
minus; :meth:`Objective.sum` adds a list of them.

Factories with a ``batch`` argument look at one image of the batch when ``batch`` is an int,
which lets one render optimize a different objective for each image.

Write your own with :func:`wrap_objective`, bare (``@wrap_objective``, as in Lucid's
notebooks) or called (``@wrap_objective()``). An objective whose value is not a scalar
(e.g. one value per image) is maximized as the sum of its elements, as Lucid did.
"""

import functools
import inspect
import numbers
import re

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis import rewrites
from lucid.optvis.objectives_util import T_force_NHWC
from lucid.optvis.objectives_util import _channel_arg
from lucid.optvis.objectives_util import _check_index
from lucid.optvis.objectives_util import _check_rank
from lucid.optvis.objectives_util import _depth
from lucid.optvis.objectives_util import _direction_arg
from lucid.optvis.objectives_util import _dot_cossim
from lucid.optvis.objectives_util import _extract_act_pos
from lucid.optvis.objectives_util import _in_graph
from lucid.optvis.objectives_util import _is_int
from lucid.optvis.objectives_util import _make_arg_str
from lucid.optvis.objectives_util import _static_batch
from lucid.optvis.objectives_util import _static_dim
from lucid.optvis.objectives_util import _T_handle_batch
from lucid.optvis.objectives_util import check_batch_index
from lucid.optvis.objectives_util import check_non_negative
from lucid.optvis.objectives_util import check_position_args
from lucid.optvis.objectives_util import checked_channel_tensor
from lucid.optvis.objectives_util import checked_position
from lucid.optvis.objectives_util import sum_to_scalar
from lucid.optvis.rewrites.channel_conv import channel_conv
from lucid.optvis.rewrites.concat_slice import channel_source

_REQUIRE_FORMATS = (None, "NHWC")


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_operand(x):
    return isinstance(x, Objective) or _is_number(x)


class Objective:
    """A function ``T -> scalar tensor`` to maximize, with a name and a description.

    Args:
      objective_func: callable taking the layer accessor ``T`` and returning a scalar tensor.
      name: short name, e.g. ``"channel"``.
      description: readable summary, e.g. ``"Channel [mixed4a, 3, None]"``.
    """

    # Makes NumPy defer to our operators (so `objective * np.ones(3)` raises TypeError)
    # instead of building an object array of Objectives.
    __array_ufunc__ = None

    def __init__(self, objective_func, name="", description=""):
        self.objective_func = objective_func
        self.name = name
        self.description = description

    def __call__(self, T):
        """The objective's value on ``T``: a scalar tensor (or number).

        A non-scalar value (e.g. one per batch item) is summed, as Lucid's optimiser did
        implicitly; that is logged once, at INFO. Combinations such as ``a + b`` combine the
        raw values and sum only the result, so broadcasting works as in Lucid.
        """
        return sum_to_scalar(self.objective_func(T), self.description or self.name)

    def __add__(self, other):
        if _is_number(other):
            return Objective(lambda T: other + self.objective_func(T), self.name, self.description)
        if not isinstance(other, Objective):
            return NotImplemented
        name = ", ".join([self.name, other.name])
        description = "Sum(" + " +\n".join([self.description, other.description]) + ")"
        return Objective(
            lambda T: self.objective_func(T) + other.objective_func(T), name, description
        )

    def __mul__(self, other):
        if _is_number(other):
            return Objective(lambda T: other * self.objective_func(T), self.name, self.description)
        if not isinstance(other, Objective):
            return NotImplemented
        return Objective(
            lambda T: self.objective_func(T) * other.objective_func(T), self.name, self.description
        )

    def __neg__(self):
        return -1 * self

    def __sub__(self, other):
        return self + (-other) if _is_operand(other) else NotImplemented

    def __rsub__(self, other):
        return (-self).__add__(other)

    def __truediv__(self, other):
        return self * (1.0 / other) if _is_number(other) else NotImplemented

    __radd__ = __add__
    __rmul__ = __mul__

    @staticmethod
    def sum(objs):
        """Adds a list of Objectives into one, joining their names and descriptions."""
        objs = list(objs)
        if not objs:
            raise ValueError("Objective.sum expects a non-empty list of Objectives; got [].")
        if not all(isinstance(obj, Objective) for obj in objs):
            raise TypeError(f"Objective.sum expects a list of Objectives; got {objs!r}.")
        name = ", ".join(obj.name for obj in objs)
        description = "Sum(" + " +\n".join(obj.description for obj in objs) + ")"
        return Objective(lambda T: sum(obj.objective_func(T) for obj in objs), name, description)

    def __repr__(self):
        return f"Objective(name={self.name!r}, description={self.description!r})"


def wrap_objective(require_format=None, handle_batch=False):
    """Decorator: turns ``f(*args) -> (T -> tensor)`` into a factory of Objectives.

    Both of Lucid's forms work: ``@wrap_objective()`` (Lucid 0.3.10, with optional
    arguments) and the bare ``@wrap_objective`` (Lucid <= 0.3.9, used by Lucid's notebooks).
    The Objective is named ``f.__name__`` and described as
    ``f.__name__.title() + " [arg, ...]"``, listing every positional argument with defaults
    filled in; an argument longer than 15 characters or spanning lines shows as ``...``.

    Args:
      require_format: None, or ``"NHWC"`` to hand ``f``'s closure a ``T`` whose rank-4
        activations are NHWC and whose dense `[N, C]` activations are `[N, 1, 1, C]`.
        In the bare form this is the decorated function itself.
      handle_batch: accepted for compatibility and ignored, as in Lucid; factories handle
        their own ``batch`` argument with :func:`handle_batch`.

    Returns:
      The decorator, or, used bare, the decorated factory.
    """
    if callable(require_format):
        return _objective_factory(require_format, require_format=None)
    if require_format not in _REQUIRE_FORMATS:
        raise ValueError(
            f"require_format={require_format!r} is not supported; expected one of {_REQUIRE_FORMATS}."
        )
    return functools.partial(_objective_factory, require_format=require_format)


def _objective_factory(f, require_format):
    """``f(*args) -> (T -> tensor)`` made into ``factory(*args) -> Objective``."""
    signature = inspect.signature(f)

    @functools.wraps(f)
    def factory(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        objective_func = f(*args, **kwargs)
        arg_str = ", ".join(_make_arg_str(arg) for arg in bound.args)
        description = f"{f.__name__.title()} [{arg_str}]"
        if require_format == "NHWC":
            return Objective(lambda T: objective_func(T_force_NHWC(T)), f.__name__, description)
        return Objective(objective_func, f.__name__, description)

    return factory


def handle_batch(batch=None):
    """Decorator for an inner ``T -> tensor`` function: slices every ``T(name)`` to ``[batch]``.

    With ``batch=None`` the function sees the whole batch. A negative ``batch`` raises a
    ValueError now; one past the end of the batch when the objective is applied.
    """
    check_batch_index(batch)
    return lambda f: lambda T: f(_T_handle_batch(T, batch=batch))


def _require_index(n, arg_name, objective):
    """Raises unless ``n`` is a non-negative int (a channel or class index)."""
    if not _is_int(n):
        raise TypeError(f"{objective}: {arg_name} must be an int; got {type(n).__name__} {n!r}.")
    check_non_negative(n, arg_name, objective)


def _nhwc_acts(T, layer, objective):
    """``T(layer)`` (already NHWC-forced), checked to be rank 4."""
    acts = T(layer)
    _check_rank(acts, layer, (4,), objective, "[batch, h, w, channels] or [batch, channels]")
    return acts


def _channel_acts(T, layer, n, batch, objective):
    """``(acts, index)`` with ``acts[..., index]`` channel ``n`` of ``T(layer)``, sliced to ``batch``.

    With the ``concat_slice`` rewrite on (graphs built by the step builder), ``acts`` is the
    branch of a channel concatenation that produces channel ``n``, so the other branches are
    not computed; with ``channel_conv`` on, a convolution's output is recomputed for channel
    ``n`` alone. The batch is sliced after finding the branch, which it would hide.
    """
    acts = _nhwc_acts(T, layer, objective)
    _check_index(acts, layer, n)
    if tf.is_tensor(acts) and rewrites.enabled(rewrites.CONCAT_SLICE, acts.graph):
        acts, n = channel_source(acts, n)
    if tf.is_tensor(acts) and rewrites.enabled(rewrites.CHANNEL_CONV, acts.graph):
        acts, n = channel_conv(acts, n)
    return _T_handle_batch(lambda _: acts, batch)(layer), n


def _direction_in_graph(vec, acts, layer, objective):
    """``vec`` checked against ``acts``' depth and made ready to combine with them."""
    depth, vec_depth = _depth(acts), _static_dim(vec, -1)
    if depth is not None and vec_depth is not None and vec_depth != depth:
        raise ValueError(
            f"{objective}: vec has {vec_depth} channels but layer {layer!r} has depth {depth}."
        )
    return _in_graph(vec, acts, "vec", objective)


@wrap_objective(require_format="NHWC")
def neuron(layer_name, channel_n, x=None, y=None, batch=None):
    """One neuron: channel ``channel_n`` at one spatial position (the centre by default).

    ``x`` indexes the height axis and ``y`` the width axis, as in Lucid. For even sizes the
    centre is the bottom-right cell of the central 2x2. Indices count from 0; a negative one
    is a ValueError, and so is a position outside the layer (when the step runs, if the
    layer's size is only known then).
    """
    _require_index(channel_n, "channel_n", "neuron")
    check_position_args(x, y, "neuron")
    check_batch_index(batch)

    def inner(T):
        acts, n = _channel_acts(T, layer_name, channel_n, batch, "neuron")
        acts = checked_position(acts, layer_name, x, y, "neuron")
        return tf.reduce_mean(_extract_act_pos(acts, x, y)[..., n])

    return inner


@wrap_objective(require_format="NHWC")
def channel(layer, n_channel, batch=None):
    """Mean activation of channel ``n_channel`` of ``layer`` over batch and positions.

    Channels count from 0; a negative ``n_channel`` is a ValueError (Lucid took the last).
    """
    _require_index(n_channel, "n_channel", "channel")
    check_batch_index(batch)

    def inner(T):
        acts, n = _channel_acts(T, layer, n_channel, batch, "channel")
        return tf.reduce_mean(acts[..., n])

    return inner


@wrap_objective(require_format="NHWC")
def direction(layer, vec, cossim_pow=0, batch=None):
    """Mean dot product of every position's activation vector with ``vec`` (`[channels]`).

    ``vec`` may be a NumPy array, a list, or a tensor (eager, or of the objective's graph).
    With ``cossim_pow > 0`` each dot product is weighted by ``max(0.1, cossim) ** cossim_pow``.
    """
    vec = _direction_arg(vec, (1,), "direction")

    @handle_batch(batch)
    def inner(T):
        acts = _nhwc_acts(T, layer, "direction")
        vec_ = _direction_in_graph(vec, acts, layer, "direction")
        return _dot_cossim(acts, vec_[None, None, None], cossim_pow=cossim_pow)

    return inner


direction_cossim = direction


@wrap_objective(require_format="NHWC")
def direction_neuron(layer_name, vec, x=None, y=None, cossim_pow=0, batch=None):
    """:func:`direction` at a single position (the centre by default, as in :func:`neuron`)."""
    vec = _direction_arg(vec, (1,), "direction_neuron")
    check_position_args(x, y, "direction_neuron")

    @handle_batch(batch)
    def inner(T):
        acts = _nhwc_acts(T, layer_name, "direction_neuron")
        vec_ = _direction_in_graph(vec, acts, layer_name, "direction_neuron")
        acts = checked_position(acts, layer_name, x, y, "direction_neuron")
        return _dot_cossim(_extract_act_pos(acts, x, y), vec_[None, None, None], cossim_pow)

    return inner


@wrap_objective(require_format="NHWC")
def tensor_direction(layer, vec, cossim_pow=0, batch=None):
    """Matches a spatial pattern: ``vec`` is `[h, w, channels]` or `[1, h, w, channels]`.

    ``vec`` may be a NumPy array or a tensor. The centre crop of the activations of ``vec``'s
    size is compared position by position.
    """
    vec = _direction_arg(vec, (3, 4), "tensor_direction")

    @handle_batch(batch)
    def inner(T):
        acts = _nhwc_acts(T, layer, "tensor_direction")
        vec_ = _direction_in_graph(vec, acts, layer, "tensor_direction")
        if len(vec_.shape) == 3:
            vec_ = vec_[None]
        for axis in (1, 2):
            size, vec_size = tf.dimension_value(acts.shape[axis]), _static_dim(vec_, axis)
            if size is not None and vec_size is not None and size < vec_size:
                raise ValueError(
                    f"tensor_direction: vec has spatial shape {tuple(vec_.shape[1:3])}, larger "
                    f"than layer {layer!r} (shape {acts.shape})."
                )
        height, width = tf.shape(vec_)[1], tf.shape(vec_)[2]
        shape = tf.shape(acts)
        top, left = (shape[1] - height) // 2, (shape[2] - width) // 2
        crop = acts[:, top : top + height, left : left + width, :]
        return _dot_cossim(crop, vec_, cossim_pow=cossim_pow)

    return inner


@wrap_objective()
def deepdream(layer):
    """DeepDream: mean of the squared activations of ``layer``."""
    return lambda T: tf.reduce_mean(T(layer) ** 2)


@wrap_objective()
def total_variation(layer="input"):
    """Total variation of ``layer`` (the image by default), summed over the batch. A penalty.

    Lucid returned one value per batch item; the sum is a scalar with the same gradient.
    """
    return lambda T: tf.reduce_sum(tf.image.total_variation(T(layer)))


@wrap_objective()
def L1(layer="input", constant=0):
    """``sum(|T(layer) - constant|)``. A penalty."""
    return lambda T: tf.reduce_sum(tf.abs(T(layer) - constant))


@wrap_objective()
def L2(layer="input", constant=0, epsilon=1e-6):
    """``sqrt(epsilon + sum((T(layer) - constant) ** 2))``. A penalty."""
    return lambda T: tf.sqrt(epsilon + tf.reduce_sum((T(layer) - constant) ** 2))


def _tf_blur(x, w=3):
    """Per-channel blur of `[N, H, W, C]` ``x`` with a ``w`` x ``w`` kernel.

    The kernel weighs its border 0.5 and its interior 1, as in Lucid; dividing by the blur of
    ones keeps image borders unbiased. Lucid built a dense `[w, w, C, C]` diagonal kernel; a
    depthwise convolution computes the same thing.
    """
    depth = _depth(x)
    if depth is None:
        raise ValueError(f"_tf_blur needs a static channel count; got shape {x.shape}.")
    kernel = np.full([w, w, depth, 1], 0.5, np.float32)
    kernel[1:-1, 1:-1] = 1.0

    def conv_k(t):
        return tf.nn.depthwise_conv2d(t, kernel, [1, 1, 1, 1], "SAME")

    return conv_k(x) / conv_k(tf.ones_like(x))


def _blur_penalty(t):
    return 0.5 * tf.reduce_sum((t - tf.stop_gradient(_tf_blur(t))) ** 2)


@wrap_objective()
def blur_input_each_step():
    """``0.5 * sum((x - stop_gradient(blur(x))) ** 2)`` on the image ``x``.

    A gradient step on ``-blur_input_each_step()`` moves the image toward its blur, so a
    negative weight acts like blurring the input a little each step.
    """
    return lambda T: _blur_penalty(T("input"))


@wrap_objective()
def blur_alpha_each_step():
    """:func:`blur_input_each_step` on the alpha channel of an RGBA image `[N, H, W, 4]`."""

    def inner(T):
        t_input = T("input")
        depth = _depth(t_input)
        if depth is not None and depth < 4:
            raise ValueError(
                f"blur_alpha_each_step needs an RGBA input [batch, h, w, 4]; got shape "
                f"{t_input.shape}. Use param.image(..., alpha=True)."
            )
        return _blur_penalty(t_input[..., 3:4])

    return inner


@wrap_objective()
def channel_interpolate(layer1, n_channel1, layer2, n_channel2):
    """Interpolates between two channels across the batch (needs a static batch of N >= 2).

    Image ``n`` maximizes ``(1 - w_n) * channel1 + w_n * channel2`` with ``w = arange(N) / (N-1)``.
    The channels may be ints, NumPy integers or integer scalar tensors; they must be
    non-negative (checked when the step runs for a tensor whose value is only known then).
    """
    n_channel1 = _channel_arg(n_channel1, "n_channel1", "channel_interpolate")
    n_channel2 = _channel_arg(n_channel2, "n_channel2", "channel_interpolate")

    def inner(T):
        acts1, acts2 = T(layer1), T(layer2)
        channels = []
        for acts, layer, n, arg_name in (
            (acts1, layer1, n_channel1, "n_channel1"),
            (acts2, layer2, n_channel2, "n_channel2"),
        ):
            if tf.is_tensor(n):
                n = _in_graph(n, acts, arg_name, "channel_interpolate")
                n = checked_channel_tensor(n, arg_name, "channel_interpolate")
            else:
                _check_index(acts, layer, n)
            channels.append(n)
        batch_n = _static_batch(acts1, layer1, "channel_interpolate")
        if batch_n < 2:
            raise ValueError(f"channel_interpolate needs a batch of at least 2; got {batch_n}.")
        weights = np.arange(batch_n) / (batch_n - 1)
        arr1, arr2 = acts1[..., channels[0]], acts2[..., channels[1]]
        return sum(
            (1 - weights[n]) * tf.reduce_mean(arr1[n]) + weights[n] * tf.reduce_mean(arr2[n])
            for n in range(batch_n)
        )

    return inner


@wrap_objective()
def penalize_boundary_complexity(shp, w=20, mask=None, C=0.5):
    """Penalizes detail and non-grey colour near the image border (returns a value <= 0).

    Args:
      shp: shape of the image, `[batch, h, w, channels]`.
      w: width in pixels of the border penalized when ``mask`` is None.
      mask: array broadcastable to ``shp``, 1 where to penalize.
      C: the colour (in `[0, 1]`) the border is pulled toward.
    """

    def inner(T):
        arr = T("input")
        if mask is None:
            mask_ = np.ones(shp, np.float32)
            mask_[:, w:-w, w:-w] = 0
        else:
            mask_ = np.asarray(mask, np.float32)
        diffs = (_tf_blur(arr, w=5) - arr) ** 2 + 0.8 * (arr - C) ** 2
        return -tf.reduce_sum(diffs * mask_)

    return inner


@wrap_objective()
def alignment(layer, decay_ratio=2):
    """Encourages neighbouring batch items to have similar activations (returns a value <= 0).

    ``-sum_{d=1..4} sum_i mean((a[i] - a[i+d]) ** 2) / decay_ratio ** d``; needs a static batch.
    """

    def inner(T):
        arr = T(layer)
        batch_n = _static_batch(arr, layer, "alignment")
        accum = tf.zeros([])
        for d in [1, 2, 3, 4]:
            for i in range(batch_n - d):
                accum += tf.reduce_mean((arr[i] - arr[i + d]) ** 2) / decay_ratio ** float(d)
        return -accum

    return inner


@wrap_objective()
def diversity(layer):
    """Similarity of the batch items' style (Gram matrices); use it with a negative weight.

    Each item's `[C, C]` Gram matrix is L2-normalized; the value is
    ``sum_{i != j} <G_i, G_j> / N``, positive, so ``-k * diversity(layer)`` pushes the
    images apart.

    References: Olah et al., "Feature Visualization", Distill 2017 (the "Diversity" section).
    """

    def inner(T):
        acts = T(layer)
        _check_rank(acts, layer, (4,), "diversity", "[batch, h, w, channels]")
        shape = tf.shape(acts)
        flattened = tf.reshape(acts, [shape[0], -1, shape[3]])
        grams = tf.matmul(flattened, flattened, transpose_a=True)
        grams = tf.nn.l2_normalize(grams, axis=[1, 2], epsilon=1e-10)
        flat_grams = tf.reshape(grams, [shape[0], -1])
        similarities = tf.matmul(flat_grams, flat_grams, transpose_b=True)
        batch_n = tf.cast(shape[0], similarities.dtype)
        return (tf.reduce_sum(similarities) - tf.linalg.trace(similarities)) / batch_n

    return inner


@wrap_objective()
def input_diff(orig_img):
    """Root mean squared difference between the image and ``orig_img`` (same layout). A penalty."""
    orig_img = np.asarray(orig_img, np.float32)

    def inner(T):
        return tf.sqrt(tf.reduce_mean((T("input") - orig_img) ** 2))

    return inner


@wrap_objective()
def class_logit(layer, label, batch=None):
    """Sum over the batch of the logit of one class in ``layer`` (`[batch, classes]`).

    Args:
      layer: the logits (or pre-softmax) layer.
      label: class index (a non-negative int), or a label name looked up in ``T("labels")``.
      batch: optional index of the single batch item to use.
    """
    if not (_is_int(label) or isinstance(label, str)):
        raise TypeError(f"class_logit: label must be an int or a str; got {label!r}.")
    if _is_int(label):
        check_non_negative(label, "label", "class_logit")

    @handle_batch(batch)
    def inner(T):
        logits = T(layer)
        _check_rank(logits, layer, (2,), "class_logit", "[batch, classes]")
        class_n = label if _is_int(label) else _label_index(T("labels"), label)
        _check_index(logits, layer, class_n, what="class")
        return tf.reduce_sum(logits[:, class_n])

    return inner


def _label_index(labels, label):
    if labels is None or label not in labels:
        raise ValueError(
            f"class_logit: label {label!r} is not among the model's labels (T('labels')). "
            "Pass the class index as an int instead, or check model.labels."
        )
    return list(labels).index(label)


_LAYER_CHANNEL_GRAMMAR = (
    "expected '<layer>:<channel>' with a non-negative integer channel, "
    "e.g. 'mixed4a_pre_relu:476' (= objectives.channel('mixed4a_pre_relu', 476))"
)
_OTHER_OBJECTIVES = (
    "For anything else build an Objective: objectives.channel(layer, n), "
    "objectives.neuron(layer, n) or objectives.class_logit(layer, label)."
)


def parse_layer_channel(spec: str) -> tuple:
    """Reads the ``"<layer>:<channel>"`` shorthand (grammar in :func:`as_objective`).

    Args:
      spec: e.g. ``"mixed4a_pre_relu:476"``.

    Returns:
      ``(layer, channel)``: a non-empty str and a non-negative int.

    Raises:
      ValueError: ``spec`` is outside the grammar; the message names the problem.
    """
    parts = [part.strip() for part in spec.split(":")]
    if len(parts) == 1:
        problem = "has no ':<channel>' part"
    elif len(parts) > 2:
        tensor_name = ":".join(parts[:2])
        problem = (
            f"has {len(parts) - 1} ':'. A TensorFlow tensor name such as {tensor_name!r} "
            f"cannot be the layer part: write '{parts[0]}:<channel>'"
        )
    elif not parts[0]:
        problem = "has an empty layer name"
    elif re.fullmatch(r"-[0-9]+", parts[1]):
        problem = (
            f"has channel {parts[1]}, which is negative: channels count from 0, not back from "
            "the end as in Python"
        )
    elif not re.fullmatch(r"[0-9]+", parts[1]):
        problem = f"has channel part {parts[1]!r}, which is not a non-negative integer"
    else:
        return parts[0], int(parts[1])
    raise ValueError(
        f"Objective string {spec!r} {problem}; {_LAYER_CHANNEL_GRAMMAR}. {_OTHER_OBJECTIVES}"
    )


def _channel_from_string(spec):
    layer, n = parse_layer_channel(spec)
    obj = channel(layer, n)

    def objective_func(T):
        try:
            return obj(T)
        except ValueError as e:
            raise ValueError(
                f"{e}\nThe objective string {spec!r} was read as objectives.channel({layer!r}, {n}): "
                f"the number after ':' is a channel index, not TensorFlow's output index, so "
                f"{spec!r} is channel {n} of layer {layer!r}, not the tensor named {spec!r}. "
                f"{_OTHER_OBJECTIVES}"
            ) from e

    return Objective(objective_func, obj.name, obj.description)


def as_objective(obj, name: str = "obj"):
    """Converts ``obj`` into an objective; the one place that parses objective strings.

    Grammar: ``"<layer>:<channel>"``, where ``<layer>`` is a non-empty layer name without
    ':' and ``<channel>`` a non-negative decimal integer (whitespace around either is
    ignored), means ``channel(layer, channel)``. As in Lucid the number is always a channel
    index: ``"Softmax:2"`` is channel 2 of ``Softmax`` and ``"Softmax:0"`` is channel 0 of
    ``Softmax``, **not** the TensorFlow tensor named ``Softmax:0``. The layer and the channel
    range are checked when the objective is applied to ``T``; those errors restate how the
    string was read. A string outside the grammar (no ':', several ':' as in
    ``"Softmax:0:3"``, an empty layer, a non-integer channel such as ``"Softmax:cat"``) raises
    a ValueError pointing to ``objectives.channel``, ``neuron`` and ``class_logit``.

    Args:
      obj: an :class:`Objective` or any callable ``T -> scalar tensor`` (returned
        unchanged), or a ``"<layer>:<channel>"`` string.
      name: the argument's name in the caller, for the TypeError (e.g. ``"objective_f"``).

    Returns:
      The objective.

    Raises:
      ValueError: a string outside the grammar.
      TypeError: ``obj`` is neither callable nor a string.
    """
    if isinstance(obj, Objective) or callable(obj):
        return obj
    if isinstance(obj, str):
        return _channel_from_string(obj)
    raise TypeError(
        f"{name} must be an Objective (e.g. objectives.channel('mixed4a', 3)), a callable "
        f"T -> scalar tensor, or a '<layer>:<channel>' string such as 'mixed4a:3'; got "
        f"{type(obj).__name__}: {obj!r:.80}."
    )
