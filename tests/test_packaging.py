"""The sdist and wheel that ``python -m build`` makes, and a wheel installed outside the checkout.

PyPI's ``lucid`` is the TF1 original (0.3.10), so Colab users install this port from its
repository or from a wheel URL; both go through setup.py, MANIFEST.in and package_data. These
tests build the sdist and the wheel from the checkout (offline: ``--no-isolation`` uses the
setuptools and wheel of the test extra) and check that every file the library reads at run
time (the bundled ShapesNet, the Microscope stylesheet, any data file added later) is inside.

The slow tests install lucid without ``-e`` into a fresh virtualenv, in the two forms the
notebooks' ``LUCID_PIP_SPEC`` takes: ``"lucid @ <wheel URL>"`` (a local HTTP server) and
``"lucid @ git+<repository URL>"`` (this checkout's committed HEAD), and run the ``lucid``
command there. TensorFlow is not downloaded again: a ``.pth`` file in the venv adds this
interpreter's site-packages folders to its path. Folders added that way are not scanned for
further ``.pth`` files, so the editable install of the checkout (``__editable__.lucid-*.pth``)
stays inactive and the only importable ``lucid`` is the installed copy; each test checks
``lucid.__file__`` to be sure.
"""

import os
import shutil
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
    "lucid/microscope/static/search.js",
    "lucid/optvis/rewrites/kernels/lucid_lrn.cc",
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
    # The notebook extra brings ipywidgets (tqdm's notebook progress bar warns without it);
    # the optional extras name what lucid.misc.gl and the atlas layout import.
    assert 'ipywidgets; extra == "notebook"' in requires, requires
    assert 'PyOpenGL; extra == "gl"' in requires, requires
    assert 'umap-learn; extra == "atlas"' in requires, requires


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


class Venv:
    """A fresh virtualenv in ``root`` that sees this interpreter's packages but not the checkout.

    Its ``.pth`` file lists this interpreter's site-packages folders (TensorFlow and the other
    dependencies); Python does not read ``.pth`` files inside folders added that way, so the
    editable install of the checkout stays out. Commands run in ``root`` without PYTHONPATH.
    """

    def __init__(self, root):
        self.root = root
        self.dir = root / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(self.dir)], check=True)
        self.env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        self.env.update(
            LUCID_OFFLINE="1", LUCID_CACHE_DIR=str(root / "cache"), NO_PROXY="127.0.0.1"
        )
        purelib = self.python("-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
        outer = [path for path in sys.path if Path(path).name in ("site-packages", "dist-packages")]
        outer += [path for path in site.getsitepackages() if path not in outer]
        (Path(purelib.strip()) / "outer_site_packages.pth").write_text("\n".join(outer) + "\n")

    def run(self, command, *args):
        return _run([self.dir / "bin" / command, *args], self.root, self.env)

    def python(self, *args):
        return self.run("python", *args)

    def pip_install(self, spec, *options):
        """Installs ``spec`` offline, into the venv only (the checkout's install is ignored)."""
        return self.python(
            "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--ignore-installed",
            *options, spec,
        )  # fmt: skip

    def assert_lucid_is_installed_here(self):
        probe = (
            "import importlib.resources, lucid; "
            "print(lucid.__file__); "
            "print((importlib.resources.files('lucid.microscope') / 'static/style.css').is_file())"
        )
        module_file, has_static = self.python("-c", probe).split()
        assert Path(module_file).is_relative_to(self.dir), f"lucid imported from {module_file}"
        assert has_static == "True", "the Microscope stylesheet is not installed"


@pytest.mark.slow
def test_the_wheel_installs_from_a_url_and_renders_outside_the_checkout(
    dist_dir, http_server, tmp_path
):
    wheel = _only(dist_dir, "*.whl")
    (http_server.root / wheel.name).write_bytes(wheel.read_bytes())
    venv = Venv(tmp_path)
    # The form of the notebooks' LUCID_PIP_SPEC for a wheel URL.
    venv.pip_install(f"lucid @ {http_server.url}{wheel.name}")
    venv.assert_lucid_is_installed_here()

    out = tmp_path / "unit.png"
    venv.run("lucid", "render", "--steps", 8, "--size", 32, "--out", out, "--quiet")
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (32, 32)


@pytest.mark.slow
@pytest.mark.skipif(
    not (REPO_ROOT / ".git").exists() or shutil.which("git") is None,
    reason="needs a git checkout and git",
)
def test_the_repository_installs_as_a_git_url(tmp_path):
    """The notebooks' "lucid @ git+<repository URL>" form; pip builds the committed HEAD."""
    venv = Venv(tmp_path)
    # pip's requirement parser wants a host in the URL; git reads file://localhost/ as local.
    url = f"git+file://localhost{REPO_ROOT.as_posix()}"
    venv.pip_install(f"lucid @ {url}", "--no-build-isolation")
    venv.assert_lucid_is_installed_here()
    # The bundled ShapesNet graph is read from the installed package.
    assert "conv4_pre_relu" in venv.run("lucid", "layers", "ShapesNet")
