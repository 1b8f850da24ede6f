"""Read bytes from local paths, ``http(s)://`` and ``gs://`` URLs, through a verified cache.

This is also the model zoo's download engine. Remote files are fetched with ``requests``
(``gs://bucket/path`` is read from ``STORAGE_BASE_URL + "bucket/path"``, no TensorFlow
involved), retried with exponential backoff on connection errors, timeouts, HTTP 5xx and
truncated bodies, checked against their sha256 when one is known, and moved into the cache
atomically under a file lock, so concurrent processes download a file once and never see
half of it.

Environment variables, read at call time:

* ``LUCID_CACHE_DIR``: cache directory (default ``platformdirs.user_cache_dir("lucid")``,
  e.g. ``~/.cache/lucid``).
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
what to do about it.
"""

import hashlib
import io
import logging
import os
import re
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple
from urllib.parse import urlparse
from urllib.request import url2pathname

import platformdirs
import requests
from filelock import FileLock
from tqdm import tqdm

from lucid.misc.io.scoping import scope_url

log = logging.getLogger(__name__)

STORAGE_BASE_URL = "https://storage.googleapis.com/"
"""Where ``gs://bucket/path`` is read from over HTTPS (tests point this at a local server)."""
MODELZOO_PREFIX = "gs://modelzoo/"
SHA256SUMS_NAME = "SHA256SUMS"
DOWNLOAD_ATTEMPTS = 4
BACKOFF_SECONDS = 0.5
CONNECT_TIMEOUT_SECONDS = 10.0
READ_TIMEOUT_SECONDS = 60.0
CHUNK_SIZE = 1 << 20
PROGRESS_MIN_BYTES = 1 << 20
MAX_FILENAME_LENGTH = 200

_REMOTE_SCHEMES = ("http", "https", "gs")
_RESERVED_PATH_CHARS = re.compile(r"[^a-zA-Z0-9.\-]")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")

_hash_memo: Dict[str, Tuple[int, int, str]] = {}  # path -> (size, mtime_ns, sha256)
_sums_memo: Dict[str, Dict[str, str]] = {}  # SHA256SUMS URL -> {relative path: sha256}
_memo_lock = threading.Lock()


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
        _purge_cached(url)
        cache = True
    if _is_remote(url):
        resolved = resolve_url(url)
        if cache is False and _is_remote(resolved) and not _offline():
            handle = _memory_handle(_download_bytes(url, resolved), url, mode)
        else:
            handle = _open_local(_fetch_to_cache(url, None), mode)
    elif _scheme(url) in ("", "file"):
        handle = _open_local(_local_path(url), mode)
    else:
        from lucid._compat import gfile

        handle = gfile.GFile(url, mode)
    try:
        yield handle
    finally:
        handle.close()


def cache_dir() -> str:
    """Returns (and creates) the download cache directory.

    ``$LUCID_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("lucid")``.
    """
    path = os.environ.get("LUCID_CACHE_DIR") or platformdirs.user_cache_dir("lucid")
    path = os.path.abspath(os.path.expanduser(path))
    os.makedirs(path, exist_ok=True)
    return path


def local_cache_path(remote_url: str) -> str:
    """Returns the path at which `remote_url` is (or would be) cached.

    The file name is the URL with every character other than letters, digits, ``.`` and
    ``-`` replaced by ``_``; names longer than ``MAX_FILENAME_LENGTH`` are truncated and
    suffixed with a sha256 of the full name.
    """
    name = _RESERVED_PATH_CHARS.sub("_", remote_url)
    if name.startswith("."):
        name = "_" + name
    if len(name) > MAX_FILENAME_LENGTH:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
        name = name[: MAX_FILENAME_LENGTH - len(digest) - 1] + "-" + digest
    return os.path.join(cache_dir(), name)


def resolve_url(url: str) -> str:
    """Applies ``$LUCID_MODELZOO_MIRROR`` to a ``gs://modelzoo/...`` URL.

    Args:
      url: any URL or path.

    Returns:
      `url` with the ``gs://modelzoo/`` prefix replaced by the mirror (a base URL, or a
      local directory, giving a local path), or `url` unchanged when no mirror is set or the
      URL is not in the model zoo bucket.
    """
    mirror = os.environ.get("LUCID_MODELZOO_MIRROR", "").strip()
    if not mirror or not url.startswith(MODELZOO_PREFIX):
        return url
    relative = url[len(MODELZOO_PREFIX) :]
    if "://" in mirror:
        return mirror.rstrip("/") + "/" + relative
    root = os.path.abspath(os.path.expanduser(mirror))
    return os.path.join(root, *relative.split("/"))


