"""The download cache's bookkeeping: provenance records, sources, locks, permissions, and
an unusable cache directory. Served by the local fault-injecting HTTP server."""

import errno
import hashlib
import json
import logging
import os
import threading
import time
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import numpy as np
import pytest

from lucid.misc.io import reading
from lucid.misc.io import save
from lucid.misc.io import transfer
from lucid.misc.io.reading import CacheDirectoryError
from lucid.misc.io.reading import DownloadError
from lucid.misc.io.reading import cache_dir
from lucid.misc.io.reading import fetch_to_cache
from lucid.misc.io.reading import local_cache_path
from lucid.misc.io.reading import read

URL = "gs://modelzoo/graphs/a.pb"
REPLICA = b"replica weights"
REAL = b"real weights"


def sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def mirrors(http_server, monkeypatch):
    """Two mirrors with different bytes for URL; LUCID_MODELZOO_MIRROR set to `replicas`."""
    for name, data in (("replicas", REPLICA), ("real", REAL)):
        (http_server.root / name / "graphs").mkdir(parents=True)
        (http_server.root / name / "graphs" / "a.pb").write_bytes(data)
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", http_server.url + "replicas")
    return http_server


def switch_to_real(server, monkeypatch):
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", server.url + "real")


def warnings_text(caplog):
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


@pytest.fixture
def umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


# Provenance records


def test_download_records_source_sha256_size_and_time(mirrors):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    path = fetch_to_cache(URL)
    with open(transfer.record_path(path), encoding="utf-8") as f:
        record = json.load(f)
    assert record["url"] == URL
    assert record["source"] == mirrors.url + "replicas/graphs/a.pb"
    assert record["sha256"] == sha(REPLICA) and record["size"] == len(REPLICA)
    assert record["verified_by"] is None
    when = datetime.fromisoformat(record["time"])
    assert when.tzinfo is not None and before <= when <= before + timedelta(minutes=1)
    assert reading.cache_record(URL) == transfer.CacheRecord(**record)


def test_cache_entries_and_records_get_umask_permissions(mirrors, umask):
    path = fetch_to_cache(URL)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o644)
    assert oct(os.stat(transfer.record_path(path)).st_mode & 0o777) == oct(0o644)


def test_io_save_outputs_get_umask_permissions(tmp_path, umask):
    save(np.zeros((4, 4, 3)), str(tmp_path / "render.png"))
    save({"a": 1}, str(tmp_path / "data.json"))
    for name in ("render.png", "data.json"):
        assert oct((tmp_path / name).stat().st_mode & 0o777) == oct(0o644), name


# A cached file from another source than the configured one


def test_entry_from_another_source_is_refetched_with_a_warning(mirrors, monkeypatch, caplog):
    assert read(URL) == REPLICA
    switch_to_real(mirrors, monkeypatch)
    assert read(URL) == REAL
    assert mirrors.requests("real/graphs/a.pb") == 1
    message = warnings_text(caplog)
    assert mirrors.url + "replicas/graphs/a.pb" in message
    assert mirrors.url + "real/graphs/a.pb" in message
    assert reading.cache_record(URL).source == mirrors.url + "real/graphs/a.pb"
    assert read(URL) == REAL  # now from the cache
    assert mirrors.requests("real/graphs/a.pb") == 1


def test_entry_from_another_source_is_used_with_a_warning_offline(mirrors, monkeypatch, caplog):
    read(URL)
    switch_to_real(mirrors, monkeypatch)
    monkeypatch.setenv("LUCID_OFFLINE", "1")
    with caplog.at_level(logging.WARNING):
        assert read(URL) == REPLICA
    message = warnings_text(caplog)
    assert "LUCID_OFFLINE is set" in message
    assert mirrors.url + "replicas/graphs/a.pb" in message
    assert mirrors.url + "real/graphs/a.pb" in message
    assert mirrors.requests("real/graphs/a.pb") == 0


def test_entry_from_another_source_is_kept_when_the_refetch_fails(mirrors, monkeypatch, caplog):
    read(URL)
    switch_to_real(mirrors, monkeypatch)
    mirrors.fault("real/graphs/a.pb", "status", code=503)
    monkeypatch.setenv("LUCID_DOWNLOAD_ATTEMPTS", "1")
    assert read(URL) == REPLICA
    message = warnings_text(caplog)
    assert "fetching it from the configured source" in message and "HTTP 503" in message
    assert mirrors.url + "replicas/graphs/a.pb" in message


