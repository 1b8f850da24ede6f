"""Rasterises meshes with OpenGL into float images of per-vertex data (e.g. texture uv).

:class:`MeshRenderer` is the piece Lucid's 3-D notebooks use: it draws a triangle mesh from a
camera and returns, for every pixel, the interpolated vertex attribute of the nearest
triangle (``(u, v, 0, 1)`` for 2-D uv), and ``clear_color`` where no triangle covers the
pixel. Sampling a texture at those uv (``lucid.optvis.param.spatial.bilinearly_sampled_image``,
Lucid's ``sample_bilinear``) gives a differentiable rendering of the textured mesh.

An OpenGL context must be current first: call
:func:`lucid.misc.gl.glcontext.create_opengl_context`. Importing this module imports
``OpenGL.GL`` on PyOpenGL's EGL platform (and raises ``ImportError`` without PyOpenGL).
"""

import sys
from typing import Optional
from typing import Sequence

import numpy as np

from lucid.misc.gl import glcontext
from lucid.misc.gl import meshutil

gl = glcontext.import_opengl()

# The vertex shader passes the 'data' attribute (up to 4 components) through unchanged;
# GL fills missing components with (0, 0, 0, 1).
_VERTEX_SHADER = """
#version 130
uniform mat4 MVP;
in vec4 position;
in vec4 data;
out vec4 frag_data;
void main() {
  gl_Position = MVP * position;
  frag_data = data;
}
"""
_FRAGMENT_SHADER = """
#version 130
in vec4 frag_data;
out vec4 frag_color;
void main() {
  frag_color = frag_data;
}
"""
_ATTRIBUTE_LOCATIONS = {"position": 0, "data": 1}


class GLObject:
    """An OpenGL object name, bound by ``with obj:`` and deleted by ``release()``.

    Subclasses set ``self._bind = (bind_function, target)`` and ``self._as_parameter_`` (the
    GL name, so the object can be passed to GL calls), and implement ``release``.
    """

    _bind = None

    def __enter__(self):
        bind, target = self._bind
        bind(target, self)
        return self

    def __exit__(self, *exc_info):
        bind, target = self._bind
        bind(target, 0)

    def release(self) -> None:
        raise NotImplementedError

    def __del__(self, _is_finalizing=sys.is_finalizing):
        # At interpreter exit the context and PyOpenGL's array handlers (even this module's
        # globals) may be gone already, and the process frees GL objects anyway.
        if _is_finalizing():
            return
        try:
            self.release()
        except Exception:
            pass


class FBO(GLObject):
    """A framebuffer object (``glGenFramebuffers``), bound to ``GL_FRAMEBUFFER``."""

    def __init__(self):
        self._as_parameter_ = gl.glGenFramebuffers(1)
        self._bind = (gl.glBindFramebuffer, gl.GL_FRAMEBUFFER)

    def release(self) -> None:
        name, self._as_parameter_ = getattr(self, "_as_parameter_", 0), 0
        if name:
            gl.glDeleteFramebuffers(1, np.array([name], np.uint32))


class Texture(GLObject):
    """A 2-D texture (``glGenTextures``), bound to ``GL_TEXTURE_2D``."""

    def __init__(self):
        self._as_parameter_ = gl.glGenTextures(1)
        self._bind = (gl.glBindTexture, gl.GL_TEXTURE_2D)

    def release(self) -> None:
        name, self._as_parameter_ = getattr(self, "_as_parameter_", 0), 0
        if name:
            gl.glDeleteTextures(np.array([name], np.uint32))


