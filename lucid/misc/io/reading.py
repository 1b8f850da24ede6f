"""Read bytes from local paths, ``http(s)://`` and ``gs://`` URLs, through a verified cache.

This is also the model zoo's download engine. Remote files are fetched with ``requests``
(``gs://bucket/path`` is read from ``STORAGE_BASE_URL + "bucket/path"``, no TensorFlow
involved), retried with exponential backoff on connection errors, timeouts, HTTP 5xx and
truncated bodies, checked against their sha256 when one is known, and moved into the cache
atomically under a lock, so concurrent processes download a file once and never see half of
it. Each cached file has a provenance record (`cache_record`: source URL, sha256, size,
time); a file cached from another source than the one configured now is downloaded again,
or used with a warning naming both when offline. `lucid.misc.io.caching` documents when a
cached file is trusted; `lucid.misc.io.sources` knows mirrors and checksums, and
`lucid.misc.io.transfer` does the HTTP, locks and records.

Environment variables, read at call time:

* ``LUCID_CACHE_DIR``: cache directory (default ``platformdirs.user_cache_dir("lucid")``,
  e.g. ``~/.cache/lucid``). It is created, and must be writable, only when something is
  downloaded: local files, the bundled ShapesNet and directory mirrors need no cache.
  ``CacheDirectoryError`` names the variable and the path when it is unusable.
* ``LUCID_MODELZOO_MIRROR``: a base URL or a local directory that replaces the
  ``gs://modelzoo/`` prefix. A directory mirror is read in place (nothing is copied). A
  ``SHA256SUMS`` file at the mirror root (``sha256sum`` format) is used to verify downloads.
* ``LUCID_OFFLINE=1``: never touch the network; a file missing from the cache is an error.
* ``LUCID_DOWNLOAD_ATTEMPTS``, ``LUCID_DOWNLOAD_BACKOFF`` (seconds, doubled after each
  failure), ``LUCID_DOWNLOAD_TIMEOUT`` (seconds, connect and read): override the module
  constants below.
* ``LUCID_PROGRESS``: ``1`` shows a progress bar for downloads over ``PROGRESS_MIN_BYTES``
  even when stderr is not a terminal, ``0`` never shows one.

Every failure raises ``DownloadError`` naming the URL, the cache path, what went wrong and
what to do about it. Cached files get the permissions ``open()`` would give them
(``0o666 & ~umask``).
"""

import hashlib
import io
import logging
import os
import re
from contextlib import contextmanager
from typing import Optional

from lucid.misc.io import caching
from lucid.misc.io import sources
from lucid.misc.io import transfer
from lucid.misc.io.caching import CacheDirectoryError  # noqa: F401 (public name of this module)
from lucid.misc.io.caching import cache_dir
from lucid.misc.io.scoping import scope_url
from lucid.misc.io.sources import SHA256SUMS_NAME  # noqa: F401 (public name of this module)
from lucid.misc.io.sources import is_remote
from lucid.misc.io.sources import resolve_url
from lucid.misc.io.transfer import MODELZOO_PREFIX  # noqa: F401 (public name of this module)
from lucid.misc.io.transfer import CacheRecord
from lucid.misc.io.transfer import DownloadError  # noqa: F401 (public name of this module)

log = logging.getLogger(__name__)

STORAGE_BASE_URL = "https://storage.googleapis.com/"
"""Where ``gs://bucket/path`` is read from over HTTPS (tests point this at a local server)."""
DOWNLOAD_ATTEMPTS = 4
BACKOFF_SECONDS = 0.5
CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 60.0
CHUNK_SIZE = 1 << 20
PROGRESS_MIN_BYTES = 1 << 20
MAX_FILENAME_LENGTH = 200

_RESERVED_PATH_CHARS = re.compile(r"[^a-zA-Z0-9.\-]")

# Public functions


def read(url: str, encoding: Optional[str] = None, cache=None, mode: str = "rb"):
    """Reads a whole local file or remote URL.

    Args:
      url: a local path, ``file://``, ``http(s)://`` or ``gs://`` URL (relative paths are
        joined onto the current ``io_scope``).
      encoding: if given, bytes are decoded with it and a `str` is returned.
      cache: see `read_handle`.
      mode: ``"rb"`` (bytes) or ``"r"`` (text, UTF-8).

    Returns:
      The file's bytes, or a `str` when `encoding` is given or `mode` is ``"r"``.

    Raises:
      DownloadError: a remote file could not be fetched or verified.
    """
    with read_handle(url, cache=cache, mode=mode) as handle:
        data = handle.read()
    if encoding and isinstance(data, bytes):
        data = data.decode(encoding)
    return data


@contextmanager
def read_handle(url: str, cache=None, mode: str = "rb"):
    """Opens a local file or remote URL for reading; the handle is closed on exit.

    Remote files (``http``, ``https``, ``gs``) are downloaded into the cache (see
    `fetch_to_cache`) and opened from there. Network access happens only here, and is logged.

    Args:
      url: a local path, ``file://``, ``http(s)://`` or ``gs://`` URL. Other ``scheme://``
        URLs (e.g. ``s3://``) are opened with ``tf.io.gfile``.
      cache: None (default: True for remote URLs), True, False (read remote bytes into
        memory, through the same retrying code, without caching) or ``"purge"`` (delete the
        cached copy first, then cache again).
      mode: ``"rb"`` or ``"r"`` (text, UTF-8).

    Yields:
      A readable file object.
    """
    if mode not in ("rb", "r"):
        raise ValueError(f"mode={mode!r} is not supported for reading; use 'rb' or 'r'.")
    if cache not in (None, True, False, "purge"):
        raise ValueError(f"cache={cache!r} is not supported; use None, True, False or 'purge'.")
    url = scope_url(url)
    if cache == "purge":
        purge_cached(url)
        cache = True
    if is_remote(url):
        resolved = resolve_url(url)
        if cache is False and is_remote(resolved) and not sources.offline():
            data = sources.download_bytes(url, _http_url(resolved), _transfer_settings())
            handle = _memory_handle(data, url, mode)
        else:
            handle = _open_local(_fetch_to_cache(url, None), mode)
    elif sources.scheme(url) in ("", "file"):
        handle = _open_local(sources.local_path(url), mode)
    else:
        from lucid._compat import gfile

        handle = gfile.GFile(url, mode)
    try:
        yield handle
    finally:
        handle.close()


