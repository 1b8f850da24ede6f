"""Recover a network's sequence/branch structure from an overlay graph.

How it works: two rewrites alternate until the overlay stops shrinking.
``collapse_sequences`` folds each chain of single-consumer, single-input nodes into its last
node (a ``"Sequence"``). ``collapse_branches`` folds an inception-like block, a node whose
inputs all come straight from the node where they split (their ``gcd``), into its merging
node (a ``"HeadBranch"``); and a node whose consumers are all outputs (auxiliary heads) is
folded with them (a ``"TailBranch"``). A network made only of such blocks ends as one node
whose ``sub_structure`` is the whole network, which ``parse_structure`` turns into nested
dicts::

    {"type": "Sequence", "children": [
        {"type": "Node", "name": "input:0"},
        {"type": "Branch", "children": [<one dict per branch>]},
        {"type": "Node", "name": "concat:0"}]}

A branch that is the split node itself (a skip connection) is an empty Sequence.
"""

from typing import Optional

from lucid.misc.graph_analysis.overlay_graph import OverlayGraph
from lucid.misc.graph_analysis.overlay_graph import OverlayNode
from lucid.misc.graph_analysis.overlay_graph import OverlayStructure

_CONCAT_OPS = ("Concat", "ConcatV2")


def collapse_sequences(overlay: OverlayGraph) -> OverlayGraph:
    """Folds each chain of single-consumer/single-input nodes into its last node."""
    structure_map, in_sequence = {}, set()
    for node in overlay.nodes:
        if node in in_sequence:
            continue
        sequence = [node]
        while len(node.consumers) == 1:
            (consumer,) = node.consumers
            if len(consumer.inputs) != 1:
                break
            node = consumer
            sequence.append(node)
        if len(sequence) > 1:
            in_sequence.update(sequence)
            structure_map[sequence[-1]] = OverlayStructure("Sequence", {"sequence": sequence})
    return overlay.collapse_structures(structure_map)


def collapse_branches(overlay: OverlayGraph) -> OverlayGraph:
    """Folds head branches (split then merge) and tail branches (auxiliary outputs)."""
    structure_map = {}
    for node in overlay.nodes:
        if len(node.inputs) <= 1:
            continue
        gcd = node.gcd
        if gcd is not None and all(inp == gcd or inp.inputs == {gcd} for inp in node.inputs):
            branches = [None if inp == gcd else inp for inp in overlay.sorted(node.inputs)]
            structure_map[node] = OverlayStructure(
                "HeadBranch", {"branches": branches, "head": node}
            )
    for node in overlay.nodes:
        if len(node.consumers) <= 1 or node in structure_map:
            continue
        if all(not consumer.consumers for consumer in node.consumers):
            branches = overlay.sorted(node.consumers)
            structure_map[node] = OverlayStructure(
                "TailBranch", {"branches": branches, "tail": node}
            )
    return overlay.collapse_structures(structure_map)


def parse_structure(node: Optional[OverlayNode]) -> dict:
    """The nested-dict form of ``node`` and the structure folded into it (None: empty branch)."""
    if node is None:
        return {"type": "Sequence", "children": []}
    structure = node.sub_structure
    if structure is None:
        return {"type": "Node", "name": node.name}
    parts = structure.structure
    if structure.structure_type == "Sequence":
        return {"type": "Sequence", "children": [parse_structure(n) for n in parts["sequence"]]}
    if structure.structure_type == "HeadBranch":
        branch = {"type": "Branch", "children": [parse_structure(n) for n in parts["branches"]]}
        return {"type": "Sequence", "children": [branch, parse_structure(parts["head"])]}
    if structure.structure_type == "TailBranch":
        branch = {
            "type": "Branch",
            "subtype": "AuxilliaryHeadBranch",
            "children": [parse_structure(n) for n in parts["branches"]],
        }
        return {"type": "Sequence", "children": [parse_structure(parts["tail"]), branch]}
    raise ValueError(
        f"Unknown structure type {structure.structure_type!r} on node {node.name!r}; expected "
        "'Sequence', 'HeadBranch' or 'TailBranch'."
    )


def flatten_sequences(structure: dict) -> dict:
    """Splices Sequences nested directly in Sequences into their parent, recursively."""
    if "children" not in structure:
        return structure
    children = [flatten_sequences(child) for child in structure["children"]]
    if structure["type"] == "Sequence":
        spliced = []
        for child in children:
            nested = child["type"] == "Sequence" and child["children"]
            spliced.extend(child["children"] if nested else [child])
        children = spliced
    return {**structure, "children": children}


def parse_overlay(overlay: OverlayGraph) -> Optional[dict]:
    """The whole overlay as one nested structure dict, or None if it does not reduce to one."""
    previous = len(overlay.nodes) + 1
    while len(overlay.nodes) < previous:
        previous = len(overlay.nodes)
        overlay = collapse_branches(collapse_sequences(overlay))
    if len(overlay.nodes) != 1:
        return None
    return flatten_sequences(parse_structure(overlay.nodes[0]))


def _namify(nodes):
    return sorted(node.name for node in nodes)


def toplevel_group_data(overlay: OverlayGraph) -> dict:
    """Groups of branch nodes along the main path, walking split points back from the end.

    Returns:
      ``{node name: {"immediate": [names], "all": [names], "direction": d}}``: for a Concat,
      its direct inputs and every node between it and where its branches split
      (``"backward"``); for a Split, its direct consumers and every node between it and
      where they merge (``"forward"``).
    """
    groups = {}
    node = overlay.nodes[-1] if overlay.nodes else None
    while node is not None:
        if node.op in _CONCAT_OPS and node.gcd is not None:
            between = node.extended_inputs & node.gcd.extended_consumers
            groups[node.name] = {
                "immediate": _namify(node.inputs),
                "all": _namify(between),
                "direction": "backward",
            }
        if node.op == "Split" and node.lcm is not None:
            between = node.extended_consumers & node.lcm.extended_inputs
            groups[node.name] = {
                "immediate": _namify(node.consumers),
                "all": _namify(between),
                "direction": "forward",
            }
        node = node.gcd
    return groups
