"""Reading and the download cache, against a local fault-injecting HTTP server."""

import hashlib
import logging
import multiprocessing
import os

import pytest

from lucid.misc.io import reading
from lucid.misc.io.reading import DownloadError
from lucid.misc.io.reading import cache_dir
from lucid.misc.io.reading import fetch_to_cache
from lucid.misc.io.reading import local_cache_path
from lucid.misc.io.reading import read
from lucid.misc.io.reading import read_handle
from lucid.misc.io.reading import resolve_url
from lucid.misc.io.scoping import io_scope

DATA = bytes(range(256)) * 40  # 10 KiB


def sha(data):
    return hashlib.sha256(data).hexdigest()


def serve(server, relative, data=DATA):
    """Puts `data` at `relative` under the server root; returns its URL."""
    path = server.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return server.url + relative


def cache_files():
    """Every file in the cache directory (records and any lock files included)."""
    return sorted(os.listdir(cache_dir()))


def entry_files(url):
    """The names a cached `url` leaves in the cache: the file and its provenance record."""
    name = os.path.basename(local_cache_path(url))
    return sorted([name, "." + name + ".json"])


# Locations


def test_cache_dir_follows_env_at_call_time(tmp_path, monkeypatch):
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "first"))
    assert cache_dir() == str(tmp_path / "first")
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "second"))
    assert cache_dir() == str(tmp_path / "second")
    assert (tmp_path / "second").is_dir()


