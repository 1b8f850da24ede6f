"""An OpenGL context for the GL tests, or a skip saying what to install.

The GL tests need PyOpenGL (``pip install -e '.[gl]'``) and EGL with desktop GL (on CPU:
Mesa's llvmpipe), which ``.ci/install-gl-deps`` installs. Without them they skip, except under
``LUCID_REQUIRE_ALL_TESTS=1`` (set by ``.ci/run``), where they fail: CI must not pass by
skipping them.
"""

import importlib.util
import os

import pytest


def skip_or_fail(reason, fix):
    """Skips the calling test, or fails it under ``LUCID_REQUIRE_ALL_TESTS=1``."""
    if os.environ.get("LUCID_REQUIRE_ALL_TESTS") == "1":
        pytest.fail(f"{reason} (LUCID_REQUIRE_ALL_TESTS=1: {fix})")
    pytest.skip(f"{reason} ({fix})")


@pytest.fixture(scope="session")
def gl_context():
    """Makes an EGL context current in the test process (once); skips if there is none."""
    if importlib.util.find_spec("OpenGL") is None:
        skip_or_fail("PyOpenGL is not installed", "pip install -e '.[gl]'")
    from lucid.misc.gl import glcontext

    try:
        glcontext.create_opengl_context()
    except glcontext.OpenGLUnavailableError as error:
        skip_or_fail(f"no OpenGL context: {error}", "run .ci/install-gl-deps")
    return glcontext
