"""write() and write_handle(): local atomic writes, directories, refused URLs."""

import os

import pytest

from lucid.misc.io.scoping import io_scope
from lucid.misc.io.writing import write
from lucid.misc.io.writing import write_handle


def test_write_bytes_creates_parent_directories(tmp_path):
    path = tmp_path / "a" / "b" / "c.bin"
    write(b"\x00\x01", str(path))
    assert path.read_bytes() == b"\x00\x01"


def test_write_text_mode_and_file_url(tmp_path):
    write("héllo", "file://" + str(tmp_path / "t.txt"), mode="w")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "héllo"


def test_append_mode(tmp_path):
    write(b"ab", str(tmp_path / "log"))
    write(b"cd", str(tmp_path / "log"), mode="ab")
    assert (tmp_path / "log").read_bytes() == b"abcd"


def test_write_inside_io_scope(tmp_path):
    with io_scope(str(tmp_path)):
        write(b"x", "scoped/f.bin")
    assert (tmp_path / "scoped" / "f.bin").read_bytes() == b"x"


@pytest.mark.parametrize("url", ["http://example.com/x.bin", "https://example.com/x.bin"])
def test_http_urls_are_refused(url):
    with pytest.raises(ValueError, match="read-only"):
        write(b"x", url)


def test_handle_reports_final_name_and_commits_only_on_success(tmp_path):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with write_handle(str(target)) as handle:
            assert handle.name == str(target)
            handle.write(b"partial")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_bad_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="mode='r'"):
        write(b"x", str(tmp_path / "f"), mode="r")
