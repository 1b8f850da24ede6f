"""Fixtures of the rewrite tests: the InceptionV1 replica and the fused LRN kernels, built once
per test session."""

import os

import pytest

from modelzoo.build_mirror import MODEL_FILES
from modelzoo.build_mirror import build_mirror


@pytest.fixture(scope="session")
def inception_v1(tmp_path_factory):
    """The InceptionV1 replica (random weights, InceptionV1's graph)."""
    from lucid.modelzoo.vision_models import InceptionV1

    root = tmp_path_factory.mktemp("mirror")
    build_mirror(str(root), models=["InceptionV1"])
    model = InceptionV1()
    model.model_path = str(root / MODEL_FILES["InceptionV1"])
    return model


def needs_compiler():
    """Skips the calling test when no C++ compiler is found, or fails it under
    ``LUCID_REQUIRE_ALL_TESTS=1`` (``.ci/run``, which installs one)."""
    from lucid.optvis.rewrites import custom_ops

    if custom_ops.compiler() is None:
        reason = "no C++ compiler (c++, g++, clang++ or $CXX) for the fused LRN kernels"
        if os.environ.get("LUCID_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(f"{reason} (LUCID_REQUIRE_ALL_TESTS=1: run .ci/install-compiler-deps)")
        pytest.skip(f"{reason}; e.g. `apt-get install g++`")


@pytest.fixture(scope="session")
def lrn_kernels():
    """The fused LRN kernels, built (or found in the cache) once per test session."""
    from lucid.optvis.rewrites import fused_lrn

    needs_compiler()
    assert fused_lrn.available(), "the fused LRN kernels did not build: see the warning"
    return fused_lrn.kernels()
