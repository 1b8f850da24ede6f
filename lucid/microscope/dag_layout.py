"""Layered drawing of a directed acyclic graph (Sugiyama style), for the architecture diagram.

How it works, in four deterministic steps (same graph and sizes -> same coordinates):

1. **Levels** by longest path: a node sits one level below the lowest of its inputs, so
   every edge points down and a chain of layers reads top to bottom.
2. **Dummy nodes**: an edge spanning several levels is split by one zero-width dummy per
   level crossed; the dummies reserve room, so edges never run through boxes.
3. **Order within levels** by barycentre sweeps: alternately down (each node moves to the
   mean position of its inputs one level up) and up (of its consumers); ties keep the
   previous order, which starts as the nodes' given order (for a TF graph, graph order, so
   the towers of an inception block stay in the order the model built them). The order
   with the fewest edge crossings seen is kept.
4. **x coordinates**: level by level, down then up, repeatedly, each node is pulled to the
   mean x of its neighbours on the levels above and below, keeping its level's order and a
   minimum gap; the positions closest to those targets in least squares come from isotonic
   regression (pool adjacent violators), so a node with four branches sits centred above
   them and a chain is nearly straight.
"""

import dataclasses
from typing import Dict
from typing import List
from typing import Sequence
from typing import Tuple

Point = Tuple[float, float]

