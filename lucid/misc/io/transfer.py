"""The download cache's transfer layer: HTTP with retries, locks and provenance records.

`lucid.misc.io.caching` decides what to fetch and whether a cached copy can be trusted;
this module does the fetching and the bookkeeping beside each cache entry:

* `get_with_retries` streams one URL into a file object, hashing as it goes, and retries
  connection errors, timeouts, HTTP 5xx and truncated bodies with exponential backoff
  (HTTP 4xx is final). Every failure is a `DownloadError` naming the URL, the cache path and
  what to do.
* `cache_lock` serialises the processes that fill one cache entry. Its lock file
  (``.<name>.lock`` beside the entry) is removed on release, while still held; a process that
  was waiting on the removed file notices and locks the new one, so two holders never coexist.
* `CacheRecord` is the provenance of an entry (the URL asked for, the URL actually fetched,
  sha256, size, time, what verified it), kept as JSON in ``.<name>.json`` beside the entry and
  written atomically. Entry names never start with ``.``, so these names cannot collide with
  a cached file.

Files are staged with `lucid.misc.io.writing.local_write_handle`, so they appear atomically
and get the permissions ``open()`` would give them (``0o666 & ~umask``).
"""

import dataclasses
import hashlib
import json
import logging
import os
import re
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from datetime import timezone
from typing import Optional
from typing import Tuple

import requests
from tqdm import tqdm

from lucid.misc.io.writing import local_write_handle

try:
    import fcntl
except ImportError:  # Windows: filelock's lock deletes its file on release there
    fcntl = None

log = logging.getLogger(__name__)

MODELZOO_PREFIX = "gs://modelzoo/"
LEGACY_SIDECAR_SUFFIX = ".sha256"
"""Older versions wrote ``<entry>.sha256`` after a verified download (read, then replaced)."""

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class DownloadError(IOError):
    """A remote file could not be fetched or verified.

    Attributes:
      url: the URL that was asked for.
      cache_path: where its cached copy lives (or would live), or None.
      status: the HTTP status code when the server refused the request (4xx), else None.
    """

    def __init__(
        self,
        message: str,
        url: Optional[str] = None,
        cache_path: Optional[str] = None,
        status: Optional[int] = None,
    ):
        super().__init__(message)
        self.url = url
        self.cache_path = cache_path
        self.status = status


class _Transient(Exception):
    """A failure worth retrying: HTTP 5xx or a truncated body."""


class _ClientError(Exception):
    """An HTTP 4xx answer: retrying will not help."""

    def __init__(self, status: int, reason: str):
        super().__init__(f"HTTP {status} {reason}")
        self.status = status


@dataclasses.dataclass(frozen=True)
class TransferSettings:
    """How hard to try: attempts, first backoff (doubled after each failure), timeouts."""

    attempts: int
    backoff_seconds: float
    connect_timeout: float
    read_timeout: float
    chunk_size: int
    progress_min_bytes: int


# Provenance records


@dataclasses.dataclass(frozen=True)
class CacheRecord:
    """Where a cache entry came from.

    Attributes:
      url: the URL that was asked for (e.g. ``gs://modelzoo/...``).
      source: the URL the bytes were fetched from (a mirror, or the bucket over HTTPS).
      sha256: hex sha256 of the bytes.
      size: number of bytes.
      time: when the download finished, ISO 8601 in UTC.
      verified_by: what the sha256 was checked against (a ``SHA256SUMS`` URL, the sha256
        argument), or None when no checksum was known.
    """

    url: str
    source: str
    sha256: str
    size: int
    time: str
    verified_by: Optional[str] = None


def record_path(path: str) -> str:
    """The provenance record of the cache entry at `path`: ``.<name>.json`` beside it."""
    directory, name = os.path.split(path)
    return os.path.join(directory, "." + name + ".json")


def write_record(path: str, record: CacheRecord) -> None:
    """Writes `record` for the entry at `path` atomically, replacing any older sidecar."""
    with local_write_handle(record_path(path)) as f:
        f.write(json.dumps(dataclasses.asdict(record), indent=1).encode("utf-8"))
    _remove_if_present(path + LEGACY_SIDECAR_SUFFIX)


