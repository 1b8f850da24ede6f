"""Helpers for frozen GraphDefs: loading (with download and cache), freezing and metadata.

Network access happens only in :func:`load_graphdef`, :func:`load_text_labels` and
:func:`load_json`, through ``lucid.misc.io.reading.fetch_to_cache``: remote files
(``gs://``, ``http(s)://``) are downloaded once into the cache directory (``LUCID_CACHE_DIR``,
else the user cache directory) and verified where a sha256 is known, ``gs://modelzoo/`` is
redirected by ``LUCID_MODELZOO_MIRROR``, and ``LUCID_OFFLINE=1`` reads only the cache.
Local paths (and files in a directory mirror) are read in place and need no cache directory.
Failures raise ``lucid.misc.io.reading.DownloadError`` (or ``FileNotFoundError`` for a missing
local file, ``lucid.misc.io.reading.CacheDirectoryError`` for an unusable cache directory).
"""

import json
import logging
import os
from collections import defaultdict

import numpy as np
import tensorflow.compat.v1 as tf
from google.protobuf.message import DecodeError
from tensorflow.python.util import deprecation

log = logging.getLogger(__name__)

metadata_node_name = "lucid_metadata_json"


def load_graphdef(model_url, reset_device=True):
    """Loads a frozen ``tf.GraphDef`` from a local path or a URL (may download).

    Args:
      model_url: a local ``.pb`` path, or a ``gs://``, ``http://`` or ``https://`` URL, which
        is downloaded once and then read from the cache.
      reset_device: clear every ``node.device``, so the graph runs wherever TF places it.

    Returns:
      The parsed ``tf.GraphDef``.

    Raises:
      FileNotFoundError: a local path that does not exist.
      ValueError: the file is not a valid GraphDef. A cached download that fails to parse
        is deleted, so the next call downloads it again instead of trusting it.
    """
    path, in_cache = _local_copy(model_url)
    with open(path, "rb") as f:
        data = f.read()
    try:
        graph_def = _parse_graph_def(data)
    except ValueError as e:
        if in_cache:
            _purge(model_url, path)
            raise ValueError(
                f"The file downloaded from {model_url!r} (cached at {path!r}) is not a valid "
                f"frozen GraphDef: {e}. The corrupt cached copy was deleted; run again to "
                "download it afresh. If this keeps happening, the file at the source (or under "
                "LUCID_MODELZOO_MIRROR) is damaged: replace it, or check the URL."
            ) from e
        raise ValueError(
            f"{model_url!r} (read from {path!r}) is not a valid frozen GraphDef: {e}. "
            "Expected a binary .pb such as one written by Model.save or "
            "tf.io.write_graph(..., as_text=False)."
        ) from e
    if reset_device:
        for node in graph_def.node:
            node.device = ""
    return graph_def


def load_text_labels(labels_path):
    """Reads a labels file (one label per line) from a local path or URL; returns a list."""
    path, _ = _local_copy(labels_path)
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def load_json(url):
    """Reads a JSON file (e.g. a model manifest) from a local path or URL."""
    path, _ = _local_copy(url)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def forget_xy(t):
    """Forgets the static height and width of an NHWC tensor, so other sizes can be fed.

    Args:
      t: a rank-4 `[batch, height, width, channels]` tensor.

    Returns:
      ``tf.placeholder_with_default(t, [batch, None, None, channels])``: same values, with
      unknown spatial dimensions.
    """
    if t.shape.ndims != 4:
        raise ValueError(
            f"forget_xy expects a rank-4 [batch, height, width, channels] tensor; got {t!r} "
            f"with shape {t.shape}. Add a batch dimension with tf.expand_dims(t, 0)."
        )
    shape = (t.shape[0], None, None, t.shape[3])
    return tf.placeholder_with_default(t, shape)


def frozen_default_graph_def(input_node_names, output_node_names):
    """Freezes the default graph, using the default session's variable values.

    Removes training-only nodes (keeping the inputs and outputs), keeps only what the
    outputs depend on, clears devices and turns every global variable into a constant.

    Args:
      input_node_names: op names of the inputs (protected from pruning).
      output_node_names: op names of the outputs.

    Returns:
      A frozen ``tf.GraphDef``.
    """
    sess = tf.get_default_session()
    if sess is None:
        raise RuntimeError(
            "frozen_default_graph_def needs a default session holding the variable values. "
            "Call it inside `with tf.Session() as sess:` (or `with sess.as_default():`)."
        )
    input_graph_def = tf.get_default_graph().as_graph_def()
    if len(input_graph_def.node) == 0:
        raise RuntimeError(
            "The default graph is empty. Build (or import) the model in the default graph, "
            "e.g. inside `with graph.as_default():`, before freezing it."
        )
    protected = list(output_node_names) + list(input_node_names)
    variable_names = [v.op.name for v in tf.global_variables()]
    # These TF1 graph_util functions are what freezing means here; silence their
    # "deprecated" log lines (scoped to this call, no global filter).
    with deprecation.silence():
        # Lucid discarded the result of remove_training_nodes; use it.
        graph_def = tf.graph_util.remove_training_nodes(input_graph_def, protected_nodes=protected)
        graph_def = tf.graph_util.extract_sub_graph(graph_def, list(output_node_names))
        for node in graph_def.node:
            node.device = ""
        return tf.graph_util.convert_variables_to_constants(
            sess, graph_def, list(output_node_names), variable_names_whitelist=variable_names
        )


