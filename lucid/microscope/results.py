"""Atomic, resumable result files: PNGs first, then a JSON that commits them.

Every write goes to a temporary file in the target's directory and is moved into place
with ``os.replace`` (atomic on POSIX and Windows), so a reader, or a build killed at any
moment, never sees half a file. A result is one or more PNGs plus ``<stem>.json``, written
last: ``{"params": ..., "files": [...], ...}``. A result counts as done when its JSON
parses, its ``params`` equal the ones asked for and its files exist; anything else is
redone. Output is byte-for-byte deterministic (sorted JSON keys, PNGs without timestamps),
so a resumed build ends with the same bytes as an uninterrupted one.
"""

import io
import json
import os
import tempfile
from typing import Dict
from typing import Optional

import numpy as np
from PIL import Image

from lucid.microscope import layout


def atomic_write(path: str, data: bytes) -> None:
    """Writes ``data`` to ``path`` through a temporary file and ``os.replace``."""
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temp_path = tempfile.mkstemp(prefix=f".{name}{layout.TEMP_MARKER}", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp_path, 0o644)  # mkstemp makes 0o600; the site is meant to be read
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.remove(temp_path)
        raise


def write_if_changed(path: str, data: bytes) -> bool:
    """:func:`atomic_write` unless ``path`` already holds ``data``; returns whether it wrote."""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


_PNG_MODES = {3: "RGB", 4: "RGBA"}


def png_bytes(image: np.ndarray) -> bytes:
    """PNG of an `[h, w, 3]` (RGB) or `[h, w, 4]` (RGBA) image: floats in `[0, 1]` (clipped)
    or uint8. No metadata."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] not in _PNG_MODES:
        raise ValueError(
            f"png_bytes: image must be [h, w, 3] (RGB) or [h, w, 4] (RGBA); got shape {image.shape}."
        )
    if image.dtype != np.uint8:
        image = np.round(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image, _PNG_MODES[image.shape[-1]]).save(buffer, format="PNG")
    return buffer.getvalue()


def read_png(path: str) -> np.ndarray:
    """The RGB PNG at ``path`` (as written by :func:`png_bytes`): float32 `[h, w, 3]` in `[0, 1]`."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), np.float32) / 255.0


def json_bytes(value) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, UTF-8, trailing newline."""
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write_result(
    directory: str, stem: str, params: dict, images: Dict[str, np.ndarray], **extra
) -> None:
    """Writes a result: each image as ``<stem>-<name>.png`` (or ``<stem>.png`` for name ""),
    then ``<stem>.json`` with ``params``, the file names and ``extra`` fields (e.g. a
    render's ``timing={"seconds": s}``, which, being outside ``params``, resuming ignores)."""
    files = []
    for name, image in images.items():
        file_name = f"{stem}-{name}.png" if name else f"{stem}.png"
        atomic_write(os.path.join(directory, file_name), png_bytes(image))
        files.append(file_name)
    record = dict(extra, params=params, files=files)
    atomic_write(os.path.join(directory, stem + ".json"), json_bytes(record))


def read_json_record(path: str, list_field: str) -> Optional[dict]:
    """The JSON object at ``path`` if it has a list ``list_field``; None if missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get(list_field), list):
        return None
    return record


def read_result(directory: str, stem: str) -> Optional[dict]:
    """The committed record of a result, or None if it is missing or unreadable."""
    return read_json_record(os.path.join(directory, stem + ".json"), "files")


def is_done(directory: str, stem: str, params: dict) -> bool:
    """Whether the result ``stem`` exists, was made with ``params`` and has all its files."""
    record = read_result(directory, stem)
    if record is None or record.get("params") != params:
        return False
    return all(os.path.isfile(os.path.join(directory, name)) for name in record["files"])


def sweep_temp_files(root: str) -> int:
    """Removes temporary files left by interrupted writes under ``root``; returns how many.

    Call it only while no build is writing into ``root``.
    """
    removed = 0
    for directory, _, file_names in os.walk(root):
        for file_name in file_names:
            if layout.is_temp_file(file_name):
                os.remove(os.path.join(directory, file_name))
                removed += 1
    return removed
