"""High-level image parameterisation: ``image`` and ``grayscale_image_rgb``."""

from typing import Optional

import tensorflow.compat.v1 as tf

from lucid.optvis.param.color import to_valid_rgb
from lucid.optvis.param.lowres import _as_positive_int
from lucid.optvis.param.lowres import check_image_memory
from lucid.optvis.param.spatial import fft_image
from lucid.optvis.param.spatial import pixel_image


def image(
    w: int,
    h: Optional[int] = None,
    batch: Optional[int] = None,
    sd: Optional[float] = None,
    decorrelate: bool = True,
    fft: bool = True,
    alpha: bool = False,
    channels: Optional[int] = None,
):
    """A trainable image, the usual ``param_f`` for feature visualisation.

    Args:
      w: width in pixels.
      h: height in pixels (default ``w``).
      batch: batch size (default 1).
      sd: standard deviation of the initial parameters (default 0.01).
      decorrelate: optimise RGB in a decorrelated colour space (see ``to_valid_rgb``).
      fft: parameterise by Fourier coefficients (``fft_image``) instead of pixels.
      alpha: add a fourth, alpha channel (sigmoid of its own parameters).
      channels: number of channels for a non-RGB image. The output is then ``sigmoid`` of
        the parameters, without colour decorrelation; cannot be combined with ``alpha``.

    Returns:
      float32 ``[batch or 1, h or w, w, ch]`` with values in ``[0, 1]``, where ``ch`` is
      ``channels``, or 4 with ``alpha``, or 3.
    """
    w = _as_positive_int("w", w)
    h = w if h is None else _as_positive_int("h", h)
    batch = 1 if batch is None else _as_positive_int("batch", batch)
    if channels is not None:
        channels = _as_positive_int("channels", channels)
        if alpha:
            raise ValueError(
                f"image() got channels={channels} and alpha=True; with channels every channel "
                "is a sigmoid already. Pass channels=None for RGBA, or count alpha in channels."
            )
    ch = channels or (4 if alpha else 3)
    shape = [batch, h, w, ch]
    check_image_memory(shape, f"param.image(w={w}, h={h}, batch={batch})")
    param_f = fft_image if fft else pixel_image
    t = param_f(shape, sd=sd)
    if channels:
        return tf.nn.sigmoid(t)
    if not alpha:
        # No slice: even one that keeps every channel costs a StridedSliceGrad each step.
        return to_valid_rgb(t, decorrelate=decorrelate, sigmoid=True)
    output = to_valid_rgb(t[..., :3], decorrelate=decorrelate, sigmoid=True)
    return tf.concat([output, tf.nn.sigmoid(t[..., 3:])], -1)


def grayscale_image_rgb(*args, **kwargs):
    """A one-channel ``image`` (same arguments, except ``channels``) tiled to RGB.

    Returns:
      float32 ``[batch, h, w, 3]`` in ``[0, 1]`` with three identical channels.
    """
    if "channels" in kwargs:
        raise TypeError(
            f"grayscale_image_rgb() sets channels=1 itself; got channels={kwargs['channels']!r}."
        )
    return tf.tile(image(*args, channels=1, **kwargs), [1, 1, 1, 3])
