"""Headless OpenGL: a desktop-GL context through EGL, with no window and no display server.

Works on NVIDIA drivers (Colab GPU runtimes) and on Mesa's CPU rasteriser llvmpipe (Debian:
``apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri libopengl0``; CI runs
``.ci/install-gl-deps``). Needs PyOpenGL: ``pip install 'lucid[gl]'``.

How it works:

- PyOpenGL picks its platform (GLX, EGL, ...) from ``PYOPENGL_PLATFORM`` when ``OpenGL.GL`` is
  first imported, once per process. **Importing this module sets
  ``PYOPENGL_PLATFORM=egl``** (its one side effect, as in Lucid) unless PyOpenGL has already
  chosen a platform, so import it before ``OpenGL.GL``, as Lucid's notebooks do::

      from lucid.misc.gl.glcontext import create_opengl_context
      import OpenGL.GL as gl
      create_opengl_context()
      print(gl.glGetString(gl.GL_VERSION))

  If ``OpenGL.GL`` was imported first with another platform, :func:`create_opengl_context`
  raises an error saying so (restart the kernel and import this module first).
- :func:`create_opengl_context` tries the EGL displays in turn: the default display (what
  Lucid used; NVIDIA, or Mesa with ``EGL_PLATFORM=surfaceless``), Mesa's surfaceless
  platform, then the first EGL device (``EGL_EXT_platform_device``). No environment variable
  is needed on a machine without a display.
- Lucid 0.3.10 failed here in a fresh interpreter with ``module 'ctypes' has no attribute
  'util'`` (issue #299); this module imports ``ctypes.util`` itself.
"""

import contextlib
import ctypes
import ctypes.util
import logging
import os
import sys
import sysconfig
from typing import Sequence

logger = logging.getLogger(__name__)

# Debian's EGL loader, Mesa's EGL and GL drivers, and the GLVND desktop-GL library.
DEBIAN_PACKAGES = "libegl1 libegl-mesa0 libgl1-mesa-dri libopengl0"
_INSTALL_HINT = (
    f"install EGL and desktop GL (Debian/Ubuntu: apt-get install {DEBIAN_PACKAGES}; "
    "on NVIDIA, the driver's EGL), or set EGL_PLATFORM=surfaceless for Mesa without a display"
)
_PIP_HINT = "pip install 'lucid[gl]' (or pip install PyOpenGL)"
# Not defined by PyOpenGL: Mesa's EGL_MESA_platform_surfaceless.
EGL_PLATFORM_SURFACELESS_MESA = 0x31DD
EGL_PLATFORM_DEVICE_EXT = 0x313F

if "OpenGL.platform" not in sys.modules:
    os.environ["PYOPENGL_PLATFORM"] = "egl"


class OpenGLUnavailableError(RuntimeError):
    """No OpenGL context could be made: EGL or GL libraries are missing or unusable."""


def import_opengl():
    """Imports and returns ``OpenGL.GL`` on PyOpenGL's EGL platform.

    Raises:
      ImportError: PyOpenGL is not installed.
      OpenGLUnavailableError: ``OpenGL.GL`` was already imported on another platform, or
        the EGL / GL libraries cannot be loaded.
    """
    try:
        import OpenGL  # noqa: F401
    except ImportError as error:
        raise ImportError(f"lucid.misc.gl needs PyOpenGL: {_PIP_HINT}.") from error
    try:
        with _glvnd_library_names():
            import OpenGL.platform
            from OpenGL.platform import egl as egl_platform

            platform = OpenGL.platform.PLATFORM
            if not isinstance(platform, egl_platform.EGLPlatform):
                raise OpenGLUnavailableError(
                    f"PyOpenGL already runs on the {type(platform).__name__} platform "
                    f"(PYOPENGL_PLATFORM={os.environ.get('PYOPENGL_PLATFORM')!r}), not EGL: "
                    "OpenGL.GL was imported before lucid.misc.gl.glcontext. Restart Python "
                    "and import lucid.misc.gl.glcontext first (or set PYOPENGL_PLATFORM=egl)."
                )
            import OpenGL.EGL  # noqa: F401
            import OpenGL.GL
    except (ImportError, OSError, AttributeError) as error:
        raise OpenGLUnavailableError(
            f"cannot load EGL/OpenGL ({error}); {_INSTALL_HINT}."
        ) from error
    return OpenGL.GL


