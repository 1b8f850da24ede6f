"""lucid.modelzoo.util: loading (local, mirror, local HTTP server), freezing, metadata, GraphDefHelper."""

import functools
import http.server
import os
import threading

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from lucid.modelzoo import util
from tests.toy_models import toy_graph_def


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_mirror(tmp_path, monkeypatch):
    """Serves tmp_path/mirror over HTTP as LUCID_MODELZOO_MIRROR, with a fresh cache dir."""
    root = tmp_path / "mirror"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LUCID_DOWNLOAD_ATTEMPTS", "1")
    monkeypatch.delenv("LUCID_OFFLINE", raising=False)
    yield root
    server.shutdown()
    server.server_close()
    thread.join()


def _graph_with_devices():
    graph_def = toy_graph_def()
    for node in graph_def.node:
        node.device = "/device:CPU:0"
    return graph_def


# -- load_graphdef -------------------------------------------------------------------------


def test_load_graphdef_from_local_path_clears_devices(tmp_path):
    path = tmp_path / "toy.pb"
    path.write_bytes(_graph_with_devices().SerializeToString())
    graph_def = util.load_graphdef(str(path))
    assert {node.name for node in graph_def.node} == {node.name for node in toy_graph_def().node}
    assert {node.device for node in graph_def.node} == {""}
    kept = util.load_graphdef(str(path), reset_device=False)
    assert {node.device for node in kept.node} == {"/device:CPU:0"}


@pytest.mark.parametrize("cache", ["a file", "under a file"])
def test_bundled_shapesnet_needs_no_usable_cache_directory(tmp_path, monkeypatch, cache):
    from lucid.modelzoo.vision_models import ShapesNet

    (tmp_path / "file").write_text("not a directory")
    path = tmp_path / "file" if cache == "a file" else tmp_path / "file" / "cache"
    monkeypatch.setenv("LUCID_CACHE_DIR", str(path))
    graph_def = util.load_graphdef(ShapesNet.model_path)
    assert {"input", "conv1_pre_relu"} <= {node.name for node in graph_def.node}


def test_download_into_an_unusable_cache_names_the_variable_and_path(
    http_mirror, tmp_path, monkeypatch
):
    from lucid.misc.io.reading import CacheDirectoryError

    (http_mirror / "g.pb").write_bytes(toy_graph_def().SerializeToString())
    (tmp_path / "cachefile").write_text("x")
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cachefile"))
    with pytest.raises(CacheDirectoryError, match="is a file, not a directory") as info:
        util.load_graphdef("gs://modelzoo/g.pb")
    assert f"LUCID_CACHE_DIR={tmp_path / 'cachefile'}" in str(info.value)


@pytest.mark.parametrize(
    "data", [b"\xff\xff\xff\xff not a protobuf", b""], ids=["garbage", "empty"]
)
def test_corrupt_local_graph_is_an_error_and_is_kept(tmp_path, data):
    path = tmp_path / "bad.pb"
    path.write_bytes(data)
    with pytest.raises(ValueError, match="is not a valid frozen GraphDef") as info:
        util.load_graphdef(str(path))
    assert str(path) in str(info.value)
    assert path.read_bytes() == data


def test_missing_local_graph_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pb"):
        util.load_graphdef(str(tmp_path / "missing.pb"))


def test_corrupt_download_is_purged_then_fetched_again(http_mirror):
    served = http_mirror / "vision" / "toy.pb"
    served.parent.mkdir()
    served.write_bytes(b"\xff\xff\xff\xff truncated")
    url = "gs://modelzoo/vision/toy.pb"
    with pytest.raises(ValueError, match="corrupt cached copy was deleted") as info:
        util.load_graphdef(url)
    assert url in str(info.value)
    cache_dir = os.environ["LUCID_CACHE_DIR"]
    assert os.listdir(cache_dir) == []  # no entry, record or lock file left

    served.write_bytes(toy_graph_def().SerializeToString())
    graph_def = util.load_graphdef(url)
    assert "const_pre_relu" in {node.name for node in graph_def.node}
    served.unlink()  # now served from the cache
    assert len(util.load_graphdef(url).node) == len(graph_def.node)


