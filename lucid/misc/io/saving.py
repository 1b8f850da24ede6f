"""Save Python objects to local paths or ``gs://`` URLs, choosing the format by extension.

``save(array, "out/img.png")`` writes a PNG; ``save(obj, "out/meta.json")`` writes JSON
with NumPy support (`ClarityJSONEncoder`). Every save returns a small result dict (``type``,
``url``, ...), which is also recorded by the innermost active `CaptureSaveContext`.
"""

import json
import logging
import lzma
import os
import pickle
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from typing import List
from typing import Optional
from typing import Tuple

import numpy as np
import PIL.Image

from lucid.misc.io.scoping import current_io_scopes
from lucid.misc.io.scoping import io_scope
from lucid.misc.io.scoping import scope_url
from lucid.misc.io.scoping import set_io_scopes
from lucid.misc.io.serialize_array import _normalize_array
from lucid.misc.io.writing import write_handle

log = logging.getLogger(__name__)

_thread_local = threading.local()
_GCS_CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json"}


class CaptureSaveContext:
    """Records the result dict of every `save` made inside its ``with`` block.

    Contexts nest per thread; a save is recorded by the innermost one. `batch_save` hands
    the caller's context to its worker threads.

    Usage::

        with CaptureSaveContext() as context:
            save(img, "img.png")
        context.captured_saves  # [{"type": "image", "url": "img.png", ...}]
    """

    def __init__(self):
        self.captured_saves = []
        self._lock = threading.Lock()

    def __enter__(self):
        _context_stack().append(self)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        _context_stack().pop()

    def capture(self, save_result) -> None:
        """Records one save result (None is ignored)."""
        if save_result is not None:
            with self._lock:
                self.captured_saves.append(save_result)

    @classmethod
    def current_save_context(cls) -> Optional["CaptureSaveContext"]:
        """The innermost active context of this thread, or None."""
        stack = _context_stack()
        return stack[-1] if stack else None


def _context_stack() -> list:
    if not hasattr(_thread_local, "save_contexts"):
        _thread_local.save_contexts = []
    return _thread_local.save_contexts


class ClarityJSONEncoder(json.JSONEncoder):
    """JSON encoder that also handles sets, NumPy scalars and arrays, and ``.to_json()``."""

    def default(self, obj):
        if isinstance(obj, (tuple, set, frozenset)):
            return list(obj)
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            return float(obj)
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        if hasattr(obj, "to_json"):
            return obj.to_json()
        return super().default(obj)


def _write_text(handle, text: str) -> None:
    """Writes `text` to a text handle, or UTF-8 encoded to a binary one."""
    if "b" in getattr(handle, "mode", "b"):
        handle.write(text.encode("utf-8"))
    else:
        handle.write(text)


def save_json(object, handle, indent=2):
    """Saves `object` as JSON (with `ClarityJSONEncoder`)."""
    _write_text(handle, json.dumps(object, indent=indent, cls=ClarityJSONEncoder))
    return {"type": "json", "url": handle.name}


def save_npy(object, handle):
    """Saves an array as ``.npy``."""
    object = np.asarray(object)
    np.save(handle, object, allow_pickle=False)
    return {"type": "npy", "shape": object.shape, "dtype": str(object.dtype), "url": handle.name}


def save_npz(object, handle):
    """Saves a dict (keys become names) or list (``arr_0``, ``arr_1``, ...) of arrays as ``.npz``."""
    if isinstance(object, dict):
        np.savez(handle, **object)
    elif isinstance(object, (list, tuple)):
        np.savez(handle, *object)
    else:
        log.warning("Saving a single %s as .npz (as arr_0); did you mean .npy?", type(object))
        np.savez(handle, object)
    return {"type": "npz", "url": handle.name}


