"""lucid.misc.gl.glrenderer.MeshRenderer: renders known meshes and checks the pixels.

The camera sits at ``(0, 0, 5)`` looking at the origin with ``fovy = 10`` degrees, so the
visible part of the ``z = 0`` plane is ``|x| < 5 tan(5 deg) * aspect``, ``|y| < 5 tan(5 deg)``
(about 0.58 x 0.44): a quad spanning ``[-1, 1]^2`` fills the screen, and the uv of each pixel
centre can be computed by hand.
"""

import io
import threading

import numpy as np
import pytest

from lucid.misc.gl import meshutil

WIDTH, HEIGHT, DISTANCE = 32, 24, 5.0
QUAD_POSITION = np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]], np.float32)
QUAD_UV = (QUAD_POSITION[:, :2] + 1) / 2
QUAD_FACE = np.array([0, 1, 2, 0, 2, 3], np.uint32)
CLEAR = (0.25, 0.5, 0.75, 0.0)


@pytest.fixture(scope="module")
def renderer(gl_context):
    from lucid.misc.gl import glrenderer

    return glrenderer.MeshRenderer((WIDTH, HEIGHT))


@pytest.fixture(scope="module")
def view():
    return meshutil.lookat([0, 0, DISTANCE])


def _pixel_centres_on_plane():
    """``(x, y)``, each ``[HEIGHT, WIDTH]``: where each pixel centre's ray meets ``z = 0``."""
    half_height = DISTANCE * np.tan(np.radians(10.0) / 2)
    x_ndc = (np.arange(WIDTH) + 0.5) / WIDTH * 2 - 1
    y_ndc = 1 - (np.arange(HEIGHT) + 0.5) / HEIGHT * 2  # row 0 is the top
    return np.meshgrid(x_ndc * half_height * WIDTH / HEIGHT, y_ndc * half_height)


def test_full_screen_quad_gives_the_uv_of_each_pixel(renderer, view):
    image = renderer.render_mesh(QUAD_POSITION, QUAD_UV, QUAD_FACE, CLEAR, view)
    assert image.shape == (HEIGHT, WIDTH, 4) and image.dtype == np.float32
    x, y = _pixel_centres_on_plane()
    expected = np.stack([(x + 1) / 2, (y + 1) / 2, np.zeros_like(x), np.ones_like(x)], -1)
    np.testing.assert_allclose(image, expected, atol=1e-4)
    # Orientation: u grows to the right, v grows upwards (row 0 is the top of the image).
    assert image[0, 0, 0] < image[0, -1, 0] and image[0, 0, 1] > image[-1, 0, 1]


def test_triangle_covers_exactly_the_pixels_inside_it(renderer, view):
    # The edge x + y = 0.01 passes between pixel centres.
    position = np.array([[-1, -1, 0], [1.01, -1, 0], [-1, 1.01, 0]], np.float32)
    image = renderer.render_mesh(
        position, (position[:, :2] + 1) / 2, clear_color=CLEAR, modelview=view
    )
    x, y = _pixel_centres_on_plane()
    inside = x + y < 0.01
    assert 0.3 < inside.mean() < 0.7
    np.testing.assert_array_equal(image[..., 3], inside.astype(np.float32))
    np.testing.assert_array_equal(image[~inside], np.broadcast_to(CLEAR, ((~inside).sum(), 4)))
    np.testing.assert_allclose(image[inside][:, 0], (x[inside] + 1) / 2, atol=1e-4)
    assert image[-1, 0, 3] == 1.0 and image[0, -1, 3] == 0.0  # bottom-left in, top-right out


def test_indexed_drawing_equals_array_drawing(renderer, view):
    indexed = renderer.render_mesh(QUAD_POSITION, QUAD_UV, QUAD_FACE, modelview=view)
    arrays = renderer.render_mesh(QUAD_POSITION[QUAD_FACE], QUAD_UV[QUAD_FACE], modelview=view)
    as_rows = renderer.render_mesh(QUAD_POSITION, QUAD_UV, QUAD_FACE.reshape(2, 3), modelview=view)
    np.testing.assert_array_equal(indexed, arrays)
    np.testing.assert_array_equal(indexed, as_rows)


