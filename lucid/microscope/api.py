"""The atlas's JSON API and search index, read from the results on disk.

:func:`read_atlas` gathers everything committed under an atlas directory (``model.json``,
each layer's results, the architecture diagram, the image tours) into plain dicts;
:func:`unit_record` turns one unit's results into the record that both its API file and its
HTML page are made from; :func:`write_api` writes::

    api/index.json               {"models": [{"name", "dir", "layers": [{"name", "dir",
                                  "depth", "tags", "units": [rendered unit ints]}]}]}
    api/M/L/42.json              one unit: image paths, examples, tuning curves, upstream
                                 units, scores, parameters and timings (see unit_record)
    api/search.json              {"entries": [...]}: what the search box searches
    search-index.js              the same data assigned to ``window.LUCID_SEARCH_INDEX``, so
                                 the search works from file:// where fetch() is blocked

Paths in the API are relative to the atlas directory. Every file is canonical JSON
(``results.json_bytes``), so the same results give the same bytes, and a resumed build the
same API as an uninterrupted one. A missing or unreadable result simply leaves its field
null. File names read from result records are used only when they are plain names in the
results directory (no ``/``, no leading ``.``).
"""

import json
import os
from typing import Dict
from typing import List
from typing import Optional

from lucid.microscope import layout
from lucid.microscope import results

API_DIR = layout.API_DIR
INDEX_JSON = "index.json"
SEARCH_JSON = "search.json"
SEARCH_INDEX_JS = layout.SEARCH_INDEX_JS
SEARCH_GLOBAL = "LUCID_SEARCH_INDEX"
ARCHITECTURE_SVG = layout.ARCHITECTURE_SVG
IMAGES_DIR = layout.IMAGES_DIR
IMAGE_KINDS = ("channel", "neuron", "negative", "alpha", "diverse")
THUMBNAIL_KINDS = ("channel", "neuron", "diverse", "examples")
_TOUR_PREFIX = "image-"
_MAX_CAPTIONS = 8  # dataset-example captions per unit in the search index
# Characters a JSON string may hold that must not reach a JS file raw: "<" could end a
# script element if the index were ever inlined, U+2028/9 end a line in older JS engines.
_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


# -- reading -------------------------------------------------------------------------------


def read_model(model_path: str) -> Optional[dict]:
    """The ``model.json`` of a model directory, or None if there is none (or it is unreadable)."""
    return results.read_json_record(os.path.join(model_path, layout.MODEL_JSON), "layers")


def read_layer_results(layer_path: str) -> dict:
    """One layer's committed results: ``{"units": {unit: {kind: record}}, "deepdream": record
    or None, "caricature": record or None}``."""
    results_dir = os.path.join(layer_path, layout.RESULTS_DIR)
    units: Dict[int, Dict[str, dict]] = {}
    names = sorted(os.listdir(results_dir)) if os.path.isdir(results_dir) else []
    for file_name in names:
        parsed = layout.parse_result_name(file_name)
        if parsed is None:
            continue
        record = results.read_result(results_dir, file_name[: -len(".json")])
        if record is not None:
            units.setdefault(parsed[0], {})[parsed[1]] = record
    return {
        "units": dict(sorted(units.items())),
        "deepdream": results.read_result(results_dir, layout.DEEPDREAM_STEM),
        "caricature": results.read_result(results_dir, layout.CARICATURE_STEM),
    }


def read_tours(model_path: str) -> List[dict]:
    """The image tours of a model (``M/images/image-000.json`` ...), each with its ``"stem"``."""
    directory = os.path.join(model_path, IMAGES_DIR)
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    tours = []
    for name in names:
        if not (name.startswith(_TOUR_PREFIX) and name.endswith(".json")):
            continue
        record = results.read_json_record(os.path.join(directory, name), "layers")
        if record is not None:
            tours.append(dict(record, stem=name[: -len(".json")]))
    return tours


def read_atlas(out_dir: str) -> List[dict]:
    """Every model of the atlas in ``out_dir``, sorted by directory name.

    Each is ``{"dir", "info" (model.json), "layers": [{"layer": layer dict, "units",
    "deepdream", "caricature"}], "architecture": SVG text or None, "tours": [...]}``.
    """
    models = []
    for model_dir in sorted(os.listdir(out_dir)):
        model_path = os.path.join(out_dir, model_dir)
        info = read_model(model_path)
        if info is None:
            continue
        layers = [
            dict(read_layer_results(os.path.join(model_path, layer["dir"])), layer=layer)
            for layer in info["layers"]
        ]
        architecture = None
        try:
            with open(os.path.join(model_path, ARCHITECTURE_SVG), encoding="utf-8") as f:
                architecture = f.read()
        except (OSError, ValueError):
            pass
        models.append(
            {
                "dir": model_dir,
                "info": info,
                "layers": layers,
                "architecture": architecture,
                "tours": read_tours(model_path),
            }
        )
    return models


