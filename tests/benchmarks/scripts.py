"""Imports a script of benchmarks/ as a module, with benchmarks/ on sys.path for its own
imports (the scripts import each other by plain name, as they do when run)."""

import contextlib
import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@contextlib.contextmanager
def benchmark_module(name):
    """Yields benchmarks/<name>.py imported; sys.path is restored afterwards."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


def script_fixture(name):
    """A module-scoped pytest fixture giving benchmarks/<name>.py imported."""

    @pytest.fixture(scope="module")
    def fixture():
        with benchmark_module(name) as module:
            yield module

    return fixture
