"""The sdist and wheel that ``python -m build`` makes, and a wheel installed outside the checkout.

PyPI's ``lucid`` is the TF1 original (0.3.10), so Colab users install this port from its
repository or from a wheel URL; both go through setup.py, MANIFEST.in and package_data. These
tests build the sdist and the wheel from the checkout (offline: ``--no-isolation`` uses the
setuptools and wheel of the test extra) and check that every file the library reads at run
time (the bundled ShapesNet, the Microscope stylesheet, any data file added later) is inside.

The slow test installs the wheel, from a URL on a local HTTP server and without ``-e``, into a
fresh virtualenv and runs ``lucid render`` there. TensorFlow is not downloaded again: a ``.pth``
file in the venv adds this interpreter's site-packages folders to its path. A ``.pth`` file's
folders are not scanned for further ``.pth`` files, so the editable install of the checkout
(``__editable__.lucid-*.pth`` there) stays inactive and the only importable ``lucid`` is the
wheel's copy; the test checks ``lucid.__file__`` to be sure.
"""

import os
import site
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from PIL import Image

import lucid

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO_ROOT / "lucid"
BUILD_TIMEOUT_SECONDS = 300
# Data files the library opens by path; listed by name so that a miss reads plainly.
RUNTIME_DATA = (
    "lucid/modelzoo/data/ShapesNet.pb",
    "lucid/modelzoo/data/ShapesNet_labels.txt",
    "lucid/microscope/static/style.css",
)


def _package_files():
    """Every file under lucid/ that an installed copy needs (all but bytecode)."""
    names = set()
    for path in PACKAGE_DIR.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            names.add(path.relative_to(REPO_ROOT).as_posix())
    return names


@pytest.fixture(scope="module")
def dist_dir(tmp_path_factory):
    """The sdist and the wheel (built from that sdist), as ``python -m build`` makes them."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, f"python -m build failed:\n{result.stdout}\n{result.stderr}"
    return out


def _only(directory, pattern):
    found = sorted(directory.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {directory}, found {found}"
    return found[0]


def test_the_wheel_carries_every_package_file(dist_dir):
    with zipfile.ZipFile(_only(dist_dir, "*.whl")) as wheel:
        names = set(wheel.namelist())
    missing_data = [name for name in RUNTIME_DATA if name not in names]
    assert not missing_data, f"the wheel lacks {missing_data}: add them to setup.py's package_data"
    missing = sorted(_package_files() - names)
    assert not missing, f"the wheel lacks {missing}: add them to setup.py's package_data"


def test_the_sdist_carries_every_package_file_and_the_build_files(dist_dir):
    sdist = _only(dist_dir, "*.tar.gz")
    prefix = sdist.name[: -len(".tar.gz")] + "/"
    with tarfile.open(sdist) as archive:
        names = {name[len(prefix) :] for name in archive.getnames() if name.startswith(prefix)}
    needed = {"setup.py", "pyproject.toml", "README.md", "MANIFEST.in"} | _package_files()
    missing = sorted(needed - names)
    assert not missing, f"the sdist lacks {missing}: add them to MANIFEST.in"
    assert not [name for name in names if name.startswith("tests/")], "tests/ belongs out"


def test_the_wheel_metadata_names_this_port_and_its_command(dist_dir):
    with zipfile.ZipFile(_only(dist_dir, "*.whl")) as wheel:
        info = f"lucid-{lucid.__version__}.dist-info/"
        metadata = Parser().parsestr(wheel.read(info + "METADATA").decode())
        entry_points = wheel.read(info + "entry_points.txt").decode()
    assert metadata["Name"] == "lucid"
    assert metadata["Version"] == lucid.__version__
    assert [int(part) for part in lucid.__version__.split(".")[:2]] >= [0, 4]
    requires = metadata.get_all("Requires-Dist")
    assert any(requirement.startswith("tensorflow") for requirement in requires), requires
    assert "lucid = lucid.__main__:main" in entry_points


def _venv_python(venv):
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(argv, cwd, env):
    result = subprocess.run(
        [str(arg) for arg in argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_the_wheel_installs_from_a_url_and_renders_outside_the_checkout(
    dist_dir, http_server, tmp_path
):
    wheel = _only(dist_dir, "*.whl")
    (http_server.root / wheel.name).write_bytes(wheel.read_bytes())

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = _venv_python(venv)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update(LUCID_OFFLINE="1", LUCID_CACHE_DIR=str(tmp_path / "cache"), NO_PROXY="127.0.0.1")
    venv_site = _run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path, env
    ).strip()
    # TensorFlow and the other dependencies from this interpreter, without its .pth files.
    outer_sites = [
        path for path in sys.path if Path(path).name in ("site-packages", "dist-packages")
    ]
    outer_sites += [path for path in site.getsitepackages() if path not in outer_sites]
    (Path(venv_site) / "outer_site_packages.pth").write_text("\n".join(outer_sites) + "\n")

    _run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--ignore-installed",
            http_server.url + wheel.name,
        ],
        tmp_path,
        env,
    )

    probe = (
        "import importlib.resources, lucid; "
        "print(lucid.__file__); "
        "print((importlib.resources.files('lucid.microscope') / 'static/style.css').is_file())"
    )
    module_file, has_static = _run([python, "-c", probe], tmp_path, env).split()
    assert Path(module_file).is_relative_to(venv), f"lucid imported from {module_file}"
    assert has_static == "True"

    out = tmp_path / "unit.png"
    lucid_command = venv / ("Scripts/lucid.exe" if os.name == "nt" else "bin/lucid")
    _run(
        [lucid_command, "render", "--steps", 8, "--size", 32, "--out", out, "--quiet"],
        tmp_path,
        env,
    )
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (32, 32)
