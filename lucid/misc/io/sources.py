"""Where a file comes from, and what it must hash to.

* `resolve_url` applies ``LUCID_MODELZOO_MIRROR`` (a base URL or a local directory) to
  ``gs://modelzoo/`` URLs; `scheme`, `is_remote` and `local_path` classify URLs.
* `expected_checksums` lists the sha256 digests a file must match: the caller's, and the
  entry in the mirror's ``SHA256SUMS`` (``sha256sum`` format, at the mirror root).
* `file_sha256` hashes files, remembering each digest until the file's size or modification
  time changes (cache entries are checked on every use; this keeps that cheap).
* `verified_local_file` checks a local or directory-mirror file in place;
  `download_bytes` fetches a file into memory, verified the same way.
"""

import hashlib
import io
import logging
import os
import re
import threading
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple
from urllib.parse import urlparse
from urllib.request import url2pathname

from lucid.misc.io import transfer
from lucid.misc.io.transfer import MODELZOO_PREFIX
from lucid.misc.io.transfer import DownloadError
from lucid.misc.io.transfer import TransferSettings

log = logging.getLogger(__name__)

SHA256SUMS_NAME = "SHA256SUMS"

_REMOTE_SCHEMES = ("http", "https", "gs")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_HASH_CHUNK = 1 << 20

_hash_memo: Dict[str, Tuple[int, int, str]] = {}  # path -> (size, mtime_ns, sha256)
_sums_memo: Dict[str, Dict[str, str]] = {}  # SHA256SUMS URL -> {relative path: sha256}
_memo_lock = threading.Lock()


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


def scheme(url: str) -> str:
    """The lower-case URL scheme, or "" for a plain path (``C:\\x`` is a drive, not a scheme)."""
    found = urlparse(url).scheme.lower()
    return "" if len(found) <= 1 else found


def is_remote(url: str) -> bool:
    """Whether `url` is fetched over the network (``http``, ``https`` or ``gs``)."""
    return scheme(url) in _REMOTE_SCHEMES


def local_path(url: str) -> str:
    """The file system path of a ``file://`` URL or a plain path."""
    return url2pathname(urlparse(url).path) if scheme(url) == "file" else url


def normalize_sha256(sha256) -> Optional[str]:
    """`sha256` as 64 lower-case hex digits (None stays None); ValueError if it is not one."""
    if sha256 is None:
        return None
    digest = str(sha256).strip().lower()
    if not _SHA256_HEX.match(digest):
        raise ValueError(f"sha256={sha256!r} is not a 64-digit hex sha256 digest.")
    return digest


def expected_checksums(url, sha256, settings) -> List[Tuple[str, str]]:
    """(sha256, where it comes from) pairs the file must match."""
    expected = [(sha256, "the sha256 argument")] if sha256 else []
    mirror_sum = _mirror_checksum(url, settings)
    if mirror_sum:
        expected.append(mirror_sum)
    return expected


def file_sha256(path: str) -> str:
    """sha256 of a file, remembered until its size or modification time changes."""
    stat = os.stat(path)
    with _memo_lock:
        memo = _hash_memo.get(path)
    if memo and memo[:2] == (stat.st_size, stat.st_mtime_ns):
        return memo[2]
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    with _memo_lock:
        _hash_memo[path] = (stat.st_size, stat.st_mtime_ns, digest.hexdigest())
    return digest.hexdigest()


def remember_hash(path: str, digest: str) -> None:
    stat = os.stat(path)
    with _memo_lock:
        _hash_memo[path] = (stat.st_size, stat.st_mtime_ns, digest)


def verified_local_file(
    url: str, path_or_url: str, sha256: Optional[str], settings: TransferSettings
) -> str:
    """Checks a local file (a plain path or a directory-mirror file) without copying it."""
    if scheme(path_or_url) not in ("", "file"):
        raise ValueError(
            f"url={url!r}: only local paths, file://, http(s):// and gs:// URLs can be "
            f"fetched; read other schemes with read_handle()."
        )
    path = local_path(path_or_url)
    if not os.path.isfile(path):
        if path_or_url != url:
            raise DownloadError(
                f"{url} maps to {path} through LUCID_MODELZOO_MIRROR, but that file does "
                f"not exist: add it to the mirror directory or unset LUCID_MODELZOO_MIRROR.",
                url,
            )
        raise FileNotFoundError(f"No such file: {path!r} (from url={url!r}).")
    expected = expected_checksums(url, sha256, settings)
    if expected:
        actual = file_sha256(path)
        for digest, origin in expected:
            if digest != actual:
                raise DownloadError(
                    f"Checksum mismatch for {url} at {path}: expected sha256 {digest} "
                    f"({origin}), got {actual}. The file was left in place (it is not in the "
                    f"cache): replace it with the correct file.",
                    url,
                )
    return path


def download_bytes(url: str, source: str, settings: TransferSettings, verify=True) -> bytes:
    """Downloads `source` into memory (no cache), verified against the mirror's SHA256SUMS."""
    sink = io.BytesIO()
    actual, _ = transfer.get_with_retries(url, source, sink, None, settings)
    for digest, origin in expected_checksums(url, None, settings) if verify else []:
        if digest != actual:
            raise DownloadError(
                f"Checksum mismatch for {url} (fetched from {source}): expected sha256 "
                f"{digest} ({origin}), got {actual}. Nothing was cached: fix the mirror.",
                url,
            )
    return sink.getvalue()


def _mirror_checksum(url: str, settings: TransferSettings) -> Optional[Tuple[str, str]]:
    """The mirror's SHA256SUMS entry for a ``gs://modelzoo/`` URL, if there is one."""
    sums_url = resolve_url(MODELZOO_PREFIX + SHA256SUMS_NAME)
    if sums_url.startswith(MODELZOO_PREFIX) or not url.startswith(MODELZOO_PREFIX):
        return None  # no mirror, or not a model zoo file
    if is_remote(sums_url):
        if offline():
            return None
        with _memo_lock:
            sums = _sums_memo.get(sums_url)
        if sums is None:
            sums = _parse_sha256sums(_download_sums(sums_url, settings))
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


def _download_sums(sums_url: str, settings: TransferSettings) -> bytes:
    """The mirror's SHA256SUMS file; empty if the mirror has none (HTTP 404)."""
    try:
        return download_bytes(sums_url, sums_url, settings, verify=False)
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


def forget_hash(path: str) -> None:
    """Drops the remembered digest of `path` (after deleting or replacing it)."""
    with _memo_lock:
        _hash_memo.pop(path, None)


def offline() -> bool:
    """Whether ``LUCID_OFFLINE`` forbids network access."""
    return transfer.env_flag("LUCID_OFFLINE") is True
