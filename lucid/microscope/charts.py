"""Small static SVG line charts: one panel (a small multiple) per curve, no JavaScript.

Each panel has its own axes, tick marks and tick labels, a title under it and the curve as
one ``<polyline>``. Coordinates are written with one decimal and tick labels with
``%.3g``, so the same curves give the same bytes. Titles are XML-escaped (characters XML
cannot hold become U+FFFD; ``svg_drawing.xml_text``), so model text can't inject markup.
"""

import dataclasses
import math
from typing import List
from typing import Optional
from typing import Sequence
from typing import Tuple

import numpy as np

from lucid.microscope.svg_drawing import xml_text

PLOT_WIDTH = 150
PLOT_HEIGHT = 80
MARGIN_LEFT = 40
MARGIN_RIGHT = 12
MARGIN_TOP = 10
MARGIN_BOTTOM = 36
FONT_SIZE = 10
LINE_COLOR = "#1a73e8"
AXIS_COLOR = "#5f6368"


@dataclasses.dataclass(frozen=True)
class Panel:
    """One small multiple: a curve ``y(x)`` with its title.

    Attributes:
      title: shown under the plot (e.g. ``"angle (degrees)"``); untrusted text is fine.
      x: the parameter values, increasing.
      y: the responses; non-finite values are left out of the line.
      x_ticks: where to put x tick labels (default: "nice" round numbers).
      log_x: a logarithmic x axis (``x`` and ``x_ticks`` must be positive).
    """

    title: str
    x: Sequence[float]
    y: Sequence[float]
    x_ticks: Optional[Sequence[float]] = None
    log_x: bool = False


def nice_ticks(low: float, high: float, count: int = 4) -> List[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering ``[low, high]``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high <= low:  # a flat curve: a unit range above 0, else around the value
        pad = abs(low) * 0.5
        low, high = (0.0, 1.0) if low == 0 else (low - pad, high + pad)
    raw = (high - low) / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start, end = math.floor(low / step), math.ceil(high / step)
    return [round(k * step, 12) + 0.0 for k in range(start, end + 1)]


def line_chart_svg(panels: Sequence[Panel], title: str = "", columns: int = 4) -> str:
    """An SVG document with ``panels`` laid out in rows of ``columns``.

    Args:
      panels: the curves, one panel each.
      title: the document's ``<title>`` (a tooltip; may be empty).
      columns: panels per row (at least 1).

    Returns:
      The SVG as a string (deterministic for the same arguments).

    Raises:
      ValueError: no panels, ``x`` and ``y`` of different lengths or empty, or a log axis
        with a value that is not positive.
    """
    if not panels:
        raise ValueError("line_chart_svg: panels is empty; give at least one Panel.")
    if columns < 1:
        raise ValueError(f"line_chart_svg: columns must be at least 1; got columns={columns!r}.")
    cell_width = MARGIN_LEFT + PLOT_WIDTH + MARGIN_RIGHT
    cell_height = MARGIN_TOP + PLOT_HEIGHT + MARGIN_BOTTOM
    columns = min(columns, len(panels))
    rows = -(-len(panels) // columns)
    width, height = columns * cell_width, rows * cell_height
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="sans-serif" font-size="{FONT_SIZE}">',
        f"<title>{xml_text(str(title))}</title>",
    ]
    for k, panel in enumerate(panels):
        left = (k % columns) * cell_width + MARGIN_LEFT
        top = (k // columns) * cell_height + MARGIN_TOP
        parts.append(f'<g class="panel" transform="translate({left},{top})">')
        parts.extend(_panel_svg(panel))
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _panel_svg(panel: Panel) -> List[str]:
    x = np.asarray(panel.x, np.float64)
    y = np.asarray(panel.y, np.float64)
    if x.ndim != 1 or x.shape != y.shape or not len(x):
        raise ValueError(
            f"panel {panel.title!r}: x and y must be 1-D of the same non-zero length; got "
            f"shapes {x.shape} and {y.shape}."
        )
    if panel.log_x and (x <= 0).any():
        raise ValueError(f"panel {panel.title!r}: a log x axis needs positive x values.")
    x_scale = _axis(x, panel.x_ticks, panel.log_x, PLOT_WIDTH, flip=False)
    finite = y[np.isfinite(y)]
    y_ticks = nice_ticks(*(finite.min(), finite.max()) if len(finite) else (0.0, 1.0))
    y_scale = _axis(np.array(y_ticks), y_ticks, False, PLOT_HEIGHT, flip=True)
    lines = [
        f'<path d="M0,0V{PLOT_HEIGHT}H{PLOT_WIDTH}" fill="none" stroke="{AXIS_COLOR}"/>',
    ]
    for value, label in zip(*x_scale[1:]):
        lines.append(
            f'<line x1="{_n(value)}" y1="{PLOT_HEIGHT}" x2="{_n(value)}" y2="{PLOT_HEIGHT + 4}" '
            f'stroke="{AXIS_COLOR}"/><text x="{_n(value)}" y="{PLOT_HEIGHT + 14}" '
            f'text-anchor="middle">{xml_text(label)}</text>'
        )
    for value, label in zip(*y_scale[1:]):
        lines.append(
            f'<line x1="-4" y1="{_n(value)}" x2="0" y2="{_n(value)}" stroke="{AXIS_COLOR}"/>'
            f'<text x="-6" y="{_n(value + FONT_SIZE / 3)}" text-anchor="end">'
            f"{xml_text(label)}</text>"
        )
    points = " ".join(
        f"{_n(x_scale[0](a))},{_n(y_scale[0](b))}" for a, b in zip(x, y) if math.isfinite(b)
    )
    lines.append(
        f'<polyline points="{points}" fill="none" stroke="{LINE_COLOR}" stroke-width="1.5"/>'
    )
    lines.append(
        f'<text x="{PLOT_WIDTH / 2:.1f}" y="{PLOT_HEIGHT + 28}" text-anchor="middle">'
        f"{xml_text(str(panel.title))}</text>"
    )
    return lines


def _axis(values, ticks, log, length, flip) -> Tuple:
    """``(value -> pixel, tick pixels, tick labels)`` for an axis spanning ``values``."""
    transform = np.log if log else (lambda v: np.asarray(v, np.float64))
    if ticks is None:
        ticks = [
            t for t in nice_ticks(values.min(), values.max()) if values.min() <= t <= values.max()
        ]
    ends = transform(np.array([min(values.min(), *ticks), max(values.max(), *ticks)]))
    span = ends[1] - ends[0] or 1.0

    def scale(value):
        position = (transform(value) - ends[0]) / span * length
        return length - position if flip else position

    return scale, [scale(t) for t in ticks], [f"{t:.3g}" for t in ticks]


def _n(value: float) -> str:
    """One decimal, without a negative zero."""
    text = f"{float(value):.1f}"
    return "0.0" if text == "-0.0" else text
