"""Where an atlas keeps its files: safe names for untrusted model text, and the site's layout.

An atlas directory looks like this (``M`` a model, ``L`` a layer, both as safe names)::

    index.html                       the models
    style.css
    M/model.json                     the model's layers, depths, tags and labels
    M/index.html                     its layers, each with a strip of sample units
    M/L/index.html                   the layer: DeepDream and a grid of its units
    M/L/unit-0042.html               one unit (linkable)
    M/L/img/unit-0042-channel.png    results; each result has a JSON next to it
    M/L/img/unit-0042-channel.json   written last: the commit marker of that result
    M/L/img/unit-0042-scores.json    a unit's quality scores (no image)
    M/L/img/layer-deepdream.png      layer results: DeepDream, caricatures (+ JSON)

Layer names come from model files and may contain ``/`` or any other character, so each
becomes a safe file name: itself when it is already plain (letters, digits, ``.``, ``_``,
``-``; not starting with ``.``; not a name the layout uses), else its sanitized form plus a
hash of the exact name, so two names never share a directory.
"""

import hashlib
import re
from typing import Dict
from typing import Iterable
from typing import Optional

MODEL_JSON = "model.json"
INDEX_HTML = "index.html"
STYLE_CSS = "style.css"
RESULTS_DIR = "img"
DEEPDREAM_STEM = "layer-deepdream"
CARICATURE_STEM = "layer-caricature"
TEMP_MARKER = ".tmp-"
# Site-level files (beside the model directories) and model-level ones (beside the layers'):
# model and layer names must never take them.
API_DIR = "api"
HELP_HTML = "help.html"
SEARCH_JS = "search.js"
SEARCH_INDEX_JS = "search-index.js"
IMAGES_DIR = "images"
ARCHITECTURE_SVG = "architecture.svg"
ARCHITECTURE_JSON = "architecture.json"

_PLAIN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}")
_UNSAFE_CHARACTER = re.compile(r"[^A-Za-z0-9._-]")
_RESERVED = {
    MODEL_JSON, INDEX_HTML, STYLE_CSS, RESULTS_DIR, API_DIR, HELP_HTML, SEARCH_JS,
    SEARCH_INDEX_JS, IMAGES_DIR, ARCHITECTURE_SVG, ARCHITECTURE_JSON,
}  # fmt: skip


def safe_component(name: str) -> str:
    """A file name for ``name`` that is safe as one path component and one URL component.

    Plain names are kept (``"conv2d0"``); others become their sanitized form plus the first
    8 hex digits of the SHA-256 of the name (``"mixed4a/conv"`` -> ``"mixed4a_conv-1b2c..."``).

    Raises:
      TypeError: ``name`` is not a str.
    """
    if not isinstance(name, str):
        raise TypeError(f"safe_component: name must be a str; got {name!r}.")
    if _PLAIN.fullmatch(name) and name.lower() not in _RESERVED:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    stem = _UNSAFE_CHARACTER.sub("_", name).lstrip(".")[:60]
    return f"{stem}-{digest}" if stem else digest


def layer_dirs(names: Iterable[str]) -> Dict[str, str]:
    """``{layer name: directory name}`` for the layers of one model.

    As :func:`safe_component`, and names that would collide on a case-insensitive file
    system (``"Conv"`` and ``"conv"``) also get the hash suffix.
    """
    names = list(names)
    plain = {name: safe_component(name) for name in names}
    lowered = [value.lower() for value in plain.values()]
    dirs = {}
    for name, value in plain.items():
        if lowered.count(value.lower()) > 1 and value == name:
            digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            value = f"{name}-{digest}"
        dirs[name] = value
    return dirs


def unit_stem(unit: int) -> str:
    """``"unit-0042"``: the file stem of a unit's page and results."""
    return f"unit-{int(unit):04d}"


def unit_page(unit: int) -> str:
    return unit_stem(unit) + ".html"


def result_stem(unit: Optional[int], kind: str) -> str:
    """The file stem of one result: ``"unit-0042-channel"``, or a layer's (unit None)
    ``"layer-deepdream"`` or ``"layer-caricature"``."""
    if unit is None:
        return f"layer-{kind}"
    return f"{unit_stem(unit)}-{kind}"


_RESULT_JSON = re.compile(r"unit-(\d+)-([a-z]+)\.json")


def parse_result_name(file_name: str):
    """``"unit-0042-channel.json"`` -> ``(42, "channel")``; None for any other name."""
    match = _RESULT_JSON.fullmatch(file_name)
    if match is None:
        return None
    return int(match.group(1)), match.group(2)


def is_temp_file(file_name: str) -> bool:
    """Whether ``file_name`` is a temporary file of an unfinished atomic write."""
    return file_name.startswith(".") and TEMP_MARKER in file_name
