"""load(): every format, round-tripped through save() or written by hand, in tmp_path."""

import io
import json
import lzma
import os

import numpy as np
import PIL.Image
import pytest

from lucid.misc.io import reading
from lucid.misc.io.loading import _load_img
from lucid.misc.io.loading import is_handle
from lucid.misc.io.loading import load
from lucid.misc.io.saving import save
from lucid.misc.io.scoping import io_scope


def exact_image(shape):
    """Float image whose values are k/255, so an 8-bit round trip is exact."""
    return (np.arange(np.prod(shape)) % 256).reshape(shape).astype(np.float32) / 255


def test_png_round_trip_is_exact(tmp_path):
    img = exact_image((4, 5, 3))
    save(img, str(tmp_path / "img.png"), domain=(0, 1))
    loaded = load(str(tmp_path / "img.png"))
    assert loaded.dtype == np.float32 and loaded.shape == (4, 5, 3)
    np.testing.assert_array_equal(loaded, img)


def test_extension_is_case_insensitive(tmp_path):
    img = exact_image((2, 2, 3))
    PIL.Image.fromarray((img * 255).astype(np.uint8)).save(tmp_path / "IMG.PNG", format="png")
    np.testing.assert_array_equal(load(str(tmp_path / "IMG.PNG")), img)


def test_rgba_png_keeps_alpha(tmp_path):
    img = exact_image((3, 3, 4))
    save(img, str(tmp_path / "a.png"), domain=(0, 1))
    np.testing.assert_array_equal(load(str(tmp_path / "a.png")), img)


def test_greyscale_png_becomes_three_equal_channels(tmp_path):
    grey = np.array([[0, 51], [102, 255]], dtype=np.uint8)
    PIL.Image.fromarray(grey).save(tmp_path / "g.png")
    loaded = load(str(tmp_path / "g.png"))
    assert loaded.shape == (2, 2, 3)
    for channel in range(3):
        np.testing.assert_array_equal(loaded[..., channel], grey / np.float32(255))


def test_palette_and_16_bit_pngs(tmp_path):
    rgb = np.array([[[255, 0, 0], [0, 0, 255]]], dtype=np.uint8)
    PIL.Image.fromarray(rgb).convert("P").save(tmp_path / "p.png")
    np.testing.assert_array_equal(load(str(tmp_path / "p.png")), rgb / np.float32(255))
    deep = np.array([[0, 65535], [32768, 1]], dtype=np.uint16)
    PIL.Image.fromarray(deep).save(tmp_path / "d.png")
    np.testing.assert_allclose(load(str(tmp_path / "d.png"))[..., 0], deep / 65535, rtol=1e-6)


def test_jpeg_round_trip_is_close(tmp_path):
    img = np.full((8, 8, 3), 0.5, np.float32)
    save(img, str(tmp_path / "img.jpg"), domain=(0, 1), quality=95)
    np.testing.assert_allclose(load(str(tmp_path / "img.jpg")), img, atol=0.02)


def test_load_img_resize_and_dtype():
    buffer = io.BytesIO()
    PIL.Image.fromarray(np.full((4, 6, 3), 255, np.uint8)).save(buffer, format="png")
    buffer.seek(0)
    out = _load_img(buffer, target_dtype=np.float64, size=(3, 2))
    assert out.shape == (2, 3, 3) and out.dtype == np.float64
    np.testing.assert_allclose(out, 1.0)


def test_npy_and_npz_round_trip(tmp_path):
    array = np.arange(6, dtype=np.int16).reshape(2, 3)
    save(array, str(tmp_path / "a.npy"))
    loaded = load(str(tmp_path / "a.npy"))
    assert loaded.dtype == np.int16
    np.testing.assert_array_equal(loaded, array)
    save({"x": array, "y": np.ones(2)}, str(tmp_path / "d.npz"))
    archive = load(str(tmp_path / "d.npz"))
    np.testing.assert_array_equal(archive["x"], array)  # usable after the handle closed
    np.testing.assert_array_equal(archive["y"], np.ones(2))
    save([array, array * 2], str(tmp_path / "l.npz"))
    np.testing.assert_array_equal(load(str(tmp_path / "l.npz"))["arr_1"], array * 2)


def test_npy_never_unpickles_object_arrays(tmp_path):
    path = tmp_path / "objects.npy"
    np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="allow_pickle"):
        load(str(path))
    with pytest.raises(TypeError, match="never unpickles"):
        load(str(path), allow_pickle=True)


