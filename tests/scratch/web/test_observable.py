"""lucid.scratch.web.observable: the HTML that embeds an Observable notebook, offline."""

import re
import shutil
import socket
import subprocess

import numpy as np
import pytest
from IPython.display import HTML

from lucid.scratch.web import observable
from tests.scratch.web.conftest import skip_or_fail

DIV_ID = re.compile(r'<div id="(observable_[0-9a-f]{32})">')


def _script(html):
    return re.search(r'<script type="module">\n(.*)</script>$', html, re.DOTALL).group(1)


def test_each_call_has_its_own_div(displayed, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("renderObservable must not use the network from Python")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert observable.renderObservable("@user/notebook", cells=["chart"]) is None
    observable.renderObservable("@user/notebook")
    [first, second] = [obj.data for obj in displayed if isinstance(obj, HTML)]
    first_id, second_id = DIV_ID.search(first).group(1), DIV_ID.search(second).group(1)
    assert first_id != second_id
    assert f'document.getElementById("{first_id}")' in first
    assert 'import define from "https://api.observablehq.com/@user/notebook.js?v=4";' in first
    assert '<a href="https://observablehq.com/@user/notebook"' in first
    assert 'const cells = ["chart"];' in first and "const cells = null;" in second


def test_full_url_and_data_are_embedded_safely():
    data = {"size": np.int64(3), "label": "</script><b>", "viewof k": np.array([1.5])}
    html = observable.observable_html("https://observablehq.com/d/0123456789abcdef", data=data)
    assert "https://api.observablehq.com/d/0123456789abcdef.js?v=4" in html
    assert '"size": 3, "label": "\\u003c/script\\u003e\\u003cb\\u003e", "viewof k": [1.5]' in html
    assert html.count("</script>") == 1


@pytest.mark.parametrize(
    "url", ['@user/nb"></script>', "javascript:alert(1)", "https://example.com/@a/b", "@a"]
)
def test_a_url_that_is_not_a_notebook_is_refused(url):
    with pytest.raises(ValueError, match="is not an Observable notebook"):
        observable.observable_html(url)


@pytest.mark.parametrize(
    "cells, data, error",
    [
        ("chart", None, TypeError),  # a string, not a list of names
        (["chart", 3], None, TypeError),
        (["chart); alert(1"], None, ValueError),
        (None, {"x-y": 1}, ValueError),
        (None, {"x": object()}, TypeError),
        (None, [("x", 1)], TypeError),
    ],
)
def test_bad_cells_or_data_are_refused(cells, data, error):
    with pytest.raises(error):
        observable.observable_html("@user/notebook", cells=cells, data=data)


def test_the_module_script_parses(tmp_path):
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node is not on PATH", ".ci/install-node-deps")
    html = observable.observable_html("@user/notebook", ["a", "viewof b"], {"c": [1, 2]})
    module = tmp_path / "embed.mjs"
    module.write_text(_script(html))
    result = subprocess.run([node, "--check", str(module)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
