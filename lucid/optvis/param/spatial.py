"""Spatial image parameterisations: pixels, Fourier coefficients, Laplacian pyramids.

All image parameterisations return NHWC float32 tensors built on trainable ``tf.Variable``s
in the default graph; their random initial values come from TensorFlow random ops, so
``tf.set_random_seed`` makes them reproducible (Lucid used NumPy's global RNG).

References: Olah et al., "Feature Visualization", Distill 2017 (the Fourier basis);
Mordvintsev et al., "Differentiable Image Parameterizations", Distill 2018 (3-D textures).
"""

import warnings
from typing import Optional
from typing import Sequence

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.optvis import rewrites
from lucid.optvis.param.lowres import _as_positive_int
from lucid.optvis.param.lowres import _as_sd
from lucid.optvis.param.lowres import _as_shape
from lucid.optvis.param.lowres import check_image_memory
from lucid.optvis.param.lowres import lowres_tensor

# Lucid divides the inverse Fourier transform by 4 (empirical, kept so learning rates carry over).
IMAGE_DIVISOR = 4.0


def pixel_image(shape: Sequence[int], sd: Optional[float] = None, init_val=None):
    """A naive pixel-based parameterisation: the variable *is* the tensor.

    Args:
      shape: shape of the tensor, e.g. ``[batch, h, w, ch]`` (any rank).
      sd: standard deviation of the random ``N(0, sd)`` initial value (default 0.01).
      init_val: optional initial value (array-like or tensor) of exactly ``shape``; takes
        precedence over ``sd`` (a warning is issued if both are given). Fixes Lucid's
        ``init_val or ...``, which raised for multi-element arrays.

    Returns:
      A trainable float32 ``tf.Variable`` of ``shape``, unconstrained values.
    """
    shape = _as_shape("shape", shape)
    check_image_memory(shape, "pixel_image")
    if init_val is None:
        initial = tf.random_normal(shape, stddev=_as_sd(sd))
    else:
        if sd is not None:
            warnings.warn(
                "pixel_image received both init_val and sd; sd is ignored in favour of init_val.",
                stacklevel=2,
            )
        if tf.is_tensor(init_val):
            initial = tf.cast(init_val, tf.float32)
        else:
            initial = np.asarray(init_val, dtype=np.float32)
        if not tf.TensorShape(shape).is_compatible_with(initial.shape):
            raise ValueError(
                f"init_val has shape {tuple(initial.shape)} but shape={shape}; pass an initial "
                "value of exactly the requested shape."
            )
    return tf.Variable(initial, dtype=tf.float32)


