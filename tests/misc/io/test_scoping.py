"""io_scope / scope_url, and sanitize."""

import threading

from lucid.misc.io.sanitizing import sanitize
from lucid.misc.io.scoping import current_io_scopes
from lucid.misc.io.scoping import io_scope
from lucid.misc.io.scoping import scope_url
from lucid.misc.io.scoping import set_io_scopes


def test_nested_scopes_join_and_normalize():
    with io_scope("gs://bucket/run"):
        assert scope_url("img.png") == "gs://bucket/run/img.png"
        with io_scope("sub"):
            assert scope_url("../x/./y.png") == "gs://bucket/run/x/y.png"
        assert current_io_scopes() == ["gs://bucket/run"]
    assert current_io_scopes() == []
    assert scope_url("img.png") == "img.png"


def test_absolute_urls_and_paths_are_not_scoped():
    with io_scope("/data"):
        assert scope_url("/abs/x") == "/abs/x"
        assert scope_url("https://host/x") == "https://host/x"
        assert scope_url("x") == "/data/x"


def test_replace_current_scopes_and_restore_on_error():
    with io_scope("/a"):
        try:
            with io_scope("/b", replace_current_scopes=True):
                assert scope_url("x") == "/b/x"
                raise KeyError
        except KeyError:
            pass
        assert scope_url("x") == "/a/x"


def test_explicit_scopes_argument_and_set_io_scopes():
    assert scope_url("x", io_scopes=["/p", "q"]) == "/p/q/x"
    set_io_scopes(["/s"])
    try:
        assert scope_url("x") == "/s/x"
    finally:
        set_io_scopes([])


def test_scopes_are_thread_local():
    seen = []
    with io_scope("/main"):
        thread = threading.Thread(target=lambda: seen.append(scope_url("x")))
        thread.start()
        thread.join()
    assert seen == ["x"]


def test_sanitize_replaces_slashes():
    assert sanitize("mixed4a/conv_3x3") == "mixed4a_conv_3x3"