_SWEEPS = 8  # barycentre sweeps; a 100-node net settles in two or three
_PLACEMENT_PASSES = 16


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where to draw each node and edge (pixels, y grows downwards).

    Attributes:
      levels: the level of each node (0 at the top).
      x: the centre x of each node.
      y: the centre y of each node.
      routes: for each edge (in the order given), the points of its path: the bottom centre
        of its source, one point per dummy (the level it crosses) and the top centre of its
        target.
      width: the drawing's width, margins included.
      height: the drawing's height, margins included.
    """

    levels: List[int]
    x: List[float]
    y: List[float]
    routes: List[List[Point]]
    width: float
    height: float


def longest_path_levels(num_nodes: int, edges: Sequence[Tuple[int, int]]) -> List[int]:
    """The level of each node: 0 for nodes without inputs, else 1 + the deepest input's level.

    Raises:
      ValueError: an edge names a node outside ``0 .. num_nodes - 1``, or the graph has a cycle.
    """
    inputs: List[List[int]] = [[] for _ in range(num_nodes)]
    consumers: List[List[int]] = [[] for _ in range(num_nodes)]
    for source, target in edges:
        if not (0 <= source < num_nodes and 0 <= target < num_nodes):
            raise ValueError(
                f"edge {(source, target)} names a node outside 0..{num_nodes - 1}; edges must "
                "be pairs of node indices."
            )
        inputs[target].append(source)
        consumers[source].append(target)
    levels = [0] * num_nodes
    waiting = [len(sources) for sources in inputs]
    ready = [node for node in range(num_nodes) if not waiting[node]]
    done = 0
    while ready:
        node = ready.pop()
        done += 1
        for consumer in consumers[node]:
            levels[consumer] = max(levels[consumer], levels[node] + 1)
            waiting[consumer] -= 1
            if not waiting[consumer]:
                ready.append(consumer)
    if done != num_nodes:
        stuck = [node for node in range(num_nodes) if waiting[node]]
        raise ValueError(
            f"the graph has a cycle through nodes {stuck[:10]}; a layered drawing needs a "
            "directed acyclic graph."
        )
    return levels


def layout(
    sizes: Sequence[Tuple[float, float]],
    edges: Sequence[Tuple[int, int]],
    gap: float = 24.0,
    level_gap: float = 40.0,
    margin: float = 16.0,
) -> Layout:
    """Lays out a DAG of boxes top to bottom.

    Args:
      sizes: ``(width, height)`` of each node's box, in the order that breaks ties.
      edges: ``(source, target)`` node indices; each points down in the drawing.
      gap: the least horizontal space between two boxes (dummies take half of it).
      level_gap: the vertical space between the tallest boxes of two levels.
      margin: the space around the drawing.

    Returns:
      A :class:`Layout`.

    Raises:
      ValueError: as :func:`longest_path_levels`.
    """
    levels = longest_path_levels(len(sizes), edges)
    widths = [float(w) for w, _ in sizes]
    chains, level_of = _split_long_edges(levels, edges, widths)
    adjacency = _adjacency(len(level_of), chains)
    rows = _order_rows(level_of, adjacency)
    x = _place(rows, adjacency, widths, gap)
    left = min((x[n] - widths[n] / 2 for n in range(len(widths))), default=0.0)
    right = max((x[n] + widths[n] / 2 for n in range(len(widths))), default=0.0)
    x = [value - left + margin for value in x]
    row_height = max((float(h) for _, h in sizes), default=0.0)
    y = [margin + row_height / 2 + level * (row_height + level_gap) for level in level_of]
    half = [float(h) / 2 for _, h in sizes]
    routes = []
    for chain in chains:
        source, *dummies, target = chain
        points = [(x[source], y[source] + half[source])]
        points += [(x[d], y[d]) for d in dummies]
        points.append((x[target], y[target] - half[target]))
        routes.append(points)
    height = 2 * margin + (max(levels, default=0) + 1) * (row_height + level_gap) - level_gap
    return Layout(
        levels, x[: len(sizes)], y[: len(sizes)], routes, right - left + 2 * margin, height
    )


def _split_long_edges(levels, edges, widths):
    """Each edge as a chain of nodes one level apart; dummies (appended to ``widths``) between."""
    level_of = list(levels)
    chains = []
    for source, target in edges:
        chain = [source]
        for level in range(levels[source] + 1, levels[target]):
            level_of.append(level)
            widths.append(0.0)
            chain.append(len(level_of) - 1)
        chain.append(target)
        chains.append(chain)
    return chains, level_of


def _adjacency(num_nodes, chains) -> Dict[str, List[List[int]]]:
    up: List[List[int]] = [[] for _ in range(num_nodes)]
    down: List[List[int]] = [[] for _ in range(num_nodes)]
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            down[a].append(b)
            up[b].append(a)
    return {"up": up, "down": down}


def _order_rows(level_of, adjacency) -> List[List[int]]:
    """Nodes of each level, left to right, after barycentre sweeps (fewest crossings kept)."""
    rows: List[List[int]] = [[] for _ in range(max(level_of, default=-1) + 1)]
    for node, level in enumerate(level_of):
        rows[level].append(node)
    best, best_crossings = [list(row) for row in rows], _crossings(rows, adjacency["down"])
    for sweep in range(_SWEEPS):
        downwards = sweep % 2 == 0
        neighbours = adjacency["up"] if downwards else adjacency["down"]
        indices = range(1, len(rows)) if downwards else range(len(rows) - 2, -1, -1)
        for i in indices:
            reference = rows[i - 1] if downwards else rows[i + 1]
            rows[i] = _barycentre_order(rows[i], reference, neighbours)
        crossings = _crossings(rows, adjacency["down"])
        if crossings < best_crossings:
            best, best_crossings = [list(row) for row in rows], crossings
    return best


def _barycentre_order(row, reference, neighbours):
    position = {node: i for i, node in enumerate(reference)}

    def key(item):
        index, node = item
        linked = [position[n] for n in neighbours[node] if n in position]
        # A node without neighbours there keeps its place relative to the others.
        return (sum(linked) / len(linked) if linked else index * len(reference) / len(row), index)

    return [node for _, node in sorted(enumerate(row), key=key)]


def _crossings(rows, down) -> int:
    total = 0
    for upper, lower in zip(rows, rows[1:]):
        position = {node: i for i, node in enumerate(lower)}
        ends = [
            (i, position[b]) for i, a in enumerate(upper) for b in down[a] if b in position
        ]  # fmt: skip
        total += sum(
            1
            for k, (a1, b1) in enumerate(ends)
            for a2, b2 in ends[k + 1 :]
            if (a1 - a2) * (b1 - b2) < 0
        )
    return total


def _place(rows, adjacency, widths, gap) -> List[float]:
    x = [0.0] * len(widths)
    for row in rows:
        _fit_row(row, [0.0] * len(row), widths, gap, x)
    # Each node is pulled to the mean x of all its neighbours on both sides (dummies count
    # as much as boxes, so a concatenation sits centred among its branches).
    neighbours = [up + down for up, down in zip(adjacency["up"], adjacency["down"])]
    for _ in range(_PLACEMENT_PASSES):
        for order in (rows, rows[::-1]):
            for row in order:
                targets = [
                    sum(x[n] for n in neighbours[node]) / len(neighbours[node])
                    if neighbours[node]
                    else x[node]
                    for node in row
                ]
                _fit_row(row, targets, widths, gap, x)
    return x


def _fit_row(row, targets, widths, gap, x):
    """Sets ``x`` of ``row`` closest to ``targets`` (least squares) keeping order and spacing."""
    offsets = [0.0]
    for a, b in zip(row, row[1:]):
        space = gap if widths[a] and widths[b] else gap / 2
        offsets.append(offsets[-1] + (widths[a] + widths[b]) / 2 + space)
    # x_i = y_i + offset_i with y non-decreasing: isotonic regression of target_i - offset_i.
    blocks: List[List[float]] = []  # [mean, count]
    for target, offset in zip(targets, offsets):
        blocks.append([target - offset, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1][0] = (blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1] + count)
            blocks[-1][1] += count
    fitted = [mean for mean, count in blocks for _ in range(int(count))]
    for node, value, offset in zip(row, fitted, offsets):
        x[node] = value + offset
