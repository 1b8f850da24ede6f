"""Thread-local path prefixes ("IO scopes") for relative URLs.

Inside ``with io_scope("gs://bucket/run1"):`` a relative path such as ``"img.png"`` given to
``load``, ``save``, ``read`` or ``write`` means ``"gs://bucket/run1/img.png"``. Scopes nest,
and each thread has its own stack.
"""

import os
import threading
from contextlib import contextmanager
from typing import List
from typing import Optional
from typing import Union

_thread_local = threading.local()


def current_io_scopes() -> List[str]:
    """Returns this thread's list of scope prefixes (the live list, outermost first)."""
    scopes = getattr(_thread_local, "io_scopes", None)
    if scopes is None:
        scopes = []
        _thread_local.io_scopes = scopes
    return scopes


def set_io_scopes(scopes: List[str]) -> None:
    """Replaces this thread's scope prefixes (used to hand a caller's scopes to worker threads)."""
    _thread_local.io_scopes = list(scopes)


@contextmanager
def io_scope(path: Union[str, List[str]], replace_current_scopes: bool = False):
    """Prefixes relative URLs with `path` inside the `with` block.

    Args:
      path: a prefix (local directory or URL), or a list of prefixes when replacing.
      replace_current_scopes: if True, `path` replaces the enclosing scopes instead of
        nesting inside them.
    """
    before = list(current_io_scopes())
    if replace_current_scopes:
        set_io_scopes(path if isinstance(path, list) else [path])
    else:
        current_io_scopes().append(path)
    try:
        yield
    finally:
        set_io_scopes(before)


def _normalize_url(url: str) -> str:
    """Normalizes `..` and `.` in a path or URL; keeps the `scheme://` that normpath would mangle."""
    scheme, separator, path = url.partition("://")
    if not separator:
        return os.path.normpath(url) if url else url
    return scheme + separator + (os.path.normpath(path) if path else "")


def scope_url(url: Union[str, os.PathLike], io_scopes: Optional[List[str]] = None) -> str:
    """Joins `url` onto the current IO scopes, unless it is absolute.

    URLs that contain ``//`` (any ``scheme://``) or start with ``/`` are returned unchanged.

    Args:
      url: a relative or absolute path or URL.
      io_scopes: prefixes to use instead of this thread's current scopes.

    Returns:
      The scoped, normalized URL.
    """
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}: {url!r}.")
    if "//" in url or url.startswith("/"):
        return url
    scopes = current_io_scopes() if io_scopes is None else io_scopes
    if not scopes:
        return url
    return _normalize_url(os.path.join(*scopes, url))
