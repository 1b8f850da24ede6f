"""Tests for lucid.scratch.pretty_graphs.visualizations (outside a notebook: HTML files)."""

import re
import xml.etree.ElementTree as ET

import pytest

from lucid.modelzoo.vision_models import ShapesNet
from lucid.scratch.pretty_graphs import visualizations
from tests.scratch.pretty_graphs.graphs import inception_model


def shown_html(capsys):
    """The HTML that _display_html wrote to a file (outside a notebook it prints the path)."""
    path = re.search(r"-> (\S+\.html)", capsys.readouterr().out).group(1)
    with open(path) as handle:
        return handle.read()


def svg_part(html):
    return ET.fromstring(html[: html.index("</svg>") + len("</svg>")])


def test_display_model(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LUCID_SHOW_DIR", str(tmp_path))
    visualizations.display_model(ShapesNet(), tooltips={"conv1": "<b>16 units</b>"})
    html = shown_html(capsys)
    assert len(svg_part(html).findall(".//{http://www.w3.org/2000/svg}g[@class='node']")) == 10
    assert visualizations.D3_URL in html  # loaded by the browser, not by Python
    assert "\\u003cb\\u003e16 units" in html  # tooltips are escaped JSON inside the script


def test_model_align(capsys):
    html = visualizations.model_align_html(ShapesNet(), inception_model(), {("conv1", "b1"): 0.25})
    root = svg_part(html)
    (path,) = root.findall("{http://www.w3.org/2000/svg}path")
    assert path.get("stroke-opacity") == "0.25"
    with pytest.raises(ValueError, match="weights must be in"):
        visualizations.model_align_html(ShapesNet(), ShapesNet(), {("conv1", "conv1"): 2})
    with pytest.raises(KeyError, match="'nope' is not drawn"):
        visualizations.model_align_html(ShapesNet(), ShapesNet(), {("nope", "conv1"): 1})


def test_tooltips_and_helpers(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LUCID_SHOW_DIR", str(tmp_path))
    visualizations.display_tooltips(".node", "data-name", {"a": "</script>"})
    html = shown_html(capsys)
    assert html.count("</script>") == 1  # only the real end of the script
    visualizations.vpad(30)
    assert "height:30px" in shown_html(capsys)
    assert visualizations.p((3, 4), dy=2) == "3,6"
    render = {"node_boxes": {"a": (1, 2, 3, 4)}}
    assert visualizations.get_box(render, "a") == (1, 2, 3, 4)