def create_opengl_context(surface_size: Sequence[int] = (640, 480)) -> None:
    """Creates a desktop OpenGL context and makes it current in this thread.

    Rendering goes to framebuffer objects (see ``glrenderer.MeshRenderer``); the context
    also gets a ``surface_size`` pbuffer as its default framebuffer.

    Args:
      surface_size: ``(width, height)`` of the pbuffer, in pixels.

    Raises:
      ImportError: PyOpenGL is not installed (``pip install 'lucid[gl]'``).
      OpenGLUnavailableError: no EGL display, config or context could be made; the message
        names what failed and the packages to install.
    """
    width, height = _as_size(surface_size)
    import_opengl()
    from OpenGL import EGL

    _load_mesa_driver_deep_bound()

    failures = []
    for label, get_display in _display_candidates():
        try:
            display = get_display()
            if not display:
                raise OpenGLUnavailableError("no display")
            major, minor = EGL.EGLint(), EGL.EGLint()
            if not EGL.eglInitialize(display, ctypes.pointer(major), ctypes.pointer(minor)):
                raise OpenGLUnavailableError("eglInitialize returned false")
            _make_current(display, width, height)
        except Exception as error:  # PyOpenGL raises EGLError, NullFunctionError, ...
            failures.append(f"{label}: {_describe(error)}")
            continue
        logger.info("EGL %d.%d context from the %s", major.value, minor.value, label)
        return None
    raise OpenGLUnavailableError(
        f"no EGL display could be initialised ({'; '.join(failures)}); {_INSTALL_HINT}."
    )


def has_current_context() -> bool:
    """Whether an EGL context is current in this thread (False without PyOpenGL)."""
    if "OpenGL.EGL" not in sys.modules:
        return False
    from OpenGL import EGL

    return bool(EGL.eglGetCurrentContext())


def _describe(error: Exception) -> str:
    """One line for an error: PyOpenGL's EGLError prints its arguments over several lines."""
    operation = getattr(error, "baseOperation", None)
    if operation is not None:
        code = getattr(error.err, "name", error.err)
        return f"{getattr(operation, '__name__', operation)} failed ({code})"
    return " ".join(str(error).split())


def _as_size(surface_size) -> tuple:
    try:
        width, height = (int(x) for x in surface_size)
    except (TypeError, ValueError):
        width = height = 0
    if width <= 0 or height <= 0:
        raise ValueError(
            f"surface_size must be (width, height), two positive ints; got {surface_size!r}."
        )
    return width, height


def _display_candidates():
    """``(label, get_display)`` pairs, in the order :func:`create_opengl_context` tries them."""
    from OpenGL import EGL

    def platform_display(platform, native):
        from OpenGL.EGL.EXT.platform_base import eglGetPlatformDisplayEXT

        return eglGetPlatformDisplayEXT(platform, native, None)

    def first_device():
        from OpenGL.EGL.EXT.device_enumeration import eglQueryDevicesEXT

        devices, count = (EGL.EGLDeviceEXT * 4)(), EGL.EGLint()
        if not eglQueryDevicesEXT(len(devices), devices, ctypes.pointer(count)) or not count.value:
            raise OpenGLUnavailableError("no EGL devices")
        return platform_display(EGL_PLATFORM_DEVICE_EXT, devices[0])

    return [
        ("default display", lambda: EGL.eglGetDisplay(EGL.EGL_DEFAULT_DISPLAY)),
        (
            "Mesa surfaceless platform",
            lambda: platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL.EGL_DEFAULT_DISPLAY),
        ),
        ("first EGL device", first_device),
    ]


