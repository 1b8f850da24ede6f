"""Dataset examples: the images that activate a unit most, with the region that does it.

For each unit (channel) of a layer, the ``count`` images of a set with the highest
activation: for a spatial layer the channel's maximum over positions, for a dense layer its
value. The *activating region* of a spatial example is the bounding box of the input pixels
whose gradient of that maximal activation is at least ``REGION_THRESHOLD`` times the
largest one (so, for a linear layer, the part of the receptive field with non-negligible
weight); it is drawn over the example, the rest of the image dimmed. Dense layers have no
region: the whole image is shown.

Image sets (the ``--images`` option of ``lucid microscope build``):

* a directory: every ``.png``, ``.jpg``, ``.jpeg``, ``.bmp``, ``.gif`` or ``.webp`` file in
  it or its subdirectories (sorted by path), centre-cropped to the model's aspect ratio and
  resized to its input size; the caption of an image is its path in the directory.
* ``builtin:shapes`` or ``builtin:shapes:N``: ``N`` (default 512) images of
  ``lucid.modelzoo.shapes_dataset.generate(N, seed=0)`` (ShapesNet's own data, no files
  needed), captioned with their class names.

A file of the directory that can't be read as an image (truncated, or not an image at all)
is skipped with a warning naming it; a directory none of whose files can be read is an error.
"""

import dataclasses
import hashlib
import logging
import math
import os
from typing import Dict
from typing import List
from typing import Optional
from typing import Sequence
from typing import Tuple

import numpy as np
import tensorflow.compat.v1 as tf
from PIL import Image
from PIL import ImageDraw

import lucid
from lucid.microscope import layout
from lucid.microscope import results
from lucid.optvis.objectives_util import T_force_NHWC

log = logging.getLogger(__name__)

BUILTIN_PREFIX = "builtin:"
BUILTIN_SETS = ("shapes",)
DEFAULT_BUILTIN_COUNT = 512
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
REGION_THRESHOLD = 0.05
_DIM = 0.35  # brightness of the pixels outside the activating region
_OUTLINE = (255, 214, 0)
_MIN_DISPLAY_SIZE = 128  # examples are upscaled (nearest) by an integer factor to at least this


@dataclasses.dataclass(frozen=True)
class ImageSet:
    """Images to find dataset examples in.

    Attributes:
      images: `[n, h, w, 3]` float32 RGB in `[0, 1]`.
      captions: one string per image (a class name or a file path; untrusted text).
      fingerprint: SHA-256 of the images and captions; part of the results' parameters.
    """

    images: np.ndarray
    captions: Tuple[str, ...]
    fingerprint: str


def load_images(spec: str, height: int, width: int) -> ImageSet:
    """The image set named by ``spec`` (a directory or ``builtin:shapes[:N]``) at ``height x width``.

    Raises:
      ValueError: an unknown built-in set, a bad count, a missing directory or one without images.
    """
    if not isinstance(spec, str) or not spec:
        raise ValueError(
            f"images must be a directory or 'builtin:shapes[:N]'; got images={spec!r}."
        )
    if spec.startswith(BUILTIN_PREFIX):
        images, captions = _builtin_images(spec, height, width)
    else:
        images, captions = _directory_images(spec, height, width)
    digest = hashlib.sha256(images.astype(np.float32).tobytes())
    digest.update("\n".join(captions).encode("utf-8", "surrogatepass"))
    return ImageSet(images.astype(np.float32), tuple(captions), digest.hexdigest())


def _builtin_images(spec, height, width):
    name, _, count_text = spec[len(BUILTIN_PREFIX) :].partition(":")
    if name not in BUILTIN_SETS:
        raise ValueError(
            f"images={spec!r}: unknown built-in image set {name!r}; expected one of "
            f"{[BUILTIN_PREFIX + s for s in BUILTIN_SETS]}, optionally with ':N' images."
        )
    count = DEFAULT_BUILTIN_COUNT
    if count_text:
        if not count_text.isdigit() or int(count_text) < 1:
            raise ValueError(
                f"images={spec!r}: the count after '{BUILTIN_PREFIX}{name}:' must be a positive "
                f"integer, e.g. {BUILTIN_PREFIX}{name}:256."
            )
        count = int(count_text)
    from lucid.modelzoo import shapes_dataset

    images, labels = shapes_dataset.generate(count, seed=0, size=max(height, width))
    if height != width:
        images = np.stack([_resize(image, height, width) for image in images])
    return images, [shapes_dataset.CLASSES[label] for label in labels]


