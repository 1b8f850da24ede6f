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

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis.objectives_algebra import Objective
from lucid.optvis.objectives_algebra import handle_batch
from lucid.optvis.objectives_algebra import wrap_objective
from lucid.optvis.objectives_blur import blur_penalty
from lucid.optvis.objectives_blur import tf_blur
from lucid.optvis.objectives_layers import channel_acts
from lucid.optvis.objectives_layers import direction_in_graph
from lucid.optvis.objectives_layers import label_index
from lucid.optvis.objectives_layers import nhwc_acts
from lucid.optvis.objectives_layers import require_index
from lucid.optvis.objectives_strings import channel_from_string
from lucid.optvis.objectives_strings import parse_layer_channel  # noqa: F401 (public here)
from lucid.optvis.objectives_util import _channel_arg
from lucid.optvis.objectives_util import _direction_arg
from lucid.optvis.objectives_util import _dot_cossim
from lucid.optvis.objectives_util import _extract_act_pos
from lucid.optvis.objectives_util import _static_batch
from lucid.optvis.objectives_util import channel_depth
from lucid.optvis.objectives_util import check_batch_index
from lucid.optvis.objectives_util import check_index
from lucid.optvis.objectives_util import check_non_negative
from lucid.optvis.objectives_util import check_position_args
from lucid.optvis.objectives_util import check_rank
from lucid.optvis.objectives_util import checked_channel_tensor
from lucid.optvis.objectives_util import checked_position
from lucid.optvis.objectives_util import in_graph
from lucid.optvis.objectives_util import is_int
from lucid.optvis.objectives_util import static_dim


@wrap_objective(require_format="NHWC")
def neuron(layer_name, channel_n, x=None, y=None, batch=None):
    """One neuron: channel ``channel_n`` at one spatial position (the centre by default).

    ``x`` indexes the height axis and ``y`` the width axis, as in Lucid. For even sizes the
    centre is the bottom-right cell of the central 2x2. Indices count from 0; a negative one
    is a ValueError, and so is a position outside the layer (when the step runs, if the
    layer's size is only known then).
    """
    require_index(channel_n, "channel_n", "neuron")
    check_position_args(x, y, "neuron")
    check_batch_index(batch)

    def inner(T):
        acts, n = channel_acts(T, layer_name, channel_n, batch, "neuron")
        acts = checked_position(acts, layer_name, x, y, "neuron")
        return tf.reduce_mean(_extract_act_pos(acts, x, y)[..., n])

    return inner


@wrap_objective(require_format="NHWC")
def channel(layer, n_channel, batch=None):
    """Mean activation of channel ``n_channel`` of ``layer`` over batch and positions.

    Channels count from 0; a negative ``n_channel`` is a ValueError (Lucid took the last).
    """
    require_index(n_channel, "n_channel", "channel")
    check_batch_index(batch)

    def inner(T):
        acts, n = channel_acts(T, layer, n_channel, batch, "channel")
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
        acts = nhwc_acts(T, layer, "direction")
        vec_ = direction_in_graph(vec, acts, layer, "direction")
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
        acts = nhwc_acts(T, layer_name, "direction_neuron")
        vec_ = direction_in_graph(vec, acts, layer_name, "direction_neuron")
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
        acts = nhwc_acts(T, layer, "tensor_direction")
        vec_ = direction_in_graph(vec, acts, layer, "tensor_direction")
        if len(vec_.shape) == 3:
            vec_ = vec_[None]
        for axis in (1, 2):
            size, vec_size = tf.dimension_value(acts.shape[axis]), static_dim(vec_, axis)
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


_tf_blur = tf_blur  # Lucid's private name (reference/lucid_api.md), for code that uses it


@wrap_objective()
def blur_input_each_step():
    """``0.5 * sum((x - stop_gradient(blur(x))) ** 2)`` on the image ``x``.

    A gradient step on ``-blur_input_each_step()`` moves the image toward its blur, so a
    negative weight acts like blurring the input a little each step.
    """
    return lambda T: blur_penalty(T("input"))


@wrap_objective()
def blur_alpha_each_step():
    """:func:`blur_input_each_step` on the alpha channel of an RGBA image `[N, H, W, 4]`."""

    def inner(T):
        t_input = T("input")
        depth = channel_depth(t_input)
        if depth is not None and depth < 4:
            raise ValueError(
                f"blur_alpha_each_step needs an RGBA input [batch, h, w, 4]; got shape "
                f"{t_input.shape}. Use param.image(..., alpha=True)."
            )
        return blur_penalty(t_input[..., 3:4])

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
                n = in_graph(n, acts, arg_name, "channel_interpolate")
                n = checked_channel_tensor(n, arg_name, "channel_interpolate")
            else:
                check_index(acts, layer, n)
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
        diffs = (tf_blur(arr, w=5) - arr) ** 2 + 0.8 * (arr - C) ** 2
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
        check_rank(acts, layer, (4,), "diversity", "[batch, h, w, channels]")
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
    if not (is_int(label) or isinstance(label, str)):
        raise TypeError(f"class_logit: label must be an int or a str; got {label!r}.")
    if is_int(label):
        check_non_negative(label, "label", "class_logit")

    @handle_batch(batch)
    def inner(T):
        logits = T(layer)
        check_rank(logits, layer, (2,), "class_logit", "[batch, classes]")
        class_n = label if is_int(label) else label_index(T("labels"), label)
        check_index(logits, layer, class_n, what="class")
        return tf.reduce_sum(logits[:, class_n])

    return inner


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
        return channel_from_string(obj, channel)
    raise TypeError(
        f"{name} must be an Objective (e.g. objectives.channel('mixed4a', 3)), a callable "
        f"T -> scalar tensor, or a '<layer>:<channel>' string such as 'mixed4a:3'; got "
        f"{type(obj).__name__}: {obj!r:.80}."
    )