def fetch_to_cache(url: str, sha256: Optional[str] = None) -> str:
    """Returns a local path holding the verified contents of `url`, downloading if needed.

    A cached copy is reused when it matches every known checksum (`sha256`, and the
    ``.sha256`` sidecar written after an earlier verified download). Otherwise the file is
    streamed into a temporary file in the cache directory (retrying transient failures),
    verified against `sha256` and the mirror's ``SHA256SUMS``, and moved into place, all
    under a lock on ``<cache path>.lock``. A file that fails verification is deleted.

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
    """
    return _fetch_to_cache(scope_url(url), _normalize_sha256(sha256))


# Fetching into the cache


def _fetch_to_cache(url: str, sha256: Optional[str]) -> str:
    resolved = resolve_url(url)
    if not _is_remote(resolved):
        return _verified_local_file(url, resolved, sha256)
    path = local_cache_path(url)
    if os.path.exists(path) and _cache_mismatch(path, sha256) is None:
        log.debug("Using cached %s for %s.", path, url)
        return path
    offline = _offline()
    with FileLock(path + ".lock"):
        # Another process may have finished the download while we waited for the lock.
        if os.path.exists(path):
            mismatch = _cache_mismatch(path, sha256)
            if mismatch is None:
                return path
            _remove_cached(path)
            log.warning("Deleted cached %s for %s: %s.", path, url, mismatch)
            if offline:
                raise DownloadError(
                    f"The cached copy of {url} at {path} failed verification ({mismatch}) and "
                    f"was deleted. LUCID_OFFLINE is set, so it was not downloaded again: unset "
                    f"LUCID_OFFLINE or put the correct file at {path}.",
                    url,
                    path,
                )
        if offline:
            raise DownloadError(
                f"{url} is not in the cache at {path} and LUCID_OFFLINE is set: unset "
                f"LUCID_OFFLINE or put the file at {path}.",
                url,
                path,
            )
        _download_into_cache(url, resolved, path, sha256)
    return path


def _verified_local_file(url: str, path_or_url: str, sha256: Optional[str]) -> str:
    """Checks a local file (a plain path or a directory-mirror file) without copying it."""
    if _scheme(path_or_url) not in ("", "file"):
        raise ValueError(
            f"url={url!r}: only local paths, file://, http(s):// and gs:// URLs can be "
            f"fetched; read other schemes with read_handle()."
        )
    path = _local_path(path_or_url)
    if not os.path.isfile(path):
        if path_or_url != url:
            raise DownloadError(
                f"{url} maps to {path} through LUCID_MODELZOO_MIRROR, but that file does "
                f"not exist: add it to the mirror directory or unset LUCID_MODELZOO_MIRROR.",
                url,
            )
        raise FileNotFoundError(f"No such file: {path!r} (from url={url!r}).")
    expected = _expected_checksums(url, sha256)
    if expected:
        actual = _file_sha256(path)
        for digest, source in expected:
            if digest != actual:
                raise DownloadError(
                    f"Checksum mismatch for {url} at {path}: expected sha256 {digest} "
                    f"({source}), got {actual}. The file was left in place (it is not in the "
                    f"cache): replace it with the correct file.",
                    url,
                )
    return path


def _download_into_cache(url: str, resolved: str, path: str, sha256: Optional[str]) -> None:
    """Downloads to a temporary file next to `path`, verifies it, then renames it into place."""
    expected = _expected_checksums(url, sha256)
    directory, name = os.path.split(path)
    fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "w+b") as sink:
            actual, size = _get_with_retries(url, _http_url(resolved), sink, path)
        for digest, source in expected:
            if digest != actual:
                raise DownloadError(
                    f"Checksum mismatch for {url} (fetched from {_http_url(resolved)}): "
                    f"expected sha256 {digest} ({source}), got {actual}. The download was "
                    f"deleted; nothing was cached at {path}. The server or mirror holds a "
                    f"different file than expected: fix the mirror or the expected checksum.",
                    url,
                    path,
                )
        sidecar = path + ".sha256"
        if expected:
            # The sidecar lands before the file, so a reader never sees the file unverifiable.
            _atomic_write(sidecar, f"{actual}  {name}\n".encode())
        elif os.path.exists(sidecar):
            os.remove(sidecar)
        os.replace(tmp_path, path)
        _remember_hash(path, actual)
        log.info("Downloaded %s (%d bytes) to %s.", url, size, path)
    finally:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)


