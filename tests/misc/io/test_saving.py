"""save(), its savers, CaptureSaveContext, ClarityJSONEncoder and batch_save."""

import io
import json
import threading

import numpy as np
import PIL.Image
import pytest

from lucid.misc.io.saving import CaptureSaveContext
from lucid.misc.io.saving import ClarityJSONEncoder
from lucid.misc.io.saving import batch_save
from lucid.misc.io.saving import save
from lucid.misc.io.scoping import io_scope


def test_save_image_result_and_pixels(tmp_path):
    path = str(tmp_path / "sub" / "img.png")
    result = save(np.array([[[0.0, 0.5, 1.0]]]), path, domain=(0, 1))
    assert result == {"type": "image", "shape": (1, 1, 3), "url": path}
    np.testing.assert_array_equal(np.asarray(PIL.Image.open(path)), [[[0, 128, 255]]])


def test_save_image_domain_none_stretches_min_to_max(tmp_path):
    save(np.array([[2.0, 4.0]]), str(tmp_path / "g.png"))
    np.testing.assert_array_equal(np.asarray(PIL.Image.open(tmp_path / "g.png")), [[0, 255]])


def test_save_pil_image_and_webp(tmp_path):
    image = PIL.Image.new("RGB", (3, 2), (10, 20, 30))
    assert save(image, str(tmp_path / "p.webp"), lossless=True)["shape"] == (3, 2, 3)
    np.testing.assert_array_equal(
        np.asarray(PIL.Image.open(tmp_path / "p.webp"))[0, 0], [10, 20, 30]
    )


def test_save_npy_result(tmp_path):
    result = save(np.zeros((2, 3), np.float32), str(tmp_path / "z.npy"))
    assert result == {
        "type": "npy",
        "shape": (2, 3),
        "dtype": "float32",
        "url": str(tmp_path / "z.npy"),
    }


def test_save_json_uses_clarity_encoder(tmp_path):
    save({"a": np.int64(3), "b": np.arange(2), "c": {1}}, str(tmp_path / "x.json"))
    assert json.loads((tmp_path / "x.json").read_text()) == {"a": 3, "b": [0, 1], "c": [1]}


def test_clarity_json_encoder_exact_output():
    class WithJson:
        def to_json(self):
            return "custom"

    thing = {
        "f": np.float32(0.5),
        "i": np.uint8(7),
        "t": (1, 2),
        "s": {3},
        "a": np.array([[1, 2]]),
        "o": WithJson(),
        "b": np.bool_(True),
    }
    assert json.dumps(thing, cls=ClarityJSONEncoder, sort_keys=True) == (
        '{"a": [[1, 2]], "b": true, "f": 0.5, "i": 7, "o": "custom", "s": [3], "t": [1, 2]}'
    )
    with pytest.raises(TypeError):
        json.dumps(object(), cls=ClarityJSONEncoder)


def test_save_txt_str_and_lines(tmp_path):
    save("abc", str(tmp_path / "a.txt"))
    assert (tmp_path / "a.txt").read_text() == "abc"
    save(["x", "y\n", 3], str(tmp_path / "b.txt"))
    assert (tmp_path / "b.txt").read_text() == "x\ny\n3\n"


def test_unknown_extension_saves_strings_only(tmp_path):
    assert save("<p>hi</p>", str(tmp_path / "page.html"))["type"] == "txt"
    assert (tmp_path / "page.html").read_text() == "<p>hi</p>"
    with pytest.raises(ValueError, match="only a str can be saved"):
        save(np.zeros(2), str(tmp_path / "a.weird"))
    with pytest.raises(RuntimeError, match="no file extension"):
        save("x", str(tmp_path / "noext"))


def test_pickle_needs_allow_unsafe_formats(tmp_path):
    with pytest.raises(ValueError, match="allow_unsafe_formats=True"):
        save({"a": 1}, str(tmp_path / "x.pickle"))
    assert not (tmp_path / "x.pickle").exists()
    assert save({"a": 1}, str(tmp_path / "x.pickle"), allow_unsafe_formats=True)["type"] == "pickle"


