"""Transformations a feature visualization should be robust to.

Every transform is a factory ``config -> (t -> t)``: calling ``jitter(8)`` only checks
its arguments; the returned closure builds graph ops when it is applied to an image
tensor ``[batch, height, width, channels]`` (floats, usually in ``[0, 1]``). Random
choices are TensorFlow random ops, drawn afresh at every ``session.run`` and reproducible
under ``tf.set_random_seed``. Chain transforms with :func:`compose`::

    transform_f = transform.compose([transform.pad(16), transform.jitter(8)])
    t_transformed = transform_f(t_image)

Differences from Lucid 0.3.10, all bug fixes:

* ``random_rotate`` uses :func:`lucid._compat.rotate` (``tf.contrib`` is gone), with
  ``tf.contrib.image.rotate``'s nearest-neighbour sampling by default, as Lucid did
  (``interpolation="BILINEAR"`` for smoother gradients), and the exact value of pi (Lucid
  used 3.14). Under the step builder's ``"gather_rotate"`` rewrite, a CPU batch of at least
  8 images is rotated by an index map and a gather instead, with the same values and
  gradients (``rewrites.gather_rotate``); otherwise, under ``"image_kernels"``, the rotation
  runs through a compiled kernel, bit for bit the same (``rewrites.image_kernels``).
* ``normalize_gradient`` registers its gradient function once per process (Lucid
  registered a new one per call), and leaves an all-zero gradient at zero instead of
  turning it into NaN.
* Bad arguments (a negative jitter, an unknown pad mode or angle unit, an empty list of
  scales) raise ``ValueError``/``TypeError`` instead of failing later or being ignored.
"""

import numbers
from typing import Callable
from typing import Optional
from typing import Sequence
from typing import Union

import numpy as np
import tensorflow.compat.v1 as tf

from lucid._compat import check_interpolation
from lucid._compat import degrees_to_radians
from lucid.optvis.overrides.gradient_override import register_to_random_name
from lucid.optvis.rewrites import rotations

Transform = Callable[[tf.Tensor], tf.Tensor]

_PAD_MODES = ("CONSTANT", "REFLECT", "SYMMETRIC")
_DEGREE_UNITS = ("degrees", "degs", "deg")
_RADIAN_UNITS = ("radians", "rads", "rad")


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_non_negative_int(name, value, where):
    if not _is_int(value) or value < 0:
        raise ValueError(f"{where}: {name} must be a non-negative int; got {name}={value!r}.")


def _check_positive_int(name, value, where):
    if not _is_int(value) or value <= 0:
        raise ValueError(f"{where}: {name} must be a positive int; got {name}={value!r}.")