def test_nearest_triangle_wins_whatever_the_drawing_order(renderer, view):
    near = QUAD_POSITION + [0, 0, 0.5]
    near_data = np.tile([[0.1, 0.2, 0.3, 0.4]], (4, 1))  # 4 components pass through as is
    far_data = np.tile([[0.9, 0.8, 0.7, 0.6]], (4, 1))
    for position, data in (
        (np.concatenate([near, QUAD_POSITION]), np.concatenate([near_data, far_data])),
        (np.concatenate([QUAD_POSITION, near]), np.concatenate([far_data, near_data])),
    ):
        face = np.concatenate([QUAD_FACE, QUAD_FACE + 4])
        image = renderer.render_mesh(position, data, face, modelview=view)
        np.testing.assert_allclose(image, np.broadcast_to(near_data[0], image.shape), atol=1e-6)


def test_missing_components_default_to_0_0_1(renderer, view):
    image = renderer.render_mesh(QUAD_POSITION, np.full((4, 1), 0.5), QUAD_FACE, modelview=view)
    np.testing.assert_allclose(image, np.broadcast_to([0.5, 0, 0, 1], image.shape), atol=1e-6)


def test_a_loaded_mesh_with_normals_renders_with_double_star(renderer, view):
    obj = "v -1 -1 0\nv 1 -1 0\nv 1 1 0\nv -1 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\nvn 0 0 1\n"
    mesh = meshutil.load_obj(io.StringIO(obj + "f 1/1/1 2/2/1 3/3/1 4/4/1\n"))
    assert "normal" in mesh
    image = renderer.render_mesh(modelview=view, **mesh)
    expected = renderer.render_mesh(QUAD_POSITION, QUAD_UV, QUAD_FACE, modelview=view)
    np.testing.assert_array_equal(image, expected)


def test_projection_is_lucids(renderer):
    assert (renderer.fovy, renderer.znear, renderer.zfar) == (10.0, 0.01, 100.0)
    np.testing.assert_array_equal(
        renderer.proj_matrix(), meshutil.perspective(10.0, WIDTH / HEIGHT, 0.01, 100.0)
    )


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(position=np.zeros((4, 2)), uv=np.zeros((4, 2))), r"position must be an \[n, k\]"),
        (dict(position=QUAD_POSITION, uv=np.zeros((3, 2))), "uv has 3 rows but position has 4"),
        (dict(position=QUAD_POSITION, uv=QUAD_UV, face=[0, 1, 4]), r"in \[0, 4\)"),
        (dict(position=QUAD_POSITION, uv=QUAD_UV, face=[0.0, 1.0, 2.0]), "integer vertex indices"),
        (dict(position=QUAD_POSITION, uv=QUAD_UV, face=[0, 1]), "three per triangle"),
        (dict(position=QUAD_POSITION, uv=QUAD_UV, modelview=np.eye(3)), "4x4"),
        (dict(position=QUAD_POSITION, uv=QUAD_UV, clear_color=(0, 0, 0)), "4 values"),
    ],
)
def test_render_mesh_rejects_bad_input(renderer, arguments, message):
    with pytest.raises(ValueError, match=message):
        renderer.render_mesh(**arguments)


def test_mesh_renderer_needs_a_current_context(gl_context):
    from lucid.misc.gl import glrenderer

    errors = []

    def make_renderer():  # EGL contexts are per thread: a new thread has none
        try:
            glrenderer.MeshRenderer((8, 8))
        except RuntimeError as error:
            errors.append(error)

    thread = threading.Thread(target=make_renderer)
    thread.start()
    thread.join()
    assert len(errors) == 1 and "create_opengl_context()" in str(errors[0])
    with pytest.raises(ValueError, match="two positive ints"):
        glrenderer.MeshRenderer((0, 8))