def save_img(object, handle, domain=None, **kwargs):
    """Saves an image: a PIL image, or an array (see `_normalize_array` for `domain`).

    The format comes from the handle's name (``.png``, ``.jpg``, ``.webp``); `kwargs` go to
    ``PIL.Image.save`` (e.g. ``quality=90``).
    """
    if isinstance(object, np.ndarray):
        object = PIL.Image.fromarray(_normalize_array(object, domain=domain))
    if not isinstance(object, PIL.Image.Image):
        raise ValueError(
            f"save_img needs a numpy array or PIL.Image; got {type(object).__name__}. Convert "
            f"it with np.asarray first."
        )
    object.save(handle, **kwargs)
    return {"type": "image", "shape": object.size + (len(object.getbands()),), "url": handle.name}


def save_txt(object, handle, **kwargs):
    """Saves a str, or a list of lines (each ends with a newline; non-strings use `repr`)."""
    if isinstance(object, str):
        _write_text(handle, object)
    elif isinstance(object, (list, tuple)):
        for line in object:
            if isinstance(line, bytes):
                line = line.decode("utf-8")
            elif not isinstance(line, str):
                log.warning("save_txt: writing repr() of a %s line.", type(line).__name__)
                line = repr(line)
            _write_text(handle, line if line.endswith("\n") else line + "\n")
    else:
        raise ValueError(f"save_txt needs a str or a list of lines; got {type(object).__name__}.")
    return {"type": "txt", "url": handle.name}


def save_str(object, handle, **kwargs):
    """Saves a str as-is (used for unknown extensions such as ``.html``)."""
    if not isinstance(object, str):
        raise ValueError(f"save_str needs a str; got {type(object).__name__}.")
    _write_text(handle, object)
    return {"type": "txt", "url": handle.name}


def save_pb(object, handle, **kwargs):
    """Saves a protobuf message (e.g. a ``tf.GraphDef``) in binary form."""
    if not hasattr(object, "SerializeToString"):
        raise ValueError(
            f"save_pb needs a protobuf message such as tf.GraphDef; got {type(object).__name__}."
        )
    handle.write(object.SerializeToString())
    return {"type": "pb", "url": handle.name}


def save_pickle(object, handle, **kwargs):
    """Pickles `object`; only reached with ``allow_unsafe_formats=True``."""
    pickle.dump(object, handle)
    return {"type": "pickle", "url": handle.name}


def compress_xz(handle, **kwargs):
    """Wraps a binary handle in an xz compressor (closing it flushes the compressed data)."""
    compressed = lzma.LZMAFile(handle, mode="wb", format=lzma.FORMAT_XZ)
    try:
        compressed.name = handle.name
    except AttributeError:  # Python >= 3.13 LZMAFile already reports the inner name
        pass
    return compressed


savers = {
    ".png": save_img,
    ".jpg": save_img,
    ".jpeg": save_img,
    ".webp": save_img,
    ".npy": save_npy,
    ".npz": save_npz,
    ".json": save_json,
    ".txt": save_txt,
    ".pb": save_pb,
}

unsafe_savers = {
    ".pickle": save_pickle,
    ".pkl": save_pickle,
}

compressors = {
    ".xz": compress_xz,
}