class Shader(GLObject):
    """A linked GLSL program; ``with shader:`` uses it, ``shader[name]`` is a uniform location.

    Args:
      vp_code: vertex shader source.
      fp_code: fragment shader source.
      attributes: optional ``{attribute name: location}`` bound before linking.

    Raises:
      RuntimeError: with the compiler's or linker's log, if the program does not build.
    """

    def __init__(self, vp_code: str, fp_code: str, attributes: Optional[dict] = None):
        from OpenGL.GL import shaders  # needs a current context

        stages = [
            shaders.compileShader(vp_code, gl.GL_VERTEX_SHADER),
            shaders.compileShader(fp_code, gl.GL_FRAGMENT_SHADER),
        ]
        program = gl.glCreateProgram()
        for stage in stages:
            gl.glAttachShader(program, stage)
        for name, location in (attributes or {}).items():
            gl.glBindAttribLocation(program, location, name)
        gl.glLinkProgram(program)
        for stage in stages:
            gl.glDeleteShader(stage)
        if not gl.glGetProgramiv(program, gl.GL_LINK_STATUS):
            log = gl.glGetProgramInfoLog(program)
            gl.glDeleteProgram(program)
            raise RuntimeError(f"the GLSL program does not link: {log!r}")
        self._as_parameter_ = program
        self._uniforms = {}

    def __getitem__(self, uniform_name: str) -> int:
        if uniform_name not in self._uniforms:
            self._uniforms[uniform_name] = gl.glGetUniformLocation(self, uniform_name)
        return self._uniforms[uniform_name]

    def __enter__(self):
        gl.glUseProgram(self)
        return self

    def __exit__(self, *exc_info):
        gl.glUseProgram(0)

    def release(self) -> None:
        name, self._as_parameter_ = getattr(self, "_as_parameter_", 0), 0
        if name:
            gl.glDeleteProgram(name)


