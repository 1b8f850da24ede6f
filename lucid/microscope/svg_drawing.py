"""Static SVG of a laid-out graph of boxes: the drawing half of the architecture diagram.

Text is drawn in a monospace font, so a box's width follows from its longest line without
measuring fonts. Every string is XML-escaped (characters XML can't hold become U+FFFD); callers shorten
long labels with :func:`shorten` and give the full text as the box's ``<title>`` (the
tooltip). Numbers are written with one decimal, so the same layout
gives the same bytes.
"""

import dataclasses
import re
from typing import List
from typing import Optional
from typing import Sequence
from typing import Tuple
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr

from lucid.microscope import dag_layout

MAX_LABEL_CHARS = 32
CHAR_WIDTH = 7.2  # px per character of 12 px monospace
FONT_SIZE = 12
LINE_HEIGHT = 15
PADDING = 8
MIN_BOX_WIDTH = 64
BOX_HEIGHT = 2 * LINE_HEIGHT + PADDING

# kind -> (fill, stroke).
STYLES = {
    "layer": ("#e8f0fe", "#1a73e8"),
    "join": ("#fff3e0", "#e8710a"),
    "pool": ("#e6f4ea", "#188038"),
    "other": ("#f1f3f4", "#80868b"),
}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclasses.dataclass(frozen=True)
class Box:
    """One node as drawn: two lines of text, a style (a key of ``STYLES``), an optional link
    (relative URL) and a tooltip."""

    lines: Tuple[str, str]
    kind: str
    href: Optional[str]
    title: str

    @property
    def size(self) -> Tuple[float, float]:
        longest = max(len(line) for line in self.lines)
        return max(MIN_BOX_WIDTH, longest * CHAR_WIDTH + 2 * PADDING), BOX_HEIGHT


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``text``, or its first ``limit - 1`` characters and an ellipsis if it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def xml_text(text: str) -> str:
    """``text`` escaped for XML content, characters XML can't hold replaced by U+FFFD."""
    return escape(_NOT_XML.sub("\ufffd", text))


def xml_attribute(text: str) -> str:
    """``text`` as a quoted, escaped XML attribute value."""
    return quoteattr(_NOT_XML.sub("\ufffd", text))


def render(boxes: Sequence[Box], drawing: dag_layout.Layout) -> str:
    """The SVG document of ``boxes`` placed by ``drawing`` (edges as curves with arrowheads)."""
    width, height = _number(drawing.width), _number(drawing.height)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="monospace" font-size="{FONT_SIZE}" role="img">',
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" '
        'markerWidth="8" markerHeight="8" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z" fill="#5f6368"/></marker></defs>',
        '<g class="edges" fill="none" stroke="#5f6368" stroke-width="1.2">',
    ]
    parts += [f'<path d="{_path(route)}" marker-end="url(#arrow)"/>' for route in drawing.routes]
    parts.append("</g>")
    parts.append('<g class="nodes">')
    for box, x, y in zip(boxes, drawing.x, drawing.y):
        parts.append(_box_svg(box, x, y))
    parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _box_svg(box: Box, x: float, y: float) -> str:
    box_width, box_height = box.size
    fill, stroke = STYLES[box.kind]
    left, top = x - box_width / 2, y - box_height / 2
    rounding = box_height / 2 if box.kind == "join" else 4
    name_y = top + PADDING / 2 + LINE_HEIGHT - 3
    body = (
        f"<title>{xml_text(box.title)}</title>"
        f'<rect x="{_number(left)}" y="{_number(top)}" width="{_number(box_width)}" '
        f'height="{_number(box_height)}" rx="{_number(rounding)}" fill="{fill}" '
        f'stroke="{stroke}"/>'
        f'<text x="{_number(x)}" y="{_number(name_y)}" text-anchor="middle" '
        f'fill="#202124">{xml_text(box.lines[0])}</text>'
        f'<text x="{_number(x)}" y="{_number(name_y + LINE_HEIGHT)}" text-anchor="middle" '
        f'fill="#5f6368">{xml_text(box.lines[1])}</text>'
    )
    group = f'<g class="node {box.kind}">{body}</g>'
    if box.href is None:
        return group
    href = xml_attribute(box.href)
    return f"<a href={href} xlink:href={href}>{group}</a>"


def _path(points: List[Tuple[float, float]]) -> str:
    """An SVG path through ``points``: vertical-tangent cubic curves between consecutive points."""
    (x0, y0), rest = points[0], points[1:]
    commands = [f"M{_number(x0)},{_number(y0)}"]
    for x1, y1 in rest:
        middle = _number((y0 + y1) / 2)
        if x1 == x0:
            commands.append(f"L{_number(x1)},{_number(y1)}")
        else:
            commands.append(
                f"C{_number(x0)},{middle} {_number(x1)},{middle} {_number(x1)},{_number(y1)}"
            )
        x0, y0 = x1, y1
    return " ".join(commands)


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
