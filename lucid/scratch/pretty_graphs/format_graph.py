"""Lay out a simplified model graph as SVG: sequences top to bottom, branches side by side.

How it works: ``parse_graph`` reads a (filtered) :class:`~lucid.scratch.pretty_graphs.graph.Graph`
as a series-parallel structure: a :class:`LayoutSeq` of :class:`LayoutNode` boxes, with a
:class:`LayoutBranch` wherever a node feeds several others, holding one ``LayoutSeq`` per
branch up to the node where they merge (an empty ``LayoutSeq`` is a skip connection). Each
component knows its size (``shape``, ``(width, height)`` in pixels) when built, and ``place``
draws it at a position, returning SVG elements, the box of every node, and the points where
edges enter and leave it. ``render_with_groups`` draws the whole sequence with a background
behind each group of branches (``graph.find_groups``). ``complete_render_model_graph`` runs
the standard pipeline on a Lucid ``Model``.

Every node is a ``<g class="node" data-name="<node name>">`` holding a ``<rect>``, a
``<text>`` and a ``<title>`` (a native tooltip; ``visualizations`` adds D3 ones).
"""

from typing import Callable
from typing import Dict
from typing import List
from typing import NamedTuple
from typing import Optional
from typing import Sequence
from typing import Tuple
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr

from lucid.misc.io.showing import display_html
from lucid.scratch.pretty_graphs import graph as graph_lib

NODE_HEIGHT = 24
CHAR_WIDTH = 7
NODE_PADDING = 10
MIN_NODE_WIDTH = 60
SEQ_GAP = 24
BRANCH_GAP = 16
EMPTY_WIDTH = 8
MARGIN = 24
STYLE = (
    ".node rect{fill:#fff;stroke:#777;rx:4px}"
    ".node text{font:12px sans-serif;text-anchor:middle;dominant-baseline:central}"
    ".edge{stroke:#aaa;stroke-width:1.5}"
    ".group{fill:#e8eef7;stroke:none}"
)

Point = Tuple[float, float]
Box = Tuple[float, float, float, float]  # x, y, width, height


class Fragment:
    """An SVG snippet of size ``shape`` (width, height), drawn at ``offset`` in its container."""

    def __init__(
        self, svg: str, shape: Tuple[float, float], node=None, offset: Optional[Point] = None
    ):
        self.svg = svg
        self.shape = tuple(shape)
        self.node = node
        self.offset = (0, 0) if offset is None else tuple(offset)


class FragmentContainer:
    """Fragments placed in a ``shape`` (width, height) area."""

    def __init__(self, children: Sequence[Fragment], shape: Tuple[float, float]):
        self.children = list(children)
        self.shape = tuple(shape)

    def to_svg(self, show_bounds: bool = False) -> str:
        """A complete SVG document; ``show_bounds`` outlines each fragment."""
        parts = []
        for child in self.children:
            bounds = ""
            if show_bounds:
                bounds = f'<rect width="{child.shape[0]}" height="{child.shape[1]}" fill="none" stroke="red"/>'
            parts.append(
                f'<g transform="translate({child.offset[0]},{child.offset[1]})">{bounds}{child.svg}</g>'
            )
        return svg_document("".join(parts), self.shape)

    def show(self, show_bounds: bool = False) -> None:
        """Displays the SVG (in a notebook; elsewhere it is written to an HTML file)."""
        display_html(self.to_svg(show_bounds))


def one_fragement(
    svg: str, shape: Tuple[float, float], node=None, inner_shape=None
) -> FragmentContainer:
    """A ``shape`` container with one fragment of ``inner_shape`` (default ``shape``) centred in it.

    (The name keeps Lucid's spelling.)
    """
    inner_shape = shape if inner_shape is None else inner_shape
    offset = tuple((outer - inner) / 2 for outer, inner in zip(shape, inner_shape))
    return FragmentContainer([Fragment(svg, inner_shape, node, offset)], shape)


def alignment_func(mode: str = "mid") -> Callable[[float, float], float]:
    """``(outer size, inner size) -> offset`` aligning the inner at the start, end or middle."""
    alignments = {"min": lambda outer, inner: 0, "max": lambda outer, inner: outer - inner}
    alignments["mid"] = lambda outer, inner: (outer - inner) / 2
    if mode not in alignments:
        raise ValueError(f"alignment must be one of {sorted(alignments)}; got {mode!r}.")
    return alignments[mode]