def _make_current(display, width: int, height: int) -> None:
    """Chooses a config on an initialised ``display``, makes a GL context and a pbuffer current."""
    from OpenGL import EGL

    def check(ok, what):
        if not ok:
            error = EGL.eglGetError()
            raise OpenGLUnavailableError(f"{what} failed (EGL error 0x{error:04x})")

    config_attributes = [
        EGL.EGL_SURFACE_TYPE, EGL.EGL_PBUFFER_BIT,
        EGL.EGL_RED_SIZE, 8, EGL.EGL_GREEN_SIZE, 8, EGL.EGL_BLUE_SIZE, 8,
        EGL.EGL_DEPTH_SIZE, 24,
        EGL.EGL_RENDERABLE_TYPE, EGL.EGL_OPENGL_BIT,
        EGL.EGL_NONE,
    ]  # fmt: skip
    config, count = EGL.EGLConfig(), EGL.EGLint()
    attributes = (EGL.EGLint * len(config_attributes))(*config_attributes)
    check(
        EGL.eglChooseConfig(display, attributes, ctypes.pointer(config), 1, ctypes.pointer(count))
        and count.value > 0,
        "eglChooseConfig (a desktop-GL pbuffer config, RGB8 + depth 24)",
    )
    surface_attributes = (EGL.EGLint * 5)(
        EGL.EGL_WIDTH, width, EGL.EGL_HEIGHT, height, EGL.EGL_NONE
    )
    surface = EGL.eglCreatePbufferSurface(display, config, surface_attributes)
    check(surface, "eglCreatePbufferSurface")
    check(EGL.eglBindAPI(EGL.EGL_OPENGL_API), "eglBindAPI(EGL_OPENGL_API)")
    context = EGL.eglCreateContext(display, config, EGL.EGL_NO_CONTEXT, None)
    check(context, "eglCreateContext")
    check(EGL.eglMakeCurrent(display, surface, surface, context), "eglMakeCurrent")


def _load_mesa_driver_deep_bound() -> None:
    """Loads Mesa's software driver so that it calls its own LLVM, not TensorFlow's.

    TensorFlow loads ``libtensorflow_framework`` with ``RTLD_GLOBAL``, and that library
    exports the LLVM it is built with; llvmpipe (``swrast_dri.so``) links the system's
    ``libLLVM``, another version, and Mesa loads it with ``RTLD_GLOBAL`` too. Whichever comes
    second binds its LLVM calls to the first one's copy and segfaults: Mesa at the first
    draw call, or TensorFlow at import. So TensorFlow is imported first (its own references
    then find its own LLVM), and the driver is loaded with ``RTLD_DEEPBIND``, which makes it
    look in its own dependencies before the global scope; Mesa's later ``dlopen`` of the
    same file reuses this handle. No-op where the driver is absent (e.g. NVIDIA's EGL).
    """
    global _mesa_driver
    if _mesa_driver is not None or not hasattr(os, "RTLD_DEEPBIND"):
        return
    directories = os.environ.get("LIBGL_DRIVERS_PATH", "").split(os.pathsep)
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    directories += [f"/usr/lib/{multiarch}/dri", "/usr/lib64/dri", "/usr/lib/dri"]
    for directory in filter(None, directories):
        path = os.path.join(directory, "swrast_dri.so")
        if os.path.exists(path):
            import tensorflow  # noqa: F401  (see above: TensorFlow's LLVM must load first)

            try:
                mode = os.RTLD_NOW | os.RTLD_GLOBAL | os.RTLD_DEEPBIND
                _mesa_driver = ctypes.CDLL(path, mode=mode)
            except OSError as error:
                logger.info("could not preload %s: %s", path, error)
            return


_mesa_driver = None


@contextlib.contextmanager
def _glvnd_library_names():
    """While PyOpenGL loads its libraries, ``find_library('GL')`` finds GLVND's libOpenGL.

    libOpenGL is desktop GL without GLX, what an EGL context needs; PyOpenGL 3.1.10 asks for
    it itself, older versions ask for 'GL' (Lucid patched the lookup the same way).
    """
    original = ctypes.util.find_library
    opengl = original("OpenGL")

    def find_library(name):
        if name == "GL" and opengl:
            return opengl
        return original(name)

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