def _cache_mismatch(path: str, sha256: Optional[str]) -> Optional[str]:
    """Returns None if the cached file matches every known checksum, else what is wrong."""
    expected = []
    if sha256:
        expected.append((sha256, "the sha256 argument"))
    sidecar = _read_sidecar(path + ".sha256")
    if sidecar:
        expected.append((sidecar, f"the sidecar {path}.sha256"))
    if not expected:
        return None
    try:
        actual = _file_sha256(path)
    except FileNotFoundError:
        return "the file disappeared"
    for digest, source in expected:
        if digest != actual:
            return f"checksum mismatch: expected sha256 {digest} ({source}), got {actual}"
    return None


def _expected_checksums(url: str, sha256: Optional[str]) -> List[Tuple[str, str]]:
    """(sha256, where it comes from) pairs the file must match."""
    expected = []
    if sha256:
        expected.append((sha256, "the sha256 argument"))
    mirror_sum = _mirror_checksum(url)
    if mirror_sum:
        expected.append(mirror_sum)
    return expected


def _mirror_checksum(url: str) -> Optional[Tuple[str, str]]:
    """The mirror's SHA256SUMS entry for a ``gs://modelzoo/`` URL, if there is one."""
    sums_url = resolve_url(MODELZOO_PREFIX + SHA256SUMS_NAME)
    if sums_url.startswith(MODELZOO_PREFIX) or not url.startswith(MODELZOO_PREFIX):
        return None  # no mirror, or not a model zoo file
    if _is_remote(sums_url):
        if _offline():
            return None
        with _memo_lock:
            sums = _sums_memo.get(sums_url)
        if sums is None:
            sums = _parse_sha256sums(_download_sums(sums_url))
            with _memo_lock:
                _sums_memo[sums_url] = sums
    else:
        try:
            with open(sums_url, "rb") as f:
                sums = _parse_sha256sums(f.read())
        except FileNotFoundError:
            return None
    digest = sums.get(url[len(MODELZOO_PREFIX) :])
    return (digest, sums_url) if digest else None


def _download_sums(sums_url: str) -> bytes:
    """The mirror's SHA256SUMS file; empty if the mirror has none (HTTP 404)."""
    try:
        return _download_bytes(sums_url, sums_url, verify=False)
    except DownloadError as error:
        if error.status == 404:
            log.debug("Mirror has no %s; downloads are verified only by length.", sums_url)
            return b""
        raise


def _parse_sha256sums(data: bytes) -> Dict[str, str]:
    sums = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) != 2 or line.lstrip().startswith("#"):
            continue
        digest, name = parts[0].lower(), parts[1].lstrip("*").replace("\\", "/")
        if name.startswith("./"):
            name = name[2:]
        if _SHA256_HEX.match(digest):
            sums[name] = digest
    return sums


# HTTP


def _download_bytes(url: str, resolved: str, verify: bool = True) -> bytes:
    """Downloads `resolved` into memory (no cache), verified against the mirror's SHA256SUMS."""
    sink = io.BytesIO()
    actual, _ = _get_with_retries(url, _http_url(resolved), sink, None)
    for digest, source in _expected_checksums(url, None) if verify else []:
        if digest != actual:
            raise DownloadError(
                f"Checksum mismatch for {url} (fetched from {_http_url(resolved)}): expected "
                f"sha256 {digest} ({source}), got {actual}. Nothing was cached: fix the mirror.",
                url,
            )
    return sink.getvalue()


def _get_with_retries(url: str, http_url: str, sink, cache_path: Optional[str]):
    """GETs `http_url` into `sink`, retrying transient failures; returns (sha256, size)."""
    attempts = max(1, int(_setting("LUCID_DOWNLOAD_ATTEMPTS", DOWNLOAD_ATTEMPTS)))
    delay = _setting("LUCID_DOWNLOAD_BACKOFF", BACKOFF_SECONDS)
    for attempt in range(1, attempts + 1):
        sink.seek(0)
        sink.truncate()
        try:
            return _get_once(http_url, sink, os.path.basename(cache_path or url))
        except _ClientError as error:
            problem = f"{error} (not retried: the server refused the request)"
            raise _download_error(url, http_url, cache_path, problem, error.status) from error
        except (_Transient, requests.ConnectionError, requests.Timeout) as error:
            problem = _describe(error)
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
            raise _download_error(url, http_url, cache_path, _describe(error)) from error