def _directory_images(directory, height, width):
    if not os.path.isdir(directory):
        raise ValueError(
            f"images={directory!r} is not a directory; give a directory of images "
            f"({', '.join(IMAGE_EXTENSIONS)}) or '{BUILTIN_PREFIX}shapes[:N]'."
        )
    paths = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        paths += [
            os.path.join(root, f) for f in sorted(files) if f.lower().endswith(IMAGE_EXTENSIONS)
        ]
    if not paths:
        raise ValueError(
            f"images={directory!r} holds no image files ({', '.join(IMAGE_EXTENSIONS)}); "
            "add some, or use builtin:shapes with ShapesNet."
        )
    images, captions, problems = [], [], []
    for path in paths:
        try:
            with Image.open(path) as image:
                pixels = np.asarray(image.convert("RGB"), np.float32) / 255.0
        except (OSError, ValueError, SyntaxError) as e:  # PIL's errors for broken files
            log.warning("Skipping %s: not a readable image (%s).", path, e)
            problems.append(f"{path}: {e}")
            continue
        images.append(_resize(pixels, height, width))
        captions.append(os.path.relpath(path, directory).replace(os.sep, "/"))
    if not images:
        raise ValueError(
            f"images={directory!r}: none of its {len(paths)} image files could be read (e.g. "
            f"{problems[0]}); give a directory of valid images, or builtin:shapes."
        )
    return np.stack(images), captions


