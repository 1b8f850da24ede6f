"""The static atlas site, generated from the results on disk.

:func:`generate_site` reads every ``<model>/model.json`` and the committed results under an
atlas directory and (re)writes all pages, so the pages always agree with the results,
whatever was interrupted before. It is cheap and deterministic: the same results give the
same bytes.

Everything that comes from a model file or a dataset (model, layer and file names, labels,
captions) is untrusted: text is HTML-escaped, and path components are safe file names
(``layout.safe_component``) that are URL-quoted again in links. Links are relative, so the
site works from ``file://`` and from any URL prefix; pages carry no scripts (and a
Content-Security-Policy forbids them); images load lazily.
"""

import html
import os
from typing import Dict
from typing import List
from typing import Optional
from urllib.parse import quote

import lucid
from lucid.microscope import layout
from lucid.microscope import results

_STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
_STRIP_UNITS = 8
_KIND_TITLES = {
    "channel": "Channel",
    "neuron": "Neuron (centre)",
    "diverse": "Diverse",
    "examples": "Dataset examples",
}
_KIND_NOTES = {
    "channel": "maximizes the mean activation of the channel over all positions",
    "neuron": "maximizes the channel's activation at the centre position",
    "diverse": "several images of the channel, pushed apart by a diversity penalty",
    "examples": "the images that activate this unit most; the activating region is outlined",
}


def esc(text) -> str:
    """HTML-escapes ``text`` (quotes included), for element content and attribute values."""
    return html.escape(str(text), quote=True)


def href(*components: str) -> str:
    """A relative URL from path components (``".."`` allowed), each URL-quoted, then HTML-escaped."""
    return esc("/".join(quote(c, safe="") for c in components))


def read_model(model_dir: str) -> Optional[dict]:
    """The ``model.json`` of a model directory, or None if there is none (or it is unreadable)."""
    return results.read_json_record(os.path.join(model_dir, layout.MODEL_JSON), "layers")


def read_layer_results(layer_dir: str):
    """``({unit: {kind: record}}, deepdream record or None)`` of one layer's committed results."""
    results_dir = os.path.join(layer_dir, layout.RESULTS_DIR)
    units: Dict[int, Dict[str, dict]] = {}
    names = sorted(os.listdir(results_dir)) if os.path.isdir(results_dir) else []
    for file_name in names:
        parsed = layout.parse_result_name(file_name)
        if parsed is None:
            continue
        record = results.read_result(results_dir, file_name[: -len(".json")])
        if record is not None:
            units.setdefault(parsed[0], {})[parsed[1]] = record
    deepdream = results.read_result(results_dir, layout.DEEPDREAM_STEM)
    return dict(sorted(units.items())), deepdream


def generate_site(out_dir: str) -> int:
    """Writes every page of the atlas in ``out_dir`` from the results there; returns the page count."""
    models = []
    for name in sorted(os.listdir(out_dir)):
        info = read_model(os.path.join(out_dir, name))
        if info is not None:
            models.append((name, info))
    pages = {layout.INDEX_HTML: _index_page(models, out_dir)}
    for model_dir, info in models:
        layers = []
        for layer in info["layers"]:
            units, deepdream = read_layer_results(os.path.join(out_dir, model_dir, layer["dir"]))
            layers.append((layer, units, deepdream))
            if units or deepdream:
                base = f"{model_dir}/{layer['dir']}/"
                pages[base + layout.INDEX_HTML] = _layer_page(info, layer, units, deepdream)
                for unit, kinds in units.items():
                    neighbours = _neighbours(list(units), unit)
                    pages[base + layout.unit_page(unit)] = _unit_page(
                        info, layer, unit, kinds, neighbours
                    )
        pages[f"{model_dir}/{layout.INDEX_HTML}"] = _model_page(info, layers)
    with open(os.path.join(_STATIC_DIR, layout.STYLE_CSS), "rb") as f:
        results.write_if_changed(os.path.join(out_dir, layout.STYLE_CSS), f.read())
    for relative, text in pages.items():
        results.write_if_changed(os.path.join(out_dir, *relative.split("/")), text.encode("utf-8"))
    return len(pages)


# -- pages ---------------------------------------------------------------------------------


