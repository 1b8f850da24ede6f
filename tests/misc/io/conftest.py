"""Every lucid.misc.io test gets its own cache and show directories and fast retries."""

import pytest

from lucid.misc.io import reading
from lucid.misc.io import sources

_ENV_VARS = (
    "LUCID_MODELZOO_MIRROR",
    "LUCID_OFFLINE",
    "LUCID_DOWNLOAD_ATTEMPTS",
    "LUCID_DOWNLOAD_BACKOFF",
    "LUCID_DOWNLOAD_TIMEOUT",
    "LUCID_PROGRESS",
)


@pytest.fixture(autouse=True)
def isolated_io(tmp_path, monkeypatch):
    """Points the cache and show() output into tmp_path and makes retries fast."""
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LUCID_SHOW_DIR", str(tmp_path / "show"))
    monkeypatch.setattr(reading, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setattr(sources, "_sums_memo", {})
    monkeypatch.setattr(sources, "_hash_memo", {})
