"""Upstream weights per unit, written as atlas results (``unit-0042-upstream.json``).

What the weights are and how the graph is walked: ``lucid.microscope.upstream_walk``.
"""

import functools
import hashlib
import os
from typing import Sequence

import lucid
from lucid.microscope import layout
from lucid.microscope import results
from lucid.microscope.upstream_walk import DEFAULT_TOP
from lucid.microscope.upstream_walk import Upstream
from lucid.microscope.upstream_walk import UpstreamFinder
from lucid.microscope.upstream_walk import signed_norm

__all__ = [
    "DEFAULT_TOP",
    "Upstream",
    "UpstreamFinder",
    "graph_fingerprint",
    "signed_norm",
    "upstream_params",
    "write_layer_upstream",
]


def graph_fingerprint(model, layer_names: Sequence[str]) -> str:
    """SHA-256 of the model's graph and its declared layers: what upstream results depend on."""
    digest = hashlib.sha256(model.graph_def.SerializeToString(deterministic=True))
    digest.update("\n".join(layer_names).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def upstream_params(model_name: str, layer: str, unit: int, top: int, fingerprint: str) -> dict:
    """The parameters recorded with (and identifying) one unit's upstream weights."""
    return {
        "model": model_name,
        "layer": layer,
        "unit": int(unit),
        "kind": "upstream",
        "top": int(top),
        "graph": fingerprint,
        "version": lucid.__version__,
    }


def write_layer_upstream(
    model, model_dir: str, info: dict, layer_name: str, layer_dir: str, units: Sequence[int],
    top: int = DEFAULT_TOP,
) -> int:  # fmt: skip
    """Writes ``img/unit-NNNN-upstream.json`` for each unit not done yet; returns how many.

    The record has ``"upstream": [{"layer", "unit", "weight", "dir"}]`` (``dir``: the
    upstream layer's directory from ``info``, for links; largest ``|weight|`` first) and
    ``"note"`` (a string or null), with no image files.

    Args:
      model: a Lucid ``Model``.
      model_dir: the model's atlas directory.
      info: ``build.describe_model(model)``.
      layer_name: a declared layer of ``info``; ``layer_dir`` its directory.
      units: the units to write.
      top: upstream units kept per unit (at least 1).

    Raises:
      ValueError: ``top`` below 1, or ``layer_name`` not in ``info``.
    """
    if not isinstance(top, int) or top < 1:  # checked before any work
        raise ValueError(f"top must be a positive int; got top={top!r}.")
    names = [layer["name"] for layer in info["layers"]]
    if layer_name not in names:
        raise ValueError(f"layer_name={layer_name!r} is not a layer of {info['name']}: {names}.")
    dirs = {layer["name"]: layer["dir"] for layer in info["layers"]}
    results_dir = os.path.join(model_dir, layer_dir, layout.RESULTS_DIR)
    fingerprint = graph_fingerprint(model, names)

    def params(unit):
        return upstream_params(model.name, layer_name, unit, top, fingerprint)

    stem = functools.partial(layout.result_stem, kind="upstream")
    todo = [u for u in units if not results.is_done(results_dir, stem(u), params(u))]
    if not todo:
        return 0
    finder = UpstreamFinder.from_model(model, names)
    try:
        for unit in todo:
            found = finder.upstream(layer_name, unit, top)
            entries = [
                {"layer": layer, "unit": k, "weight": weight, "dir": dirs[layer]}
                for layer, k, weight in found.units
            ]
            results.write_result(
                results_dir, stem(unit), params(unit), {}, upstream=entries, note=found.note
            )
    finally:
        finder.close()
    return len(todo)
