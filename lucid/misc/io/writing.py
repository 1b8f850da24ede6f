"""Write bytes to local paths or to any filesystem ``tf.io.gfile`` supports (e.g. ``gs://``).

Local files are written atomically: data goes to a temporary file in the target directory,
which replaces the target only when the handle closes without error, so readers never see
a half-written file. Other schemes go through ``tf.io.gfile`` (TensorFlow is imported only
then). Writing to ``http(s)://`` URLs is not supported.

Files written here get the permissions ``open()`` would give them (a replaced file keeps its
mode; a new one gets ``0o666 & ~umask``, ``0o644`` under the usual umask 022), not the
``0o600`` of the temporary file they start as.
"""

import os
import stat
import tempfile
import threading
from contextlib import contextmanager
from typing import Optional
from urllib.parse import urlparse
from urllib.request import url2pathname

from lucid.misc.io.scoping import scope_url

_umask_lock = threading.Lock()


def default_file_mode() -> int:
    """Returns ``0o666 & ~umask``: the mode ``open()`` gives a new file (``0o644`` under umask 022).

    ``tempfile.mkstemp`` creates ``0o600`` files; atomic writers apply this mode before
    renaming the temporary file into place, so the result reads like any other new file.
    """
    return 0o666 & ~_current_umask()


def _current_umask() -> int:
    try:  # Linux reports it without changing it (os.umask can only be read by setting it)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _umask_lock:
        umask = os.umask(0o022)
        os.umask(umask)
    return umask


def write(data, url: str, mode: str = "wb") -> None:
    """Writes `data` (bytes, or str with ``mode="w"``) to a local path or gfile URL.

    Raises:
      ValueError: for ``http(s)://`` URLs, which cannot be written to.
    """
    with write_handle(url, mode=mode) as handle:
        handle.write(data)


@contextmanager
def write_handle(path: str, mode: Optional[str] = None):
    """Opens `path` for writing, creating parent directories; closes (and commits) on exit.

    Args:
      path: a local path, ``file://`` URL, or a URL that ``tf.io.gfile`` can write
        (``gs://...``); relative paths are joined onto the current ``io_scope``.
      mode: ``"wb"`` (default), ``"w"`` (text, UTF-8) or ``"ab"``/``"a"`` (append, not atomic).

    Yields:
      A writable file object whose ``.name`` is the destination path.
    """
    path = scope_url(path)
    scheme = urlparse(path).scheme.lower()
    if scheme in ("http", "https"):
        raise ValueError(
            f"Cannot write to {path!r}: http(s) URLs are read-only. Write to a local path or "
            f"a gs:// URL instead."
        )
    if mode is None:
        mode = "w" if path.startswith("/bigstore") else "wb"
    if mode not in ("wb", "w", "ab", "a"):
        raise ValueError(f"mode={mode!r} is not supported for writing; use 'wb', 'w', 'ab' or 'a'.")
    if len(scheme) > 1 and scheme != "file":
        with _gfile_handle(path, mode) as handle:
            yield handle
    else:
        local_path = url2pathname(urlparse(path).path) if scheme == "file" else path
        with local_write_handle(local_path, mode) as handle:
            yield handle


@contextmanager
def _gfile_handle(path: str, mode: str):
    from lucid._compat import gfile

    if not path.startswith("gs://"):  # object stores have no directories to create
        gfile.makedirs(os.path.dirname(path))
    handle = gfile.GFile(path, mode)
    try:
        yield handle
    finally:
        handle.close()


@contextmanager
def local_write_handle(path: str, mode: str = "wb"):
    """Opens the local file `path` for an atomic write (no ``io_scope``, no URLs).

    The data goes to a temporary file beside `path` that replaces it, with the mode
    ``open()`` would leave, only when the block exits without error. Parent directories are
    created. Modes ``"ab"``/``"a"`` append in place instead (not atomic).

    Yields:
      A writable file object (seekable in binary modes) whose ``.name`` is `path`.
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    text = {} if "b" in mode else {"encoding": "utf-8"}
    if mode.startswith("a"):
        with open(path, mode, **text) as handle:
            yield handle
        return
    fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, mode, **text) as handle:
            yield _NamedHandle(handle, path)
        os.chmod(tmp_path, _replacement_mode(path))
        os.replace(tmp_path, path)
    finally:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)


def _replacement_mode(path: str) -> int:
    """The mode ``open(path, "w")`` would leave: the existing file's, else the default."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return default_file_mode()


class _NamedHandle:
    """A file object that reports the final destination as its ``name``.

    Savers infer formats and report URLs from ``handle.name``; the underlying file is a
    temporary one until it is committed.
    """

    def __init__(self, handle, name: str):
        self._handle = handle
        self.name = name

    def __getattr__(self, attribute):
        return getattr(self._handle, attribute)

    def __iter__(self):
        return iter(self._handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._handle.close()
