"""Helpers for "Understanding RL Vision" (Hilton et al., Distill 2020), as Lucid's rl_util.

``from lucid.scratch.rl_util import *`` gives the notebook's working set: NumPy and
TensorFlow (``tf`` is ``tensorflow.compat.v1``), Lucid's ``Model``, ``ChannelReducer``,
``param``, ``objectives``, ``render``, ``transform``, ``show``, ``save``, the notebook
helpers ``_image_url`` and ``_display_html``, ``lucid_svelte`` (None if it cannot be
imported), and the functions of ``arch``, ``attribution``, ``nmf``, ``util`` and
``joblib_wrapper``. Nothing here downloads anything; ``load_joblib`` reads what it is given.
"""

import importlib

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.misc.channel_reducer import ChannelReducer
from lucid.misc.gradient_override import gradient_override_map
from lucid.misc.io import save
from lucid.misc.io import show

# Lucid's rl_util exported these two showing helpers for the notebook's HTML widgets.
from lucid.misc.io.showing import display_html as _display_html
from lucid.misc.io.showing import image_url as _image_url
from lucid.modelzoo.vision_base import Model
from lucid.optvis import objectives
from lucid.optvis import param
from lucid.optvis import render
from lucid.optvis import transform
from lucid.scratch.rl_util import arch
from lucid.scratch.rl_util import attribution
from lucid.scratch.rl_util import joblib_wrapper
from lucid.scratch.rl_util import nmf
from lucid.scratch.rl_util import util
from lucid.scratch.rl_util.arch import clear_cnn
from lucid.scratch.rl_util.attribution import default_score_fn
from lucid.scratch.rl_util.attribution import get_acts
from lucid.scratch.rl_util.attribution import get_attr
from lucid.scratch.rl_util.attribution import get_grad
from lucid.scratch.rl_util.attribution import get_grad_or_attr
from lucid.scratch.rl_util.attribution import get_multi_path_attr
from lucid.scratch.rl_util.attribution import get_paths
from lucid.scratch.rl_util.attribution import maxpool_override
from lucid.scratch.rl_util.joblib_wrapper import load_joblib
from lucid.scratch.rl_util.joblib_wrapper import save_joblib
from lucid.scratch.rl_util.nmf import LayerNMF
from lucid.scratch.rl_util.nmf import argmax_nd
from lucid.scratch.rl_util.nmf import rescale_opacity
from lucid.scratch.rl_util.util import brightness_to_opacity
from lucid.scratch.rl_util.util import channels_to_rgb
from lucid.scratch.rl_util.util import concatenate_horizontally
from lucid.scratch.rl_util.util import conv2d
from lucid.scratch.rl_util.util import get_shape
from lucid.scratch.rl_util.util import get_var
from lucid.scratch.rl_util.util import hue_to_rgb
from lucid.scratch.rl_util.util import norm_filter
from lucid.scratch.rl_util.util import zoom_to

try:
    import lucid.scratch.web.svelte as lucid_svelte
except ImportError:  # the widgets are optional; everything else works without them
    lucid_svelte = None

_SUBMODULES = (arch, attribution, joblib_wrapper, nmf, util)


def all_() -> list:
    """The names ``from lucid.scratch.rl_util import *`` gives."""
    return list(__all__)


def reload(globals_dict: dict) -> None:
    """Reloads rl_util's modules and refreshes their names in ``globals_dict`` (e.g. ``globals()``)."""
    package = importlib.import_module(__name__)
    for module in _SUBMODULES:
        importlib.reload(module)
    package = importlib.reload(package)
    globals_dict.update({name: getattr(package, name) for name in package.__all__})


__all__ = [
    "np",
    "tf",
    "Model",
    "ChannelReducer",
    "param",
    "objectives",
    "render",
    "transform",
    "show",
    "save",
    "_image_url",
    "_display_html",
    "lucid_svelte",
    "load_joblib",
    "save_joblib",
    "clear_cnn",
    "gradient_override_map",
    "maxpool_override",
    "get_acts",
    "default_score_fn",
    "get_grad_or_attr",
    "get_attr",
    "get_grad",
    "get_paths",
    "get_multi_path_attr",
    "argmax_nd",
    "LayerNMF",
    "rescale_opacity",
    "zoom_to",
    "get_var",
    "get_shape",
    "concatenate_horizontally",
    "hue_to_rgb",
    "channels_to_rgb",
    "conv2d",
    "norm_filter",
    "brightness_to_opacity",
    "all_",
    "reload",
]
