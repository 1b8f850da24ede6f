"""A virtualenv holding the original Lucid 0.3.10 from the package index.

Made with ``--system-site-packages`` so TensorFlow, numpy and tf_slim come from this machine;
Lucid 0.3.10 goes in with ``--no-deps`` (its pins, e.g. ``numpy<=1.19``, cannot be met on
TF2), plus the few pure-Python dependencies its imports need that the system lacks. The
system's own packages, including the editable install of this port, are not touched: the
venv's site-packages comes first on its ``sys.path``, so ``import lucid`` there is 0.3.10.
When the benchmark itself runs in a virtualenv (whose packages ``--system-site-packages``
does not reach), a ``.pth`` file puts that virtualenv's site-packages after the venv's own
(as plain paths: its ``.pth`` files, such as an editable install of this port, are not run).
"""

import site
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

LUCID_VERSION = "0.3.10"
# Imported by lucid.optvis / lucid.modelzoo 0.3.10 at module level (its other dependencies,
# such as nltk, umap-learn or PyOpenGL, are only needed by modules the benchmark never imports).
IMPORT_DEPENDENCIES = {"future": "future", "cachetools": "cachetools", "filelock": "filelock"}
CHECK = (
    "import importlib.metadata as m, lucid, tensorflow; "
    f"assert m.version('lucid') == {LUCID_VERSION!r}, m.version('lucid'); "
    "print(lucid.__file__)"
)


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _run(args, **kwargs):
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(
            f"command failed with exit status {result.returncode}: {' '.join(map(str, args))}\n"
            f"{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


PARENT_PTH = "lucid_benchmark_parent.pth"


def _site_packages(python: Path) -> Path:
    out = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    return Path(out.strip())


def link_parent_packages(python: Path) -> None:
    """Makes the packages of the interpreter running this (TensorFlow, numpy, tf_slim)
    importable in the venv of ``python`` when that interpreter is itself a virtualenv's,
    whose packages ``--system-site-packages`` does not reach; after the venv's own."""
    paths = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    base_paths = set(site.getsitepackages([sys.base_prefix]))
    lines = [path for path in paths if path not in base_paths]
    target = _site_packages(python) / PARENT_PTH
    if lines:
        target.write_text("".join(f"{path}\n" for path in lines))
    elif target.exists():
        target.unlink()


def _missing_modules(python: Path) -> list:
    missing = []
    for module, package in IMPORT_DEPENDENCIES.items():
        probe = subprocess.run(
            [str(python), "-c", f"import {module}"], capture_output=True, cwd=tempfile.gettempdir()
        )
        if probe.returncode != 0:
            missing.append(package)
    return missing


def ensure_venv(venv: Path, log=print) -> Path:
    """Creates ``venv`` with Lucid 0.3.10 unless it already has it; returns its python.

    Raises:
      RuntimeError: venv creation, ``pip download`` or ``pip install`` failed; the message
        holds the command and its output.
    """
    python = venv_python(venv)
    if python.exists():
        link_parent_packages(python)
        check = subprocess.run(
            [str(python), "-c", CHECK], capture_output=True, text=True, cwd=tempfile.gettempdir()
        )
        if check.returncode == 0 and str(venv) in check.stdout and not _missing_modules(python):
            return python
    log(f"setting up Lucid {LUCID_VERSION} in {venv} (pip download lucid=={LUCID_VERSION}) ...")
    _run([sys.executable, "-m", "venv", "--system-site-packages", venv])
    link_parent_packages(python)
    with tempfile.TemporaryDirectory() as wheels:
        _run(
            [python, "-m", "pip", "download", f"lucid=={LUCID_VERSION}", "--no-deps", "-d", wheels]
        )
        (wheel,) = Path(wheels).glob("lucid-*")
        _run([python, "-m", "pip", "install", "--no-deps", "--force-reinstall", wheel])
    missing = _missing_modules(python)
    if missing:
        _run([python, "-m", "pip", "install", *missing])
    location = _run([python, "-c", CHECK], cwd=tempfile.gettempdir())
    log(f"Lucid {LUCID_VERSION} installed: {location.strip()}")
    return python
