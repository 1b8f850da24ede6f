"""Image parameterisations: functions that build a trainable image tensor.

Typical use::

    import lucid.optvis.param as param
    param_f = lambda: param.image(128, batch=4, fft=True, decorrelate=True)

The submodules ``param.spatial``, ``param.color``, ``param.lowres``, ``param.random``,
``param.unit_balls``, ``param.resize_bilinear_nd`` and ``param.images`` are attributes and
hold the lower-level pieces such as ``spatial.pixel_image``. As in Lucid, ``param.cppn`` is
the function; import its module with ``from lucid.optvis.param.cppn import ...``.
"""

from lucid.optvis.param import color
from lucid.optvis.param import images
from lucid.optvis.param import lowres
from lucid.optvis.param import random
from lucid.optvis.param import resize_bilinear_nd
from lucid.optvis.param import spatial
from lucid.optvis.param import unit_balls
from lucid.optvis.param.color import to_valid_rgb
from lucid.optvis.param.cppn import cppn
from lucid.optvis.param.images import grayscale_image_rgb
from lucid.optvis.param.images import image
from lucid.optvis.param.lowres import lowres_tensor
from lucid.optvis.param.random import image_sample
from lucid.optvis.param.spatial import fft_image
from lucid.optvis.param.spatial import laplacian_pyramid
from lucid.optvis.param.spatial import naive

__all__ = [
    "image",
    "grayscale_image_rgb",
    "lowres_tensor",
    "to_valid_rgb",
    "naive",
    "fft_image",
    "laplacian_pyramid",
    "image_sample",
    "cppn",
]