def _page(title: str, root: str, crumbs: List[str], body: str) -> str:
    nav = " / ".join(crumbs)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="script-src 'none'; object-src 'none'; base-uri 'none'">
<title>{esc(title)}</title>
<link rel="stylesheet" href="{root}style.css">
</head>
<body>
<nav class="crumbs">{nav}</nav>
<main>
{body}
</main>
<footer>Made with lucid {esc(lucid.__version__)} (lucid microscope).</footer>
</body>
</html>
"""


def _index_page(models, out_dir):
    rows = []
    for model_dir, info in models:
        rendered = sum(
            1
            for layer in info["layers"]
            if os.path.isdir(os.path.join(out_dir, model_dir, layer["dir"], layout.RESULTS_DIR))
        )
        rows.append(
            f'<li><a class="model" href="{href(model_dir, layout.INDEX_HTML)}">{esc(info["name"])}</a>'
            f' <span class="meta">{len(info["layers"])} layers, {rendered} rendered'
            f"{_dataset_note(info)}</span></li>"
        )
    body = "<h1>Models</h1>\n" + (
        '<ul class="models">\n' + "\n".join(rows) + "\n</ul>" if rows else "<p>No models yet.</p>"
    )
    return _page("Lucid Microscope", "", ["<span>Models</span>"], body)


def _dataset_note(info):
    return f", trained on {esc(info['dataset'])}" if info.get("dataset") else ""


def _model_page(info, layers):
    rows = []
    for layer, units, _ in layers:
        name = esc(layer["name"])
        if units:
            name = f'<a class="layer" href="{href(layer["dir"], layout.INDEX_HTML)}">{name}</a>'
        strip = "".join(
            _thumbnail(units[unit], [layer["dir"]], unit, _unit_label(info, layer, unit))
            for unit in _sample(list(units), _STRIP_UNITS)
        )
        rows.append(
            f"<tr><td>{name}</td><td>{esc(layer['depth'])}</td>"
            f"<td>{esc(', '.join(layer.get('tags', [])))}</td><td>{len(units)}</td>"
            f'<td><div class="strip">{strip}</div></td></tr>'
        )
    body = (
        f'<h1>{esc(info["name"])}</h1>\n<p class="meta">{len(layers)} layers'
        f"{_dataset_note(info)}.</p>\n"
        '<table class="layers"><thead><tr><th>Layer</th><th>Depth</th><th>Tags</th>'
        "<th>Rendered</th><th>Sample units</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>"
    )
    crumbs = [f'<a href="{href("..", layout.INDEX_HTML)}">Models</a>', esc(info["name"])]
    return _page(info["name"], "../", crumbs, body)


def _layer_page(info, layer, units, deepdream):
    parts = [
        f"<h1>{esc(layer['name'])}</h1>",
        f'<p class="meta">Depth {esc(layer["depth"])}; tags {esc(", ".join(layer.get("tags", [])))}; '
        f"{len(units)} units rendered.</p>",
    ]
    if deepdream is not None:
        parts.append(
            '<section class="deepdream"><h2>DeepDream</h2>'
            f"{_img([layout.RESULTS_DIR, deepdream['files'][0]], 'DeepDream of the layer', 'wide')}"
            '<p class="note">maximizes the mean squared activation of the whole layer</p></section>'
        )
    cells = "".join(
        _thumbnail(kinds, [], unit, _unit_label(info, layer, unit)) for unit, kinds in units.items()
    )
    parts.append(f'<section><h2>Units</h2><div class="grid">{cells}</div></section>')
    crumbs = [
        f'<a href="{href("..", "..", layout.INDEX_HTML)}">Models</a>',
        f'<a href="{href("..", layout.INDEX_HTML)}">{esc(info["name"])}</a>',
        esc(layer["name"]),
    ]
    return _page(f"{info['name']} / {layer['name']}", "../../", crumbs, "\n".join(parts))


def _unit_page(info, layer, unit, kinds, neighbours):
    label = _unit_label(info, layer, unit)
    parts = [f"<h1>{esc(layer['name'])} unit {unit}</h1>"]
    if label is not None:
        parts.append(f'<p class="label">Label: <span class="label-text">{esc(label)}</span></p>')
    links = [f'<a href="{href(layout.unit_page(unit))}">permalink</a>']
    if neighbours[0] is not None:
        links.insert(
            0, f'<a rel="prev" href="{href(layout.unit_page(neighbours[0]))}">previous unit</a>'
        )
    if neighbours[1] is not None:
        links.append(f'<a rel="next" href="{href(layout.unit_page(neighbours[1]))}">next unit</a>')
    parts.append(f'<p class="pager">{" | ".join(links)}</p>')
    for kind in ("channel", "neuron", "diverse", "examples"):
        if kind in kinds:
            parts.append(_unit_section(kind, kinds[kind], layer, unit))
    parts.append(_parameters_table(kinds))
    crumbs = [
        f'<a href="{href("..", "..", layout.INDEX_HTML)}">Models</a>',
        f'<a href="{href("..", layout.INDEX_HTML)}">{esc(info["name"])}</a>',
        f'<a href="{href(layout.INDEX_HTML)}">{esc(layer["name"])}</a>',
        f"unit {unit}",
    ]
    title = f"{info['name']} / {layer['name']} / unit {unit}"
    return _page(title, "../../", crumbs, "\n".join(parts))


def _unit_section(kind, record, layer, unit):
    figures = []
    alt = f"{_KIND_TITLES[kind]} visualization of {layer['name']} unit {unit}"
    if kind == "examples":
        for file_name, example in zip(record["files"], record.get("examples", [])):
            caption = f"{example.get('caption', '')} ({example.get('activation', '')})"
            figures.append(
                f'<figure class="example">{_img([layout.RESULTS_DIR, file_name], f"{alt}: {caption}")}'
                f"<figcaption>{esc(caption)}</figcaption></figure>"
            )
    else:
        figures = [
            f"<figure>{_img([layout.RESULTS_DIR, file_name], alt)}</figure>"
            for file_name in record["files"]
        ]
    return (
        f'<section class="{kind}"><h2>{_KIND_TITLES[kind]}</h2>'
        f'<p class="note">{_KIND_NOTES[kind]}</p><div class="row">{"".join(figures)}</div></section>'
    )


def _parameters_table(kinds):
    rows = []
    for kind, record in kinds.items():
        params = record.get("params", {})
        shown = ", ".join(
            f"{key}={params[key]}"
            for key in sorted(params)
            if key not in ("model", "layer", "unit", "kind")
        )
        rows.append(f"<tr><td>{esc(kind)}</td><td>{esc(shown)}</td></tr>")
    return (
        '<section class="parameters"><h2>Parameters</h2><table>'
        + "".join(rows)
        + "</table></section>"
    )


# -- pieces --------------------------------------------------------------------------------


def _img(components, alt, css_class=None):
    class_attribute = f' class="{css_class}"' if css_class else ""
    return f'<img src="{href(*components)}" alt="{esc(alt)}" loading="lazy"{class_attribute}>'


def _thumbnail(kinds, path, unit, label):
    """A linked picture of a unit (its channel image, else its first image) with a caption."""
    record = next(
        (kinds[k] for k in ("channel", "neuron", "diverse", "examples") if k in kinds), None
    )
    caption = f"unit {unit}" + ("" if label is None else f": {label}")
    picture = ""
    if record is not None and record["files"]:
        picture = _img([*path, layout.RESULTS_DIR, record["files"][0]], caption)
    link = href(*path, layout.unit_page(unit))
    return f'<a class="unit" href="{link}">{picture}<span class="caption">{esc(caption)}</span></a>'


def _unit_label(info, layer, unit) -> Optional[str]:
    """The class label of a unit of a dense layer with one unit per label; else None."""
    labels = info.get("labels")
    if not labels or layer.get("spatial", True) or layer["depth"] != len(labels):
        return None
    return labels[unit] if 0 <= unit < len(labels) else None


def _sample(units, count):
    """Up to ``count`` units spread evenly over ``units``."""
    if len(units) <= count:
        return units
    return [units[round(i * (len(units) - 1) / (count - 1))] for i in range(count)]


def _neighbours(units, unit):
    position = units.index(unit)
    previous = units[position - 1] if position > 0 else None
    following = units[position + 1] if position + 1 < len(units) else None
    return previous, following