class MeshRenderer:
    """Renders meshes into ``[h, w, 4]`` float32 images of interpolated vertex data.

    Attributes:
      size: ``(width, height)`` in pixels.
      fovy: vertical field of view in degrees (10, as in Lucid: a distant, nearly orthographic
        camera; put it ~10 units away from a unit-sized mesh).
      aspect, znear, zfar: the rest of the perspective projection.
    """

    def __init__(self, size: Sequence[int]):
        """Creates the framebuffer; needs a current context (``create_opengl_context()``).

        Args:
          size: ``(width, height)`` of the rendered images, in pixels.
        """
        try:
            width, height = (int(x) for x in size)
        except (TypeError, ValueError):
            width = height = 0
        if width <= 0 or height <= 0:
            raise ValueError(f"size must be (width, height), two positive ints; got {size!r}.")
        if not glcontext.has_current_context():
            raise RuntimeError(
                "MeshRenderer needs a current OpenGL context: call "
                "lucid.misc.gl.glcontext.create_opengl_context() first."
            )
        self.size = (width, height)
        self.fovy, self.aspect = 10.0, width / height
        self.znear, self.zfar = 0.01, 100.0
        self.shader = Shader(_VERTEX_SHADER, _FRAGMENT_SHADER, _ATTRIBUTE_LOCATIONS)
        self.fbo, self.color_tex, self.depth_tex = FBO(), Texture(), Texture()
        with self.color_tex:
            gl.glTexImage2D(
                gl.GL_TEXTURE_2D, 0, gl.GL_RGBA32F, width, height, 0, gl.GL_RGBA, gl.GL_FLOAT, None
            )
        with self.depth_tex:
            gl.glTexImage2D(
                gl.GL_TEXTURE_2D, 0, gl.GL_DEPTH_COMPONENT24, width, height, 0,
                gl.GL_DEPTH_COMPONENT, gl.GL_FLOAT, None,
            )  # fmt: skip
        with self.fbo:
            for attachment, texture in (
                (gl.GL_COLOR_ATTACHMENT0, self.color_tex),
                (gl.GL_DEPTH_ATTACHMENT, self.depth_tex),
            ):
                gl.glFramebufferTexture2D(
                    gl.GL_FRAMEBUFFER, attachment, gl.GL_TEXTURE_2D, texture, 0
                )
            status = gl.glCheckFramebufferStatus(gl.GL_FRAMEBUFFER)
            if status != gl.GL_FRAMEBUFFER_COMPLETE:
                raise RuntimeError(
                    f"the OpenGL driver cannot render to a {width}x{height} RGBA32F "
                    f"framebuffer (status 0x{int(status):04x})."
                )

    def proj_matrix(self) -> np.ndarray:
        """The projection, float32 ``[4, 4]`` for row vectors (``meshutil.perspective``)."""
        return meshutil.perspective(self.fovy, self.aspect, self.znear, self.zfar)

    def render_mesh(
        self,
        position,
        uv,
        face=None,
        clear_color: Sequence[float] = (0.0, 0.0, 0.0, 0.0),
        modelview=None,
        normal=None,
    ) -> np.ndarray:
        """Draws triangles and returns the interpolated ``uv`` of the nearest one per pixel.

        Args:
          position: ``[n, 3]`` (or homogeneous ``[n, 4]``) vertex positions.
          uv: ``[n, k]`` per-vertex data, ``1 <= k <= 4``, usually texture coordinates.
          face: optional ``[3 * m]`` (or ``[m, 3]``) vertex indices; without it, vertices
            ``3i, 3i+1, 3i+2`` form triangle ``i``.
          clear_color: the 4 values of pixels no triangle covers.
          modelview: float32 ``[4, 4]`` camera matrix for column vectors, e.g.
            ``meshutil.sample_view(10, 12)`` (default identity).
          normal: ignored; accepted so that ``render_mesh(**load_obj(path))`` works.

        Returns:
          float32 ``[h, w, 4]``, row 0 at the top: ``(u, v, 0, 1)`` on covered pixels for 2-D
          uv (the missing components default to ``0, 0, 1``, so channel 3 is a coverage mask),
          ``clear_color`` elsewhere.
        """
        del normal
        position = _as_vertex_array("position", position, (3, 4))
        uv = _as_vertex_array("uv", uv, (1, 2, 3, 4))
        if len(uv) != len(position):
            raise ValueError(
                f"uv has {len(uv)} rows but position has {len(position)}; give one per vertex."
            )
        modelview = np.eye(4) if modelview is None else np.asarray(modelview, np.float64)
        if modelview.shape != (4, 4):
            raise ValueError(f"modelview must be a 4x4 matrix; got shape {modelview.shape}.")
        clear_color = np.asarray(clear_color, np.float32)
        if clear_color.shape != (4,):
            raise ValueError(f"clear_color must have 4 values; got {clear_color.tolist()}.")
        if face is not None:
            face = _as_face_array(face, len(position))
        mvp = np.ascontiguousarray(modelview.T @ self.proj_matrix(), np.float32)

        width, height = self.size
        with self.fbo, self.shader:
            gl.glViewport(0, 0, width, height)
            gl.glClearColor(*clear_color.tolist())
            gl.glClear(gl.GL_COLOR_BUFFER_BIT | gl.GL_DEPTH_BUFFER_BIT)
            gl.glEnable(gl.GL_DEPTH_TEST)
            # Row-major row-vector MVP read column-major: the column-vector matrix GLSL wants.
            gl.glUniformMatrix4fv(self.shader["MVP"], 1, gl.GL_FALSE, mvp)
            for name, array in (("position", position), ("data", uv)):
                location = _ATTRIBUTE_LOCATIONS[name]
                gl.glEnableVertexAttribArray(location)
                gl.glVertexAttribPointer(
                    location, array.shape[1], gl.GL_FLOAT, gl.GL_FALSE, 0, array
                )
            try:
                if face is None:
                    gl.glDrawArrays(gl.GL_TRIANGLES, 0, len(position) - len(position) % 3)
                else:
                    gl.glDrawElements(gl.GL_TRIANGLES, len(face), gl.GL_UNSIGNED_INT, face)
            finally:
                for location in _ATTRIBUTE_LOCATIONS.values():
                    gl.glDisableVertexAttribArray(location)
            gl.glReadBuffer(gl.GL_COLOR_ATTACHMENT0)
            pixels = gl.glReadPixels(0, 0, width, height, gl.GL_RGBA, gl.GL_FLOAT)
        image = np.frombuffer(pixels, np.float32).reshape(height, width, 4)
        return image[::-1].copy()  # GL's row 0 is the bottom one


def _as_vertex_array(name: str, values, widths: Sequence[int]) -> np.ndarray:
    """``values`` as a C-contiguous float32 ``[n, k]`` array with ``k`` in ``widths``."""
    array = np.ascontiguousarray(values, np.float32)
    if array.ndim != 2 or array.shape[1] not in widths:
        raise ValueError(
            f"{name} must be an [n, k] array with k in {tuple(widths)}; got shape {array.shape}."
        )
    return array


def _as_face_array(face, vertex_count: int) -> np.ndarray:
    """``face`` as flat uint32 indices, each below ``vertex_count``, three per triangle."""
    array = np.asarray(face)
    if not np.issubdtype(array.dtype, np.integer) or array.size % 3:
        raise ValueError(
            f"face must be integer vertex indices, three per triangle; got dtype {array.dtype} "
            f"and {array.size} indices."
        )
    if array.size and (array.min() < 0 or array.max() >= vertex_count):
        raise ValueError(
            f"face indices must be in [0, {vertex_count}) (the number of vertices); got "
            f"[{array.min()}, {array.max()}]."
        )
    return np.ascontiguousarray(array.ravel(), np.uint32)