def infuse_metadata(graph_def, info):
    """Embeds ``info`` (JSON-serializable) as a string ``Const`` node named ``lucid_metadata_json``.

    An existing metadata node is replaced, so a graph never carries two of them.
    """
    text = json.dumps(info, default=_json_default)
    node = tf.NodeDef(name=metadata_node_name, op="Const")
    node.attr["dtype"].type = tf.string.as_datatype_enum
    node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(text))
    kept = [n for n in graph_def.node if n.name != metadata_node_name]
    if len(kept) != len(graph_def.node):
        del graph_def.node[:]
        graph_def.node.extend(kept)
    graph_def.node.extend([node])


def write_graph_def(graph_def, path):
    """Writes ``graph_def`` (binary protobuf) to a local path or any ``tf.io.gfile`` URL.

    A missing local parent directory is created. Used by ``Model.save`` and ``Model.export``.
    """
    path = os.fspath(path)
    directory = os.path.dirname(path)
    if directory and "://" not in path:
        os.makedirs(directory, exist_ok=True)
    with tf.io.gfile.GFile(path, "wb") as f:
        f.write(graph_def.SerializeToString())


def extract_metadata(graph_def):
    """Returns the JSON stored by :func:`infuse_metadata` in ``graph_def``, or None."""
    matches = [n for n in graph_def.node if n.name == metadata_node_name]
    if not matches:
        return None
    if len(matches) > 1:
        raise ValueError(
            f"The GraphDef has {len(matches)} nodes named {metadata_node_name!r}; expected at "
            "most one. Remove the extra ones (util.infuse_metadata replaces an existing node)."
        )
    return json.loads(matches[0].attr["value"].tensor.string_val[0])


class GraphDefHelper:
    """Indexes a GraphDef's nodes by op type, by name and by consumer.

    Attributes:
      by_op: ``{op_type: [NodeDef, ...]}``.
      by_name: ``{name: NodeDef}``.
      by_input: ``{name: [NodeDefs that read it]}`` (``^control`` and ``:k`` suffixes removed).
    """

    def __init__(self, graph_def):
        self.graph_def = graph_def
        self.by_op = defaultdict(list)
        self.by_name = {}
        self.by_input = defaultdict(list)
        for node in graph_def.node:
            if node.name in self.by_name:
                raise ValueError(
                    f"The GraphDef has two nodes named {node.name!r}; names must be unique."
                )
            self.by_op[node.op].append(node)
            self.by_name[node.name] = node
            for input_name in node.input:
                self.by_input[node_name(input_name)].append(node)

    def neighborhood(self, node, degree=4):
        """Nodes within ``degree`` edges of ``node``, following edges in both directions."""
        if self.by_name.get(node.name) is not node:
            raise ValueError(f"node {node.name!r} is not a node of this GraphDefHelper's graph.")
        visited = {node.name}
        frontier = {node.name}
        for _ in range(degree):
            neighbors = set()
            for name in frontier:
                neighbors |= {n.name for n in self.by_input[name]}
                neighbors |= {node_name(i) for i in self.by_name[name].input}
            frontier = neighbors - visited
            visited |= neighbors
        return [self.by_name[name] for name in visited if name in self.by_name]


def node_name(input_name: str) -> str:
    """The node of an input reference: ``"^a"``, ``"a:1"`` and ``"a"`` are all node ``"a"``."""
    return input_name.lstrip("^").split(":")[0]


def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if hasattr(obj, "to_json"):
        return obj.to_json()
    raise TypeError(f"Cannot store {obj!r} ({type(obj).__name__}) in the model's JSON metadata.")


def _parse_graph_def(data):
    try:
        graph_def = tf.GraphDef.FromString(data)
    except (DecodeError, RuntimeError) as e:
        raise ValueError(f"protobuf parsing failed ({e})") from e
    if len(graph_def.node) == 0 or any(not n.name or not n.op for n in graph_def.node):
        raise ValueError(f"parsed {len(data)} bytes but found no well-formed nodes")
    return graph_def


def _local_copy(url):
    """Returns ``(local_path, in_cache)`` for a local path or a remote URL (downloading it)."""
    from lucid.misc.io import reading

    url = os.fspath(url)
    path = reading.fetch_to_cache(url)
    # create=False: a local file (e.g. the bundled ShapesNet) needs no usable cache directory.
    in_cache = _is_inside(path, reading.cache_dir(create=False))
    if in_cache:
        log.info("Read %s from the cache at %s", url, path)
    return path, in_cache


def _is_inside(path, directory):
    path, directory = os.path.realpath(path), os.path.realpath(directory)
    return os.path.commonpath([path, directory]) == directory


def _purge(url, path):
    from lucid.misc.io import reading

    reading.purge_cached(url)  # under the cache lock; also forgets the remembered sha256
    log.warning("Deleted the corrupt cached copy of %s at %s", url, path)
