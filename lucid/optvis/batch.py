"""Render many units of one layer in batches: one graph, one image per unit, per-unit seeds.

    from lucid.optvis import batch
    images = batch.render_units(model, "mixed4a_pre_relu", range(508))  # [508, 128, 128, 3]

How it works:

* **One graph per batch shape.** ``render_units`` builds one graph and session for ``b``
  items and reuses them for every batch: the units and their seeds are fed when the
  variables are re-initialised (image parameters, Adam slots and the global step), so a
  step feeds nothing. ``n`` units with a batch limit ``B`` run as ``k = ceil(n / B)``
  batches of ``b = ceil(n / k)``; the last batch is topped up with copies of one of its
  units (less than ``k`` wasted items in all) so that every batch has the same shape.
* **One objective per item.** Item ``i`` maximises its own unit (the mean of the channel,
  or the centre neuron as in ``objectives.neuron``) on its own batch slice; the loss is
  the sum, so item ``i``'s gradient is its own objective's. Adam is elementwise and the
  redirected-ReLU gradient chooses per item, so items never interact.
* **Deterministic per-unit seeds.** ``unit_seed(model, layer, unit, kind, seed)`` keys every
  random draw of an item: its initial parameters (``tf.random.stateless_normal`` seeded
  ``(unit_seed, 0)``) and its jitter, scale and angle at each step (uniforms hashed from
  ``(unit_seed, step)`` with SplitMix64 on the host, fed once per batch as a
  `[batch, steps, 6]` table that the step indexes with the global step). A unit gives the
  same image alone or in a batch of 64, up to the rounding of batched kernels (measured
  in ``tests/optvis/test_batch.py``: identical on CPU).
* **Batch size from a memory budget** (``estimate_batch_size``): the model is run once at
  batch 1 on a ``size + 12`` pixel image and the float outputs of every op the layer
  depends on are added up: the forward activation memory of one item. The backward pass
  keeps those activations and holds gradients of about the same size, and convolution
  workspaces and allocator slack take more, so one item is budgeted at ``3 x`` that, and
  the model's weights once. The batch is ``(budget - weights) // per_item``, between 1 and
  128 (beyond that a GPU is saturated and the graph only grows). On a CPU this is
  conservative: TensorFlow frees activations early, and peak RSS grew by ~5 MB per item
  for InceptionV1 ``mixed4a`` at 128 px against the ~48 MB budgeted.

Differences from ``render_vis`` with ``transform.standard_transforms``: the same pad,
jitters, scales and angles, drawn per item instead of per batch; ``random_scale`` zooms
about the centre on a fixed canvas instead of resizing (a batch needs one shape), with
pixels from outside the image 0 as ``random_rotate`` does; the rotation samples bilinearly,
where ``random_rotate`` (like Lucid's) samples the nearest pixel. Runs on the GPU like render_vis
(no ``py_func``, ``allow_growth``, the graph is finalised before stepping).
"""

import hashlib
import logging
import math
from typing import Callable
from typing import Optional
from typing import Sequence

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis import batch_args
from lucid.optvis import objectives
from lucid.optvis import render
from lucid.optvis import render_util
from lucid.optvis import step as step_lib
from lucid.optvis.batch_memory import batch_size_for
from lucid.optvis.batch_memory import check_budget
from lucid.optvis.batch_memory import default_budget_mb
from lucid.optvis.batch_memory import inspect_layer
from lucid.optvis.batch_transforms import N_CHOICES
from lucid.optvis.batch_transforms import per_item_uniforms
from lucid.optvis.batch_transforms import standard_transforms_per_item
from lucid.optvis.objectives_util import T_force_NHWC
from lucid.optvis.param.color import to_valid_rgb
from lucid.optvis.param.lowres import check_image_memory
from lucid.optvis.param.spatial import pixel_image
from lucid.optvis.param.spatial import rfft2d_freqs
from lucid.optvis.param.spatial import spectrum_to_image
from lucid.optvis.param.spatial import spectrum_variables

log = logging.getLogger(__name__)

KINDS = ("channel", "neuron")
_DEFAULT_SD = 0.01


def unit_seed(model_name: str, layer: str, unit: int, kind: str, seed: int = 0) -> int:
    """The seed of one unit's rendering: stable across runs, processes and machines.

    The first 31 bits of the SHA-256 of ``"model_name/layer/unit/kind/seed"``.

    Returns:
      An int in ``[0, 2**31)``.
    """
    for name, value in (("model_name", model_name), ("layer", layer), ("kind", kind)):
        if not isinstance(value, str):
            raise TypeError(f"unit_seed: {name} must be a str; got {name}={value!r}.")
    for name, value in (("unit", unit), ("seed", seed)):
        if not batch_args.is_int(value):
            raise TypeError(f"unit_seed: {name} must be an int; got {name}={value!r}.")
    key = f"{model_name}/{layer}/{int(unit)}/{kind}/{int(seed)}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "big") & 0x7FFFFFFF


