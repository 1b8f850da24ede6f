"""Mesh and camera utilities for :mod:`lucid.misc.gl.glrenderer` (pure NumPy, no OpenGL).

Conventions, as in Lucid:

- Projection matrices (:func:`frustum`, :func:`perspective`) are float32 ``4x4`` stored
  **transposed**, for row vectors: ``clip = [x, y, z, 1] @ P``.
- Modelview matrices (:func:`lookat`, :func:`sample_view`) are float32 ``4x4`` for column
  vectors: ``eye_space = M @ [x, y, z, 1]``; the camera looks down ``-z``.
- A mesh is a dict of arrays as :func:`load_obj` returns it: ``"position"`` ``[n, 3]``
  float32, optional ``"uv"`` ``[n, 2]`` and ``"normal"`` ``[n, 3]`` float32, and ``"face"``
  ``[3 * m]`` int32 vertex indices, three per triangle.
"""

import os
from typing import Optional
from typing import Union

import numpy as np


def frustum(
    left: float, right: float, bottom: float, top: float, znear: float, zfar: float
) -> np.ndarray:
    """The OpenGL ``glFrustum`` projection, transposed for row vectors.

    Args:
      left, right, bottom, top: extents of the near clipping plane, in eye space.
      znear, zfar: distances of the near and far clipping planes (positive).

    Returns:
      float32 ``[4, 4]``: ``[x, y, z, 1] @ P`` gives clip coordinates.

    Raises:
      ValueError: if an extent is empty (``left == right``, ``bottom == top`` or
        ``znear == zfar``).
    """
    for name, low, high in (("left/right", left, right), ("bottom/top", bottom, top)):
        if low == high:
            raise ValueError(f"frustum: {name} are both {low}; the extents must differ.")
    if znear == zfar:
        raise ValueError(f"frustum: znear and zfar are both {znear}; they must differ.")
    width, height, depth = right - left, top - bottom, zfar - znear
    matrix = np.zeros((4, 4), np.float32)
    matrix[0, 0] = 2.0 * znear / width
    matrix[1, 1] = 2.0 * znear / height
    matrix[0, 2] = (right + left) / width
    matrix[1, 2] = (top + bottom) / height
    matrix[2, 2] = -(zfar + znear) / depth
    matrix[2, 3] = -2.0 * zfar * znear / depth
    matrix[3, 2] = -1.0
    return matrix.T


def perspective(fovy: float, aspect: float, znear: float, zfar: float) -> np.ndarray:
    """A symmetric perspective projection (``gluPerspective``), transposed for row vectors.

    Args:
      fovy: vertical field of view, in degrees.
      aspect: width / height of the viewport.
      znear, zfar: distances of the near and far clipping planes (positive).

    Returns:
      float32 ``[4, 4]``, as :func:`frustum`.
    """
    half_height = np.tan(np.radians(fovy) / 2.0) * znear
    half_width = half_height * aspect
    return frustum(-half_width, half_width, -half_height, half_height, znear, zfar)


def anorm(x, axis: Optional[int] = None, keepdims: bool = False) -> np.ndarray:
    """Euclidean (L2) norm of ``x`` over ``axis`` (all elements when None)."""
    x = np.asarray(x)
    return np.sqrt(np.square(x).sum(axis=axis, keepdims=keepdims))


def normalize(v, axis: Optional[int] = None, eps: float = 1e-10) -> np.ndarray:
    """``v`` divided by its L2 norm over ``axis``; norms below ``eps`` count as ``eps``.

    With ``axis`` set, each slice along it is normalised separately, e.g. every row of an
    ``[n, 3]`` array with ``axis=-1`` (Lucid's version raised for more than one row).
    """
    v = np.asarray(v)
    return v / np.maximum(anorm(v, axis=axis, keepdims=True), eps)


