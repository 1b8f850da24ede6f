"""Show model graphs in a notebook: one model, or two side by side with lines between layers.

The SVG comes from ``format_graph``. Hover tooltips use D3 v5, which the *browser* loads
from ``D3_URL`` when the output is displayed; Python never touches the network. Every
function returns None and displays HTML (outside a notebook ``display_html`` writes it to a
file and prints the path).
"""

from typing import Dict
from typing import Optional
from typing import Tuple

from lucid.misc.io.showing import display_html
from lucid.scratch.pretty_graphs.format_graph import complete_render_model_graph
from lucid.scratch.pretty_graphs.format_graph import svg_document
from lucid.scratch.web.embed import script_json

D3_URL = "https://d3js.org/d3.v5.min.js"
TOOLTIP_STYLE = (
    "position:absolute;pointer-events:none;background:#333;color:#fff;padding:3px 6px;"
    "border-radius:3px;font:12px sans-serif;display:none;z-index:10"
)
NODE_SELECTOR = ".node"
NODE_KEY_ATTR = "data-name"


def _with_d3(body_js: str) -> str:
    """A ``<script>`` running ``body_js`` (with ``d3`` defined) once D3 is loaded."""
    return (
        "<script>(function(){"
        f"function run(){{var d3=window.d3;{body_js}}}"
        "if(window.d3){run();}else{var s=document.createElement('script');"
        f"s.src={script_json(D3_URL)};s.onload=run;document.head.appendChild(s);}}"
        "})();</script>"
    )


def _tooltip_js(node_selector, tooltip_key_attr, tooltips, container_selector):
    return (
        f"var tips={script_json(tooltips)};"
        f"var container=d3.select({script_json(container_selector)});"
        "if(container.empty()){container=d3.select('body');}"
        f"var tip=container.append('div').attr('style',{script_json(TOOLTIP_STYLE)});"
        f"d3.selectAll({script_json(node_selector)})"
        ".on('mouseover',function(){"
        f"var key=this.getAttribute({script_json(tooltip_key_attr)});"
        "var text=tips===null?key:tips[key];if(text===undefined){return;}"
        "tip.style('display','block').html(text);})"
        ".on('mousemove',function(){tip.style('left',(d3.event.pageX+12)+'px')"
        ".style('top',(d3.event.pageY+12)+'px');})"
        ".on('mouseout',function(){tip.style('display','none');});"
    )


def display_tooltips_name(
    node_selector: str, tooltip_key_attr: str, container_selector: str = "#output-body"
) -> None:
    """On hover, shows each selected element's ``tooltip_key_attr`` attribute as a tooltip.

    ``container_selector`` is where the tooltip element goes (Colab's output; the page
    body if it is absent).
    """
    display_html(_with_d3(_tooltip_js(node_selector, tooltip_key_attr, None, container_selector)))


def display_tooltips(
    node_selector: str,
    tooltip_key_attr: str,
    tooltips: Dict[str, str],
    container_selector: str = "#output-body",
) -> None:
    """On hover, shows ``tooltips[element's tooltip_key_attr]`` (HTML) as a tooltip."""
    display_html(
        _with_d3(_tooltip_js(node_selector, tooltip_key_attr, dict(tooltips), container_selector))
    )


def model_html(model, tooltips: Optional[Dict[str, str]] = None) -> str:
    """The HTML of :func:`display_model`: the SVG graph and its tooltip script."""
    render = complete_render_model_graph(model)
    script = _tooltip_js(NODE_SELECTOR, NODE_KEY_ATTR, tooltips, "#output-body")
    return svg_document(render["svg_inner"], render["shape"]) + _with_d3(script)


def display_model(model, tooltips: Optional[Dict[str, str]] = None) -> None:
    """Displays ``model``'s graph; hovering a node shows ``tooltips[node name]`` (default: its name)."""
    display_html(model_html(model, tooltips))


def get_box(render: dict, name: str) -> Tuple[float, float, float, float]:
    """The ``(x, y, width, height)`` box of node ``name`` in a render."""
    if name not in render["node_boxes"]:
        raise KeyError(f"{name!r} is not drawn; drawn nodes: {sorted(render['node_boxes'])}.")
    return render["node_boxes"][name]


def p(point: Tuple[float, float], dy: float = 0) -> str:
    """``"x,y"`` for an SVG path, moved down by ``dy``."""
    return f"{point[0]},{point[1] + dy}"


def model_align_html(
    model1, model2, lines: Dict[Tuple[str, str], float], middle_sep: float = 150
) -> str:
    """The HTML of :func:`model_align_display`."""
    left, right = complete_render_model_graph(model1), complete_render_model_graph(model2)
    shift = left["shape"][0] + middle_sep
    paths = []
    for (name1, name2), weight in lines.items():
        if not 0 <= weight <= 1:
            raise ValueError(f"Line weights must be in [0, 1]; got {weight} for {(name1, name2)}.")
        x1, y1, w1, h1 = get_box(left, name1)
        x2, y2, _, h2 = get_box(right, name2)
        start, end = (x1 + w1, y1 + h1 / 2), (x2 + shift, y2 + h2 / 2)
        middle = (start[0] + end[0]) / 2
        paths.append(
            f'<path d="M{p(start)} C{middle},{start[1]} {middle},{end[1]} {p(end)}" fill="none" '
            f'stroke="#c33" stroke-width="2" stroke-opacity="{weight}"/>'
        )
    # Lines first, so the (white) node boxes hide them where they cross a graph.
    inner = (
        "".join(paths)
        + left["svg_inner"]
        + f'<g transform="translate({shift},0)">{right["svg_inner"]}</g>'
    )
    shape = (shift + right["shape"][0], max(left["shape"][1], right["shape"][1]))
    return svg_document(inner, shape)


def model_align_display(
    model1, model2, lines: Dict[Tuple[str, str], float], middle_sep: float = 150
) -> None:
    """Displays two model graphs side by side, joined by ``lines``.

    Args:
      model1, model2: Lucid models (left and right).
      lines: ``{(node of model1, node of model2): weight in [0, 1]}``; the weight is the
        line's opacity.
      middle_sep: pixels between the two graphs.
    """
    display_html(model_align_html(model1, model2, lines, middle_sep))


def vpad(space: float) -> None:
    """Displays ``space`` pixels of vertical space."""
    display_html(f'<div style="height:{space}px"></div>')
