"""Array helpers of the "Understanding RL Vision" notebook: zooming, colouring, smoothing.

Images are NumPy arrays `[..., h, w, c]` with floats in `[0, 1]` unless stated otherwise.
"""

from typing import Callable
from typing import List

import numpy as np
import tensorflow.compat.v1 as tf

from lucid.misc.io.collapse_channels import hue_to_rgb
from lucid.optvis import render


def zoom_to(img: np.ndarray, width: int) -> np.ndarray:
    """Nearest-neighbour resize of `[..., h, w, c]` to ``width`` pixels wide, keeping the aspect.

    The new height is ``round(h * width / w)``; each output pixel copies the input pixel it
    falls in, so small observations stay crisp when enlarged.
    """
    img = np.asarray(img)
    if img.ndim < 3:
        raise ValueError(f"zoom_to expects [..., h, w, c] images; got shape {img.shape}.")
    h, w = img.shape[-3:-1]
    height = max(1, int(round(h * width / w)))
    rows = np.arange(height) * h // height
    cols = np.arange(width) * w // width
    return img[..., rows, :, :][..., cols, :]


def _import(model):
    channels = model.image_shape[-1] if getattr(model, "image_shape", None) else None
    t_obses = tf.placeholder(tf.float32, [None, None, None, channels])
    return render.import_model(model, t_obses, t_obses)


def get_var(model, var_name: str) -> np.ndarray:
    """The value of ``var_name`` (a tensor that does not depend on the input, e.g. weights)."""
    with tf.Graph().as_default(), tf.Session():
        return _import(model)(var_name).eval()


def get_shape(model, node_name: str) -> List:
    """The static shape of ``node_name`` as a list (None where unknown, e.g. batch)."""
    with tf.Graph().as_default():
        return _import(model)(node_name).get_shape().as_list()


def concatenate_horizontally(images: np.ndarray) -> np.ndarray:
    """`[N, H, W, C]` -> `[1, H, N * W, C]`: the images side by side."""
    images = np.asarray(images)
    return np.concatenate(list(images), axis=1)[None]


def channels_to_rgb(X: np.ndarray, warp: bool = True) -> np.ndarray:
    """Colours `[..., K]` non-negative channels with K evenly spaced hues and sums them.

    Channel ``i`` gets ``hue_to_rgb(360 * i / K, warp)`` (a unit RGB vector), so the result
    `[..., 3]` has the brightness of the channel values (not clipped).
    """
    X = np.asarray(X)
    if (X < 0).any():
        raise ValueError(
            f"channels_to_rgb needs non-negative channels; got a minimum of {X.min()}. "
            "Split signs first, e.g. np.concatenate([np.maximum(X, 0), np.maximum(-X, 0)], -1)."
        )
    K = X.shape[-1]
    colors = np.stack([hue_to_rgb(360 * i / K, warp=warp) for i in range(K)])  # [K, 3]
    return X @ colors


def conv2d(input_: np.ndarray, filter_: np.ndarray) -> np.ndarray:
    """Convolves each channel of `[N, H, W, C]` with the 2-D `[fh, fw]` filter (SAME padding).

    Runs in its own TensorFlow graph and session; returns float32 `[N, H, W, C]`.
    """
    input_, filter_ = np.asarray(input_, np.float32), np.asarray(filter_, np.float32)
    if input_.ndim != 4 or filter_.ndim != 2:
        raise ValueError(
            f"conv2d expects input_ [N, H, W, C] and filter_ [fh, fw]; got shapes "
            f"{input_.shape} and {filter_.shape}."
        )
    channels = input_.shape[-1]
    kernel = np.tile(filter_[:, :, None, None], [1, 1, channels, 1])
    with tf.Graph().as_default(), tf.Session() as sess:
        out = tf.nn.depthwise_conv2d(input_, kernel, [1, 1, 1, 1], "SAME")
        return sess.run(out)


def norm_filter(
    length: int,
    norm_ord: float = 2,
    norm_func: Callable[[np.ndarray], np.ndarray] = lambda n: np.exp(-n),
    clip: bool = True,
) -> np.ndarray:
    """A `[length, length]` filter of ``norm_func(distance from the centre)``.

    Args:
      length: side of the filter.
      norm_ord: the norm measuring the distance (2: Euclidean, 1: Manhattan, np.inf: max).
      norm_func: maps distances (an array) to weights; ``exp(-d)`` by default.
      clip: zero the weights further from the centre than the middle of an edge, so the
        filter's support is a disc (for norm 2) rather than a square.
    """
    offsets = np.indices((length, length)) - (length - 1) / 2
    distance = np.linalg.norm(offsets, ord=norm_ord, axis=0)
    result = norm_func(distance).astype(np.float64)
    if clip:
        edge_distance = (length - 1) / 2
        result = np.where(distance <= edge_distance + 1e-9, result, 0.0)
    return result


def brightness_to_opacity(image: np.ndarray) -> np.ndarray:
    """RGB `[..., 3]` -> RGBA `[..., 4]`: alpha is ``min(1, |rgb|_2)``, colour divided by alpha.

    A dim pixel becomes a transparent bright one: composited over black it looks the same,
    over another background the dark parts let it show through. Black stays black, alpha 0.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.shape[-1] != 3:
        raise ValueError(f"brightness_to_opacity expects [..., 3] RGB; got shape {image.shape}.")
    alpha = np.minimum(1.0, np.linalg.norm(image, axis=-1, keepdims=True))
    rgb = np.divide(image, alpha, out=np.zeros_like(image), where=alpha > 0)
    return np.concatenate([rgb, alpha], axis=-1)
