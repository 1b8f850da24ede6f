"""lucid.misc.gl.meshutil: camera matrices against hand-computed values, and the OBJ reader."""

import io

import numpy as np
import pytest

from lucid.misc.gl import meshutil

# A unit quad (two ways of writing its faces) and a triangle with normals, covering the face
# forms i, i/j, i//k, i/j/k, a polygon, negative indices, comments and ignored statements.
OBJ_TEXT = """\
# a test mesh
o quad
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
vt 0 0
vt 1 0
vt 1 1
vt 0 1
vn 0 0 1
s off
f 1/1 2/2 3/3 4/4
f -4//-1 -3//-1 -2//-1   # the first triangle again, with a normal
f 1/1/1 3/3/1 4/4/1
f 2 3 4
"""


def test_frustum_is_glfrustum_transposed():
    expected = np.array(
        [[0.5, 0, 0, 0], [0, 1, 0, 0], [0, 0, -2, -3], [0, 0, -1, 0]], np.float32
    )  # glFrustum(-2, 2, -1, 1, 1, 3) for column vectors
    matrix = meshutil.frustum(-2, 2, -1, 1, 1, 3)
    assert matrix.dtype == np.float32
    np.testing.assert_allclose(matrix, expected.T)


def test_perspective_maps_frustum_corners_to_the_clip_cube():
    projection = meshutil.perspective(90.0, 2.0, 1.0, 3.0)  # near plane: x in +-2, y in +-1
    np.testing.assert_allclose(projection, meshutil.frustum(-2, 2, -1, 1, 1, 3), atol=1e-6)
    points = [(2, 1, -1), (-2, -1, -1), (-6, 3, -3), (0, 0, -3)]
    expected = [(1, 1, -1), (-1, -1, -1), (-1, 1, 1), (0, 0, 1)]
    np.testing.assert_allclose(meshutil.homotrans(projection.T, points), expected, atol=1e-6)


@pytest.mark.parametrize(
    "extents", [(1, 1, -1, 1, 1, 3), (-1, 1, 2, 2, 1, 3), (-1, 1, -1, 1, 2, 2)]
)
def test_frustum_rejects_empty_extents(extents):
    with pytest.raises(ValueError, match="must differ"):
        meshutil.frustum(*extents)


def test_lookat_from_the_z_and_x_axes():
    np.testing.assert_allclose(
        meshutil.lookat([0, 0, 5]),
        [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, -5], [0, 0, 0, 1]],
        atol=1e-7,
    )
    # From +x looking at the origin with y up: -z is on the right.
    np.testing.assert_allclose(
        meshutil.lookat([5, 0, 0]),
        [[0, 0, -1, 0], [0, 1, 0, 0], [1, 0, 0, -5], [0, 0, 0, 1]],
        atol=1e-7,
    )


