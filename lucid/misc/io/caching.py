"""The download cache: where it lives, and when a cached file is trusted.

`lucid.misc.io.reading` is the public face (``read``, ``fetch_to_cache``, the constants
that tune downloads); it calls `fetch_remote` with the cache path, the source URL and the
transfer settings. `lucid.misc.io.sources` knows mirrors and checksums;
`lucid.misc.io.transfer` does the HTTP, the locks and the records.

When a cached file is trusted. Each entry has a provenance record (`transfer.CacheRecord`):
the URL the bytes came from, their sha256, size and time. An entry is used as it is when its
bytes match the record and any ``sha256`` the caller expects, and it was fetched from the
source configured now (the mirror in ``LUCID_MODELZOO_MIRROR``, else the bucket).

* A file that fails a checksum is deleted and downloaded again (offline: deleted, and an
  error says so).
* A file from another source (say a mirror of test replicas, then the real bucket) is
  downloaded again from the configured source, with a warning naming both. When
  ``LUCID_OFFLINE`` is set, or that download fails, the cached copy is used instead, with a
  warning naming both.
* A file that matches the caller's ``sha256`` is used whatever its source.
* A file without a record (cached by an older version, which kept only a ``.sha256``
  sidecar after a verified download, or copied in by hand) counts as coming from an unknown
  source and is treated like one from another source: refetched once when online (its
  ``.sha256`` still verifies it), used with a warning offline.

The cache directory is created, and must be writable, only when something is downloaded; a
read-only one still serves what it holds. Otherwise `CacheDirectoryError` names
``LUCID_CACHE_DIR`` and the path.
"""

import logging
import os
from contextlib import contextmanager
from typing import Optional
from typing import Tuple

import platformdirs

from lucid.misc.io import sources
from lucid.misc.io import transfer
from lucid.misc.io.transfer import DownloadError
from lucid.misc.io.transfer import TransferSettings
from lucid.misc.io.writing import local_write_handle

log = logging.getLogger(__name__)

_UNKNOWN_SOURCE = "its source is unknown (no record: cached by an older version or by hand)"


class CacheDirectoryError(OSError):
    """The download cache directory cannot be created or written to.

    Attributes:
      path: the cache directory.
    """

    def __init__(self, message: str, path: str):
        super().__init__(message)
        self.path = path


def cache_dir(create: bool = True) -> str:
    """Returns the download cache directory, creating it unless `create` is False.

    ``$LUCID_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("lucid")``.

    Raises:
      CacheDirectoryError: `create` is True and the directory cannot be created (the path is
        a file, or a parent is read-only); the message names the variable and the path.
    """
    path = os.environ.get("LUCID_CACHE_DIR") or platformdirs.user_cache_dir("lucid")
    path = os.path.abspath(os.path.expanduser(path))
    if create:
        with cache_writes(path):
            os.makedirs(path, exist_ok=True)
    return path


def fetch_remote(
    url: str, source: str, path: str, sha256: Optional[str], settings: TransferSettings
) -> str:
    """Returns `path`, the cache entry for `url`, after making sure it can be trusted.

    Args:
      url: the URL asked for (``gs://...`` or ``http(s)://...``).
      source: the ``http(s)://`` URL it is fetched from now (mirror applied).
      path: its cache entry.
      sha256: the hex sha256 the caller expects, or None.
      settings: retries and timeouts for a download.

    Raises:
      DownloadError: it could not be fetched or verified, or is missing while offline.
      CacheDirectoryError: it must be downloaded but the cache directory is unusable.
    """
    if os.path.exists(path) and _cache_problem(path, sha256, source) is None:
        log.debug("Using cached %s for %s.", path, url)
        return path
    try:
        with cache_writes(cache_dir()), transfer.cache_lock(path):
            return _fill_cache_entry(url, source, path, sha256, settings)
    except (DownloadError, CacheDirectoryError) as error:
        problem = _cache_problem(path, sha256, source) if os.path.exists(path) else None
        if problem is None or problem[0] != "source":
            raise
        log.warning(
            "Using the cached copy of %s at %s although %s, because fetching it from the "
            "configured source %s failed: %s",
            url,
            path,
            problem[1],
            source,
            error,
        )
        return path


def purge(path: str) -> None:
    """Deletes the cache entry at `path` with its record, under its lock (if there is one)."""
    if any(os.path.exists(name) for name in transfer.entry_files(path)):
        with cache_writes(os.path.dirname(path)), transfer.cache_lock(path):
            _remove_cached(path)


@contextmanager
def cache_writes(directory: str):
    """Turns a file system error while writing into the cache into a `CacheDirectoryError`."""
    try:
        yield
    except (DownloadError, CacheDirectoryError):
        raise
    except OSError as error:
        raise _unusable_cache_dir(directory, error) from error


# Trusting and filling a cache entry


