"""lucid.misc.gl.glcontext: a headless context in a fresh interpreter, and its errors.

The subprocess tests start Python without ``EGL_PLATFORM`` or ``PYOPENGL_PLATFORM`` set, as a
user's fresh kernel would be.
"""

import os
import subprocess
import sys
import textwrap

import pytest

from lucid.misc.gl import glcontext

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _run_python(code):
    """Runs ``code`` in a fresh interpreter; returns ``(returncode, stdout + stderr)``."""
    env = {k: v for k, v in os.environ.items() if k not in ("EGL_PLATFORM", "PYOPENGL_PLATFORM")}
    env["PYTHONPATH"] = os.pathsep.join([REPO, env.get("PYTHONPATH", "")])
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow  # a fresh interpreter importing TensorFlow: about 10-20 s
def test_fresh_interpreter_gets_a_context_and_renders_beside_tensorflow(gl_context):
    # Lucid 0.3.10 failed here twice: "module 'ctypes' has no attribute 'util'" (#299), then
    # eglInitialize on the default display without EGL_PLATFORM=surfaceless. Rendering before
    # TensorFlow is used, then after, checks that Mesa's and TensorFlow's LLVMs stay apart
    # (with both bound to one, the process segfaulted).
    returncode, output = _run_python(
        """
        from lucid.misc.gl.glcontext import create_opengl_context
        import OpenGL.GL as gl

        create_opengl_context()
        print("version", gl.glGetString(gl.GL_VERSION).decode())
        from lucid.misc.gl import glrenderer, meshutil
        renderer = glrenderer.MeshRenderer((16, 16))
        quad = [[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]]
        view = meshutil.lookat([0, 0, 5])
        before = renderer.render_mesh(quad, quad, [0, 1, 2, 0, 2, 3], modelview=view)
        import tensorflow as tf
        print("tf", float(tf.reduce_sum(tf.constant(before))))
        after = renderer.render_mesh(quad, quad, [0, 1, 2, 0, 2, 3], modelview=view)
        print("same", bool((before == after).all()), "covered", float(after[..., 3].mean()))
        """
    )
    assert returncode == 0, output
    assert "version " in output and "same True covered 1.0" in output, output


def test_opengl_imported_first_on_another_platform_is_a_clear_error(gl_context):
    returncode, output = _run_python(
        """
        import OpenGL.GL  # before glcontext: PyOpenGL picks GLX
        from lucid.misc.gl import glcontext
        try:
            glcontext.create_opengl_context()
        except glcontext.OpenGLUnavailableError as error:
            print("ERROR", error)
        """
    )
    assert returncode == 0, output
    assert "ERROR PyOpenGL already runs on the GLXPlatform platform" in output
    assert "import lucid.misc.gl.glcontext first" in output


def test_missing_pyopengl_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "OpenGL", None)  # makes `import OpenGL` fail
    with pytest.raises(ImportError, match=r"pip install 'lucid\[gl\]'"):
        glcontext.create_opengl_context()


def test_no_display_names_the_packages_and_egl_platform(gl_context, monkeypatch):
    def no_display():
        raise RuntimeError("EGL_NOT_INITIALIZED")

    monkeypatch.setattr(glcontext, "_display_candidates", lambda: [("default display", no_display)])
    with pytest.raises(glcontext.OpenGLUnavailableError) as error:
        glcontext.create_opengl_context()
    message = str(error.value)
    assert "default display: EGL_NOT_INITIALIZED" in message
    assert "apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri libopengl0" in message
    assert "EGL_PLATFORM=surfaceless" in message and "\n" not in message


@pytest.mark.parametrize("size", [(0, 10), (10,), "big", (10, -1)])
def test_surface_size_is_checked(size):
    with pytest.raises(ValueError, match="two positive ints"):
        glcontext.create_opengl_context(size)


def test_has_current_context(gl_context):
    assert gl_context.has_current_context()
