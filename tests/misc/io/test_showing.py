"""show() and friends: files outside a notebook, HTML inside one."""

import base64
import io
import os
import re
import sys

import numpy as np
import PIL.Image
import pytest

from lucid.misc.io import showing


def shown_files(tmp_path, ext="png"):
    directory = tmp_path / "show"
    return sorted(directory.glob(f"*.{ext}"), key=os.path.getmtime) if directory.exists() else []


@pytest.fixture
def no_ipython(monkeypatch):
    """Behave as if IPython were not installed at all."""
    monkeypatch.setitem(sys.modules, "IPython", None)


@pytest.fixture
def notebook(monkeypatch):
    """Pretend to run in a notebook; collect the HTML that would be displayed."""
    import IPython.display

    displayed = []
    monkeypatch.setattr(showing, "is_notebook_environment", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj: displayed.append(obj.data))
    return displayed


def test_show_without_ipython_writes_png_and_prints_summary(tmp_path, capsys, no_ipython):
    img = np.zeros((4, 6, 3), np.float32)
    img[:, :3] = 1.0
    showing.show(img)
    (path,) = shown_files(tmp_path)
    out = capsys.readouterr().out
    assert str(path) in out
    assert "float32 array of shape (4, 6, 3), values in [0, 1]" in out
    pixels = np.asarray(PIL.Image.open(path))
    np.testing.assert_array_equal(pixels[:, :3], 255)
    np.testing.assert_array_equal(pixels[:, 3:], 0)


def test_show_rank_4_and_lists_write_one_file_per_image(tmp_path, capsys, no_ipython):
    showing.show(np.zeros((3, 2, 2, 3)))
    showing.show([np.ones((2, 2)), np.ones((2, 2))], labels=["a", "b"])
    assert len(shown_files(tmp_path)) == 5
    assert "image b:" in capsys.readouterr().out


def test_show_collapses_many_channels_to_rgb(tmp_path, no_ipython):
    showing.show(np.random.RandomState(0).rand(4, 4, 6), domain=None)
    (path,) = shown_files(tmp_path)
    assert PIL.Image.open(path).mode == "RGB"


def test_show_prints_repr_of_unsupported_things(capsys, no_ipython):
    showing.show(np.arange(3))
    showing.show("text")
    assert capsys.readouterr().out == "array([0, 1, 2])\n'text'\n"


def test_images_checks_label_count(no_ipython):
    with pytest.raises(ValueError, match="1 labels for 2 images"):
        showing.images([np.zeros((2, 2))] * 2, labels=["only one"])


def test_image_url_is_a_png_data_url():
    url = showing._image_url(np.array([[0.0, 1.0]]))
    prefix = "data:image/PNG;base64,"
    assert url.startswith(prefix)
    decoded = np.asarray(PIL.Image.open(io.BytesIO(base64.b64decode(url[len(prefix) :]))))
    np.testing.assert_array_equal(decoded, [[0, 255]])
    with pytest.raises(ValueError, match="mode='url'"):
        showing._image_url(np.zeros((2, 2)), mode="url")


def test_image_html_width():
    html = showing._image_html(np.zeros((2, 2)), w=40)
    assert html.startswith('<img src="data:image/PNG;base64,') and "width: 40px;" in html


def test_show_in_notebook_displays_html(notebook, tmp_path):
    showing.show(np.ones((2, 2, 3)), w=10)
    showing.show(np.ones((2, 2, 2, 3)), labels=["x", "y"])
    assert len(notebook) == 2
    assert notebook[0].count("<img") == 1 and "width: 10px;" in notebook[0]
    assert notebook[1].count("<img") == 2 and "x <br/>" in notebook[1]
    assert shown_files(tmp_path) == []


def test_graph_strips_large_constants_into_html_file(tmp_path, no_ipython):
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default() as graph:
        tf.constant(np.zeros(100, np.float32), name="big")
        tf.constant(np.zeros(2, np.float32), name="small")
    stripped = showing._strip_consts(graph.as_graph_def())
    contents = {n.name: n.attr["value"].tensor.tensor_content for n in stripped.node}
    assert contents == {"big": b"<stripped 400 bytes>", "small": bytes(8)}
    showing.graph(graph)
    (path,) = shown_files(tmp_path, "html")
    html = path.read_text()
    assert html.startswith("<iframe") and "tensor_content: &quot;<stripped 400 bytes>&quot;" in html