def local_cache_path(remote_url: str) -> str:
    """Returns the path at which `remote_url` is (or would be) cached.

    The file name is the URL with every character other than letters, digits, ``.`` and
    ``-`` replaced by ``_``; names longer than ``MAX_FILENAME_LENGTH`` are truncated and
    suffixed with a sha256 of the full name. Names never start with ``.``. The cache
    directory is created if it can be; if not, the path is still returned (whatever writes
    to it reports the problem).
    """
    path = _entry_path(remote_url)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    except OSError:
        pass  # a read-only or unusable cache directory: computing a path must still work
    return path


def configured_source(url: str) -> str:
    """Where `url` would be read from now: an ``http(s)://`` URL, or a local path.

    Applies ``LUCID_MODELZOO_MIRROR`` and maps ``gs://`` onto ``STORAGE_BASE_URL``.
    """
    resolved = resolve_url(url)
    return _http_url(resolved) if is_remote(resolved) else sources.local_path(resolved)


def cache_record(url: str) -> Optional[CacheRecord]:
    """The provenance of the cached copy of `url` (source URL, sha256, size, time), or None.

    None when `url` is not cached, or was cached without a record (by an older version, or
    copied in by hand).
    """
    path = _entry_path(url)
    return transfer.read_record(path) if os.path.exists(path) else None


def fetch_to_cache(url: str, sha256: Optional[str] = None) -> str:
    """Returns a local path holding the verified contents of `url`, downloading if needed.

    A cached copy is reused when it can be trusted (see the module docstring: checksums and
    source). Otherwise the file is streamed into a temporary file in the cache directory
    (retrying transient failures), verified against `sha256` and the mirror's
    ``SHA256SUMS``, and moved into place with its provenance record, under a lock on the
    entry. A file that fails verification is deleted.

    Local paths, ``file://`` URLs and files in a directory mirror are returned in place
    (verified when a checksum is known, never deleted).

    Args:
      url: a ``gs://``, ``http(s)://`` or ``file://`` URL, or a local path.
      sha256: the expected hex sha256 of the file, or None.

    Returns:
      The local path of the file.

    Raises:
      DownloadError: the file could not be fetched, failed verification, or is not cached
        while ``LUCID_OFFLINE`` is set.
      CacheDirectoryError: the file must be downloaded but the cache directory is unusable.
    """
    return _fetch_to_cache(scope_url(url), sources.normalize_sha256(sha256))


def purge_cached(url: str) -> None:
    """Deletes the cached copy of a remote URL and its record (local files are never touched)."""
    if is_remote(url):
        caching.purge(_entry_path(url))
        log.debug("Purged the cached copy of %s.", url)


_purge_cached = purge_cached  # Lucid's private name, kept for code that reached for it


# Small helpers


def _fetch_to_cache(url: str, sha256: Optional[str]) -> str:
    resolved = resolve_url(url)
    settings = _transfer_settings()
    if not is_remote(resolved):
        return sources.verified_local_file(url, resolved, sha256, settings)
    return caching.fetch_remote(url, _http_url(resolved), _entry_path(url), sha256, settings)


def _entry_path(remote_url: str) -> str:
    name = _RESERVED_PATH_CHARS.sub("_", remote_url)
    if name.startswith("."):
        name = "_" + name
    if len(name) > MAX_FILENAME_LENGTH:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
        name = name[: MAX_FILENAME_LENGTH - len(digest) - 1] + "-" + digest
    return os.path.join(cache_dir(create=False), name)


def _transfer_settings() -> transfer.TransferSettings:
    connect, read_timeout = CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS
    if os.environ.get("LUCID_DOWNLOAD_TIMEOUT", "").strip():
        connect = read_timeout = transfer.env_number("LUCID_DOWNLOAD_TIMEOUT", READ_TIMEOUT_SECONDS)
    return transfer.TransferSettings(
        attempts=int(transfer.env_number("LUCID_DOWNLOAD_ATTEMPTS", DOWNLOAD_ATTEMPTS)),
        backoff_seconds=transfer.env_number("LUCID_DOWNLOAD_BACKOFF", BACKOFF_SECONDS),
        connect_timeout=connect,
        read_timeout=read_timeout,
        chunk_size=CHUNK_SIZE,
        progress_min_bytes=PROGRESS_MIN_BYTES,
    )


def _http_url(url: str) -> str:
    if sources.scheme(url) == "gs":
        return STORAGE_BASE_URL.rstrip("/") + "/" + url[len("gs://") :]
    return url


def _open_local(path: str, mode: str):
    return open(path, mode) if "b" in mode else open(path, mode, encoding="utf-8")


def _memory_handle(data: bytes, name: str, mode: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle if "b" in mode else io.TextIOWrapper(handle, encoding="utf-8")