def read_record(path: str) -> Optional[CacheRecord]:
    """The provenance record of the entry at `path`; None if it has none or it is unreadable."""
    try:
        with open(record_path(path), encoding="utf-8") as f:
            fields = json.load(f)
        return CacheRecord(**fields)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as error:
        log.warning("Ignoring the unreadable record %s: %s", record_path(path), error)
        return None


def entry_files(path: str) -> Tuple[str, ...]:
    """Every file that belongs to the cache entry at `path` (entry, record, legacy sidecar)."""
    return (path, record_path(path), path + LEGACY_SIDECAR_SUFFIX)


def new_record(url: str, source: str, sha256: str, size: int, verified_by: Optional[str]):
    """A `CacheRecord` stamped with the current UTC time."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return CacheRecord(url, source, sha256, size, now, verified_by)


# Locks


@contextmanager
def cache_lock(path: str):
    """Holds an exclusive inter-process lock on the cache entry at `path`.

    The lock file ``.<name>.lock`` is created beside the entry and removed on release.
    """
    directory, name = os.path.split(path)
    lock_path = os.path.join(directory, "." + name + ".lock")
    if fcntl is None:
        from filelock import FileLock

        with FileLock(lock_path):
            yield
        return
    fd = _acquire(lock_path)
    try:
        yield
    finally:
        # Removed while still held: whoever waits on this file sees it is gone and retries.
        _remove_if_present(lock_path)
        os.close(fd)


def _acquire(lock_path: str) -> int:
    """flock()s `lock_path`, retrying until the locked file is still the one at that path."""
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.path.samestat(os.fstat(fd), os.stat(lock_path)):
                return fd
        except FileNotFoundError:
            pass  # the previous holder removed it: lock a fresh one
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _remove_if_present(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


# HTTP


def get_with_retries(
    url: str, http_url: str, sink, cache_path: Optional[str], settings: TransferSettings
) -> Tuple[str, int]:
    """GETs `http_url` into the binary file `sink`, retrying transient failures.

    Args:
      url: the URL the caller asked for (named in errors).
      http_url: the ``http(s)://`` URL to fetch.
      sink: a writable, seekable binary file; it is rewound and truncated before each try.
      cache_path: the cache entry being filled (named in errors), or None.
      settings: attempts, backoff and timeouts.

    Returns:
      ``(sha256 hex, number of bytes)`` of what was written to `sink`.

    Raises:
      DownloadError: after the last attempt, or at once for HTTP 4xx.
    """
    attempts = max(1, int(settings.attempts))
    delay = settings.backoff_seconds
    for attempt in range(1, attempts + 1):
        sink.seek(0)
        sink.truncate()
        try:
            return _get_once(http_url, sink, os.path.basename(cache_path or url), settings)
        except _ClientError as error:
            problem = f"{error} (not retried: the server refused the request)"
            raise _download_error(url, http_url, cache_path, problem, error.status) from error
        except (_Transient, requests.ConnectionError, requests.Timeout) as error:
            problem = _describe(error, settings)
            if attempt == attempts:
                problem += f" ({attempts} attempt{'s' if attempts > 1 else ''})"
                raise _download_error(url, http_url, cache_path, problem) from error
            log.warning(
                "Fetching %s failed (%s); retrying in %.2g s (attempt %d of %d).",
                http_url,
                problem,
                delay,
                attempt + 1,
                attempts,
            )
            time.sleep(delay)
            delay *= 2
        except requests.RequestException as error:
            raise _download_error(url, http_url, cache_path, _describe(error, settings)) from error


def _get_once(http_url: str, sink, label: str, settings: TransferSettings) -> Tuple[str, int]:
    """One streamed GET into `sink`; returns (sha256 hex, number of bytes)."""
    log.info("Fetching %s", http_url)
    timeout = (settings.connect_timeout, settings.read_timeout)
    with requests.get(http_url, stream=True, timeout=timeout) as response:
        status = response.status_code
        if status >= 500:
            raise _Transient(f"HTTP {status} {response.reason}")
        if status >= 400:
            raise _ClientError(status, response.reason)
        expected_size = None
        if response.headers.get("Content-Encoding", "identity") == "identity":
            length = response.headers.get("Content-Length")
            expected_size = int(length) if length and length.isdigit() else None
        digest = hashlib.sha256()
        size = 0
        with _progress_bar(expected_size, label, settings.progress_min_bytes) as bar:
            try:
                for chunk in response.iter_content(settings.chunk_size):
                    sink.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    bar.update(len(chunk))
            except requests.exceptions.ChunkedEncodingError as error:
                # The bytes of the failing read never reach us; urllib3's error counts them.
                size = _bytes_received(error, size)
                if expected_size is None:
                    raise _Transient(f"connection broken after {size} bytes ({error})") from error
        if expected_size is not None and size != expected_size:
            raise _Transient(f"truncated body: received {size} of {expected_size} bytes")
    return digest.hexdigest(), size


def _bytes_received(error: Exception, default: int) -> int:
    """Total bytes read before a broken transfer, from urllib3's IncompleteRead if present."""
    pending = list(error.args)
    while pending:
        arg = pending.pop()
        if isinstance(getattr(arg, "partial", None), int):
            return arg.partial
        if isinstance(arg, BaseException):
            pending.extend(arg.args)
    return default


