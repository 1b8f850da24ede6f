"""Shared fixtures: tiny hand-weighted models (see tests/toy_models.py)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ banner out of test logs

import pytest  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

from tests.toy_models import toy_model as _toy_model  # noqa: E402


@pytest.fixture
def toy_model():
    """The hand-weighted toy model; see tests/toy_models.py for its exact activations."""
    return _toy_model()


@pytest.fixture
def graph():
    """A fresh default graph for the test, with a session on it as `graph.sess`."""
    with tf.Graph().as_default() as g, tf.Session(graph=g) as sess:
        g.sess = sess
        yield g


@pytest.fixture
def http_server(tmp_path):
    """A local HTTP server with fault injection; see tests/http_server.py.

    Yields a FaultyHTTPServer with `.url` (base URL, trailing slash), `.root` (a pathlib
    directory to put served files in), `.fault(path, kind, times=None, **params)` and
    `.requests(path) -> int`.
    """
    from tests.http_server import FaultyHTTPServer

    with FaultyHTTPServer(tmp_path / "http_root") as server:
        yield server
