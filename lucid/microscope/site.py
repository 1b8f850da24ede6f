"""The static atlas site and its JSON API, generated from the results on disk.

:func:`generate_site` reads every ``<model>/model.json`` and the committed results under an
atlas directory (``api.read_atlas``) and (re)writes all pages, the JSON API and the search
index, so they always agree with the results, whatever was interrupted before. Each unit's
page and its ``api/M/L/<unit>.json`` are made from the same record (``api.unit_record``).
It is cheap and deterministic: the same results give the same bytes, and only files whose
bytes change are written.

Pages (``pages_*`` modules): ``index.html`` (models), ``help.html`` (views and scores),
``M/index.html`` (architecture diagram and layers), ``M/L/index.html`` (DeepDream,
caricatures, units), ``M/L/unit-0042.html``, ``M/images/`` (image tours).

Everything that comes from a model file or a dataset (model, layer and file names, labels,
captions) is untrusted: text is HTML-escaped, path components are safe file names
(``layout.safe_component``) that are URL-quoted again in links, and the search index is
escaped JSON that the search script only ever puts into text nodes. Links are relative, so
the site works from ``file://`` and from any URL prefix; the only script is the site's own
``search.js`` (a Content-Security-Policy forbids any other); images load lazily.
"""

import os

from lucid.microscope import api
from lucid.microscope import layout
from lucid.microscope import pages_common
from lucid.microscope import pages_help
from lucid.microscope import pages_model
from lucid.microscope import pages_tours
from lucid.microscope import pages_unit
from lucid.microscope import results

_STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
STATIC_FILES = (layout.STYLE_CSS, pages_common.SEARCH_JS)


def generate_site(out_dir: str) -> int:
    """Writes every page, the API and the search index of the atlas in ``out_dir``.

    Returns:
      The number of HTML pages.
    """
    models = api.read_atlas(out_dir)
    records = api.unit_records(models)
    pages = {
        layout.INDEX_HTML: pages_model.index_page(models),
        pages_common.HELP_HTML: pages_help.help_page(),
    }
    for model in models:
        for entry in model["layers"]:
            if not pages_model.has_layer_page(entry):
                continue
            layer = entry["layer"]
            pages[f"{model['dir']}/{layer['dir']}/{layout.INDEX_HTML}"] = pages_model.layer_page(
                model, entry
            )
            units = list(entry["units"])
            for unit in units:
                path = api.unit_page_path(model["dir"], layer["dir"], unit)
                pages[path] = pages_unit.unit_page(
                    model["info"]["name"], layer, records[path], pages_unit.neighbours(units, unit)
                )
        pages[f"{model['dir']}/{layout.INDEX_HTML}"] = pages_model.model_page(model)
        pages.update(pages_tours.tour_pages(model))
    for name in STATIC_FILES:
        with open(os.path.join(_STATIC_DIR, name), "rb") as f:
            results.write_if_changed(os.path.join(out_dir, name), f.read())
    api.write_api(out_dir, models, records)
    for relative, text in pages.items():
        results.write_if_changed(os.path.join(out_dir, *relative.split("/")), text.encode("utf-8"))
    return len(pages)