def _download_error(url, http_url, cache_path, problem, status=None) -> DownloadError:
    """A `DownloadError` saying what failed for `url`, where it was fetched from, and what to do."""
    source = f" (fetched from {http_url})" if http_url != url else ""
    where = f" Cache path: {cache_path}." if cache_path else " Nothing was cached."
    if status is not None:
        advice = "Check the URL"
        if url.startswith(MODELZOO_PREFIX) and os.environ.get("LUCID_MODELZOO_MIRROR"):
            advice += " and that the mirror in LUCID_MODELZOO_MIRROR has this file"
    else:
        advice = "Check the network connection"
        if url.startswith(MODELZOO_PREFIX):
            advice += "; without network, set LUCID_MODELZOO_MIRROR to a mirror URL or directory"
    if cache_path:
        advice += f", or copy the file to {cache_path}"
    message = f"Could not fetch {url}{source}: {problem}.{where} {advice}."
    return DownloadError(message, url, cache_path, status)


def _describe(error: Exception, settings: TransferSettings) -> str:
    text = str(error)
    if isinstance(error, requests.Timeout) or "timed out" in text.lower():
        return (
            f"timed out (connect timeout {settings.connect_timeout:g} s, read timeout "
            f"{settings.read_timeout:g} s; LUCID_DOWNLOAD_TIMEOUT sets both)"
        )
    if isinstance(error, _Transient):
        return text
    return f"{type(error).__name__}: {text}"


@contextmanager
def _progress_bar(total: Optional[int], label: str, min_bytes: int):
    enabled = env_flag("LUCID_PROGRESS")
    if enabled is None:
        enabled = sys.stderr is not None and sys.stderr.isatty()
    if total is not None and total <= min_bytes:
        enabled = False
    bar = tqdm(
        total=total,
        desc=label[:40],
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
        disable=not enabled,
        leave=False,
    )
    try:
        yield bar
    finally:
        bar.close()


# Small shared helpers


def env_flag(name: str) -> Optional[bool]:
    """True or False for a variable set to 1/0 (true/false, yes/no, on/off), else None."""
    value = os.environ.get(name, "").strip().lower()
    return True if value in _TRUE else False if value in _FALSE else None


def env_number(name: str, default: float) -> float:
    """The number in environment variable `name`, or `default` when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(
            f"${name}={value!r} is not a number; unset it or set e.g. {default}."
        ) from None


def legacy_sha256(path: str) -> Optional[str]:
    """The digest in an older version's ``<entry>.sha256`` sidecar, or None."""
    try:
        with open(path + LEGACY_SIDECAR_SUFFIX, encoding="utf-8") as f:
            digest = f.read().split(None, 1)[0].lower()
    except (FileNotFoundError, IndexError):
        return None
    return digest if _SHA256_HEX.match(digest) else None