def estimate_batch_size(model, layer, size: int, memory_budget_mb: float) -> int:
    """How many units of ``layer`` fit in one batch within ``memory_budget_mb``.

    Builds the model once (batch 1, ``size + 12`` pixels as the standard transforms give)
    and applies the heuristic in the module docstring. Monotone in the budget.

    Returns:
      An int between 1 and 128; 1 (with a logged warning) when even one item exceeds the budget.
    """
    check_budget(memory_budget_mb)
    model = render_util.resolve_model(model)
    channels = render_util.default_image_shape(model)[2]
    info = inspect_layer(
        model, batch_args.layer_name(layer), batch_args.check_positive_int("size", size), channels
    )
    return batch_size_for(info, memory_budget_mb)


def render_units(
    model,
    layer,
    units: Sequence[int],
    kind: str = "channel",
    size: Optional[int] = None,
    steps: int = 512,
    batch_size: Optional[int] = None,
    memory_budget_mb: Optional[float] = None,
    param_f: Optional[Callable] = None,
    transforms: Optional[Sequence[Callable]] = None,
    objective_f: Optional[Callable] = None,
    seed: int = 0,
    progress: bool = True,
    on_batch: Optional[Callable] = None,
    optimizer=None,
    relu_gradient_override: bool = True,
    precision: str = "float32",
    rewrites=None,
) -> np.ndarray:
    """Renders one visualization per unit of ``layer``, in batches.

    Args:
      model: a ``lucid.modelzoo.vision_base.Model``, or a zoo name such as ``"InceptionV1"``.
      layer: a layer name (or ``Layer``) of ``model``.
      units: channel indices of ``layer`` (ints in ``0..depth-1``; repeats allowed).
      kind: "channel" (mean of the channel) or "neuron" (the channel at the centre position).
      size: image width and height in pixels; None: the larger of the model's
        ``image_shape`` height and width (128 where unknown). The images have the model's
        channel count ``c`` (``image_shape[-1]``, 3 where unknown).
      steps: optimisation steps per image.
      batch_size: items per batch; None chooses one from ``memory_budget_mb``.
      memory_budget_mb: memory for one batch; None: 2048 on CPU, 80% of the GPU memory
        TensorFlow may use on a GPU. Ignored when ``batch_size`` is given.
      param_f: the function ``param_f(batch, size, seeds)`` (not its result) building the
        `[batch, size, size, c]` image in `[0, 1]`, where ``seeds`` is an int64 `[batch, 2]` tensor; item ``i``'s initial
        values must come only from ``tf.random.stateless_*(..., seed=seeds[i])``. None:
        :func:`image` (FFT, decorrelated).
      transforms: None for the standard transforms drawn per item (see the module docstring),
        or a list of ``transform`` functions applied to the whole batch: their random draws
        are then shared by the batch, so an image depends on its batch (``[]``: none).
      objective_f: ``objective_f(layer, unit, batch_index) -> Objective`` for item
        ``batch_index`` rendering ``unit`` (an int); it should only read that batch slice
        (e.g. ``objectives.channel(layer, unit, batch=batch_index)``). Builds a graph per
        batch, since the objectives differ. Overrides ``kind``, which still keys the seeds.
      seed: mixed into every unit's seed (see :func:`unit_seed`).
      progress: show a tqdm progress bar over units.
      on_batch: ``on_batch(units, images)`` called after each batch with its units (a list
        of ints) and their `[n, size, size, c]` images, e.g. to write results as they come.
      optimizer: as in ``render_vis`` (None: ``tf.train.AdamOptimizer(0.05)``).
      relu_gradient_override: redirected ReLU gradients for the first 16 steps.
      precision: "float32" (default) or "bfloat16" (the model's convolutions in bfloat16,
        the image, loss and optimizer in float32; float32 with a warning where the machine
        lacks bfloat16), as in ``render.render_vis``.
      rewrites: None (default) for every default graph rewrite, ``()`` for none, or names
        from ``lucid.optvis.rewrites.NAMES``; they speed each step up without changing
        what it computes, as in ``render.render_vis``.

    Returns:
      float32 `[len(units), size, size, c]` in `[0, 1]`, in the order of ``units``.
    """
    model = render_util.resolve_model(model)
    precision, rewrite_names = step_lib.check_options(precision, rewrites)
    layer = batch_args.layer_name(layer)
    if kind not in KINDS:
        raise ValueError(f"render_units: kind={kind!r} is not supported; expected one of {KINDS}.")
    height, width, channels = render_util.default_image_shape(model)
    size = max(height, width) if size is None else batch_args.check_positive_int("size", size)
    steps = batch_args.check_positive_int("steps", steps)
    units = batch_args.check_units(units)
    batch_args.check_callables(param_f=param_f, objective_f=objective_f, on_batch=on_batch)
    images = np.zeros([len(units), size, size, channels], np.float32)
    if not units:
        return images
    check_image_memory([1, size, size, channels], f"render_units(size={size})")
    info = inspect_layer(model, layer, size, channels)
    batch_args.check_unit_range(units, info.depth, layer)
    if batch_size is None:
        budget = default_budget_mb() if memory_budget_mb is None else memory_budget_mb
        check_budget(budget)
        batch_size = batch_size_for(info, budget)
    batch_size = batch_args.check_positive_int("batch_size", batch_size)
    check_image_memory([batch_size, size, size, channels], f"render_units(size={size})")
    seeds = [unit_seed(model.name, layer, u, kind, seed) for u in units]
    n_batches = math.ceil(len(units) / batch_size)
    b = math.ceil(len(units) / n_batches)  # every batch has b items, the last topped up

    def build(batch_units):
        return _BatchGraph(
            model, layer, b, size, kind, param_f, transforms, objective_f, batch_units,
            optimizer, relu_gradient_override, seed, precision, rewrite_names,
        )  # fmt: skip

    from tqdm.auto import tqdm

    graph = None
    with tqdm(total=len(units), desc="render_units", unit="unit", disable=not progress) as bar:
        try:
            for start in range(0, len(units), b):
                real = units[start : start + b]
                padded = real + [real[0]] * (b - len(real))
                padded_seeds = seeds[start : start + b] + [seeds[start]] * (b - len(real))
                if graph is None or objective_f is not None:
                    if graph is not None:
                        graph.close()
                    graph = build(padded if objective_f is not None else None)
                batch_images = graph.render(padded, padded_seeds, steps)[: len(real)]
                images[start : start + len(real)] = batch_images
                if on_batch is not None:
                    on_batch(list(real), batch_images)
                bar.update(len(real))
        finally:
            if graph is not None:
                graph.close()
    return images