def save(
    thing,
    url_or_handle,
    allow_unsafe_formats: bool = False,
    save_context: Optional[CaptureSaveContext] = None,
    **kwargs,
) -> dict:
    """Saves `thing` to a path, URL or open binary handle; the format comes from the extension.

    Extensions: ``.png .jpg .jpeg .webp`` (arrays via `_normalize_array`, ``domain=``),
    ``.npy``, ``.npz``, ``.json``, ``.txt``, ``.pb``, any extension for a `str`, optionally
    followed by ``.xz``; ``.pickle .pkl`` need ``allow_unsafe_formats=True``. Local files are
    written atomically.

    Args:
      thing: the object to save.
      url_or_handle: local path, ``gs://`` URL (relative paths join the current ``io_scope``),
        or a binary handle with a ``name``.
      allow_unsafe_formats: allow pickle.
      save_context: where to record the result; default the innermost `CaptureSaveContext`.
      **kwargs: passed to the saver (e.g. ``domain=(-1, 1)`` for images).

    Returns:
      A dict with at least ``type`` and ``url`` (plus ``serve``, an https URL, for ``gs://``).

    Raises:
      ValueError: unknown extension for a non-str object, or an unsafe format not allowed.
      RuntimeError: the path has no extension.
    """
    if isinstance(url_or_handle, os.PathLike):
        url_or_handle = os.fspath(url_or_handle)
    is_handle = hasattr(url_or_handle, "write") and hasattr(url_or_handle, "name")
    path = url_or_handle.name if is_handle else scope_url(url_or_handle)
    path_without_ext, ext = os.path.splitext(path)
    compressor = compressors.get(ext.lower())
    if compressor is not None:
        ext = os.path.splitext(path_without_ext)[1]
    if not ext:
        raise RuntimeError(f"Cannot infer a format: {path!r} has no file extension.")
    ext = ext.lower()
    if ext in savers:
        saver = savers[ext]
    elif ext in unsafe_savers:
        if not allow_unsafe_formats:
            raise ValueError(
                f"Refusing to save {path!r}: {ext} files can run arbitrary code when loaded. "
                f"Pass allow_unsafe_formats=True if you really want a pickle."
            )
        saver = unsafe_savers[ext]
    elif isinstance(thing, str):
        saver = save_str
    else:
        raise ValueError(
            f"Unknown extension {ext!r} in {path!r}: only a str can be saved with it, not a "
            f"{type(thing).__name__}. Supported extensions: {sorted(savers)}."
        )

    # `path` is already scoped; write_handle would join a relative scope onto it a second time.
    with io_scope([], replace_current_scopes=True):
        with nullcontext(url_or_handle) if is_handle else write_handle(path) as handle:
            with compressor(handle) if compressor else nullcontext(handle) as target:
                result = saver(thing, target, **kwargs)

    if path.startswith("gs://"):
        _set_gcs_content_type(path, ext)
        result["serve"] = "https://storage.googleapis.com/" + path[len("gs://") :]
    context = (
        save_context if save_context is not None else CaptureSaveContext.current_save_context()
    )
    if context is not None:
        context.capture(result)
    return result


def _set_gcs_content_type(path: str, ext: str) -> None:
    """Sets the Content-Type of ``.html``/``.json`` objects so browsers display them."""
    content_type = _GCS_CONTENT_TYPES.get(ext)
    if content_type is None:
        return
    if shutil.which("gsutil") is None:
        log.warning("gsutil not found; %s keeps its default Content-Type.", path)
        return
    subprocess.run(["gsutil", "setmeta", "-h", f"Content-Type:{content_type}", path], check=False)


def batch_save(save_ops: List[Tuple], num_workers: int = 16) -> list:
    """Runs many saves in a thread pool, with the caller's IO scopes and save context.

    Args:
      save_ops: tuples ``(thing, url)`` or ``(thing, url, kwargs_dict)``.
      num_workers: number of threads.

    Returns:
      The result dicts, in the order of `save_ops`. The first failure is re-raised.
    """
    for op in save_ops:
        if not isinstance(op, tuple) or len(op) not in (2, 3):
            raise ValueError(
                f"Each save op must be (thing, url) or (thing, url, kwargs); got {op!r}."
            )
    scopes = list(current_io_scopes())
    context = CaptureSaveContext.current_save_context()

    def save_one(op):
        set_io_scopes(scopes)
        kwargs = op[2] if len(op) == 3 else {}
        return save(op[0], op[1], save_context=context, **kwargs)

    with ThreadPoolExecutor(max_workers=num_workers) as executor:
        futures = [executor.submit(save_one, op) for op in save_ops]
        return [future.result() for future in futures]