def rfft2d_freqs(h: int, w: int) -> np.ndarray:
    """Frequency magnitudes ``sqrt(fx**2 + fy**2)`` of a 2-D real FFT of an ``h x w`` image.

    For odd ``w`` one extra column is kept (``w // 2 + 2`` columns) and the inverse
    transform is cropped by one pixel afterwards, as in Lucid. The columns are
    ``numpy.fft.fftfreq(w)[:w // 2 + 1 (+1)]`` (up to sign, which the magnitude hides).

    Returns:
      float64 array ``[h, w // 2 + 1 (+1 if w is odd)]``, in cycles per pixel.
    """
    h = _as_positive_int("h", h)
    w = _as_positive_int("w", w)
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)
    if w % 2 == 1:
        # The extra column is fftfreq(w)[w // 2 + 1], written so that it also exists for w == 1
        # (Lucid's slice of fftfreq(1) had a single column, giving an empty image).
        fx = np.append(fx, -(w // 2) / w)
    return np.sqrt(fx * fx + fy * fy)


def spectrum_to_image(real_t, imag_t, h: int, w: int, decay_power: float = 1) -> tf.Tensor:
    """Turns Fourier coefficients into NHWC images.

    Each coefficient is scaled by ``sqrt(w * h) / max(freq, 1 / max(w, h)) ** decay_power``,
    inverse-transformed with ``tf.signal.irfft2d``, transposed to NHWC, cropped to ``h x w``
    and divided by ``IMAGE_DIVISOR`` = 4 (Lucid's normalisation, kept so learning rates
    carry over).

    Args:
      real_t: float32 ``[batch, ch, fh, fw]``, the real parts, where
        ``(fh, fw) == rfft2d_freqs(h, w).shape``.
      imag_t: float32 ``[batch, ch, fh, fw]``, the imaginary parts.
      h: image height.
      w: image width.
      decay_power: exponent of the 1/f frequency scaling.

    Returns:
      float32 ``[batch, h, w, ch]``, unconstrained values (roughly zero-mean).
    """
    freqs = rfft2d_freqs(h, w)
    # Damp high frequencies (1/f**decay_power), then scale by sqrt(number of pixels) so the
    # transform is roughly unitary and learning rates match pixel-space optimisation.
    scale = 1.0 / np.maximum(freqs, 1.0 / max(w, h)) ** decay_power
    # Lucid's empirical normalisation (/ 4) is folded into the scale: the inverse transform is
    # linear and 4 a power of two, so the image is bit for bit the same, one op cheaper.
    scale = (scale * np.sqrt(w * h) / IMAGE_DIVISOR).astype(np.float32)
    spectrum_t = tf.complex(real_t * scale, imag_t * scale)
    # irfft2d works on the two innermost axes, so channels come first; move them last.
    image_t = tf.transpose(tf.signal.irfft2d(spectrum_t), (0, 2, 3, 1))
    if w % 2 == 1:
        # For odd w the inverse transform is one pixel wider: crop it. (Only then: even a
        # slice that keeps everything costs a StridedSliceGrad at every step.)
        image_t = image_t[:, :h, :w, :]
    return image_t


def spectrum_variables(initial_t) -> tuple:
    """Trainable real and imaginary parts of a spectrum, from their initial values.

    In a graph built with the ``"split_spectrum"`` rewrite (``lucid.optvis.rewrites``) the
    parts are two variables; otherwise, as in Lucid, one ``[2, ...]`` variable whose halves
    are sliced out at every step. The values, and so the images and gradients, are the same.

    Args:
      initial_t: float32 ``[2, batch, ch, fh, fw]`` tensor or array: real parts, then
        imaginary parts.

    Returns:
      ``(real_t, imag_t)``, two float32 ``[batch, ch, fh, fw]`` tensors.
    """
    initial_t = tf.convert_to_tensor(initial_t, tf.float32)
    if initial_t.shape.ndims is not None and initial_t.shape[0] != 2:
        raise ValueError(
            "spectrum_variables needs initial values [2, batch, ch, fh, fw] (real parts, then "
            f"imaginary parts); got shape {initial_t.shape}."
        )
    if rewrites.enabled(rewrites.SPLIT_SPECTRUM):
        real_t = tf.Variable(initial_t[0], dtype=tf.float32, name="spectrum_real")
        imag_t = tf.Variable(initial_t[1], dtype=tf.float32, name="spectrum_imag")
        return tf.convert_to_tensor(real_t), tf.convert_to_tensor(imag_t)
    spectrum_real_imag_t = tf.Variable(initial_t, dtype=tf.float32)
    return spectrum_real_imag_t[0], spectrum_real_imag_t[1]


def fft_image(shape: Sequence[int], sd: Optional[float] = None, decay_power: float = 1):
    """An image parameterised by its 2-D Fourier coefficients.

    The real and imaginary parts, ``(batch, ch, h, w // 2 + 1 [+1 if w is odd])`` each, are
    initialised from ``N(0, sd)`` and kept in one ``[2, ...]`` variable (two variables under
    the step builder's ``"split_spectrum"`` rewrite, see :func:`spectrum_variables`); the
    image is :func:`spectrum_to_image` of them.

    Args:
      shape: ``[batch, h, w, ch]``.
      sd: standard deviation of the initial coefficients (default 0.01).
      decay_power: exponent of the 1/f frequency scaling.

    Returns:
      float32 ``[batch, h, w, ch]``, unconstrained values (roughly zero-mean).
    """
    batch, h, w, ch = _as_shape("shape", shape, rank=4)
    check_image_memory([batch, h, w, ch], "fft_image")
    init_shape = (2, batch, ch) + rfft2d_freqs(h, w).shape
    real_t, imag_t = spectrum_variables(tf.random_normal(init_shape, stddev=_as_sd(sd)))
    return spectrum_to_image(real_t, imag_t, h, w, decay_power)


def laplacian_pyramid_image(shape: Sequence[int], n_levels: int = 4, sd: Optional[float] = None):
    """A sum of ``n_levels`` bilinearly upsampled tensors at halving resolutions.

    Level ``k`` is ``lowres_tensor(shape, batch_dims + (h // 2**k, w // 2**k, ch))``. For more
    flexibility, sum ``lowres_tensor``s directly.

    Args:
      shape: ``[..., h, w, ch]`` (a list or a tuple), usually ``[batch, h, w, ch]``.
      n_levels: number of levels; ``h`` and ``w`` must be at least ``2**(n_levels - 1)``.
      sd: standard deviation of each level's initial value (default 0.01).

    Returns:
      float32 tensor of ``shape``, unconstrained values.
    """
    shape = _as_shape("shape", shape)
    n_levels = _as_positive_int("n_levels", n_levels)
    if len(shape) < 3:
        raise ValueError(f"shape must end with (h, w, ch); got shape={shape}.")
    batch_dims = shape[:-3]
    h, w, ch = shape[-3:]
    if min(h, w) < 2 ** (n_levels - 1):
        raise ValueError(
            f"n_levels={n_levels} needs h and w of at least {2 ** (n_levels - 1)}; got "
            f"shape={shape}. Use fewer levels."
        )
    pyramid = 0
    for n in range(n_levels):
        k = 2**n
        pyramid += lowres_tensor(shape, batch_dims + (h // k, w // k, ch), sd=sd)
    return pyramid


def bilinearly_sampled_image(texture, uv):
    """Samples ``texture`` at ``uv`` like OpenGL (``GL_REPEAT`` wrapping, ``GL_LINEAR``).

    Args:
      texture: ``[tex_h, tex_w, channels]`` tensor.
      uv: ``[..., 2]`` tensor of per-pixel (u, v) coordinates; ``[0, 1]`` spans the texture
        once and values outside wrap around. ``v = 0`` is the *bottom* row (GL convention),
        so the texture is flipped vertically.

    Returns:
      ``uv.shape[:-1] + [channels]`` tensor of interpolated texture values.
    """
    texture = tf.convert_to_tensor(texture)
    uv = tf.convert_to_tensor(uv, dtype=texture.dtype)
    if uv.shape.ndims is not None and uv.shape[-1] not in (None, 2):
        raise ValueError(f"uv must have 2 entries (u, v) in its last axis; got shape {uv.shape}.")
    h, w = tf.unstack(tf.shape(texture)[:2])
    u, v = tf.split(uv, 2, axis=-1)
    v = 1.0 - v  # vertical flip to match the GL convention
    u = u * tf.cast(w, uv.dtype) - 0.5
    v = v * tf.cast(h, uv.dtype) - 0.5
    u0, u1 = tf.floor(u), tf.ceil(u)
    v0, v1 = tf.floor(v), tf.ceil(v)
    uf, vf = u - u0, v - v0
    u0, u1, v0, v1 = [tf.cast(x, tf.int32) for x in (u0, u1, v0, v1)]

    def sample(u, v):
        return tf.gather_nd(texture, tf.concat([v % h, u % w], axis=-1))

    s00, s01 = sample(u0, v0), sample(u0, v1)
    s10, s11 = sample(u1, v0), sample(u1, v1)
    s0 = s00 * (1.0 - vf) + s01 * vf
    s1 = s10 * (1.0 - vf) + s11 * vf
    return s0 * (1.0 - uf) + s1 * uf


def naive(shape, sd=None):
    """Deprecated alias of ``pixel_image``."""
    warnings.warn("naive is deprecated; use pixel_image.", DeprecationWarning, stacklevel=2)
    return pixel_image(shape, sd=sd)


def laplacian_pyramid(shape, n_levels=4, sd=None):
    """Deprecated alias of ``laplacian_pyramid_image``."""
    warnings.warn(
        "laplacian_pyramid is deprecated; use laplacian_pyramid_image.",
        DeprecationWarning,
        stacklevel=2,
    )
    return laplacian_pyramid_image(shape, n_levels=n_levels, sd=sd)


def sample_bilinear(texture, uv):
    """Deprecated alias of ``bilinearly_sampled_image``."""
    warnings.warn(
        "sample_bilinear is deprecated; use bilinearly_sampled_image.",
        DeprecationWarning,
        stacklevel=2,
    )
    return bilinearly_sampled_image(texture, uv)
