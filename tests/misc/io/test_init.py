"""The lucid.misc.io namespace, and what importing it costs."""

import subprocess
import sys

import lucid.misc.io as io


def test_public_names():
    assert sorted(io.__all__) == [
        "CaptureSaveContext",
        "batch_save",
        "io_scope",
        "load",
        "save",
        "scope_url",
        "show",
    ]
    for name in io.__all__:
        assert getattr(io, name) is not None


def test_import_loads_neither_tensorflow_nor_ipython():
    code = "import sys, lucid.misc.io; print('tensorflow' in sys.modules, 'IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
