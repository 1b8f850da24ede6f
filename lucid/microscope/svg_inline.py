"""Inline SVG for a page: an SVG file reduced to drawing elements and relative links.

The architecture diagram is inlined into the model page so that its nodes' links work (an
``<img>`` SVG can't be clicked through). The file is the library's own output, but names
in it come from model files, so it is parsed and rebuilt from an allow-list instead of
pasted: only drawing elements, no scripts, no ``foreignObject``, no event attributes, and
links only to relative paths. Text is re-escaped on the way out. Anything that does not
parse gives ``""`` (no diagram) rather than raw text.
"""

import re
import xml.etree.ElementTree as ElementTree
from typing import Collection
from typing import Optional

from lucid.microscope.pages_common import esc

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_ELEMENTS = {
    "svg", "g", "a", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path",
    "text", "tspan", "title", "desc", "defs", "marker", "style",
}  # fmt: skip
_ATTRIBUTES = {
    "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx",
    "ry", "d", "points", "fill", "stroke", "stroke-width", "stroke-dasharray", "opacity",
    "fill-opacity", "font-size", "font-family", "font-weight", "text-anchor",
    "dominant-baseline", "transform", "class", "id", "markerWidth", "markerHeight", "refX",
    "refY", "orient", "marker-end", "marker-start", "role", "aria-label", "preserveAspectRatio",
}  # fmt: skip
_SAFE_LINK = re.compile(r"[A-Za-z0-9._~%/-]+(#[A-Za-z0-9._-]*)?")
_UNSAFE_STYLE = re.compile(r"url\s*\(|@import|expression|javascript", re.IGNORECASE)


def inline_svg(text: str, links: Optional[Collection[str]] = None) -> str:
    """``text`` (an SVG document) as allow-listed inline SVG markup, or ``""`` if it won't parse.

    Args:
      text: the SVG document.
      links: the link targets to keep (e.g. the pages that exist); None keeps every
        relative link. A dropped link leaves its drawing, unlinked.
    """
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return ""
    if _local(root.tag) != "svg":
        return ""
    return _element(root, links)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _safe_link(value, links) -> bool:
    if not _SAFE_LINK.fullmatch(value) or value.startswith("/") or "//" in value:
        return False
    return links is None or value in links


def _element(node, links) -> str:
    tag = _local(node.tag)
    if tag not in _ELEMENTS:
        return esc(node.tail or "")
    attributes = {}
    for name, value in node.attrib.items():
        local = _local(name)
        if local == "href":  # href and xlink:href: one plain href is enough inline
            if _safe_link(value, links):
                attributes["href"] = f'href="{esc(value)}"'
        elif local in _ATTRIBUTES:
            attributes[local] = f'{local}="{esc(value)}"'
    attributes = list(attributes.values())
    if tag == "svg":
        attributes.insert(0, f'xmlns="{SVG_NS}"')
    if tag == "style":
        content = node.text or ""
        inner = "" if _UNSAFE_STYLE.search(content) else esc(content)
    else:
        inner = esc(node.text or "") + "".join(_element(child, links) for child in node)
    opening = " ".join([tag, *attributes])
    return f"<{opening}>{inner}</{tag}>" + esc(node.tail or "")
