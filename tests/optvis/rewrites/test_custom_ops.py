"""custom_ops: building the C++ kernels once per setup, and failing cleanly without a compiler."""

import os

import pytest

from lucid.optvis.rewrites import custom_ops
from tests.optvis.rewrites.conftest import needs_compiler


def test_a_cached_build_is_loaded_without_compiling(monkeypatch):
    needs_compiler()
    path = custom_ops.build()  # built (or found) once for the test session
    assert os.path.isfile(path) and os.path.basename(path).startswith("lucid_kernels-")

    def no_compiling(*args):
        raise AssertionError("compiled although a build was cached")

    monkeypatch.setattr(custom_ops, "_compile", no_compiling)
    assert custom_ops.build() == path


def test_the_cache_key_follows_the_sources_and_the_compiler(tmp_path, monkeypatch):
    needs_compiler()
    cxx = custom_ops.compiler()
    key = custom_ops.cache_key(cxx)
    assert len(key) == 16 and key == custom_ops.cache_key(cxx)
    for path in custom_ops.source_paths():
        (tmp_path / os.path.basename(path)).write_text(open(path).read())
    monkeypatch.setattr(custom_ops, "SOURCE_DIR", str(tmp_path))
    assert custom_ops.cache_key(cxx) == key  # the same sources elsewhere
    with open(tmp_path / "lucid_lrn.cc", "a") as source:
        source.write("\n// changed\n")
    changed = custom_ops.cache_key(cxx)
    assert changed != key
    (tmp_path / "extra.cc").write_text("// one more source\n")
    with_extra = custom_ops.cache_key(cxx)
    assert with_extra not in (key, changed)
    monkeypatch.setattr(custom_ops, "FLAGS", custom_ops.FLAGS + ("-DLUCID_TEST",))
    assert custom_ops.cache_key(cxx) not in (key, changed, with_extra)


def test_every_source_is_in_the_one_translation_unit():
    paths = custom_ops.source_paths()
    names = sorted(os.path.basename(path) for path in paths)
    assert names == ["lucid_image.cc", "lucid_lrn.cc"]
    assert custom_ops.unity_source(paths).splitlines() == [f'#include "{p}"' for p in paths]


def test_a_failed_compile_says_why_and_leaves_nothing(tmp_path, monkeypatch):
    needs_compiler()
    sources, out = tmp_path / "src", tmp_path / "out"
    sources.mkdir()
    (sources / "broken.cc").write_text("this is not C++;\n")
    monkeypatch.setattr(custom_ops, "SOURCE_DIR", str(sources))
    with pytest.raises(custom_ops.CompileError, match="Compiling the kernels failed") as error:
        custom_ops.build(directory=str(out))
    assert "this is not C++" in str(error.value)  # the compiler's own message is kept
    # No library, no partial file, no lock: only the record of the failure.
    (record,) = os.listdir(out)
    assert record.startswith("lucid_kernels-") and record.endswith(".failed")

    def no_compiling(*args):
        raise AssertionError("compiled again although the same setup failed before")

    monkeypatch.setattr(custom_ops, "_compile", no_compiling)
    with pytest.raises(
        custom_ops.CompileError, match="(?s)this is not C.*delete .*failed"
    ) as again:
        custom_ops.build(directory=str(out))
    assert "this is not C++" in str(again.value)
    (sources / "broken.cc").write_text("// fixed, and so a new key\n")
    monkeypatch.undo()
    monkeypatch.setattr(custom_ops, "SOURCE_DIR", str(sources))
    assert os.path.isfile(custom_ops.build(directory=str(out)))


def test_no_compiler_warns_once_and_load_returns_none(tmp_path, monkeypatch):
    monkeypatch.setenv("CXX", str(tmp_path / "no-such-compiler"))
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(custom_ops.CompileError, match="Cannot run the C.. compiler"):
        custom_ops.build()
    load = custom_ops.load.__wrapped__  # without the per-process cache of the real load
    with pytest.warns(RuntimeWarning, match="kernels are unavailable.*apt-get install g"):
        assert load() is None
    monkeypatch.delenv("CXX")
    monkeypatch.setenv("PATH", str(tmp_path))  # no c++, g++ or clang++ there
    assert custom_ops.compiler() is None
    with pytest.raises(custom_ops.CompileError, match="No C.. compiler found"):
        custom_ops.build()


def test_the_command_uses_tensorflows_flags():
    import tensorflow as tf

    command = custom_ops.build_command("k.cc", "k.so", "c++")
    assert command[0] == "c++" and command[-len(tf.sysconfig.get_link_flags()) :] == (
        tf.sysconfig.get_link_flags()
    )
    assert all(flag in command for flag in tf.sysconfig.get_compile_flags())
    assert command[command.index("-o") + 1] == "k.so"


def test_an_unusable_cache_warns_and_load_returns_none(tmp_path, monkeypatch):
    needs_compiler()
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("LUCID_CACHE_DIR", str(blocker / "cache"))  # under a file
    with pytest.warns(RuntimeWarning, match="kernels are unavailable"):
        assert custom_ops.load.__wrapped__() is None
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "kernels").write_text("a file where the kernels' folder goes")
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.warns(RuntimeWarning, match="kernels are unavailable"):
        assert custom_ops.load.__wrapped__() is None
