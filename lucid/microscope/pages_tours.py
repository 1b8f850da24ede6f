"""Image tour pages: follow one dataset image through the network, layer by layer.

``M/images/index.html`` lists the tour images; ``M/images/image-000.html`` shows one image
and, for every layer, the units it activates most (as ``M/images/image-000.json`` lists
them) with their channel visualizations, linked to their unit pages when rendered.
"""

from typing import Dict

from lucid.microscope import api
from lucid.microscope import layout
from lucid.microscope.pages_common import crumbs
from lucid.microscope.pages_common import esc
from lucid.microscope.pages_common import img
from lucid.microscope.pages_common import link
from lucid.microscope.pages_common import number
from lucid.microscope.pages_common import page
from lucid.microscope.pages_common import thumbnail
from lucid.microscope.pages_common import unit_caption

ROOT = "../../"  # tour pages live in M/images/


def tour_pages(model: dict) -> Dict[str, str]:
    """``{atlas path: HTML}`` of a model's image tour pages (empty without tours)."""
    tours = [tour for tour in model["tours"] if _image_path(model, tour) is not None]
    if not tours:
        return {}
    base = f"{model['dir']}/{api.IMAGES_DIR}"
    pages = {f"{base}/{layout.INDEX_HTML}": _index(model, tours)}
    for tour in tours:
        pages[f"{base}/{tour['stem']}.html"] = _tour(model, tour)
    return pages


def _image_path(model, tour):
    name = tour.get("file")
    if not isinstance(name, str) or not name or name.startswith(".") or "/" in name or "\\" in name:
        return None
    return f"{model['dir']}/{api.IMAGES_DIR}/{name}"


def _index(model, tours):
    name = model["info"]["name"]
    cells = "".join(
        thumbnail(
            ROOT,
            f"{model['dir']}/{api.IMAGES_DIR}/{tour['stem']}.html",
            _image_path(model, tour),
            str(tour.get("caption", "")),
        )
        for tour in tours
    )
    body = (
        f"<h1>Image tours of {esc(name)}</h1>"
        '<p class="note">pick an image to see, layer by layer, the units it activates most</p>'
        f'<div class="grid">{cells}</div>'
    )
    trail = [(name, f"{model['dir']}/{layout.INDEX_HTML}"), "Image tours"]
    return page(f"{name} / image tours", ROOT, crumbs(ROOT, *trail), body)


def _tour(model, tour):
    name, caption = model["info"]["name"], str(tour.get("caption", ""))
    entries = {entry["layer"]["name"]: entry for entry in model["layers"]}
    parts = [
        f"<h1>{esc(caption)}</h1>",
        img(ROOT, _image_path(model, tour), f"Dataset image: {caption}", "wide"),
    ]
    for tour_layer in tour["layers"]:
        if not isinstance(tour_layer, dict) or tour_layer.get("layer") not in entries:
            continue
        entry = entries[tour_layer["layer"]]
        layer = entry["layer"]
        heading = esc(layer["name"])
        if entry["units"]:
            target = link(ROOT, f"{model['dir']}/{layer['dir']}/{layout.INDEX_HTML}")
            heading = f'<a href="{target}">{heading}</a>'
        cells = []
        for item in tour_layer.get("units") or []:
            unit = item.get("unit") if isinstance(item, dict) else None
            if not isinstance(unit, int):
                continue
            kinds = entry["units"].get(unit)
            page_path = api.unit_page_path(model["dir"], layer["dir"], unit) if kinds else None
            image = api.thumbnail_path(model["dir"], layer["dir"], kinds) if kinds else None
            label = api.unit_label(model["info"], layer, unit)
            caption_text = f"{unit_caption(unit, label)} ({number(item.get('activation'))})"
            cells.append(thumbnail(ROOT, page_path, image, caption_text))
        parts.append(
            f'<section class="tour-layer"><h2>{heading}</h2>'
            f'<div class="grid">{"".join(cells)}</div></section>'
        )
    trail = [
        (name, f"{model['dir']}/{layout.INDEX_HTML}"),
        ("Image tours", f"{model['dir']}/{api.IMAGES_DIR}/{layout.INDEX_HTML}"),
        caption,
    ]
    return page(f"{name} / {caption}", ROOT, crumbs(ROOT, *trail), "\n".join(parts))