class Placed(NamedTuple):
    """A placed component: SVG elements, node boxes, and where edges enter and leave it."""

    svg: List[str]
    boxes: Dict[str, Box]
    entries: List[Point]
    exits: List[Point]


def _edge(start: Point, end: Point) -> str:
    return f'<line class="edge" x1="{start[0]}" y1="{start[1]}" x2="{end[0]}" y2="{end[1]}"/>'


class LayoutComponent:
    """A drawable part of the graph with a fixed ``shape`` (width, height)."""

    shape: Tuple[float, float] = (0, 0)

    def place(self, x: float, y: float) -> Placed:
        raise NotImplementedError


class LayoutNode(LayoutComponent):
    """One node: a box labelled with its ``pretty_name``."""

    def __init__(self, node: graph_lib.Node):
        self.node = node
        width = max(MIN_NODE_WIDTH, CHAR_WIDTH * len(node.pretty_name) + 2 * NODE_PADDING)
        self.shape = (width, NODE_HEIGHT)

    def place(self, x, y):
        w, h = self.shape
        label = escape(self.node.pretty_name)
        svg = (
            f'<g class="node" data-name={quoteattr(self.node.name)} data-op={quoteattr(self.node.op)}>'
            f"<title>{escape(self.node.name)} ({escape(self.node.op)})</title>"
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}"/>'
            f'<text x="{x + w / 2}" y="{y + h / 2}">{label}</text></g>'
        )
        return Placed([svg], {self.node.name: (x, y, w, h)}, [(x + w / 2, y)], [(x + w / 2, y + h)])


class LayoutSeq(LayoutComponent):
    """Components drawn top to bottom, each aligned by ``align`` and linked to the next."""

    def __init__(self, nodes: Sequence[LayoutComponent], align: str = "mid"):
        self.children = list(nodes)
        self.align = alignment_func(align)
        width = max([c.shape[0] for c in self.children], default=EMPTY_WIDTH)
        height = sum(c.shape[1] for c in self.children) + SEQ_GAP * max(0, len(self.children) - 1)
        self.shape = (width, height)

    def place(self, x, y):
        if not self.children:
            point = (x + self.shape[0] / 2, y)
            return Placed([], {}, [point], [point])
        svg, boxes, entries, exits = [], {}, None, None
        for child in self.children:
            placed = child.place(x + self.align(self.shape[0], child.shape[0]), y)
            if exits is not None:
                svg += [_edge(start, end) for start in exits for end in placed.entries]
            svg += placed.svg
            boxes.update(placed.boxes)
            entries = placed.entries if entries is None else entries
            exits = placed.exits
            y += child.shape[1] + SEQ_GAP
        return Placed(svg, boxes, entries, exits)


class LayoutBranch(LayoutComponent):
    """Parallel branches drawn side by side; shorter ones are extended to the same bottom."""

    def __init__(self, branches: Sequence[LayoutComponent]):
        self.branches = list(branches)
        width = sum(b.shape[0] for b in self.branches) + BRANCH_GAP * max(0, len(self.branches) - 1)
        self.shape = (width, max([b.shape[1] for b in self.branches], default=0))

    def place(self, x, y):
        svg, boxes, entries, exits = [], {}, [], []
        bottom = y + self.shape[1]
        for branch in self.branches:
            placed = branch.place(x, y)
            svg += placed.svg
            boxes.update(placed.boxes)
            entries += placed.entries
            for point in placed.exits:
                if point[1] < bottom:
                    svg.append(_edge(point, (point[0], bottom)))
                exits.append((point[0], bottom))
            x += branch.shape[0] + BRANCH_GAP
        return Placed(svg, boxes, entries, exits)


def parse_graph(graph: graph_lib.Graph) -> LayoutSeq:
    """The graph as nested sequences and branches, from its first node.

    Branches run from a node's consumers to the first node depending on all of them
    (``graph.lcm``); branches that never merge run to the end. Each node is drawn once.
    """
    if not graph.nodes:
        return LayoutSeq([])
    drawn = set()
    return _parse_sequence(graph, next(iter(graph.nodes.values())), None, drawn)