# -- per-unit records ----------------------------------------------------------------------


def unit_label(info: dict, layer: dict, unit: int) -> Optional[str]:
    """The class label of a unit of a dense layer with one unit per label; else None."""
    labels = info.get("labels")
    if not labels or layer.get("spatial", True) or layer["depth"] != len(labels):
        return None
    return str(labels[unit]) if 0 <= unit < len(labels) else None


def result_path(model_dir: str, layer_dir: str, file_name) -> Optional[str]:
    """``"M/L/img/<file_name>"``, or None if ``file_name`` is not a plain file name."""
    if not isinstance(file_name, str) or not file_name or file_name.startswith("."):
        return None
    if "/" in file_name or "\\" in file_name:
        return None
    return f"{model_dir}/{layer_dir}/{layout.RESULTS_DIR}/{file_name}"


def unit_page_path(model_dir: str, layer_dir: str, unit: int) -> str:
    return f"{model_dir}/{layer_dir}/{layout.unit_page(unit)}"


def unit_api_path(model_dir: str, layer_dir: str, unit: int) -> str:
    return f"{API_DIR}/{model_dir}/{layer_dir}/{int(unit)}.json"


def thumbnail_path(model_dir: str, layer_dir: str, kinds: dict) -> Optional[str]:
    """The picture that stands for a unit: its channel image, else its first image."""
    for kind in THUMBNAIL_KINDS:
        files = kinds.get(kind, {}).get("files") or []
        if files:
            return result_path(model_dir, layer_dir, files[0])
    return None


def _paths(model_dir, layer_dir, record):
    if record is None:
        return None
    paths = [result_path(model_dir, layer_dir, name) for name in record["files"]]
    return [path for path in paths if path is not None]


def _examples(model_dir, layer_dir, record):
    if record is None:
        return None
    examples = []
    for file_name, example in zip(record["files"], record.get("examples") or []):
        path = result_path(model_dir, layer_dir, file_name)
        if path is not None and isinstance(example, dict):
            examples.append(
                {
                    "image": path,
                    "caption": str(example.get("caption", "")),
                    "activation": example.get("activation"),
                    "box": example.get("box"),
                }
            )
    return examples


def _tuning(model_dir, layer_dir, record):
    if record is None:
        return None
    charts = [name for name in record["files"] if str(name).endswith(".svg")]
    return {
        "chart": result_path(model_dir, layer_dir, charts[0]) if charts else None,
        "curves": record.get("curves") or [],
    }


def _upstream(model, record):
    """The upstream units, each with its unit page and thumbnail paths when rendered."""
    if record is None or not isinstance(record.get("upstream"), list):
        return None
    layers = {entry["layer"]["name"]: entry for entry in model["layers"]}
    upstream = []
    for item in record["upstream"]:
        if not isinstance(item, dict):
            continue
        entry = layers.get(item.get("layer"))
        unit = item.get("unit")
        kinds = entry["units"].get(unit) if entry is not None and isinstance(unit, int) else None
        page = image = None
        if kinds:
            layer_dir = entry["layer"]["dir"]
            page = unit_page_path(model["dir"], layer_dir, unit)
            image = thumbnail_path(model["dir"], layer_dir, kinds)
        upstream.append(
            {
                "layer": item.get("layer"),
                "unit": unit,
                "weight": item.get("weight"),
                "page": page,
                "image": image,
            }
        )
    return upstream


def unit_record(model: dict, entry: dict, unit: int) -> dict:
    """The API record of ``unit`` of the layer ``entry`` of ``model`` (as :func:`read_atlas`).

    Image fields (``channel``, ``neuron``, ``negative``, ``alpha``, ``diverse``) are lists of
    paths or None; ``dataset_examples`` a list of ``{"image", "caption", "activation",
    "box"}``; ``tuning_curves`` ``{"chart": SVG path or None, "curves": [...]}``;
    ``upstream`` a list of ``{"layer", "unit", "weight", "page", "image"}`` (page and image
    None when that unit is not rendered) with ``upstream_note`` saying why there is none;
    ``scores`` ``{"activation_ratio", "stability", "diversity"}``; ``params`` and
    ``timings`` (seconds) by kind.
    """
    info, layer, kinds = model["info"], entry["layer"], entry["units"][unit]
    model_dir, layer_dir = model["dir"], layer["dir"]
    record = {
        "model": info["name"],
        "layer": layer["name"],
        "unit": unit,
        "label": unit_label(info, layer, unit),
        "page": unit_page_path(model_dir, layer_dir, unit),
    }
    for kind in IMAGE_KINDS:
        record[kind] = _paths(model_dir, layer_dir, kinds.get(kind))
    record["dataset_examples"] = _examples(model_dir, layer_dir, kinds.get("examples"))
    record["tuning_curves"] = _tuning(model_dir, layer_dir, kinds.get("tuning"))
    record["upstream"] = _upstream(model, kinds.get("upstream"))
    note = kinds.get("upstream", {}).get("note")
    record["upstream_note"] = None if note is None else str(note)
    scores = kinds.get("scores", {}).get("scores")
    record["scores"] = scores if isinstance(scores, dict) else None
    record["params"] = {kind: r["params"] for kind, r in kinds.items() if "params" in r}
    record["timings"] = {
        kind: r["timing"]["seconds"]
        for kind, r in kinds.items()
        if isinstance(r.get("timing"), dict) and "seconds" in r["timing"]
    }
    return record