def lookat(eye, target=(0.0, 0.0, 0.0), up=(0.0, 1.0, 0.0)) -> np.ndarray:
    """A camera at ``eye`` looking at ``target``: the modelview matrix, for column vectors.

    ``homotrans(lookat(eye, target), eye)`` is the origin and ``homotrans(lookat(eye, target),
    target)`` is ``(0, 0, -|target - eye|)``; ``up`` points up on screen.

    Args:
      eye, target, up: 3-vectors (``up`` need not be unit or orthogonal to the view).

    Returns:
      float32 ``[4, 4]``.

    Raises:
      ValueError: if ``eye == target``, or ``up`` is parallel to the viewing direction.
    """
    eye, target, up = (np.asarray(a, np.float64).reshape(3) for a in (eye, target, up))
    forward = target - eye
    if not anorm(forward) > 0:
        raise ValueError(f"lookat: eye and target are the same point {eye.tolist()}.")
    forward = normalize(forward)
    right = np.cross(forward, up)
    if not anorm(right) > 1e-8 * anorm(up):
        raise ValueError(
            f"lookat: up={up.tolist()} is parallel to the viewing direction "
            f"{forward.tolist()}; pass an up vector that is not."
        )
    right = normalize(right)
    rotation = np.stack([right, np.cross(right, forward), -forward])
    matrix = np.eye(4)
    matrix[:3, :3] = rotation
    matrix[:3, 3] = -rotation @ eye
    return matrix.astype(np.float32)


def sample_view(
    min_dist: float,
    max_dist: Optional[float] = None,
    rng: Union[None, int, np.random.Generator] = None,
) -> np.ndarray:
    """A random camera looking at the origin from a distance in ``[min_dist, max_dist)``.

    The direction is uniform on the sphere (a normalised Gaussian 3-vector).

    Args:
      min_dist: smallest distance from the origin.
      max_dist: largest distance (default ``min_dist``).
      rng: None to use NumPy's global random state (as Lucid did, so ``np.random.seed``
        applies), an int seed, or a ``np.random.Generator``.

    Returns:
      float32 ``[4, 4]`` modelview matrix, as :func:`lookat`.
    """
    if max_dist is None:
        max_dist = min_dist
    source = np.random if rng is None else np.random.default_rng(rng)
    direction = normalize(source.standard_normal(3))
    eye = direction * source.uniform(min_dist, max_dist)
    return lookat(eye)


def homotrans(m, p) -> np.ndarray:
    """Applies the ``[k+1, k+1]`` homogeneous transform ``m`` to points ``p``.

    Args:
      m: ``[k+1, k+1]`` matrix for column vectors, e.g. :func:`lookat`'s.
      p: ``[..., k]`` points (a 1 is appended) or ``[..., k+1]`` homogeneous points.

    Returns:
      ``[..., k]`` transformed points, divided by their homogeneous coordinate.
    """
    m, p = np.asarray(m), np.asarray(p)
    if p.shape[-1] == m.shape[1] - 1:
        p = np.concatenate([p, np.ones_like(p[..., :1])], axis=-1)
    if p.shape[-1] != m.shape[1]:
        raise ValueError(
            f"homotrans: points of shape {p.shape} don't fit a {m.shape} matrix; the last "
            f"axis must have {m.shape[1] - 1} or {m.shape[1]} entries."
        )
    p = p @ m.T
    return p[..., :-1] / p[..., -1:]


def load_obj(fn) -> dict:
    """Reads a Wavefront OBJ mesh: vertices, texture coordinates, normals and faces.

    Faces may be written ``i``, ``i/j``, ``i//k`` or ``i/j/k`` (1-based; negative indices
    count back from the last vertex read so far) and may be polygons, which are split into
    triangle fans. Each distinct (position, uv, normal) index triple becomes one output
    vertex, numbered in order of first use. Other statements (``o``, ``g``, ``s``,
    ``usemtl``, ...) are ignored.

    Args:
      fn: a path, or a file object open in text or binary mode.

    Returns:
      dict with ``"face"``: int32 ``[3 * triangles]`` and ``"position"``: float32 ``[n, 3]``,
      plus ``"uv"``: float32 ``[n, 2]`` and ``"normal"``: float32 ``[n, 3]`` when some face
      uses them (vertices of faces that don't get zeros).

    Raises:
      ValueError: naming the file and line, for a line that does not parse, an index out of
        range, a face with fewer than 3 vertices, or a file without faces.
    """
    if isinstance(fn, (str, os.PathLike)):
        with open(fn, "rb") as f:
            return _parse_obj(f, os.fspath(fn))
    return _parse_obj(fn, getattr(fn, "name", "<file object>"))