def test_corrupt_file_in_directory_mirror_is_never_deleted(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "vision").mkdir(parents=True)
    bad = mirror / "vision" / "bad.pb"
    bad.write_bytes(b"\xff\xff\xff\xff")
    monkeypatch.setenv("LUCID_MODELZOO_MIRROR", str(mirror))
    monkeypatch.setenv("LUCID_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(ValueError, match="not a valid frozen GraphDef"):
        util.load_graphdef("gs://modelzoo/vision/bad.pb")
    assert bad.exists()


def test_load_text_labels_local_and_remote(tmp_path, http_mirror):
    local = tmp_path / "labels.txt"
    local.write_text("dummy\nkit fox\n")
    assert util.load_text_labels(str(local)) == ["dummy", "kit fox"]
    (http_mirror / "labels").mkdir()
    (http_mirror / "labels" / "few.txt").write_text("a\nb\nc\n")
    assert util.load_text_labels("gs://modelzoo/labels/few.txt") == ["a", "b", "c"]


# -- forget_xy -----------------------------------------------------------------------------


def test_forget_xy_keeps_values_and_forgets_spatial_shape(graph):
    t = tf.constant(np.arange(24, dtype=np.float32).reshape([1, 2, 4, 3]))
    forgotten = util.forget_xy(t)
    assert forgotten.shape.as_list() == [1, None, None, 3]
    np.testing.assert_array_equal(graph.sess.run(forgotten), graph.sess.run(t))
    with pytest.raises(ValueError, match="rank-4"):
        util.forget_xy(tf.zeros([2, 4, 3]))


# -- metadata ------------------------------------------------------------------------------


def test_infuse_and_extract_metadata_round_trip():
    graph_def = toy_graph_def()
    assert util.extract_metadata(graph_def) is None
    info = {
        "input_name": "input",
        "image_shape": (8, 8, 3),
        "image_value_range": np.array([0.0, 1.0]),
    }
    util.infuse_metadata(graph_def, info)
    node = graph_def.node[-1]
    assert (node.name, node.op) == ("lucid_metadata_json", "Const")
    assert node.attr["dtype"].type == tf.string.as_datatype_enum
    expected = {"input_name": "input", "image_shape": [8, 8, 3], "image_value_range": [0.0, 1.0]}
    assert util.extract_metadata(graph_def) == expected
    util.infuse_metadata(graph_def, {"input_name": "other"})  # replaces, never duplicates
    assert util.extract_metadata(graph_def) == {"input_name": "other"}
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")  # still a valid graph


def test_extract_metadata_rejects_two_metadata_nodes():
    graph_def = toy_graph_def()
    util.infuse_metadata(graph_def, {"a": 1})
    graph_def.node.extend([graph_def.node[-1]])
    with pytest.raises(ValueError, match="2 nodes named 'lucid_metadata_json'"):
        util.extract_metadata(graph_def)


# -- GraphDefHelper ------------------------------------------------------------------------


def _chain_graph_def():
    """a -> b -> (c, d); d -> e; split outputs and a control edge."""
    with tf.Graph().as_default() as graph:
        a = tf.placeholder(tf.float32, [4], name="a")
        b = tf.identity(a, name="b")
        c, d = tf.split(b, 2, name="split")
        e = tf.identity(d, name="e")
        with tf.control_dependencies([e]):
            tf.identity(c, name="f")
    return graph.as_graph_def()


def test_graph_def_helper_indexes_and_neighborhood():
    helper = util.GraphDefHelper(_chain_graph_def())
    assert [node.name for node in helper.by_op["Placeholder"]] == ["a"]
    assert helper.by_name["e"].op == "Identity"
    assert {node.name for node in helper.by_input["split"]} == {"e", "f"}
    assert {node.name for node in helper.by_input["e"]} == {"f"}
    names = lambda nodes: {node.name for node in nodes}  # noqa: E731
    assert names(helper.neighborhood(helper.by_name["a"], degree=1)) == {"a", "b"}
    assert names(helper.neighborhood(helper.by_name["a"], degree=2)) == {"a", "b", "split"}
    assert names(helper.neighborhood(helper.by_name["e"], degree=1)) == {"e", "split", "f"}


def test_graph_def_helper_rejects_duplicate_names():
    graph_def = _chain_graph_def()
    graph_def.node.extend([graph_def.node[0]])
    with pytest.raises(ValueError, match="two nodes named 'a'"):
        util.GraphDefHelper(graph_def)


# -- frozen_default_graph_def ---------------------------------------------------------------


def test_frozen_default_graph_def_freezes_variables_and_prunes():
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.get_variable("w", initializer=np.array([[1.0], [-2.0]], np.float32))
        tf.matmul(x, w, name="out")
        tf.square(x, name="unused")
        sess.run(tf.global_variables_initializer())
        sess.run(w.assign([[3.0], [4.0]]))
        frozen = util.frozen_default_graph_def(["x"], ["out"])
    ops = {node.name: node.op for node in frozen.node}
    assert "unused" not in ops
    assert not {"VariableV2", "VarHandleOp", "AssignVariableOp"} & set(ops.values())
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.import_graph_def(frozen, name="")
        out = sess.run("out:0", {"x:0": [[1.0, 1.0]]})
    np.testing.assert_allclose(out, [[7.0]])


def test_frozen_default_graph_def_needs_session_and_graph():
    with tf.Graph().as_default():
        tf.placeholder(tf.float32, name="x")
        with pytest.raises(RuntimeError, match="default session"):
            util.frozen_default_graph_def(["x"], ["x"])
    with tf.Graph().as_default(), tf.Session():
        with pytest.raises(RuntimeError, match="default graph is empty"):
            util.frozen_default_graph_def(["x"], ["x"])