def _parse_sequence(graph, node, stop, drawn):
    items = []
    while node is not None and node is not stop and node.name not in drawn:
        drawn.add(node.name)
        items.append(LayoutNode(node))
        consumers = [c for c in node.consumers if c.name not in drawn]
        if len(consumers) <= 1:
            node = consumers[0] if consumers else None
            continue
        merge = graph_lib.lcm(graph, consumers)
        branches = [
            LayoutSeq([]) if c is merge else _parse_sequence(graph, c, merge, drawn)
            for c in consumers
        ]
        items.append(LayoutBranch(branches))
        node = merge
    return LayoutSeq(items)


def _group_levels(groups):
    """How many groups are nested inside each group (by its members), at most."""
    members = {root: {n.name for n in nodes} for root, nodes in groups.items()}
    levels = {}

    def level(root):
        if root not in levels:
            inner = [r for r in members if r is not root and members[r] < members[root]]
            levels[root] = 1 + max(map(level, inner)) if inner else 0
        return levels[root]

    return {root: level(root) for root in groups}


def render_with_groups(
    seq: LayoutComponent,
    groups: Dict[graph_lib.Node, set],
    bg_pad: float = 6,
    pad_diff: float = 8,
    pad_none: float = 2,
) -> dict:
    """Draws ``seq`` with a background behind each group's branch nodes.

    Args:
      seq: the layout (``parse_graph``'s result).
      groups: ``{root node: branch nodes}`` (``graph.find_groups``).
      bg_pad: padding of a background around its nodes.
      pad_diff: extra padding per level of groups nested inside a group.
      pad_none: padding around the root of a group with no branch nodes (skip connections only).

    Returns:
      ``{"svg_inner": SVG elements (no <svg> tag), "shape": (width, height),
      "node_boxes": {node name: (x, y, width, height)}}``.
    """
    placed = seq.place(MARGIN, MARGIN)
    levels = _group_levels(groups)
    backgrounds = []
    for root in sorted(groups, key=lambda r: -levels[r]):  # outer groups first, below inner ones
        names = [n.name for n in groups[root] if n.name in placed.boxes]
        if names:
            pad = bg_pad + pad_diff * levels[root]
        elif root.name in placed.boxes:
            names, pad = [root.name], pad_none
        else:
            continue
        boxes = [placed.boxes[name] for name in names]
        left, top = min(b[0] for b in boxes) - pad, min(b[1] for b in boxes) - pad
        right = max(b[0] + b[2] for b in boxes) + pad
        bottom = max(b[1] + b[3] for b in boxes) + pad
        backgrounds.append(
            f'<rect class="group" data-root={quoteattr(root.name)} x="{left}" y="{top}" '
            f'width="{right - left}" height="{bottom - top}" rx="6"/>'
        )
    shape = (seq.shape[0] + 2 * MARGIN, seq.shape[1] + 2 * MARGIN)
    return {
        "svg_inner": "".join(backgrounds + placed.svg),
        "shape": shape,
        "node_boxes": placed.boxes,
    }


def svg_document(svg_inner: str, shape: Tuple[float, float]) -> str:
    """Wraps SVG elements in an ``<svg>`` element of ``shape`` (width, height) with the styles."""
    w, h = shape
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
        f"<style>{STYLE}</style>{svg_inner}</svg>"
    )


def model_graph(model, custom_ops: Optional[Sequence[str]] = None) -> graph_lib.Graph:
    """The drawn nodes of ``model``'s graph: its layers' ops, from the input on.

    Keeps ``graph.standard_include_ops`` plus ``custom_ops`` (Lucid added these to the
    module's list, so they leaked into later calls), cuts ``Shape`` dependencies, and shows
    each Conv2D+Relu and MatMul+Relu as its Relu.
    """
    graph = graph_lib.filter_graph_cut_shapes(graph_lib.Graph.from_graphdef(model.graph_def))
    graph = graph_lib.filter_graph_ops(
        graph, list(graph_lib.standard_include_ops) + list(custom_ops or [])
    )
    graph = graph_lib.filter_graph_dynamic(graph)
    for sequence in (["Conv2D", "Relu"], ["MatMul", "Relu"]):
        graph = graph_lib.filter_graph_collapse_sequence(graph, sequence)
    return graph


def complete_render_model_graph(model, custom_ops: Optional[Sequence[str]] = None) -> dict:
    """``render_with_groups`` of ``model_graph(model, custom_ops)``; see there for the result."""
    graph = model_graph(model, custom_ops)
    return render_with_groups(parse_graph(graph), graph_lib.find_groups(graph))