def _check_choices(name, values, where, positive=False):
    """Returns ``values`` as a non-empty list of real numbers (positive if asked)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{where}: {name} must be a list of numbers; got {name}={values!r}.")
    values = list(values)
    if not values:
        raise ValueError(f"{where}: {name} is empty; give at least one value to choose from.")
    for value in values:
        if not _is_real(value) or (positive and value <= 0):
            kind = "positive numbers" if positive else "numbers"
            raise ValueError(f"{where}: {name} must contain only {kind}; got {name}={values!r}.")
    return values


def _image_tensor(t):
    return tf.convert_to_tensor(t, preferred_dtype=tf.float32)


def _check_rank(t, rank, where, at_least=False):
    ndims = t.shape.ndims
    if ndims is None:
        return
    if ndims < rank if at_least else ndims != rank:
        expected = f"at least {rank}" if at_least else f"{rank}"
        raise ValueError(
            f"{where} expects a tensor of rank {expected} ([batch, height, width, channels]); "
            f"got shape {t.shape}."
        )


def jitter(d: int, seed: Optional[int] = None) -> Transform:
    """Randomly crops ``d`` pixels off the height and the width.

    One crop window, uniformly placed, is drawn per step and shared by the whole batch
    (as in Lucid). The output keeps every static dimension it can.

    Args:
      d: pixels to remove from each spatial dimension (non-negative int).
      seed: op-level seed for ``tf.random_crop``.

    Returns:
      A transform from ``[..., H, W, C]`` to ``[..., H - d, W - d, C]``.
    """
    _check_non_negative_int("d", d, "jitter")

    def inner(t_image):
        t_image = _image_tensor(t_image)
        _check_rank(t_image, 3, "jitter", at_least=True)
        static = t_image.shape.as_list() if t_image.shape.ndims is not None else None
        if static is not None:
            for axis_name, size in (("height", static[-3]), ("width", static[-2])):
                if size is not None and size <= d:
                    raise ValueError(
                        f"jitter(d={d}) needs an image {axis_name} larger than {d}; got shape "
                        f"{t_image.shape}. Pad the image first or use a smaller d."
                    )
        t_shape = tf.shape(t_image)
        crop_shape = tf.concat([t_shape[:-3], t_shape[-3:-1] - d, t_shape[-1:]], 0)
        crop = tf.random_crop(t_image, crop_shape, seed=seed)
        if static is not None:
            spatial = [None if size is None else size - d for size in static[-3:-1]]
            crop.set_shape(static[:-3] + spatial + static[-1:])
        return crop

    return inner


def pad(w: int, mode: str = "REFLECT", constant_value: Union[float, str] = 0.5) -> Transform:
    """Pads the height and the width by ``w`` pixels on each side.

    Args:
      w: pixels added on each side (non-negative int).
      mode: "REFLECT", "SYMMETRIC" or "CONSTANT", in any case (Lucid used "constant").
      constant_value: fill value for "CONSTANT" mode, or "uniform" to draw one random
        value in ``[0, 1)`` per step.

    Returns:
      A transform from ``[N, H, W, C]`` to ``[N, H + 2w, W + 2w, C]``.
    """
    _check_non_negative_int("w", w, "pad")
    if not isinstance(mode, str) or mode.upper() not in _PAD_MODES:
        raise ValueError(f"pad: mode={mode!r} is not supported; expected one of {_PAD_MODES}.")
    mode = mode.upper()
    if not _is_real(constant_value) and constant_value != "uniform":
        raise ValueError(
            f"pad: constant_value must be a number or 'uniform'; got constant_value={constant_value!r}."
        )

    def inner(t_image):
        t_image = _image_tensor(t_image)
        _check_rank(t_image, 4, "pad")
        if mode == "CONSTANT":
            value = constant_value
            if constant_value == "uniform":
                value = tf.random_uniform([], 0, 1, dtype=t_image.dtype)
        else:
            _check_mirror_pad(t_image, w, mode)
            value = 0  # ignored by mirror modes
        return tf.pad(t_image, [(0, 0), (w, w), (w, w), (0, 0)], mode=mode, constant_values=value)

    return inner


def _check_mirror_pad(t_image, w, mode):
    """Mirror padding cannot reach further than the image itself."""
    if t_image.shape.ndims is None:
        return
    sizes = [d for d in t_image.shape.as_list()[1:3] if d is not None]
    if not sizes:
        return
    max_w = min(sizes) - 1 if mode == "REFLECT" else min(sizes)
    if w > max_w:
        raise ValueError(
            f"pad(w={w}, mode={mode!r}) pads further than the image of shape {t_image.shape} "
            f"allows (at most {max_w}); use a smaller w or mode='CONSTANT'."
        )


def random_scale(scales: Sequence[float], seed: Optional[int] = None) -> Transform:
    """Resizes the image by a factor drawn uniformly from ``scales`` at each step.

    The new size is ``int(scale * size)`` (truncated, as in Lucid), resized bilinearly.

    Args:
      scales: non-empty list of positive factors, e.g. ``[0.9, 1.0, 1.1]``. Repeat a
        value to make it more likely.
      seed: op-level seed for the choice.

    Returns:
      A transform from ``[N, H, W, C]`` to ``[N, int(s*H), int(s*W), C]`` float32.
    """
    scales = _check_choices("scales", scales, "random_scale", positive=True)

    def inner(t):
        t = _image_tensor(t)
        _check_rank(t, 4, "random_scale")
        scale = tf.cast(_rand_select(scales, seed=seed), tf.float32)
        spatial = tf.cast(tf.shape(t)[-3:-1], tf.float32)
        scale_shape = tf.cast(scale * spatial, tf.int32)
        # resize_images(BILINEAR) builds the same ResizeBilinear op as Lucid's
        # tf.image.resize_bilinear, without its deprecation warning.
        return tf.image.resize_images(t, scale_shape, method=tf.image.ResizeMethod.BILINEAR)

    return inner


def random_rotate(
    angles: Sequence[float],
    units: str = "degrees",
    seed: Optional[int] = None,
    interpolation: str = "NEAREST",
) -> Transform:
    """Rotates the image counterclockwise by an angle drawn uniformly from ``angles``.

    Pixels rotated in from outside the image are 0. Uses exact pi (Lucid used 3.14).

    Args:
      angles: non-empty list of angles; repeat a value to make it more likely.
      units: "degrees" (also "degs", "deg") or "radians" (also "rads", "rad"), any case.
      seed: op-level seed for the choice.
      interpolation: "NEAREST" (Lucid's: ``tf.contrib.image.rotate``'s default) or
        "BILINEAR" (each output pixel mixes four input pixels, so the gradient reaches
        every pixel near a sample; costs ~2 % more per InceptionV1 step).

    Returns:
      A transform from ``[N, H, W, C]`` to the same shape.
    """
    angles = _check_choices("angles", angles, "random_rotate")
    _check_units(units)
    check_interpolation(interpolation)

    def inner(t):
        t = _image_tensor(t)
        angle = _angle2rads(_rand_select(angles, seed=seed), units)
        return rotations.rotate(t, angle, interpolation)

    return inner


def _normalize_grad(op, grad):
    """Gradient of the normalize_gradient Identity: per-example unit L2 norm.

    Registered once, on first use. Examples whose gradient is entirely zero keep it at
    zero (Lucid divided by zero and produced NaN).
    """
    del op  # the gradient depends only on the incoming gradient
    axes = tf.range(1, tf.rank(grad))
    norm = tf.sqrt(tf.reduce_sum(tf.square(grad), axes, keepdims=True))
    return tf.math.divide_no_nan(grad, norm)


def normalize_gradient(grad_scales: Optional[Sequence[float]] = None) -> Transform:
    """Identity on the forward pass; normalizes the gradient per example on the way back.

    The gradient reaching the input is ``grad[i] / ||grad[i]|| * grad_scales[i]`` for
    batch item ``i`` (the norm is the L2 norm over all non-batch axes).

    Args:
      grad_scales: optional per-example factors, a list of length ``batch``.

    Returns:
      A transform from ``[N, ...]`` to the same tensor value.
    """
    if grad_scales is not None:
        scales = np.asarray(grad_scales)
        if scales.ndim != 1 or scales.size == 0 or not np.issubdtype(scales.dtype, np.number):
            raise ValueError(
                "normalize_gradient: grad_scales must be a non-empty 1-D list of numbers, one per "
                f"batch item; got grad_scales={grad_scales!r}."
            )
        grad_scales = scales.astype(np.float32)

    def inner(x):
        x = _image_tensor(x)
        if grad_scales is not None:
            batch = x.shape.as_list()[0] if x.shape.ndims else None
            if batch is not None and batch != len(grad_scales):
                raise ValueError(
                    f"normalize_gradient: grad_scales has {len(grad_scales)} entries but the "
                    f"batch has {batch} (shape {x.shape}); give one scale per batch item."
                )
            keep_shape = tf.concat([[-1], tf.ones([tf.rank(x) - 1], tf.int32)], 0)
            s = tf.reshape(tf.constant(grad_scales, dtype=x.dtype), keep_shape)
            # Forward value is exactly x; the gradient is multiplied by s. Built before
            # the Identity so that, backwards, the gradient is normalized and then scaled.
            scaled = s * x
            x = tf.stop_gradient(x) + (scaled - tf.stop_gradient(scaled))
        name = register_to_random_name(_normalize_grad)
        with tf.get_default_graph().gradient_override_map({"Identity": name}):
            return tf.identity(x)

    return inner


def compose(transforms: Sequence[Transform]) -> Transform:
    """Chains transforms: ``compose([f, g])(t) == g(f(t))``.

    Args:
      transforms: a list of transforms (callables ``t -> t``), applied in order.
    """
    if isinstance(transforms, (str, bytes)) or not hasattr(transforms, "__iter__"):
        raise TypeError(f"compose: transforms must be a list of callables; got {transforms!r}.")
    transforms = list(transforms)
    for i, transform in enumerate(transforms):
        if not callable(transform):
            raise TypeError(
                f"compose: transforms[{i}]={transform!r} is not callable; each transform is a "
                "function t -> t, e.g. transform.jitter(8)."
            )

    def inner(x):
        x = _image_tensor(x)
        for transform in transforms:
            x = transform(x)
        return x

    return inner


def collapse_alpha_random(sd: float = 0.5) -> Transform:
    """Composites an RGBA image over random FFT noise, giving RGB.

    A new noise image (``param.random.image_sample``, with standard deviation ``sd``) is
    drawn each step, so the visualization is pushed to make transparent regions
    genuinely irrelevant.

    Returns:
      A transform from ``[N, H, W, 4]`` (static shape) to ``[N, H, W, 3]``.
    """
    if not _is_real(sd) or sd < 0:
        raise ValueError(f"collapse_alpha_random: sd must be a non-negative number; got sd={sd!r}.")

    def inner(t_image):
        t_image = _image_tensor(t_image)
        shape = t_image.shape.as_list() if t_image.shape.ndims is not None else None
        if shape is None or len(shape) != 4 or None in shape or shape[-1] != 4:
            raise ValueError(
                "collapse_alpha_random expects an RGBA tensor with a fully known static shape "
                f"[batch, height, width, 4]; got shape {t_image.shape}."
            )
        # Imported here, when the graph is built, to keep module imports acyclic.
        from lucid.optvis.param.random import image_sample

        rgb, alpha = t_image[..., :3], t_image[..., 3:4]
        noise = image_sample(shape[:-1] + [3], sd=sd)
        return alpha * rgb + (1 - alpha) * noise

    return inner


def crop_or_pad_to(height: int, width: int) -> Transform:
    """Centre-crops or zero-pads the image to ``height`` x ``width``.

    Meant as the last transform for models that insist on one input size.

    Returns:
      A transform from ``[N, H, W, C]`` to ``[N, height, width, C]``.
    """
    _check_positive_int("height", height, "crop_or_pad_to")
    _check_positive_int("width", width, "crop_or_pad_to")

    def inner(t_image):
        return tf.image.resize_image_with_crop_or_pad(_image_tensor(t_image), height, width)

    return inner


def _rand_select(xs, seed=None):
    """A scalar tensor holding one element of ``xs``, drawn uniformly at each run."""
    xs = list(xs)
    if not xs:
        raise ValueError("_rand_select: xs is empty; give at least one value to choose from.")
    index = tf.random_uniform((), 0, len(xs), tf.int32, seed=seed)
    return tf.constant(xs)[index]


def _check_units(units):
    accepted = _DEGREE_UNITS + _RADIAN_UNITS
    if not isinstance(units, str) or units.lower() not in accepted:
        raise ValueError(f"units={units!r} is not an angle unit; expected one of {accepted}.")


def _angle2rads(angle, units):
    """``angle`` (number or tensor) in ``units`` as a float32 tensor in radians."""
    _check_units(units)
    angle = tf.cast(angle, tf.float32)
    if units.lower() in _DEGREE_UNITS:
        angle = degrees_to_radians(angle)
    return angle


standard_transforms = [
    pad(12, mode="constant", constant_value=0.5),
    jitter(8),
    random_scale([1 + (i - 5) / 50.0 for i in range(11)]),
    random_rotate(list(range(-10, 11)) + 5 * [0]),
    jitter(4),
]