def test_json_txt_md(tmp_path):
    save({"a": [1, 2], "b": "c"}, str(tmp_path / "x.json"))
    assert load(str(tmp_path / "x.json")) == {"a": [1, 2], "b": "c"}
    save(["one", "two"], str(tmp_path / "x.txt"))
    assert load(str(tmp_path / "x.txt")) == "one\ntwo\n"
    assert load(str(tmp_path / "x.txt"), split=True) == ["one", "two"]
    (tmp_path / "r.md").write_bytes("# Tïtle".encode())
    assert load(str(tmp_path / "r.md")) == "# Tïtle"


def test_pb_loads_a_graphdef(tmp_path):
    import tensorflow.compat.v1 as tf

    with tf.Graph().as_default() as graph:
        tf.constant(3.0, name="three")
    save(graph.as_graph_def(), str(tmp_path / "g.pb"))
    graph_def = load(str(tmp_path / "g.pb"))
    assert isinstance(graph_def, tf.GraphDef)
    assert [node.name for node in graph_def.node] == ["three"]


def test_pickle_needs_allow_unsafe_formats(tmp_path):
    save({"k": (1, 2)}, str(tmp_path / "o.pkl"), allow_unsafe_formats=True)
    with pytest.raises(ValueError, match="allow_unsafe_formats=True"):
        load(str(tmp_path / "o.pkl"))
    assert load(str(tmp_path / "o.pkl"), allow_unsafe_formats=True) == {"k": (1, 2)}


def test_xz_compressed_json(tmp_path):
    (tmp_path / "c.json.xz").write_bytes(lzma.compress(json.dumps([1, 2, 3]).encode()))
    assert load(str(tmp_path / "c.json.xz")) == [1, 2, 3]
    save({"z": 1}, str(tmp_path / "s.json.xz"))
    assert json.loads(lzma.decompress((tmp_path / "s.json.xz").read_bytes())) == {"z": 1}
    assert load(str(tmp_path / "s.json.xz")) == {"z": 1}


def test_unknown_extension_is_tried_as_an_image(tmp_path):
    img = exact_image((2, 3, 3))
    save(img, str(tmp_path / "img.png"), domain=(0, 1))
    os.rename(tmp_path / "img.png", tmp_path / "img.unknown")
    np.testing.assert_array_equal(load(str(tmp_path / "img.unknown")), img)
    (tmp_path / "notes.unknown").write_text("not an image")
    with pytest.raises(RuntimeError, match="Supported extensions"):
        load(str(tmp_path / "notes.unknown"))


def test_no_extension_raises(tmp_path):
    with pytest.raises(RuntimeError, match="no file extension"):
        load(str(tmp_path / "README"))


def test_load_from_handle():
    buffer = io.BytesIO(b'{"a": 1}')
    buffer.name = "x.json"
    assert is_handle(buffer) and not is_handle("x.json")
    assert load(buffer) == {"a": 1}


def test_relative_path_inside_io_scope(tmp_path):
    save([1], str(tmp_path / "run" / "v.json"))
    with io_scope(str(tmp_path)):
        assert load("run/v.json") == [1]


def test_relative_io_scope_is_applied_once(tmp_path, monkeypatch):
    # Lucid's test: save and load of "a.txt" inside a relative io_scope meet at scope/a.txt
    # (not scope/scope/a.txt).
    monkeypatch.chdir(tmp_path)
    with io_scope("rel"):
        save("text", "a.txt")
        assert load("a.txt") == "text"
        assert load(["a.txt"]) == ["text"]
    assert (tmp_path / "rel" / "a.txt").read_text() == "text"
    assert not (tmp_path / "rel" / "rel").exists()


def test_list_is_loaded_in_order_with_errors_in_place(tmp_path):
    for i in range(10):
        save({"i": i}, str(tmp_path / f"{i}.json"))
    with io_scope(str(tmp_path)):
        results = load([f"{i}.json" for i in range(10)] + ["missing.json"])
    assert results[:10] == [{"i": i} for i in range(10)]
    assert isinstance(results[10], FileNotFoundError)
    assert load([]) == []


def test_remote_json_with_query_string_is_cached(http_server):
    (http_server.root / "d.json").write_text('{"remote": true}')
    url = http_server.url + "d.json?alt=media"
    assert load(url) == {"remote": True}
    assert load(url) == {"remote": True}
    assert http_server.requests("d.json") == 1


def test_corrupt_cached_copy_is_purged_and_downloaded_once_more(http_server):
    (http_server.root / "d.json").write_text('{"good": 1}')
    url = http_server.url + "d.json"
    with open(reading.local_cache_path(url), "w") as f:
        f.write("{not json")
    assert load(url) == {"good": 1}
    assert http_server.requests("d.json") == 1


def test_pathlib_paths_are_accepted(tmp_path):
    save({"p": 1}, tmp_path / "p.json")
    assert load(tmp_path / "p.json") == {"p": 1}
