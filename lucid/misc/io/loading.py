"""Load files from local paths or URLs into Python objects, choosing the format by extension.

``load("gs://modelzoo/labels/ImageNet_standard.txt")`` downloads (and caches, see
``lucid.misc.io.reading``) the file, and ``load("image.png")`` returns a float array in
`[0, 1]`. Formats that can run code when loaded (pickle) need ``allow_unsafe_formats=True``;
``.npy``/``.npz`` files are always loaded with ``allow_pickle=False``. TensorFlow is imported
only to parse ``.pb`` files, so this package stays quick to import (e.g. in download workers).
"""

import io
import json
import logging
import lzma
import os
import pickle
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from urllib.parse import urlparse

import numpy as np
import PIL.Image
from google.protobuf.message import DecodeError

from lucid.misc.io.reading import is_remote
from lucid.misc.io.reading import read_handle
from lucid.misc.io.scoping import io_scope
from lucid.misc.io.scoping import scope_url

log = logging.getLogger(__name__)

_LIST_WORKERS = 8


def _load_img(handle, target_dtype=np.float32, size=None, **kwargs) -> np.ndarray:
    """Loads an image as a float array in `[0, 1]`.

    Args:
      handle: a readable binary file object.
      target_dtype: dtype of the result.
      size: optional `(width, height)` to resize to (Lanczos), as PIL orders it.
      **kwargs: passed to ``PIL.Image.open``.

    Returns:
      `[h, w, 3]` (greyscale and palette images become RGB) or `[h, w, 4]` (alpha kept).
    """
    image = PIL.Image.open(handle, **kwargs)
    if size is not None:
        image = image.resize(tuple(size[:2]), resample=PIL.Image.LANCZOS)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode in ("1", "CMYK", "YCbCr", "LAB", "HSV"):
        image = image.convert("RGB" if image.mode != "1" else "L")
    elif image.mode in ("LA", "PA"):
        image = image.convert("RGBA")
    array = np.asarray(image)
    if image.mode.startswith("I"):  # 16-bit PNGs open as "I" or "I;16"
        scale = 65535
    elif np.issubdtype(array.dtype, np.integer):
        scale = np.iinfo(array.dtype).max
    else:
        scale = 1
    result = np.divide(array, scale, dtype=target_dtype)
    if result.ndim == 2:
        result = np.repeat(result[..., None], 3, axis=2)
    return result


def _load_npy(handle, **kwargs):
    """Loads a ``.npy`` array or ``.npz`` archive, never unpickling objects."""
    if "allow_pickle" in kwargs:
        raise TypeError(
            "allow_pickle is not accepted: lucid never unpickles .npy/.npz files, since that "
            "can run arbitrary code. If you trust the file, call numpy.load(path, "
            "allow_pickle=True) yourself."
        )
    # Read into memory so an .npz archive stays usable after the handle is closed.
    return np.load(io.BytesIO(handle.read()), allow_pickle=False, **kwargs)


def _load_json(handle, **kwargs):
    """Loads a JSON document."""
    return json.load(handle, **kwargs)


def _load_text(handle, split=False, encoding="utf-8"):
    """Loads text: a `str`, or a list of lines if `split`."""
    string = handle.read().decode(encoding)
    return string.splitlines() if split else string


def _load_graphdef_protobuf(handle, **kwargs):
    """Loads a binary ``tf.GraphDef`` (``.pb``)."""
    import tensorflow.compat.v1 as tf

    return tf.GraphDef.FromString(handle.read())


def _load_pickle(handle, **kwargs):
    """Unpickles an object; only reached with ``allow_unsafe_formats=True``."""
    return pickle.load(handle, **kwargs)


def _decompress_xz(handle):
    """Wraps a handle in an xz decompressor (reading all of it first if it cannot seek)."""
    if not getattr(handle, "seekable", lambda: False)():
        handle = io.BytesIO(handle.read())
    return lzma.LZMAFile(handle, mode="rb", format=lzma.FORMAT_XZ)


loaders = {
    ".png": _load_img,
    ".jpg": _load_img,
    ".jpeg": _load_img,
    ".npy": _load_npy,
    ".npz": _load_npy,
    ".json": _load_json,
    ".txt": _load_text,
    ".md": _load_text,
    ".pb": _load_graphdef_protobuf,
}

unsafe_loaders = {
    ".pickle": _load_pickle,
    ".pkl": _load_pickle,
}

decompressors = {
    ".xz": _decompress_xz,
}


