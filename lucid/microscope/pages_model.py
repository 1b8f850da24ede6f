"""The atlas's index page, a model's page and a layer's page.

The model page shows the architecture diagram (inlined, so its nodes link to the layer
pages) above the table of layers, and links the image tours; a layer page shows the layer's
DeepDream beside its caricatures (dataset images and their feature inversions at this
layer), then the grid of its units. Each takes a model as ``api.read_atlas`` reads it.
"""

from lucid.microscope import api
from lucid.microscope import layout
from lucid.microscope import svg_inline
from lucid.microscope.pages_common import crumbs
from lucid.microscope.pages_common import esc
from lucid.microscope.pages_common import img
from lucid.microscope.pages_common import link
from lucid.microscope.pages_common import page
from lucid.microscope.pages_common import sample
from lucid.microscope.pages_common import thumbnail
from lucid.microscope.pages_common import unit_caption

STRIP_UNITS = 8


def has_layer_page(entry: dict) -> bool:
    """Whether a layer (an entry of ``api.read_atlas``'s ``"layers"``) has anything to show."""
    return bool(entry["units"] or entry["deepdream"] or entry["caricature"])


def index_page(models: list) -> str:
    rows = []
    for model in models:
        info = model["info"]
        rendered = sum(1 for entry in model["layers"] if has_layer_page(entry))
        rows.append(
            f'<li><a class="model" href="{link("", model["dir"] + "/" + layout.INDEX_HTML)}">'
            f"{esc(info['name'])}</a>"
            f' <span class="meta">{len(info["layers"])} layers, {rendered} rendered'
            f"{_dataset_note(info)}</span></li>"
        )
    body = "<h1>Models</h1>\n" + (
        '<ul class="models">\n' + "\n".join(rows) + "\n</ul>" if rows else "<p>No models yet.</p>"
    )
    return page("Lucid Microscope", "", ["<span>Models</span>"], body)


def _dataset_note(info):
    return f", trained on {esc(info['dataset'])}" if info.get("dataset") else ""


def _strip(model, entry, root):
    layer = entry["layer"]
    cells = []
    for unit in sample(list(entry["units"]), STRIP_UNITS):
        page_path = api.unit_page_path(model["dir"], layer["dir"], unit)
        image = api.thumbnail_path(model["dir"], layer["dir"], entry["units"][unit])
        label = api.unit_label(model["info"], layer, unit)
        cells.append(thumbnail(root, page_path, image, unit_caption(unit, label)))
    return "".join(cells)


def model_page(model: dict) -> str:
    info, root = model["info"], "../"
    parts = [
        f"<h1>{esc(info['name'])}</h1>",
        f'<p class="meta">{len(info["layers"])} layers{_dataset_note(info)}.</p>',
    ]
    if model["tours"]:
        tours = link(root, f"{model['dir']}/{api.IMAGES_DIR}/{layout.INDEX_HTML}")
        parts.append(
            f'<p class="tours"><a href="{tours}">Image tours</a>: follow {len(model["tours"])} '
            "dataset images through the layers.</p>"
        )
    # The diagram links every declared layer; keep the links to the pages that exist.
    pages = {
        f"{entry['layer']['dir']}/{layout.INDEX_HTML}"
        for entry in model["layers"]
        if has_layer_page(entry)
    }
    diagram = svg_inline.inline_svg(model["architecture"], pages) if model["architecture"] else ""
    if diagram:
        parts.append(
            '<section class="architecture"><h2>Architecture</h2><p class="note">the graph in '
            "data-flow order with output shapes; click a layer to open it</p>"
            f'<div class="diagram">{diagram}</div></section>'
        )
    rows = []
    for entry in model["layers"]:
        layer = entry["layer"]
        name = esc(layer["name"])
        if has_layer_page(entry):
            target = link(root, f"{model['dir']}/{layer['dir']}/{layout.INDEX_HTML}")
            name = f'<a class="layer" href="{target}">{name}</a>'
        rows.append(
            f"<tr><td>{name}</td><td>{esc(layer['depth'])}</td>"
            f"<td>{esc(', '.join(layer.get('tags', [])))}</td><td>{len(entry['units'])}</td>"
            f'<td><div class="strip">{_strip(model, entry, root)}</div></td></tr>'
        )
    parts.append(
        '<table class="layers"><thead><tr><th>Layer</th><th>Depth</th><th>Tags</th>'
        "<th>Rendered</th><th>Sample units</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>"
    )
    return page(info["name"], root, crumbs(root, info["name"]), "\n".join(parts))


def layer_page(model: dict, entry: dict) -> str:
    info, layer, root = model["info"], entry["layer"], "../../"
    parts = [
        f"<h1>{esc(layer['name'])}</h1>",
        f'<p class="meta">Depth {esc(layer["depth"])}; tags {esc(", ".join(layer.get("tags", [])))}; '
        f"{len(entry['units'])} units rendered.</p>",
    ]
    layer_views = [_deepdream(model, entry, root), _caricature(model, entry, root)]
    if any(layer_views):
        parts.append(f'<div class="views">{"".join(layer_views)}</div>')
    cells = "".join(
        thumbnail(
            root,
            api.unit_page_path(model["dir"], layer["dir"], unit),
            api.thumbnail_path(model["dir"], layer["dir"], kinds),
            unit_caption(unit, api.unit_label(info, layer, unit)),
        )
        for unit, kinds in entry["units"].items()
    )
    parts.append(f'<section><h2>Units</h2><div class="grid">{cells}</div></section>')
    trail = [(info["name"], f"{model['dir']}/{layout.INDEX_HTML}"), layer["name"]]
    title = f"{info['name']} / {layer['name']}"
    return page(title, root, crumbs(root, *trail), "\n".join(parts))


def _deepdream(model, entry, root):
    record = entry["deepdream"]
    if record is None or not record["files"]:
        return ""
    path = api.result_path(model["dir"], entry["layer"]["dir"], record["files"][0])
    if path is None:
        return ""
    return (
        '<section class="deepdream"><h2>DeepDream</h2>'
        f"{img(root, path, 'DeepDream of the layer', 'wide')}"
        '<p class="note">maximizes the mean squared activation of the whole layer</p></section>'
    )


def _caricature(model, entry, root):
    record = entry["caricature"]
    if record is None:
        return ""
    figures = []
    for pair in record.get("pairs") or []:
        if not isinstance(pair, dict):
            continue
        image = api.result_path(model["dir"], entry["layer"]["dir"], pair.get("image"))
        caricature = api.result_path(model["dir"], entry["layer"]["dir"], pair.get("caricature"))
        if image is None or caricature is None:
            continue
        caption = str(pair.get("caption", ""))
        figures.append(
            f'<figure class="pair">{img(root, image, f"Dataset image: {caption}")}'
            f"{img(root, caricature, f'Caricature at this layer of: {caption}')}"
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    if not figures:
        return ""
    return (
        '<section class="caricature"><h2>Caricatures</h2><p class="note">dataset images and '
        "their feature inversions at this layer: what the layer sees in them, exaggerated</p>"
        f'<div class="row">{"".join(figures)}</div></section>'
    )