def test_entry_matching_the_expected_sha256_is_used_whatever_its_source(mirrors, monkeypatch):
    fetch_to_cache(URL)
    switch_to_real(mirrors, monkeypatch)
    with open(fetch_to_cache(URL, sha256=sha(REPLICA)), "rb") as f:
        assert f.read() == REPLICA
    assert mirrors.requests("real/graphs/a.pb") == 0


# Entries cached by an older version (no record)


def test_entry_without_record_is_refetched_once(mirrors, caplog):
    path = local_cache_path(URL)
    with open(path, "wb") as f:
        f.write(b"cached by an older version")
    with open(path + ".sha256", "w") as f:  # the older version's sidecar
        f.write(f"{sha(b'cached by an older version')}  a.pb\n")
    assert read(URL) == REPLICA
    assert "its source is unknown" in warnings_text(caplog)
    assert not os.path.exists(path + ".sha256")
    assert reading.cache_record(URL).sha256 == sha(REPLICA)
    assert read(URL) == REPLICA
    assert mirrors.requests("replicas/graphs/a.pb") == 1


def test_entry_without_record_is_used_with_a_warning_offline(mirrors, monkeypatch, caplog):
    with open(local_cache_path(URL), "wb") as f:
        f.write(b"copied by hand")
    monkeypatch.setenv("LUCID_OFFLINE", "1")
    with caplog.at_level(logging.WARNING):
        assert read(URL) == b"copied by hand"
    assert "its source is unknown" in warnings_text(caplog)
    assert mirrors.requests("replicas/graphs/a.pb") == 0


# Locks


def test_no_lock_file_is_left_after_download_failure_or_purge(mirrors):
    fetch_to_cache(URL)
    name = os.path.basename(local_cache_path(URL))
    assert sorted(os.listdir(cache_dir())) == sorted([name, "." + name + ".json"])
    with pytest.raises(DownloadError):
        fetch_to_cache("gs://modelzoo/graphs/missing.pb")
    reading.purge_cached(URL)
    assert os.listdir(cache_dir()) == []


def test_cache_lock_excludes_and_removes_its_file(tmp_path):
    path = str(tmp_path / "entry")
    inside, overlaps = [0], []

    def worker():
        for _ in range(20):
            with transfer.cache_lock(path):
                inside[0] += 1
                overlaps.append(inside[0])
                time.sleep(0.001)
                inside[0] -= 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(overlaps) == 80 and max(overlaps) == 1
    assert os.listdir(tmp_path) == []


# An unusable cache directory


def test_cache_directory_that_is_a_file_is_named_in_the_error(mirrors, tmp_path, monkeypatch):
    (tmp_path / "cachefile").write_text("x")
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cachefile"))
    local = tmp_path / "local.bin"
    local.write_bytes(b"local")
    assert read(str(local)) == b"local"  # local reads need no cache
    with pytest.raises(CacheDirectoryError) as info:
        read(URL)
    assert str(info.value) == (
        f"LUCID_CACHE_DIR={tmp_path / 'cachefile'} is a file, not a directory; downloads are "
        f"cached there. To fix: move that file away, or set LUCID_CACHE_DIR to a writable "
        f"directory. (Local files and the bundled ShapesNet need no cache.)"
    )
    assert info.value.path == str(tmp_path / "cachefile")


def test_cache_directory_under_a_file_is_named_in_the_error(mirrors, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "file" / "cache"))
    with pytest.raises(CacheDirectoryError, match="Not a directory") as info:
        read(URL)
    assert f"LUCID_CACHE_DIR={tmp_path / 'file' / 'cache'} cannot be written to" in str(info.value)


def test_read_only_cache_serves_what_it_holds_and_names_itself_otherwise(mirrors, monkeypatch):
    """Creating files in the cache fails with EROFS (simulated: root ignores chmod)."""
    fetch_to_cache(URL)
    listing = sorted(os.listdir(cache_dir()))
    directory = cache_dir()
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if os.path.dirname(os.path.abspath(path)) == directory and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    assert read(URL) == REPLICA
    assert sorted(os.listdir(directory)) == listing
    with pytest.raises(CacheDirectoryError) as info:
        read("gs://modelzoo/graphs/other.pb")
    message = str(info.value)
    assert message.startswith(f"LUCID_CACHE_DIR={directory} cannot be written to (Read-only")
    assert "set LUCID_CACHE_DIR to a writable directory" in message