def test_textured_mesh_embeds_buffers(notebook):
    mesh = {
        "position": np.zeros((3, 3), np.float32),
        "uv": np.zeros((3, 2), np.float32),
        "face": np.array([[0, 1, 2]]),
    }
    showing.textured_mesh(mesh, np.ones((4, 4, 3)))
    (html,) = notebook
    assert "new Uint32Array(buf.buffer)" in html and "data:image/JPEG;base64," in html
    assert re.search(r"scene.background = new THREE.Color\(0xffffff\)", html)


# --- Lucid's contract: IPython.display whenever IPython is importable ---------------------

MESH = {
    "position": np.float32([[-1, -1, 0], [1, -1, 0], [-1, 1, 0]]),
    "uv": np.float32([[0, 0], [1, 0], [0, 1]]),
    "face": np.int32([0, 1, 2]),
}


@pytest.fixture
def ipython_calls(monkeypatch):
    """Replaces IPython.display.HTML and display (as Lucid's tests mock them); records calls."""
    import IPython.display

    calls = {"HTML": [], "display": []}
    real_html = IPython.display.HTML

    def fake_html(data):
        calls["HTML"].append(data)
        return real_html(data)

    monkeypatch.setattr(IPython.display, "HTML", fake_html)
    monkeypatch.setattr(IPython.display, "display", lambda obj: calls["display"].append(obj))
    return calls


@pytest.mark.parametrize(
    "show_f, n_files, ext",
    [
        (lambda: showing.image(np.eye(10)), 1, "png"),
        (lambda: showing.images([np.eye(10), np.eye(10)]), 2, "png"),
        (lambda: showing.show(np.ones((2, 4, 4, 3))), 2, "png"),
        (lambda: showing.textured_mesh(MESH, np.ones((16, 16, 3), np.float32)), 1, "html"),
    ],
)
def test_outside_a_notebook_ipython_display_gets_html_and_a_file_line(
    ipython_calls, tmp_path, show_f, n_files, ext
):
    show_f()
    assert len(ipython_calls["HTML"]) == 1 and len(ipython_calls["display"]) == 1
    assert "<img" in ipython_calls["HTML"][0] or "THREE.Mesh" in ipython_calls["HTML"][0]
    (shown,) = ipython_calls["display"]
    assert shown._repr_html_() == ipython_calls["HTML"][0]
    files = shown_files(tmp_path, ext)
    assert len(files) == n_files
    assert all(str(path) in repr(shown) for path in files)


def test_in_a_notebook_ipython_display_gets_only_html(ipython_calls, monkeypatch, tmp_path):
    monkeypatch.setattr(showing, "is_notebook_environment", lambda: True)
    showing.image(np.eye(10))
    showing.textured_mesh(MESH, np.ones((16, 16, 3), np.float32))
    assert len(ipython_calls["HTML"]) == 2
    assert [obj.data for obj in ipython_calls["display"]] == ipython_calls["HTML"]
    assert shown_files(tmp_path) == [] and shown_files(tmp_path, "html") == []


def test_outside_a_notebook_real_display_prints_the_file_line(tmp_path, capsys):
    # IPython installed, but no IPython shell running (a plain script): display() prints text.
    showing.image(np.eye(4))
    (path,) = shown_files(tmp_path)
    assert capsys.readouterr().out == (
        f"image: float64 array of shape (4, 4), values in [0, 1] -> {path}\n"
    )


def test_textured_mesh_without_ipython_writes_html_file(tmp_path, capsys, no_ipython):
    showing.textured_mesh(MESH, np.ones((16, 16, 3), np.float32))
    (path,) = shown_files(tmp_path, "html")
    assert capsys.readouterr().out == f"HTML output (not in a notebook) -> {path}\n"
    assert "THREE.Mesh" in path.read_text()
