"""The architecture diagram of a model page: its data flow as a static SVG, and as JSON.

How it works: the model is imported once into a private ``tf.Graph`` (with
``model.import_graph``, so tensors a model adds in ``post_import`` exist too) on a
placeholder of its declared input size, which gives every tensor a static shape (sizes a
model leaves open show as ``?``). The diagram keeps:

* the input (named ``"input"``) and every declared layer (drawn at the tensor it copies
  when it is an ``Identity``, as in Keras imports);
* the ops that join the data flow: concatenations and sums of two or more tensors computed
  from the input (``Concat``, ``ConcatV2``, ``Add``, ``AddV2``, ``AddN``), and pooling
  (``MaxPool``, ``AvgPool``, and ``Mean`` over the spatial axes, i.e. global average
  pooling), where they lead to a declared layer;
* the branches of each kept join: the tensor each input of the join comes from (looking
  through ``Identity``), so the towers of an inception block stand side by side.

Everything else (weights, biases, normalisations, reshapes) is dropped, and two kept tensors
are joined by an edge when a path of dropped tensors links them
(``lucid.misc.graph_analysis.overlay_graph.pass_through_edges``; paths through ``Shape``
ops do not count). The result is laid out top to bottom by ``lucid.microscope.dag_layout``
and drawn by this module: boxes with the name and the output shape, edges as curves, and
declared layers as links to their layer pages.

Files, written atomically and only when their bytes change, in the model directory ``M/``:

* ``architecture.svg``: the drawing (no JavaScript; links work when the SVG is inline or in
  an ``<object>``, not in an ``<img>``).
* ``architecture.json``: ``{"nodes": [{"name", "op", "shape", "layer", "dir", "level"}],
  "edges": [[i, j], ...]}``: nodes in graph order; ``shape`` without the batch dimension
  (``null`` for a size the graph leaves open); ``layer`` and ``dir`` the declared layer and
  its directory, or ``null``; ``level`` the node's row in the drawing.
"""

import os
from typing import Dict
from typing import List
from typing import Optional
from typing import Sequence

import tensorflow.compat.v1 as tf

from lucid.microscope import dag_layout
from lucid.microscope import layout
from lucid.microscope import results
from lucid.microscope import svg_drawing
from lucid.misc.graph_analysis.overlay_graph import pass_through_edges
from lucid.misc.graph_analysis.overlay_graph import reachable
from lucid.optvis import render_util

ARCHITECTURE_SVG = layout.ARCHITECTURE_SVG
ARCHITECTURE_JSON = layout.ARCHITECTURE_JSON
INPUT_NAME = "input"
JOIN_OPS = frozenset({"Concat", "ConcatV2", "Add", "AddV2", "AddN"})
POOL_OPS = frozenset({"MaxPool", "MaxPoolV2", "AvgPool"})
GLOBAL_POOL_OPS = frozenset({"Mean"})  # pooling only when they reduce the spatial axes
_LOOK_THROUGH_OPS = frozenset({"Identity"})
_SHAPE_OPS = frozenset({"Shape", "ShapeN", "Size", "Rank"})
_SCOPE = "import"
_OP_LABELS = {"ConcatV2": "Concat", "AddV2": "Add", "Mean": "GlobalAvgPool"}


def model_architecture(model) -> Dict[str, list]:
    """The data-flow graph of ``model`` at the level of its layers (see the module docstring).

    Args:
      model: a lucid ``Model`` (its ``layers`` may be empty: the diagram is then the input).

    Returns:
      ``{"nodes": [...], "edges": [[i, j], ...]}`` as in ``architecture.json``, with ``dir``
      None for every node (:func:`write_architecture` fills it in from the model's info).

    Raises:
      ValueError: the model's graph can't be imported at its input size, or a declared
        layer is not in its graph (``LayerNotFoundError``, a ``ValueError``).
    """
    channels = render_util.default_image_shape(model)[2]
    # The declared input size gives static shapes; a model that declares none shows "?".
    declared = list(getattr(model, "image_shape", None) or [])
    height, width = declared[:2] if len(declared) == 3 else (None, None)
    graph = tf.Graph()
    with graph.as_default():
        t_input = tf.placeholder(tf.float32, [None, height, width, channels], name=INPUT_NAME)
        T = model.import_graph(t_input, scope=_SCOPE, forget_xy_shape=False)
        layer_of = {}
        for layer in model.layers:
            # Keras imports declare layers as Identity taps beside the data path: draw each
            # layer at the tensor it copies (the first layer wins if two copy one tensor).
            layer_of.setdefault(_look_through(T(layer.name)).name, layer.name)
    tensors = {t.name: t for op in graph.get_operations() for t in op.outputs}
    kept = _kept_tensors(tensors, t_input, layer_of)
    order = list(tensors)
    blocked = [name for name in order if tensors[name].op.type in _SHAPE_OPS]
    inputs = pass_through_edges(
        order, lambda name: [t.name for t in tensors[name].op.inputs], kept, blocked
    )
    names = [name for name in order if name in kept]
    index = {name: i for i, name in enumerate(names)}
    edges = sorted(
        {(index[source], index[target]) for target in names for source in inputs[target]}
    )
    nodes = [
        {
            "name": layer_of.get(name) or _display_name(name),
            "op": tensors[name].op.type,
            "shape": _shape(tensors[name]),
            "layer": layer_of.get(name),
            "dir": None,
        }
        for name in names
    ]
    levels = dag_layout.longest_path_levels(len(nodes), edges)
    for node, level in zip(nodes, levels):
        node["level"] = level
    return {"nodes": nodes, "edges": [list(edge) for edge in edges]}