def image(
    batch: int,
    size: int,
    seeds,
    sd: Optional[float] = None,
    fft=True,
    decorrelate=True,
    channels: int = 3,
):
    """The default ``param_f``: ``param.image(size, batch=batch)`` with per-item seeded init.

    Args:
      batch: items.
      size: width and height.
      seeds: int `[batch, 2]` tensor; item ``i``'s initial parameters are
        ``sd * stateless_normal(seed=seeds[i])``, whatever the other items.
      sd: standard deviation of the initial parameters (default 0.01).
      fft, decorrelate: as in ``param.image``.
      channels: channels of the image; other than 3, a sigmoid of the parameters, without
        colour decorrelation (as ``param.image(..., channels=channels)``).

    Returns:
      float32 `[batch, size, size, channels]` in `[0, 1]`.
    """
    sd = _DEFAULT_SD if sd is None else sd
    if fft:
        item_shape = (2, channels) + rfft2d_freqs(size, size).shape  # one item's spectrum
        initial = tf.transpose(_stateless_normal_per_item(item_shape, seeds, sd), [1, 0, 2, 3, 4])
        t = spectrum_to_image(*spectrum_variables(initial), size, size)
    else:
        initial = _stateless_normal_per_item((size, size, channels), seeds, sd)
        t = pixel_image([batch, size, size, channels], init_val=initial)
    if channels != 3:
        return tf.nn.sigmoid(t)
    return to_valid_rgb(t, decorrelate=decorrelate, sigmoid=True)


def _stateless_normal_per_item(item_shape, seeds, sd):
    """`[batch, *item_shape]`: item ``i`` is ``sd * stateless_normal(seed=seeds[i])``."""
    return sd * tf.map_fn(
        lambda s: tf.random.stateless_normal(item_shape, seed=s),
        seeds,
        fn_output_signature=tf.float32,
    )