def normalize_mesh(mesh: dict) -> dict:
    """A copy of ``mesh`` centred on its bounding box and scaled to ``max |x| == 1``.

    Args:
      mesh: dict with ``"position"`` ``[n, 3|4]``; only the first 3 columns are changed.

    Returns:
      a new dict with a new ``"position"`` array; the other entries are shared.
    """
    position = np.array(mesh["position"], dtype=np.float32)
    if position.ndim != 2 or position.shape[0] == 0 or position.shape[1] < 3:
        raise ValueError(
            f"normalize_mesh: mesh['position'] has shape {position.shape}; expected [n, 3] "
            "with n >= 1."
        )
    xyz = position[:, :3]
    xyz -= (xyz.min(axis=0) + xyz.max(axis=0)) / 2.0
    scale = np.abs(xyz).max()
    if scale > 0:
        xyz /= scale
    return dict(mesh, position=position)


# OBJ vertex statements: the mesh key they fill, how many numbers are kept, how many required.
_VERTEX_STATEMENTS = {"v": ("position", 3, 3), "vt": ("uv", 2, 1), "vn": ("normal", 3, 3)}
_INDEX_KINDS = (("position", "v"), ("uv", "vt"), ("normal", "vn"))
_FACE_FORMS = "'i', 'i/j', 'i//k' or 'i/j/k'"


def _parse_obj(lines, name: str) -> dict:
    """:func:`load_obj` of an iterable of text or bytes lines; ``name`` is used in errors."""
    rows = {"position": [], "uv": [], "normal": []}
    corners = []  # (position, uv, normal) row indices per triangle corner; -1 when absent
    for line_number, raw in enumerate(lines, 1):
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        keyword, *fields = line.split()
        where = f"{name}, line {line_number}: {line!r}"
        if keyword in _VERTEX_STATEMENTS:
            kind, size, required = _VERTEX_STATEMENTS[keyword]
            rows[kind].append(_parse_numbers(fields, size, required, where))
        elif keyword == "f":
            polygon = [_parse_corner(field, rows, where) for field in fields]
            if len(polygon) < 3:
                raise ValueError(f"{where}: a face needs at least 3 vertices, got {len(polygon)}.")
            for i in range(1, len(polygon) - 1):  # a fan around the first vertex
                corners += [polygon[0], polygon[i], polygon[i + 1]]
    if not corners:
        raise ValueError(f"{name} has no faces ('f' lines); load_obj reads polygon meshes.")
    vertex_of = {}  # one output vertex per distinct index triple, in order of first use
    face = [vertex_of.setdefault(corner, len(vertex_of)) for corner in corners]
    triples = np.array(list(vertex_of), dtype=np.int64)
    mesh = {"face": np.array(face, np.int32)}
    for column, (kind, keyword) in enumerate(_INDEX_KINDS):
        used = triples[:, column]
        if kind != "position" and (used < 0).all():
            continue
        size = _VERTEX_STATEMENTS[keyword][1]
        table = np.zeros((len(rows[kind]) + 1, size), np.float32)  # the last row is for -1
        table[:-1] = np.reshape(rows[kind], (-1, size))
        mesh[kind] = table[used]
    return mesh


def _parse_numbers(fields, size: int, required: int, where: str) -> list:
    """The first ``size`` floats of ``fields`` (zero-padded), at least ``required`` of them."""
    try:
        numbers = [float(field) for field in fields[:size]]
    except ValueError:
        numbers = []
    if len(numbers) < required:
        raise ValueError(f"{where}: expected at least {required} numbers after the keyword.")
    return numbers + [0.0] * (size - len(numbers))


def _parse_corner(field: str, rows: dict, where: str) -> tuple:
    """``(position, uv, normal)`` 0-based row indices of one face vertex, -1 when absent."""
    parts = field.split("/")
    if len(parts) > 3 or not parts[0]:
        raise ValueError(f"{where}: face vertex {field!r} is not of the form {_FACE_FORMS}.")
    indices = []
    for part, (kind, keyword) in zip(parts + ["", ""], _INDEX_KINDS):
        if not part:
            indices.append(-1)
            continue
        try:
            index = int(part)
        except ValueError:
            raise ValueError(
                f"{where}: face vertex {field!r} is not of the form {_FACE_FORMS} "
                "with integer indices."
            ) from None
        count = len(rows[kind])
        row = index - 1 if index > 0 else count + index
        if index == 0 or not 0 <= row < count:
            raise ValueError(
                f"{where}: index {index} in {field!r} is out of range; {count} '{keyword}' "
                "lines were read before this face (indices start at 1, negative ones count back)."
            )
        indices.append(row)
    return tuple(indices)