def test_save_pb_rejects_non_protobuf(tmp_path):
    with pytest.raises(ValueError, match="protobuf"):
        save([1], str(tmp_path / "g.pb"))


def test_failed_save_leaves_existing_file_and_no_temp_files(tmp_path):
    (tmp_path / "x.json").write_text('"old"')
    with pytest.raises(TypeError):
        save({"bad": object()}, str(tmp_path / "x.json"))
    assert (tmp_path / "x.json").read_text() == '"old"'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def test_save_to_handle():
    buffer = io.BytesIO()
    buffer.name = "mem.json"
    assert save([1, 2], buffer) == {"type": "json", "url": "mem.json"}
    assert json.loads(buffer.getvalue()) == [1, 2]


def test_capture_save_context_nests_and_captures(tmp_path):
    with CaptureSaveContext() as outer:
        save("a", str(tmp_path / "a.txt"))
        with CaptureSaveContext() as inner:
            assert CaptureSaveContext.current_save_context() is inner
            save("b", str(tmp_path / "b.txt"))
        assert CaptureSaveContext.current_save_context() is outer
    assert CaptureSaveContext.current_save_context() is None
    assert [r["url"] for r in outer.captured_saves] == [str(tmp_path / "a.txt")]
    assert [r["url"] for r in inner.captured_saves] == [str(tmp_path / "b.txt")]


def test_explicit_save_context_wins(tmp_path):
    explicit = CaptureSaveContext()
    with CaptureSaveContext() as ambient:
        save("a", str(tmp_path / "a.txt"), save_context=explicit)
    assert len(explicit.captured_saves) == 1 and ambient.captured_saves == []


def test_batch_save_uses_caller_scopes_and_context(tmp_path):
    ops = [(np.full((2, 2), i, np.uint8), f"img{i}.png") for i in range(20)]
    ops.append(({"k": 1}, "meta.json", {"indent": None}))
    with io_scope(str(tmp_path)), CaptureSaveContext() as context:
        results = batch_save(ops, num_workers=4)
    assert [r["url"] for r in results] == [str(tmp_path / op[1]) for op in ops]
    assert len(context.captured_saves) == 21
    assert (tmp_path / "meta.json").read_text() == '{"k": 1}'
    np.testing.assert_array_equal(np.asarray(PIL.Image.open(tmp_path / "img7.png")), 7)
    assert threading.active_count() < 20  # the pool was shut down


def test_batch_save_rejects_malformed_ops():
    with pytest.raises(ValueError, match="save op"):
        batch_save([("only one",)])


def test_batch_save_reraises_failures(tmp_path):
    with pytest.raises(ValueError, match="only a str"):
        batch_save([(np.zeros(1), str(tmp_path / "x.weird"))])


def test_save_relative_path_inside_io_scope_writes_under_the_scope(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with io_scope(str(tmp_path / "out")):
        result = save("hello", "relative/name.txt")
        with io_scope("nested"):
            save({"a": 1}, "meta.json")
    assert result["url"] == str(tmp_path / "out" / "relative" / "name.txt")
    assert (tmp_path / "out" / "relative" / "name.txt").read_text() == "hello"
    assert (tmp_path / "out" / "nested" / "meta.json").exists()
    with io_scope("rel_scope"):  # relative to the working directory, and applied once
        assert save("x", "sub/y.txt")["url"] == "rel_scope/sub/y.txt"
    assert (tmp_path / "rel_scope" / "sub" / "y.txt").read_text() == "x"
    assert not (tmp_path / "relative").exists()


def test_batch_save_relative_paths_inside_io_scope(tmp_path):
    ops = [(str(i), f"write_batch/{i}.txt") for i in range(5)]
    with io_scope(str(tmp_path)):
        batch_save(ops)
    assert [(tmp_path / "write_batch" / f"{i}.txt").read_text() for i in range(5)] == list("01234")