class _BatchGraph:
    """A graph and session rendering ``batch`` items; ``render`` re-initialises and runs it."""

    def __init__(
        self, model, layer, batch, size, kind, param_f, transforms, objective_f, units,
        optimizer, relu_gradient_override, seed, precision, rewrite_names,
    ):  # fmt: skip
        self.graph = tf.Graph()
        self.batch = batch
        self.choices_in = None
        with self.graph.as_default():
            tf.set_random_seed(seed)  # only custom transforms use stateful random ops
            self.seeds_in = tf.placeholder(tf.int64, [batch], name="unit_seeds")
            self.units_in = tf.placeholder(tf.int32, [batch], name="units")
            self.units_t = tf.Variable(self.units_in, trainable=False, name="units_var")
            init_seeds = tf.stack([self.seeds_in, tf.zeros([batch], tf.int64)], axis=1)

            def transform_f(t_image):
                if transforms is not None:
                    return render.make_transform_f(transforms)(t_image)
                # [batch, steps, 6] uniforms drawn on the host from each unit's seed, fed once.
                self.choices_in = tf.placeholder(tf.float32, [batch, None, N_CHOICES])
                choices = tf.Variable(self.choices_in, trainable=False, validate_shape=False)
                global_step = tf.train.get_or_create_global_step()
                step_choices = tf.gather(choices, global_step, axis=1)
                step_choices.set_shape([batch, N_CHOICES])
                return standard_transforms_per_item(t_image, step_choices)

            def loss_f(T):
                if objective_f is None:
                    return _fed_unit_objective(T, layer, kind, self.units_t)
                return _custom_objective(T, objective_f, layer, units)

            step = step_lib.build_step(
                model,
                image_f=lambda: _make_image(param_f, batch, size, _channels(model), init_seeds),
                transform_f=transform_f,
                loss_f=loss_f,
                optimizer=render.make_optimizer(optimizer, []),
                relu_gradient_override=relu_gradient_override,
                precision=precision,
                rewrites=rewrite_names,
                description=f"{kind} of {layer}" if objective_f is None else "objective_f",
            )
            self.t_image = step.t_image
            self.vis_op = step.vis_op
            self.init_op = tf.global_variables_initializer()
            self.graph.finalize()
        self.sess = tf.Session(graph=self.graph, config=step_lib.session_config(precision))

    def render(self, units, seeds, steps):
        """Optimises ``units`` (ints) with ``seeds`` for ``steps``; `[batch, h, w, 3]` images."""
        feed = {self.units_in: units, self.seeds_in: seeds}
        if self.choices_in is not None:
            feed[self.choices_in] = per_item_uniforms(seeds, steps)
        self.sess.run(self.init_op, feed)
        for step in range(steps):
            render_util.run_step(self.sess, self.vis_op, step, caller="render_units")
        return self.sess.run(self.t_image).astype(np.float32)

    def close(self):
        self.sess.close()


def _channels(model):
    return render_util.default_image_shape(model)[2]


def _make_image(param_f, batch, size, channels, seeds):
    if param_f is None:
        t_image = image(batch, size, seeds, channels=channels)
    else:
        t_image = param_f(batch, size, seeds)
    if not tf.is_tensor(t_image):
        raise TypeError(
            f"param_f returned a {type(t_image).__name__}, not a tensor; it must build and return "
            "the image tensor [batch, size, size, channels], e.g. batch.image(batch, size, seeds)."
        )
    t_image = tf.convert_to_tensor(t_image)
    shape = [batch, size, size, channels]
    if not t_image.shape.is_compatible_with(shape):
        raise ValueError(
            f"param_f must return a [batch, size, size, channels] = {shape} image (the "
            f"model's channel count); got shape {t_image.shape}."
        )
    t_image.set_shape(shape)
    return t_image


def _fed_unit_objective(T, layer, kind, units_t):
    """Sum over items of item ``i``'s unit ``units_t[i]`` read from its own batch slice."""
    acts = T_force_NHWC(T)(layer)
    if acts.shape.ndims != 4:
        raise ValueError(
            f"render_units needs layer {layer!r} to be [batch, h, w, channels] or "
            f"[batch, channels]; its activations have shape {acts.shape}."
        )
    if kind == "neuron":
        shape = tf.shape(acts)
        acts = acts[:, shape[1] // 2 : shape[1] // 2 + 1, shape[2] // 2 : shape[2] // 2 + 1]
    # Item i's channel units_t[i]: an exact selection (x * 1 + 0s) with simple gradients.
    one_hot = tf.one_hot(units_t, tf.dimension_value(acts.shape[3]) or tf.shape(acts)[3])
    per_item = tf.reduce_sum(acts * one_hot[:, None, None, :], axis=3)  # [batch, h, w]
    return tf.reduce_sum(tf.reduce_mean(per_item, axis=[1, 2]))


def _custom_objective(T, objective_f, layer, units):
    objs = [objectives.as_objective(objective_f(layer, u, i)) for i, u in enumerate(units)]
    return tf.reshape(tf.cast(objectives.Objective.sum(objs)(T), tf.float32), [])