def _fill_cache_entry(url, source, path, sha256, settings) -> str:
    """Downloads `url` into the entry at `path` unless it is usable; holds the entry's lock."""
    offline = sources.offline()
    # Another process may have finished the download while we waited for the lock.
    if os.path.exists(path):
        problem = _cache_problem(path, sha256, source)
        if problem is None or _use_despite(url, path, source, problem, offline):
            return path
    if offline:
        raise DownloadError(
            f"{url} is not in the cache at {path} and LUCID_OFFLINE is set: unset "
            f"LUCID_OFFLINE or put the file at {path}.",
            url,
            path,
        )
    _download_into_cache(url, source, path, sha256, settings)
    return path


def _cache_problem(path: str, sha256: Optional[str], source: str) -> Optional[Tuple[str, str]]:
    """None if the entry at `path` can be used, else ``("corrupt" or "source", why not)``."""
    record = transfer.read_record(path)
    legacy = None if record else transfer.legacy_sha256(path)
    expected = [(sha256, "the sha256 argument")] if sha256 else []
    if record is not None:
        expected.append((record.sha256, f"its record {transfer.record_path(path)}"))
    elif legacy:
        expected.append((legacy, f"the sidecar {path}{transfer.LEGACY_SIDECAR_SUFFIX}"))
    if expected:
        try:
            actual = sources.file_sha256(path)
        except FileNotFoundError:
            return "corrupt", "the file disappeared"
        for digest, origin in expected:
            if digest != actual:
                return (
                    "corrupt",
                    f"checksum mismatch: expected sha256 {digest} ({origin}), got {actual}",
                )
    if sha256:
        return None  # the caller pinned the bytes: where they came from does not matter
    if record is None:
        return "source", _UNKNOWN_SOURCE
    if record.source != source:
        return "source", f"it was fetched from {record.source}"
    return None


def _use_despite(url: str, path: str, source: str, problem: Tuple[str, str], offline: bool):
    """Deals with an entry that cannot be trusted as it is; True if it is used anyway."""
    kind, detail = problem
    if kind == "corrupt":
        _remove_cached(path)
        log.warning("Deleted cached %s for %s: %s.", path, url, detail)
        if offline:
            raise DownloadError(
                f"The cached copy of {url} at {path} failed verification ({detail}) and "
                f"was deleted. LUCID_OFFLINE is set, so it was not downloaded again: unset "
                f"LUCID_OFFLINE or put the correct file at {path}.",
                url,
                path,
            )
        return False
    if offline:
        log.warning(
            "Using the cached copy of %s at %s although %s, not from the configured source "
            "%s: LUCID_OFFLINE is set. Unset it to download the file from there.",
            url,
            path,
            detail,
            source,
        )
        return True
    log.warning(
        "Not using the cached copy of %s at %s: %s, but the configured source is %s. "
        "Downloading it again from there.",
        url,
        path,
        detail,
        source,
    )
    return False


def _download_into_cache(url, source, path, sha256, settings) -> None:
    """Downloads into a temporary file beside `path`, verifies it, records it, moves it in."""
    expected = sources.expected_checksums(url, sha256, settings)
    with local_write_handle(path) as sink:
        actual, size = transfer.get_with_retries(url, source, sink, path, settings)
        for digest, origin in expected:
            if digest != actual:
                raise DownloadError(
                    f"Checksum mismatch for {url} (fetched from {source}): expected sha256 "
                    f"{digest} ({origin}), got {actual}. The download was deleted; nothing was "
                    f"cached at {path}. The server or mirror holds a different file than "
                    f"expected: fix the mirror or the expected checksum.",
                    url,
                    path,
                )
        verified_by = "; ".join(origin for _, origin in expected) or None
        # The record lands before the file, so a reader never sees the file without it.
        transfer.write_record(path, transfer.new_record(url, source, actual, size, verified_by))
    sources.remember_hash(path, actual)
    log.info("Downloaded %s (%d bytes) from %s to %s.", url, size, source, path)


# Small helpers


def _remove_cached(path: str) -> None:
    for name in transfer.entry_files(path):
        try:
            os.remove(name)
        except FileNotFoundError:
            pass
    sources.forget_hash(path)


def _unusable_cache_dir(directory: str, error: OSError) -> CacheDirectoryError:
    root = cache_dir(create=False)
    if os.environ.get("LUCID_CACHE_DIR"):
        where = f"LUCID_CACHE_DIR={root}"
    else:
        where = f"The default cache directory {root} (LUCID_CACHE_DIR is not set)"
    if os.path.exists(root) and not os.path.isdir(root):
        problem = "is a file, not a directory"
        fix = "move that file away, or set LUCID_CACHE_DIR to a writable directory"
    else:
        what = error.strerror or type(error).__name__
        problem = f"cannot be written to ({what}: {error.filename or directory})"
        fix = "set LUCID_CACHE_DIR to a writable directory, e.g. /tmp/lucid-cache"
    return CacheDirectoryError(
        f"{where} {problem}; downloads are cached there. To fix: {fix}. (Local files and the "
        f"bundled ShapesNet need no cache.)",
        root,
    )