def load(url_or_handle, allow_unsafe_formats: bool = False, cache=None, **kwargs):
    """Loads a file from a path, URL or open handle; the format comes from the extension.

    Extensions (case-insensitive, optionally followed by ``.xz``): ``.png .jpg .jpeg``
    (float array in `[0, 1]`, `[h, w, 3|4]`), ``.npy .npz`` (no pickles), ``.json``,
    ``.txt .md`` (str; ``split=True`` for lines), ``.pb`` (``tf.GraphDef``), and with
    ``allow_unsafe_formats=True`` ``.pickle .pkl``. An unknown extension is tried as an image.
    Remote URLs are downloaded and cached (see ``lucid.misc.io.reading``); a remote file that
    fails to decode is purged from the cache and downloaded once more.

    Args:
      url_or_handle: a path or URL, an open binary handle with a ``name``, or a list/tuple of
        paths or URLs (loaded in parallel; a failed item's exception is returned in its place).
      allow_unsafe_formats: allow formats that can execute code when loaded (pickle).
      cache: see ``read_handle``: None (cache remote files), True, False or ``"purge"``.
      **kwargs: passed to the format's loader (e.g. ``split=True`` for text).

    Raises:
      RuntimeError: the path has no extension, or an unknown extension did not load as image.
      ValueError: an unsafe format without ``allow_unsafe_formats=True``.
    """
    if isinstance(url_or_handle, os.PathLike):
        url_or_handle = os.fspath(url_or_handle)
    if isinstance(url_or_handle, (list, tuple)):
        return _load_urls(url_or_handle, allow_unsafe_formats, cache, **kwargs)
    ext, decompressor_ext = _get_extension(url_or_handle)
    ext = ext.lower()
    if ext in loaders:
        loader = loaders[ext]
    elif ext in unsafe_loaders:
        if not allow_unsafe_formats:
            raise ValueError(
                f"Refusing to load {_name(url_or_handle)!r}: {ext} files can run arbitrary code "
                f"when loaded. If you trust the file, pass allow_unsafe_formats=True."
            )
        loader = unsafe_loaders[ext]
    else:
        return _load_unknown_as_image(url_or_handle, ext, cache)
    decompressor = decompressors[decompressor_ext] if decompressor_ext else nullcontext
    log.debug("Loading %s with %s.", _name(url_or_handle), loader.__name__)
    return load_using_loader(url_or_handle, decompressor, loader, cache, **kwargs)


def load_using_loader(url_or_handle, decompressor, loader, cache, **kwargs):
    """Opens `url_or_handle`, wraps it in `decompressor` and applies `loader`.

    A remote file that fails to decode (``DecodeError``/``ValueError``) may be a corrupt
    cached copy: it is purged and downloaded once more; a second failure propagates.
    """
    if is_handle(url_or_handle):
        with decompressor(url_or_handle) as handle:
            return loader(handle, **kwargs)
    url = scope_url(url_or_handle)
    # `url` is scoped now; read_handle must not apply a relative scope a second time.
    with io_scope([], replace_current_scopes=True):
        try:
            with read_handle(url, cache=cache) as raw, decompressor(raw) as handle:
                return loader(handle, **kwargs)
        except (DecodeError, ValueError):
            if not is_remote(url) or cache is False:
                raise
            log.warning("Loading %s failed; purging its cached copy and downloading again.", url)
            with read_handle(url, cache="purge") as raw, decompressor(raw) as handle:
                return loader(handle, **kwargs)


def is_handle(url_or_handle) -> bool:
    """True for file-like objects (with ``read`` and ``name``), False for paths and URLs."""
    return hasattr(url_or_handle, "read") and hasattr(url_or_handle, "name")


def _load_unknown_as_image(url_or_handle, ext, cache):
    log.warning("Unknown extension %r; trying to load %s as an image.", ext, _name(url_or_handle))
    try:
        if is_handle(url_or_handle):
            return _load_img(url_or_handle)
        with read_handle(url_or_handle, cache=cache) as handle:
            return _load_img(handle)
    except Exception as error:
        raise RuntimeError(
            f"Could not load {_name(url_or_handle)!r}: extension {ext!r} is unknown and the "
            f"file is not an image ({error}). Supported extensions: {sorted(loaders)}, and "
            f"{sorted(unsafe_loaders)} with allow_unsafe_formats=True."
        ) from error


def _load_urls(urls, allow_unsafe_formats=False, cache=None, **kwargs):
    """Loads several URLs in parallel threads; exceptions are returned in place of results."""
    # Scope in the caller's thread: worker threads have their own (empty) IO scopes.
    items = [url if is_handle(url) else scope_url(url) for url in urls]

    def load_one(item):
        try:
            return load(item, allow_unsafe_formats=allow_unsafe_formats, cache=cache, **kwargs)
        except Exception as error:
            log.error("Loading %s failed: %s", _name(item), error)
            return error

    if not items:
        return []
    with ThreadPoolExecutor(max_workers=_LIST_WORKERS) as executor:
        return list(executor.map(load_one, items))


def _name(url_or_handle) -> str:
    return url_or_handle.name if is_handle(url_or_handle) else url_or_handle


def _get_extension(url_or_handle):
    """Returns (extension, decompressor extension or None), e.g. ``(".json", ".xz")``."""
    path = _name(url_or_handle)
    if not isinstance(path, str):
        raise TypeError(
            f"url_or_handle must be a path, URL, or file handle with a name; got "
            f"{type(url_or_handle).__name__}."
        )
    if "://" in path:
        path = urlparse(path).path  # drop ?query and #fragment
    path_without_ext, ext = os.path.splitext(path)
    decompressor_ext = None
    if ext.lower() in decompressors:
        decompressor_ext = ext.lower()
        ext = os.path.splitext(path_without_ext)[1]
    if not ext:
        raise RuntimeError(
            f"Cannot infer a format: {_name(url_or_handle)!r} has no file extension. Supported "
            f"extensions: {sorted(loaders)}."
        )
    return ext, decompressor_ext