def test_lookat_maps_eye_to_origin_and_target_down_minus_z():
    eye, target = np.array([1.0, 2.0, 3.0]), np.array([4.0, 6.0, 3.0])  # 5 apart
    matrix = meshutil.lookat(eye, target, up=[0, 0, 2])
    assert matrix.dtype == np.float32
    np.testing.assert_allclose(meshutil.homotrans(matrix, eye), [0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(meshutil.homotrans(matrix, target), [0, 0, -5], atol=1e-6)
    above = meshutil.homotrans(matrix, eye + [0, 0, 1])  # 'up' is up on screen
    np.testing.assert_allclose(above, [0, 1, 0], atol=1e-6)
    np.testing.assert_allclose(matrix[:3, :3] @ matrix[:3, :3].T, np.eye(3), atol=1e-6)


@pytest.mark.parametrize(
    "eye, up, message", [([0, 0, 0], [0, 1, 0], "same point"), ([0, 3, 0], [0, 1, 0], "parallel")]
)
def test_lookat_rejects_degenerate_cameras(eye, up, message):
    with pytest.raises(ValueError, match=message):
        meshutil.lookat(eye, [0, 0, 0], up)


def test_anorm_and_normalize_per_row():
    rows = np.array([[3.0, 4.0], [0.0, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(meshutil.anorm(rows, axis=1), [5, 2, 0])
    np.testing.assert_allclose(meshutil.anorm(rows), np.sqrt(29))
    # Lucid's normalize raised ValueError for more than one row with an axis.
    np.testing.assert_allclose(meshutil.normalize(rows, axis=-1), [[0.6, 0.8], [0, 1], [0, 0]])
    np.testing.assert_allclose(meshutil.normalize([3.0, 4.0]), [0.6, 0.8])


def test_sample_view_distance_and_reproducibility():
    for seed in range(5):
        view = meshutil.sample_view(10.0, 12.0, rng=seed)
        x, y, z = meshutil.homotrans(view, [0, 0, 0])  # the origin is straight ahead
        assert abs(x) < 1e-5 and abs(y) < 1e-5 and 10.0 <= -z <= 12.0
    np.testing.assert_array_equal(
        meshutil.sample_view(10.0, 12.0, rng=3), meshutil.sample_view(10.0, 12.0, rng=3)
    )
    generator = np.random.default_rng(0)
    assert not np.allclose(
        meshutil.sample_view(10.0, 12.0, rng=generator),
        meshutil.sample_view(10.0, 12.0, rng=generator),
    )
    np.random.seed(7)  # Lucid's signature draws from NumPy's global state
    first = meshutil.sample_view(11.0)
    np.random.seed(7)
    np.testing.assert_array_equal(first, meshutil.sample_view(11.0))
    np.testing.assert_allclose(meshutil.homotrans(first, [0, 0, 0]), [0, 0, -11], atol=1e-5)


def test_homotrans_divides_by_w():
    matrix = np.diag([1.0, 1.0, 1.0, 2.0])
    np.testing.assert_allclose(
        meshutil.homotrans(matrix, [[2, 4, 6], [1, 1, 1]]), [[1, 2, 3], [0.5, 0.5, 0.5]]
    )
    np.testing.assert_allclose(meshutil.homotrans(matrix, [2, 4, 6, 4]), [0.25, 0.5, 0.75])
    with pytest.raises(ValueError, match="3 or 4 entries"):
        meshutil.homotrans(matrix, [1, 2])


def _check_test_mesh(mesh):
    # Vertices in order of first use: (v, vt, vn) = (1,1,-), (2,2,-), (3,3,-), (4,4,-),
    # (1,-,1), (2,-,1), (3,-,1), (1,1,1), (3,3,1), (4,4,1), (2,-,-), (3,-,-), (4,-,-).
    assert sorted(mesh) == ["face", "normal", "position", "uv"]
    np.testing.assert_array_equal(mesh["face"], [0, 1, 2, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    assert mesh["face"].dtype == np.int32
    quad = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]]
    position = quad + quad[:3] + [quad[0], quad[2], quad[3]] + quad[1:]
    np.testing.assert_array_equal(mesh["position"], position)
    uv = [[0, 0], [1, 0], [1, 1], [0, 1]] + [[0, 0]] * 3 + [[0, 0], [1, 1], [0, 1]] + [[0, 0]] * 3
    np.testing.assert_array_equal(mesh["uv"], uv)
    normal = [[0, 0, 0]] * 4 + [[0, 0, 1]] * 6 + [[0, 0, 0]] * 3
    np.testing.assert_array_equal(mesh["normal"], normal)
    for key in ("position", "uv", "normal"):
        assert mesh[key].dtype == np.float32


def test_load_obj_every_face_form(tmp_path):
    path = tmp_path / "mesh.obj"
    path.write_text(OBJ_TEXT)
    _check_test_mesh(meshutil.load_obj(str(path)))
    _check_test_mesh(meshutil.load_obj(path))
    _check_test_mesh(meshutil.load_obj(io.StringIO(OBJ_TEXT)))
    _check_test_mesh(meshutil.load_obj(io.BytesIO(OBJ_TEXT.encode())))


def test_load_obj_keys_only_for_used_indices():
    mesh = meshutil.load_obj(io.StringIO("v 0 0 0\nv 1 0 0\nv 0 1 0 1.0\nvt 0.5 0.5\nf 1 2 3\n"))
    assert sorted(mesh) == ["face", "position"]
    np.testing.assert_array_equal(mesh["position"], [[0, 0, 0], [1, 0, 0], [0, 1, 0]])


@pytest.mark.parametrize(
    "line, message",
    [
        ("f 1 2", "at least 3 vertices"),
        ("v 1 x 0", "at least 3 numbers"),
        ("f 1/1/1/1 2 3", "is not of the form"),
        ("f a b c", "integer indices"),
        ("f 0 1 2", "out of range"),
        ("f 1 2 4", "out of range; 3 'v' lines"),
        ("f 1/2 2/1 3/1", "out of range; 1 'vt' lines"),
        ("f -4 1 2", "out of range"),
    ],
)
def test_load_obj_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "broken.obj"
    path.write_text(f"v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\n{line}\n")
    with pytest.raises(ValueError, match=message) as error:
        meshutil.load_obj(str(path))
    assert f"{path}, line 5: {line!r}" in str(error.value)


def test_load_obj_without_faces():
    with pytest.raises(ValueError, match="no faces"):
        meshutil.load_obj(io.StringIO("v 0 0 0\n"))


def test_normalize_mesh_centres_and_scales_a_copy():
    mesh = {"position": np.array([[0, 0, 0], [2, 4, 6]], np.float32), "uv": np.zeros((2, 2))}
    normalized = meshutil.normalize_mesh(mesh)
    np.testing.assert_allclose(normalized["position"], [[-1 / 3, -2 / 3, -1], [1 / 3, 2 / 3, 1]])
    np.testing.assert_array_equal(mesh["position"], [[0, 0, 0], [2, 4, 6]])  # input untouched
    assert normalized["uv"] is mesh["uv"]
    with pytest.raises(ValueError, match="expected"):
        meshutil.normalize_mesh({"position": np.zeros((0, 3))})
