"""benchmarks/lucid_original/venv.py: the Lucid 0.3.10 venv sees the packages of a benchmark
run from a virtualenv (``--system-site-packages`` reaches only the base interpreter's)."""

import pytest

from tests.benchmarks.scripts import script_fixture

lucid_original = script_fixture("lucid_original.venv")


@pytest.fixture
def venv_site(lucid_original, monkeypatch, tmp_path):
    """The Lucid venv's site-packages as a temporary folder; the parent's paths are fakes."""
    monkeypatch.setattr(lucid_original, "_site_packages", lambda python: tmp_path)
    monkeypatch.setattr(
        lucid_original.site, "getsitepackages", lambda prefixes=None: ["/base/site-packages"]
    )
    return tmp_path


def _parent_paths(lucid_original, monkeypatch, purelib, platlib):
    paths = {"purelib": purelib, "platlib": platlib}
    monkeypatch.setattr(lucid_original.sysconfig, "get_paths", lambda: paths)


def test_a_virtualenv_parent_is_linked_after_the_venv_packages(
    lucid_original, venv_site, monkeypatch
):
    _parent_paths(lucid_original, monkeypatch, "/parent/lib", "/parent/lib")
    lucid_original.link_parent_packages("python")
    pth = venv_site / lucid_original.PARENT_PTH
    # One plain path (a .pth line that is not `import ...`): the parent's own .pth files,
    # e.g. an editable install of this port, are not run, so `import lucid` stays 0.3.10.
    assert pth.read_text() == "/parent/lib\n"


def test_the_base_interpreter_needs_no_link_and_a_stale_one_goes(
    lucid_original, venv_site, monkeypatch
):
    stale = venv_site / lucid_original.PARENT_PTH
    stale.write_text("/old/venv/lib\n")
    _parent_paths(lucid_original, monkeypatch, "/base/site-packages", "/base/site-packages")
    lucid_original.link_parent_packages("python")
    assert not stale.exists()