def _get_once(http_url: str, sink, label: str) -> Tuple[str, int]:
    """One streamed GET into `sink`; returns (sha256 hex, number of bytes)."""
    timeout = _timeouts()
    log.info("Fetching %s", http_url)
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
        with _progress_bar(expected_size, label) as bar:
            try:
                for chunk in response.iter_content(CHUNK_SIZE):
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


def _describe(error: Exception) -> str:
    text = str(error)
    if isinstance(error, requests.Timeout) or "timed out" in text.lower():
        connect, read = _timeouts()
        return (
            f"timed out (connect timeout {connect:g} s, read timeout {read:g} s; "
            f"LUCID_DOWNLOAD_TIMEOUT sets both)"
        )
    if isinstance(error, _Transient):
        return text
    return f"{type(error).__name__}: {text}"


@contextmanager
def _progress_bar(total: Optional[int], label: str):
    setting = os.environ.get("LUCID_PROGRESS", "").strip().lower()
    if setting in _TRUE:
        enabled = True
    elif setting in _FALSE:
        enabled = False
    else:
        enabled = sys.stderr is not None and sys.stderr.isatty()
    if total is not None and total <= PROGRESS_MIN_BYTES:
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


# Small helpers


def _scheme(url: str) -> str:
    scheme = urlparse(url).scheme.lower()
    return "" if len(scheme) <= 1 else scheme  # "C:\\x" is a Windows drive, not a scheme


def _is_remote(url: str) -> bool:
    return _scheme(url) in _REMOTE_SCHEMES


def _local_path(url: str) -> str:
    if _scheme(url) == "file":
        return url2pathname(urlparse(url).path)
    return url


def _http_url(url: str) -> str:
    if _scheme(url) == "gs":
        return STORAGE_BASE_URL.rstrip("/") + "/" + url[len("gs://") :]
    return url


def _open_local(path: str, mode: str):
    return open(path, mode) if "b" in mode else open(path, mode, encoding="utf-8")


def _memory_handle(data: bytes, name: str, mode: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle if "b" in mode else io.TextIOWrapper(handle, encoding="utf-8")


def _offline() -> bool:
    return os.environ.get("LUCID_OFFLINE", "").strip().lower() in _TRUE


def _setting(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(
            f"${name}={value!r} is not a number; unset it or set e.g. {default}."
        ) from None


def _timeouts() -> Tuple[float, float]:
    value = os.environ.get("LUCID_DOWNLOAD_TIMEOUT", "").strip()
    if value:
        seconds = _setting("LUCID_DOWNLOAD_TIMEOUT", READ_TIMEOUT_SECONDS)
        return seconds, seconds
    return CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS


def _normalize_sha256(sha256: Optional[str]) -> Optional[str]:
    if sha256 is None:
        return None
    digest = str(sha256).strip().lower()
    if not _SHA256_HEX.match(digest):
        raise ValueError(f"sha256={sha256!r} is not a 64-digit hex sha256 digest.")
    return digest


def _file_sha256(path: str) -> str:
    """sha256 of a file, remembered until its size or modification time changes."""
    stat = os.stat(path)
    with _memo_lock:
        memo = _hash_memo.get(path)
    if memo and memo[:2] == (stat.st_size, stat.st_mtime_ns):
        return memo[2]
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    with _memo_lock:
        _hash_memo[path] = (stat.st_size, stat.st_mtime_ns, digest.hexdigest())
    return digest.hexdigest()


def _remember_hash(path: str, digest: str) -> None:
    stat = os.stat(path)
    with _memo_lock:
        _hash_memo[path] = (stat.st_size, stat.st_mtime_ns, digest)


def _read_sidecar(sidecar: str) -> Optional[str]:
    try:
        with open(sidecar, encoding="utf-8") as f:
            digest = f.read().split(None, 1)[0].lower()
    except (FileNotFoundError, IndexError):
        return None
    return digest if _SHA256_HEX.match(digest) else None


def _atomic_write(path: str, data: bytes) -> None:
    directory, name = os.path.split(path)
    fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp_path, path)
    finally:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)


def _remove_cached(path: str) -> None:
    for stale in (path, path + ".sha256"):
        try:
            os.remove(stale)
        except FileNotFoundError:
            pass
    with _memo_lock:
        _hash_memo.pop(path, None)


def _purge_cached(url: str) -> None:
    """Deletes the cached copy of a remote URL (local files are never touched)."""
    if not _is_remote(url):
        return
    path = local_cache_path(url)
    with FileLock(path + ".lock"):
        _remove_cached(path)
    log.debug("Purged cached copy of %s at %s.", url, path)