def test_cache_dir_defaults_to_platform_user_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("LUCID_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == str(tmp_path / "xdg" / "lucid")


def test_local_cache_path_flattens_the_url():
    path = local_cache_path("gs://modelzoo/graphs/Inception V1.pb?x=1")
    assert path == os.path.join(cache_dir(), "gs___modelzoo_graphs_Inception_V1.pb_x_1")


def test_local_cache_path_truncates_long_names_with_a_hash():
    url = "https://example.com/" + "a" * 300
    name = os.path.basename(local_cache_path(url))
    flat = "https___example.com_" + "a" * 300
    assert len(name) == reading.MAX_FILENAME_LENGTH
    assert name.endswith("-" + sha(flat.encode()))
    assert local_cache_path(url + "b") != local_cache_path(url)


@pytest.mark.parametrize("mirror", ["http://mirror.test/zoo", "http://mirror.test/zoo/"])
def test_resolve_url_with_url_mirror(monkeypatch, mirror):
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", mirror)
    assert resolve_url("gs://modelzoo/graphs/a.pb") == "http://mirror.test/zoo/graphs/a.pb"
    assert resolve_url("gs://other/graphs/a.pb") == "gs://other/graphs/a.pb"


def test_resolve_url_with_directory_mirror(monkeypatch, tmp_path):
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", str(tmp_path) + "/")
    assert resolve_url("gs://modelzoo/graphs/a.pb") == str(tmp_path / "graphs" / "a.pb")


def test_resolve_url_without_mirror_is_identity():
    assert resolve_url("gs://modelzoo/graphs/a.pb") == "gs://modelzoo/graphs/a.pb"


# Local reads


def test_read_local_path_file_url_and_text_mode(tmp_path):
    path = tmp_path / "hello.txt"
    path.write_bytes("héllo\n".encode())
    assert read(str(path)) == "héllo\n".encode()
    assert read("file://" + str(path)) == "héllo\n".encode()
    assert read(str(path), encoding="utf-8") == "héllo\n"
    assert read(str(path), mode="r") == "héllo\n"
    assert cache_files() == []


def test_read_relative_path_inside_io_scope(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.bin").write_bytes(b"abc")
    with io_scope(str(tmp_path)), io_scope("sub"):
        assert read("f.bin") == b"abc"


def test_read_handle_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="mode='w'"):
        with read_handle(str(tmp_path), mode="w"):
            pass
    with pytest.raises(ValueError, match="cache='yes'"):
        with read_handle(str(tmp_path), cache="yes"):
            pass


def test_fetch_to_cache_rejects_malformed_sha256(http_server):
    with pytest.raises(ValueError, match="64-digit hex"):
        fetch_to_cache(serve(http_server, "f.bin"), sha256="abc")


# Caching


def test_remote_read_is_cached_and_second_read_makes_no_request(http_server):
    url = serve(http_server, "dir/data.bin")
    assert read(url) == DATA
    assert read(url) == DATA
    assert http_server.requests("/dir/data.bin") == 1
    with open(local_cache_path(url), "rb") as f:
        assert f.read() == DATA


def test_uncached_read_requests_every_time_and_caches_nothing(http_server):
    url = serve(http_server, "data.bin")
    assert read(url, cache=False) == DATA
    assert read(url, cache=False) == DATA
    assert http_server.requests("/data.bin") == 2
    assert cache_files() == []


def test_uncached_text_read(http_server):
    url = serve(http_server, "t.txt", "ünïcode\n".encode())
    with read_handle(url, cache=False, mode="r") as handle:
        assert handle.read() == "ünïcode\n"


def test_purge_deletes_the_cached_copy_and_downloads_again(http_server):
    url = serve(http_server, "data.bin")
    assert read(url) == DATA
    (http_server.root / "data.bin").write_bytes(b"new contents")
    assert read(url) == DATA  # still the cached copy
    assert read(url, cache="purge") == b"new contents"
    assert http_server.requests("/data.bin") == 2


def test_gs_urls_are_read_over_https_from_the_storage_base(http_server, monkeypatch):
    serve(http_server, "bucket/dir/file.bin")
    monkeypatch.setattr(reading, "STORAGE_BASE_URL", http_server.url)
    assert read("gs://bucket/dir/file.bin") == DATA
    assert http_server.requests("/bucket/dir/file.bin") == 1
    assert os.path.exists(local_cache_path("gs://bucket/dir/file.bin"))


# Offline mode


def test_offline_miss_raises_with_advice_and_makes_no_request(http_server, monkeypatch):
    url = serve(http_server, "data.bin")
    monkeypatch.setenv("LUCID_OFFLINE", "1")
    with pytest.raises(DownloadError) as info:
        read(url)
    message = str(info.value)
    assert url in message and local_cache_path(url) in message
    assert "unset LUCID_OFFLINE or put the file at" in message
    assert http_server.requests("/data.bin") == 0


def test_offline_hit_uses_the_cache_even_when_uncached_read_is_asked(http_server, monkeypatch):
    url = serve(http_server, "data.bin")
    read(url)
    monkeypatch.setenv("LUCID_OFFLINE", "1")
    assert read(url) == DATA
    assert read(url, cache=False) == DATA
    assert http_server.requests("/data.bin") == 1


# Mirrors and checksums


@pytest.mark.parametrize("suffix", ["mirror", "mirror/"])
def test_url_mirror_replaces_the_modelzoo_bucket(http_server, monkeypatch, suffix):
    serve(http_server, "mirror/graphs/a.pb")
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", http_server.url + suffix)
    path = fetch_to_cache("gs://modelzoo/graphs/a.pb")
    assert path == local_cache_path("gs://modelzoo/graphs/a.pb")
    assert read("gs://modelzoo/graphs/a.pb") == DATA
    assert http_server.requests("/mirror/graphs/a.pb") == 1
    record = reading.cache_record("gs://modelzoo/graphs/a.pb")
    assert record.source == http_server.url + "mirror/graphs/a.pb"
    assert record.verified_by is None  # no SHA256SUMS: nothing verified
    assert cache_files() == entry_files("gs://modelzoo/graphs/a.pb")


def test_directory_mirror_is_read_in_place(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "graphs").mkdir(parents=True)
    (mirror / "graphs" / "a.pb").write_bytes(DATA)
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", str(mirror))
    assert fetch_to_cache("gs://modelzoo/graphs/a.pb") == str(mirror / "graphs" / "a.pb")
    assert read("gs://modelzoo/graphs/a.pb") == DATA
    assert cache_files() == []


def test_directory_mirror_missing_file_names_the_mirror(tmp_path, monkeypatch):
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", str(tmp_path))
    with pytest.raises(DownloadError, match="LUCID_MODELZOO_MIRROR"):
        fetch_to_cache("gs://modelzoo/graphs/missing.pb")


def test_mirror_sha256sums_verifies_and_records_it(http_server, monkeypatch):
    serve(http_server, "mirror/graphs/a.pb")
    serve(http_server, "mirror/SHA256SUMS", f"{sha(DATA)}  ./graphs/a.pb\n".encode())
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", http_server.url + "mirror")
    fetch_to_cache("gs://modelzoo/graphs/a.pb")
    record = reading.cache_record("gs://modelzoo/graphs/a.pb")
    assert record.sha256 == sha(DATA)
    assert record.verified_by == http_server.url + "mirror/SHA256SUMS"


def test_mirror_sha256sums_mismatch_deletes_and_reports_both_hashes(http_server, monkeypatch):
    serve(http_server, "mirror/graphs/a.pb")
    wrong = sha(b"something else")
    serve(http_server, "mirror/SHA256SUMS", f"{wrong} *graphs/a.pb\n".encode())
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", http_server.url + "mirror/")
    with pytest.raises(DownloadError) as info:
        fetch_to_cache("gs://modelzoo/graphs/a.pb")
    message = str(info.value)
    assert wrong in message and sha(DATA) in message and "SHA256SUMS" in message
    assert cache_files() == []


def test_directory_mirror_sha256sums_mismatch_leaves_mirror_file(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "a.pb").write_bytes(DATA)
    (mirror / "SHA256SUMS").write_text(f"{sha(b'other')}  a.pb\n")
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", str(mirror))
    with pytest.raises(DownloadError, match=sha(b"other")):
        read("gs://modelzoo/a.pb")
    assert (mirror / "a.pb").read_bytes() == DATA


def test_sha256_argument_match_and_mismatch(http_server):
    url = serve(http_server, "data.bin")
    path = fetch_to_cache(url, sha256=sha(DATA).upper())
    assert open(path, "rb").read() == DATA
    assert reading.cache_record(url).verified_by == "the sha256 argument"
    for name in cache_files():
        os.remove(os.path.join(cache_dir(), name))
    with pytest.raises(DownloadError, match="Checksum mismatch") as info:
        fetch_to_cache(url, sha256=sha(b"x"))
    assert sha(b"x") in str(info.value) and sha(DATA) in str(info.value)
    assert cache_files() == []


def test_cached_file_with_other_expected_sha256_is_downloaded_again(http_server):
    url = serve(http_server, "data.bin", b"old")
    fetch_to_cache(url)
    (http_server.root / "data.bin").write_bytes(DATA)
    path = fetch_to_cache(url, sha256=sha(DATA))
    assert open(path, "rb").read() == DATA
    assert http_server.requests("/data.bin") == 2


def test_record_detects_a_corrupted_cache_and_downloads_again(http_server):
    url = serve(http_server, "data.bin")
    path = fetch_to_cache(url, sha256=sha(DATA))
    with open(path, "r+b") as f:
        f.write(b"XX")
    assert fetch_to_cache(url) == path
    assert open(path, "rb").read() == DATA
    assert http_server.requests("/data.bin") == 2


def test_record_mismatch_offline_deletes_and_raises(http_server, monkeypatch):
    url = serve(http_server, "data.bin")
    path = fetch_to_cache(url, sha256=sha(DATA))
    with open(path, "r+b") as f:
        f.write(b"XX")
    monkeypatch.setenv("LUCID_OFFLINE", "1")
    with pytest.raises(DownloadError, match="failed verification"):
        read(url)
    assert cache_files() == []


# Faults and retries


def test_truncated_body_is_retried_then_succeeds(http_server):
    url = serve(http_server, "data.bin")
    http_server.fault("data.bin", "truncate", times=2, keep=100)
    assert read(url) == DATA
    assert http_server.requests("data.bin") == 3


def test_truncated_body_every_time_fails_and_caches_nothing(http_server):
    url = serve(http_server, "data.bin")
    http_server.fault("data.bin", "truncate", keep=100)
    with pytest.raises(DownloadError) as info:
        read(url)
    assert f"truncated body: received 100 of {len(DATA)} bytes" in str(info.value)
    assert local_cache_path(url) in str(info.value)
    assert http_server.requests("data.bin") == reading.DOWNLOAD_ATTEMPTS
    assert cache_files() == []


def test_corrupt_bytes_fail_the_checksum(http_server):
    url = serve(http_server, "data.bin")
    http_server.fault("data.bin", "corrupt")
    with pytest.raises(DownloadError, match="Checksum mismatch"):
        fetch_to_cache(url, sha256=sha(DATA))
    assert cache_files() == []


def test_server_error_then_success(http_server):
    url = serve(http_server, "data.bin")
    http_server.fault("data.bin", "status", code=503, times=2)
    assert read(url) == DATA
    assert http_server.requests("data.bin") == 3


def test_persistent_server_error_honours_attempts_from_env(http_server, monkeypatch):
    url = serve(http_server, "data.bin")
    http_server.fault("data.bin", "status", code=500)
    monkeypatch.setenv("LUCID_DOWNLOAD_ATTEMPTS", "2")
    with pytest.raises(DownloadError, match="HTTP 500"):
        read(url, cache=False)
    assert http_server.requests("data.bin") == 2


def test_not_found_is_not_retried(http_server):
    url = http_server.url + "missing.bin"
    with pytest.raises(DownloadError) as info:
        read(url)
    assert info.value.status == 404
    assert "HTTP 404" in str(info.value) and url in str(info.value)
    assert http_server.requests("missing.bin") == 1
    assert cache_files() == []


def test_timeout_is_retried(http_server, monkeypatch):
    url = serve(http_server, "data.bin")
    monkeypatch.setattr(reading, "READ_TIMEOUT_SECONDS", 0.2)
    http_server.fault("data.bin", "delay", times=1, seconds=3)
    assert read(url) == DATA
    assert http_server.requests("data.bin") == 2


def test_persistent_timeout_fails_with_clear_message(http_server, monkeypatch):
    url = serve(http_server, "data.bin")
    monkeypatch.setenv("LUCID_DOWNLOAD_TIMEOUT", "0.2")
    monkeypatch.setenv("LUCID_DOWNLOAD_ATTEMPTS", "2")
    http_server.fault("data.bin", "delay", seconds=3)
    with pytest.raises(DownloadError, match="timed out") as info:
        read(url)
    assert "copy the file to" in str(info.value)
    assert cache_files() == []


def test_modelzoo_network_errors_suggest_a_mirror(http_server, monkeypatch):
    monkeypatch.setattr(reading, "STORAGE_BASE_URL", http_server.url)
    http_server.fault("modelzoo/a.pb", "status", code=502)
    with pytest.raises(DownloadError, match="set LUCID_MODELZOO_MIRROR"):
        read("gs://modelzoo/a.pb")


def test_progress_bar_when_enabled(http_server, monkeypatch, capsys):
    url = serve(http_server, "data.bin")
    monkeypatch.setattr(reading, "PROGRESS_MIN_BYTES", 1000)
    monkeypatch.setenv("LUCID_PROGRESS", "1")
    read(url)
    assert "data.bin" in capsys.readouterr().err


def test_library_logger_has_no_handlers():
    assert logging.getLogger("lucid.misc.io.reading").handlers == []


# Several processes


def test_concurrent_processes_download_once(http_server):
    data = os.urandom(3 << 20)
    url = serve(http_server, "big.bin", data)
    http_server.fault("big.bin", "delay", seconds=0.5)  # keep the first download in flight
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(3), context.Queue()
    from tests.misc.io._fetch_worker import fetch

    processes = [context.Process(target=fetch, args=(url, barrier, results)) for _ in range(3)]
    for process in processes:
        process.start()
    digests = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert digests == [sha(data)] * 3
    assert http_server.requests("big.bin") == 1
    assert cache_files() == entry_files(url)  # and no lock file left behind