def _resize(pixels, height, width):
    """Centre-crops `[h, w, 3]` floats to the aspect ratio ``width / height`` and resizes them."""
    h, w = pixels.shape[:2]
    if h * width > w * height:  # too tall
        crop = round(w * height / width)
        pixels = pixels[(h - crop) // 2 : (h - crop) // 2 + crop]
    elif h * width < w * height:
        crop = round(h * width / height)
        pixels = pixels[:, (w - crop) // 2 : (w - crop) // 2 + crop]
    if pixels.shape[:2] == (height, width):
        return pixels
    channels = [
        np.asarray(Image.fromarray(pixels[..., c], "F").resize((width, height), Image.BICUBIC))
        for c in range(3)
    ]
    return np.clip(np.stack(channels, axis=-1), 0.0, 1.0)


def example_params(model_name: str, layer: str, unit: int, image_set: ImageSet, count: int):
    """The parameters recorded with (and identifying) one unit's dataset examples."""
    return {
        "model": model_name,
        "layer": layer,
        "unit": unit,
        "kind": "examples",
        "images": image_set.fingerprint,
        "count": count,
        "version": lucid.__version__,
    }


def write_layer_examples(
    model, model_dir: str, layer: str, layer_dir: str, units: Sequence[int], image_set: ImageSet,
    count: int = 8, batch_size: int = 64,
) -> int:  # fmt: skip
    """Finds and writes the top ``count`` examples of each unit not done yet; returns how many.

    Each unit's result is ``img/unit-NNNN-examples-K.png`` (K = 0 .. count - 1, the highest
    first, the region highlighted) and ``img/unit-NNNN-examples.json`` with, per example,
    the image index, caption, activation and ``box`` ``[top, left, bottom, right)`` in
    input pixels (None for dense layers).
    """
    results_dir = os.path.join(model_dir, layer_dir, layout.RESULTS_DIR)
    todo = [
        unit
        for unit in units
        if not results.is_done(
            results_dir,
            layout.result_stem(unit, "examples"),
            example_params(model.name, layer, unit, image_set, count),
        )
    ]
    if not todo:
        return 0
    with _LayerProbe(model, layer, image_set.images.shape[1:3]) as probe:
        values, positions = probe.max_activations(image_set.images, batch_size)
        for unit in todo:
            order = np.argsort(-values[:, unit], kind="stable")[:count]
            boxes = probe.regions(image_set.images, order, positions[order, unit], unit)
            examples = [
                {
                    "index": int(i),
                    "caption": image_set.captions[i],
                    "activation": round(float(values[i, unit]), 6),
                    "box": box,
                }
                for i, box in zip(order, boxes)
            ]
            results.write_result(
                results_dir,
                layout.result_stem(unit, "examples"),
                example_params(model.name, layer, unit, image_set, count),
                {
                    str(k): highlight(image_set.images[i], box)
                    for k, (i, box) in enumerate(zip(order, boxes))
                },
                examples=examples,
            )
    return len(todo)


def model_input(model, t_rgb):
    """The RGB dataset images `t_rgb` (`[n, h, w, 3]` in `[0, 1]`) as ``model`` takes them:
    unchanged for an RGB model, grey (`[n, h, w, 1]`) for a one-channel one.

    Raises:
      ValueError: the model takes another number of channels (no picture to give it).
    """
    channels = model.image_shape[-1] if model.image_shape else 3
    if channels == 3:
        return t_rgb
    if channels == 1:
        return tf.image.rgb_to_grayscale(t_rgb)
    raise ValueError(
        f"{model.name} takes {channels}-channel images, but dataset examples are RGB pictures; "
        "build its atlas without dataset examples (leave out --images)."
    )


def channel_maxima(
    model, layers: Sequence[str], images: np.ndarray, batch_size: int = 64
) -> Dict[str, np.ndarray]:
    """Each channel's maximum over positions on each image, for several layers at once.

    Args:
      model: a lucid ``Model``.
      layers: layer names (or tensor names) of ``model``.
      images: `[n, h, w, 3]` RGB floats in `[0, 1]` (see :func:`model_input`).
      batch_size: images per forward pass; each pass computes every layer.

    Returns:
      ``{layer: [n, channels] float32}``; for a dense layer, each unit's value.

    Raises:
      ValueError: ``images`` is not `[n, h, w, 3]` with ``n >= 1``, or as :func:`model_input`.
    """
    if images.ndim != 4 or images.shape[-1] != 3 or not len(images):
        raise ValueError(
            f"channel_maxima: images must be [n, h, w, 3] RGB with n >= 1; got shape "
            f"{images.shape}."
        )
    graph = tf.Graph()
    with graph.as_default():
        t_images = tf.placeholder(tf.float32, [None, *images.shape[1:3], 3])
        T = T_force_NHWC(model.import_graph(model_input(model, t_images), scope="import"))
        t_maxima = [tf.reduce_max(T(layer), axis=[1, 2]) for layer in layers]
    with tf.Session(graph=graph) as sess:
        batches = [
            sess.run(t_maxima, {t_images: images[start : start + batch_size]})
            for start in range(0, len(images), batch_size)
        ]
    return {layer: np.concatenate([b[k] for b in batches]) for k, layer in enumerate(layers)}


class _LayerProbe:
    """One graph with ``layer``'s activations and their gradients with respect to the input."""

    def __init__(self, model, layer, image_hw):
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.t_images = tf.placeholder(tf.float32, [None, *image_hw, 3])
            T = model.import_graph(model_input(model, self.t_images), scope="import")
            raw = T(layer)
            self.spatial = raw.shape.ndims == 4
            acts = T_force_NHWC(T)(layer)  # [n, h, w, c]; dense layers [n, 1, 1, c]
            shape = tf.shape(acts)
            flat = tf.reshape(acts, [shape[0], shape[1] * shape[2], shape[3]])
            self.t_max = tf.reduce_max(flat, axis=1)
            self.t_where = tf.stack(
                [tf.argmax(flat, axis=1, output_type=tf.int32) // shape[2],
                 tf.argmax(flat, axis=1, output_type=tf.int32) % shape[2]], axis=-1,
            )  # fmt: skip
            self.t_index = tf.placeholder(tf.int32, [None, 4])  # (item, y, x, channel)
            selected = tf.reduce_sum(tf.gather_nd(acts, self.t_index))
            self.t_gradient = tf.gradients(selected, self.t_images)[0]
        self.sess = tf.Session(graph=self.graph)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.sess.close()

    def max_activations(self, images, batch_size):
        """`[n, c]` maxima over positions and `[n, c, 2]` their (y, x) positions."""
        maxima, wheres = [], []
        for start in range(0, len(images), batch_size):
            feed = {self.t_images: images[start : start + batch_size]}
            value, where = self.sess.run([self.t_max, self.t_where], feed)
            maxima.append(value)
            wheres.append(where)
        return np.concatenate(maxima), np.concatenate(wheres)

    def regions(self, images, order, positions, unit) -> List[Optional[List[int]]]:
        """The activating region ``[top, left, bottom, right)`` of each example (None if dense)."""
        if not self.spatial:
            return [None] * len(order)
        index = [[i, y, x, unit] for i, (y, x) in enumerate(positions)]
        gradient = self.sess.run(
            self.t_gradient, {self.t_images: images[order], self.t_index: index}
        )
        return [_bounding_box(np.abs(g).sum(axis=-1)) for g in gradient]


def _bounding_box(saliency):
    """Bounding box ``[top, left, bottom, right)`` of ``saliency >= REGION_THRESHOLD * max``."""
    h, w = saliency.shape
    peak = saliency.max()
    if not peak > 0:
        return [0, 0, h, w]
    rows = np.flatnonzero((saliency >= REGION_THRESHOLD * peak).any(axis=1))
    cols = np.flatnonzero((saliency >= REGION_THRESHOLD * peak).any(axis=0))
    return [int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1]


def highlight(image: np.ndarray, box: Optional[Sequence[int]]) -> np.ndarray:
    """`[H, W, 3]` uint8: ``image`` (`[h, w, 3]` in `[0, 1]`) upscaled, the box outlined, the rest dimmed.

    The upscale factor is the smallest integer making the image at least 128 pixels wide.
    """
    h, w = image.shape[:2]
    scale = max(1, math.ceil(_MIN_DISPLAY_SIZE / max(h, w)))
    pixels = np.clip(np.asarray(image, np.float32), 0.0, 1.0)
    if box is not None:
        top, left, bottom, right = box
        dimmed = pixels * _DIM
        dimmed[top:bottom, left:right] = pixels[top:bottom, left:right]
        pixels = dimmed
    pixels = np.round(pixels * 255).astype(np.uint8).repeat(scale, axis=0).repeat(scale, axis=1)
    if box is None:
        return pixels
    picture = Image.fromarray(pixels, "RGB")
    top, left, bottom, right = (value * scale for value in box)
    line = max(1, scale // 2)
    ImageDraw.Draw(picture).rectangle(
        [left, top, right - 1, bottom - 1], outline=_OUTLINE, width=line
    )
    return np.asarray(picture)