def _kept_tensors(tensors, t_input, layer_of):
    """Names of the tensors the diagram shows (see the module docstring)."""
    consumers: Dict[str, List[str]] = {name: [] for name in tensors}
    for name, tensor in tensors.items():
        for inp in tensor.op.inputs:
            consumers[inp.name].append(name)
    from_input = reachable(t_input.name, consumers.__getitem__) | {t_input.name}
    # Everything some declared layer depends on (one search from a start joined to them all).
    feeds_layer = reachable(
        None, lambda n: list(layer_of) if n is None else [t.name for t in tensors[n].op.inputs]
    )
    kept = {t_input.name, *layer_of}
    for name, tensor in tensors.items():  # graph order
        if name not in from_input or name not in feeds_layer:
            continue
        live_inputs = [t for t in tensor.op.inputs if t.name in from_input]
        if tensor.op.type in JOIN_OPS and len(live_inputs) >= 2:
            kept.add(name)
            kept.update(_look_through(branch, kept).name for branch in live_inputs)
        elif tensor.op.type in POOL_OPS or _is_global_pool(tensor):
            kept.add(name)
    return kept


def _look_through(tensor, stop=()):
    """The tensor that ``tensor`` copies through ``Identity`` ops (stopping at names in ``stop``)."""
    while tensor.op.type in _LOOK_THROUGH_OPS and tensor.op.inputs and tensor.name not in stop:
        tensor = tensor.op.inputs[0]
    return tensor


def _is_global_pool(tensor) -> bool:
    """Whether ``tensor`` is a mean of a rank-4 tensor over its spatial axes."""
    if tensor.op.type not in GLOBAL_POOL_OPS or tensor.op.inputs[0].shape.ndims != 4:
        return False
    axes = tf.get_static_value(tensor.op.inputs[1])
    if axes is None:
        return False
    axes = {int(a) % 4 for a in axes.reshape(-1)}
    return axes in ({1, 2}, {2, 3})  # NHWC or NCHW


def _display_name(tensor_name: str) -> str:
    """``"import/mixed3a_1x1:0"`` -> ``"mixed3a_1x1"`` (the output index kept when not 0)."""
    name = tensor_name[len(_SCOPE) + 1 :] if tensor_name.startswith(_SCOPE + "/") else tensor_name
    return name[: -len(":0")] if name.endswith(":0") else name


def _shape(tensor) -> Optional[List[Optional[int]]]:
    """The static shape without the batch dimension; None when the rank is unknown."""
    if tensor.shape.ndims is None:
        return None
    return [None if d is None else int(d) for d in tensor.shape.as_list()[1:]]


def with_layer_dirs(architecture: Dict[str, list], info: dict) -> Dict[str, list]:
    """``architecture`` with each declared layer's ``dir`` taken from ``info["layers"]``."""
    dirs = {layer["name"]: layer["dir"] for layer in info["layers"]}
    nodes = [dict(node, dir=dirs.get(node["layer"])) for node in architecture["nodes"]]
    return {"nodes": nodes, "edges": architecture["edges"]}


def shape_text(shape: Optional[Sequence[Optional[int]]]) -> str:
    """``[28, 28, 256]`` -> ``"28×28×256"``; an unknown size or rank as ``?``."""
    if shape is None:
        return "?"
    return "×".join("?" if d is None else str(d) for d in shape) if shape else "scalar"


def node_kind(node: dict) -> str:
    """``"layer"`` (declared), ``"join"``, ``"pool"`` or ``"other"``: how a node is drawn."""
    if node["layer"] is not None:
        return "layer"
    if node["op"] in JOIN_OPS:
        return "join"
    return "pool" if node["op"] in POOL_OPS | GLOBAL_POOL_OPS else "other"


def node_box(node: dict) -> svg_drawing.Box:
    """How an ``architecture.json`` node is drawn: its name, then its shape (and op if not a
    declared layer); a link to ``<dir>/index.html`` when it has a ``dir``."""
    kind = node_kind(node)
    shape = shape_text(node["shape"])
    # A declared layer shows only its shape, unless it is itself a join or a pool.
    plain_layer = kind == "layer" and node["op"] not in JOIN_OPS | POOL_OPS | GLOBAL_POOL_OPS
    detail = shape if plain_layer else f"{_OP_LABELS.get(node['op'], node['op'])} {shape}"
    href = f"{node['dir']}/index.html" if node["dir"] else None
    title = f"{node['name']}\n{node['op']}, output {shape}"
    return svg_drawing.Box((svg_drawing.shorten(node["name"]), detail), kind, href, title)


def architecture_svg(architecture: Dict[str, list]) -> str:
    """The SVG drawing of ``architecture`` (as returned by :func:`model_architecture`).

    Nodes with a ``dir`` are links to ``<dir>/index.html``; all text is XML-escaped.
    """
    boxes = [node_box(node) for node in architecture["nodes"]]
    edges = [tuple(edge) for edge in architecture["edges"]]
    drawing = dag_layout.layout([box.size for box in boxes], edges)
    return svg_drawing.render(boxes, drawing)


def write_architecture(model, model_dir: str, info: dict) -> None:
    """Writes ``architecture.svg`` and then ``architecture.json`` of ``model`` into ``model_dir``.

    Args:
      model: the lucid ``Model``.
      model_dir: the model's atlas directory ``M/``.
      info: ``build.describe_model(model)`` (for the layers' directories).

    Each file is written atomically, and only if its bytes change, so a resumed build leaves
    them untouched.
    """
    architecture = with_layer_dirs(model_architecture(model), info)
    svg = architecture_svg(architecture)
    results.write_if_changed(os.path.join(model_dir, ARCHITECTURE_SVG), svg.encode("utf-8"))
    results.write_if_changed(
        os.path.join(model_dir, ARCHITECTURE_JSON), results.json_bytes(architecture)
    )
