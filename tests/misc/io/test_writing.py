"""write() and write_handle(): local atomic writes, directories, refused URLs."""

import os

import pytest

from lucid.misc.io.scoping import io_scope
from lucid.misc.io.writing import default_file_mode
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


@pytest.fixture
def umask():
    """Sets the process umask for one test and restores it afterwards."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
@pytest.mark.parametrize("mode", ["wb", "w"])
def test_new_files_get_the_umask_permissions_not_mkstemps_0600(
    tmp_path, umask, mask, expected, mode
):
    umask(mask)
    path = tmp_path / "f.txt"
    write(b"x" if "b" in mode else "x", str(path), mode=mode)
    assert oct(path.stat().st_mode & 0o777) == oct(expected)
    assert default_file_mode() == expected


def test_a_replaced_file_keeps_its_mode(tmp_path, umask):
    path = tmp_path / "script.sh"
    path.write_bytes(b"old")
    path.chmod(0o750)
    write(b"new", str(path))
    assert path.read_bytes() == b"new"
    assert oct(path.stat().st_mode & 0o777) == oct(0o750)
