"""Random (non-trainable) images, resampled on every run.

Used as backgrounds, e.g. by ``transform.collapse_alpha_random``.
"""

from typing import Optional
from typing import Sequence

import tensorflow.compat.v1 as tf

from lucid.optvis.param.color import to_valid_rgb
from lucid.optvis.param.lowres import _as_sd
from lucid.optvis.param.lowres import _as_shape
from lucid.optvis.param.spatial import rfft2d_freqs
from lucid.optvis.param.spatial import spectrum_to_image


def image_sample(
    shape: Sequence[int],
    decorrelate: bool = True,
    sd: Optional[float] = None,
    decay_power: float = 1,
):
    """A random natural-looking RGB image (1/f noise), new each time the graph runs.

    Args:
      shape: ``[batch, h, w, 3]``.
      decorrelate: map from the decorrelated colour space, as ``to_valid_rgb``.
      sd: standard deviation of the Fourier coefficients (default 0.01).
      decay_power: exponent of the 1/f frequency scaling.

    Returns:
      float32 ``[batch, h, w, 3]`` in ``[0, 1]``; not a variable (no trainable state).
    """
    raw_spatial = rand_fft_image(shape, sd=sd, decay_power=decay_power)
    return to_valid_rgb(raw_spatial, decorrelate=decorrelate)


def rand_fft_image(shape: Sequence[int], sd: Optional[float] = None, decay_power: float = 1):
    """Random Fourier-noise images, scaled like ``fft_image`` but drawn on every run.

    Args:
      shape: ``[batch, h, w, ch]``.
      sd: standard deviation of the Fourier coefficients (default 0.01).
      decay_power: exponent of the 1/f frequency scaling.

    Returns:
      float32 ``[batch, h, w, ch]``, unconstrained values.
    """
    batch, h, w, ch = _as_shape("shape", shape, rank=4)
    spectrum_shape = (2, batch, ch) + rfft2d_freqs(h, w).shape
    spectrum_real_imag_t = tf.random_normal(spectrum_shape, stddev=_as_sd(sd))
    return spectrum_to_image(spectrum_real_imag_t[0], spectrum_real_imag_t[1], h, w, decay_power)