# -- index and search ----------------------------------------------------------------------


def atlas_index(models: List[dict]) -> dict:
    """``api/index.json``: models -> layers (name, dir, depth, tags) -> rendered units."""
    return {
        "models": [
            {
                "name": model["info"]["name"],
                "dir": model["dir"],
                "layers": [
                    {
                        "name": entry["layer"]["name"],
                        "dir": entry["layer"]["dir"],
                        "depth": entry["layer"]["depth"],
                        "tags": list(entry["layer"].get("tags", [])),
                        "units": list(entry["units"]),
                    }
                    for entry in model["layers"]
                ],
            }
            for model in models
        ]
    }


def search_entries(models: List[dict], records: Dict[str, dict]) -> List[dict]:
    """What the search box searches: one entry per rendered layer and per rendered unit.

    ``{"model", "layer", "unit" (None for a layer), "label", "captions", "page", "image"}``;
    ``records`` maps unit page paths to :func:`unit_record` records.
    """
    entries = []
    for model in models:
        for entry in model["layers"]:
            layer = entry["layer"]
            if not (entry["units"] or entry["deepdream"] or entry["caricature"]):
                continue
            entries.append(
                {
                    "model": model["info"]["name"],
                    "layer": layer["name"],
                    "unit": None,
                    "label": None,
                    "captions": [],
                    "page": f"{model['dir']}/{layer['dir']}/{layout.INDEX_HTML}",
                    "image": None,
                }
            )
            for unit, kinds in entry["units"].items():
                record = records[unit_page_path(model["dir"], layer["dir"], unit)]
                captions = []
                for example in record["dataset_examples"] or []:
                    if example["caption"] not in captions and len(captions) < _MAX_CAPTIONS:
                        captions.append(example["caption"])
                entries.append(
                    {
                        "model": record["model"],
                        "layer": record["layer"],
                        "unit": unit,
                        "label": record["label"],
                        "captions": captions,
                        "page": record["page"],
                        "image": thumbnail_path(model["dir"], layer["dir"], kinds),
                    }
                )
    return entries


def search_index_js(entries: List[dict]) -> bytes:
    """``search-index.js``: the entries assigned to ``window.LUCID_SEARCH_INDEX``.

    The JSON is escaped so that no model text can end the script or break a line in it.
    """
    text = json.dumps({"entries": entries}, sort_keys=True, ensure_ascii=False)
    for character, escaped in _JS_ESCAPES.items():
        text = text.replace(character, escaped)
    return f"window.{SEARCH_GLOBAL} = {text};\n".encode()


def write_api(out_dir: str, models: List[dict], records: Dict[str, dict]) -> int:
    """Writes the API and the search index (only files whose bytes changed); returns the count."""
    files = {f"{API_DIR}/{INDEX_JSON}": results.json_bytes(atlas_index(models))}
    for record in records.values():
        model_dir, layer_dir = record["page"].split("/")[:2]
        files[unit_api_path(model_dir, layer_dir, record["unit"])] = results.json_bytes(record)
    entries = search_entries(models, records)
    files[f"{API_DIR}/{SEARCH_JSON}"] = results.json_bytes({"entries": entries})
    files[SEARCH_INDEX_JS] = search_index_js(entries)
    for relative, data in files.items():
        results.write_if_changed(os.path.join(out_dir, *relative.split("/")), data)
    return len(files)


def unit_records(models: List[dict]) -> Dict[str, dict]:
    """``{unit page path: unit_record}`` of every rendered unit, in atlas order."""
    return {
        unit_page_path(model["dir"], entry["layer"]["dir"], unit): unit_record(model, entry, unit)
        for model in models
        for entry in model["layers"]
        for unit in entry["units"]
    }
