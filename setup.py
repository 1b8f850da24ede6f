"""Packaging for lucid: feature visualization on TensorFlow 2 (tf.compat.v1 graph mode)."""

import re
from pathlib import Path

from setuptools import find_packages
from setuptools import setup

HERE = Path(__file__).parent
# Read the version without importing lucid (importing would need TensorFlow installed).
VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "lucid" / "__init__.py").read_text()).group(
    1
)

install_requires = [
    "tensorflow>=2.13",
    "numpy",
    "pillow",
    "scipy",
    "requests",
    # Progress bars for long renders and downloads; notebook-aware. Small, pure Python.
    "tqdm",
    # Cross-process lock so concurrent loads of one model download it once. Pure Python.
    "filelock",
    # The per-user cache directory on every OS (~/.cache/lucid on Linux). Pure Python.
    "platformdirs",
]

extras = {
    "test": [
        "pytest>=7",
        "ruff",
        # tests/test_packaging.py: builds the sdist and wheel offline (--no-isolation), so the
        # build frontend and backend come from here rather than from PyPI.
        "build",
        "setuptools>=61",
        "wheel",
        "nbclient",
        "nbformat",
        "ipykernel",
        "scikit-learn",
        "matplotlib",
        # tests/microscope: the Ray engine on a local cluster, and the browser test (which
        # drives Debian's /usr/bin/chromium: .ci/install-browser-deps installs it).
        "ray",
        "playwright",
        # lucid.misc.gl (headless OpenGL; .ci/install-gl-deps installs Mesa), the atlas
        # layout (UMAP), and the TF1 notebook patterns that used tf.contrib.slim.
        "PyOpenGL",
        "umap-learn",
        "tf_slim",
    ],
    "notebook": ["ipython", "matplotlib", "ipywidgets"],
    # lucid.misc.gl: headless OpenGL through EGL (Mesa or NVIDIA drivers from the system).
    "gl": ["PyOpenGL"],
    # lucid.recipes.activation_atlas.layout: UMAP layouts.
    "atlas": ["umap-learn"],
    "reducers": ["scikit-learn"],
    # `lucid microscope build --engine ray`: unit batches as tasks on a Ray cluster.
    "distributed": ["ray"],
}
extras["all"] = sorted({dep for deps in extras.values() for dep in deps})

setup(
    name="lucid",
    version=VERSION,
    description="Feature visualization for neural networks: Lucid on TensorFlow 2",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    license="Apache 2.0",
    packages=find_packages(include=["lucid", "lucid.*"]),
    # Files the library reads at run time: the bundled ShapesNet (graph and labels), the
    # Microscope site's stylesheet and the C++ kernel sources (compiled at first use).
    # MANIFEST.in puts the same files in the sdist;
    # tests/test_packaging.py checks that every non-Python file under lucid/ is in both.
    # (No include_package_data: these folders are data, not packages.)
    package_data={
        "lucid": ["modelzoo/data/*", "microscope/static/*", "optvis/rewrites/kernels/*"]
    },
    python_requires=">=3.9",
    install_requires=install_requires,
    extras_require=extras,
    entry_points={"console_scripts": ["lucid=lucid.__main__:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Development Status :: 4 - Beta",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
