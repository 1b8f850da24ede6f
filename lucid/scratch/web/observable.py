"""Observable notebooks shown in Jupyter or Colab (Lucid's ``lucid.scratch.web.observable``).

``renderObservable("@user/notebook", cells=["chart"], data={"size": 3})`` displays a
``<div>`` (a fresh id per call, so several on one page do not collide) with a link to the
notebook, and a ``<script type="module">`` that loads the Observable runtime and the notebook
from the web, overrides the variables in ``data`` and renders the requested cells into the div.
All network access happens in the browser: Python only builds the HTML. The runtime is pinned
to a major version (Lucid loaded an unpinned, since-retired package).
"""

import re
from typing import Any
from typing import Mapping
from typing import Optional
from typing import Sequence

from lucid.scratch.web.embed import display_html
from lucid.scratch.web.embed import script_json
from lucid.scratch.web.embed import unique_id

OBSERVABLE_SITE = "https://observablehq.com/"
RUNTIME_URL = "https://cdn.jsdelivr.net/npm/@observablehq/runtime@5/dist/runtime.js"
NOTEBOOK_MODULE_URL = "https://api.observablehq.com/{slug}.js?v=4"
# "@user/notebook" or a "d/<16 hex digits>" link; nothing that could leave a URL or a string.
_SLUG = re.compile(r"^(@[A-Za-z0-9_-]+/[A-Za-z0-9_.-]+|d/[0-9a-f]{16})$")
_CELL_NAME = re.compile(r"^((viewof|mutable) )?[A-Za-z_$][A-Za-z0-9_$]*$")

_SCRIPT = """\
import {{Runtime, Inspector}} from "{runtime_url}";
import define from "{notebook_url}";
const root = document.getElementById("{div_id}");
const cells = {cells};
const data = {data};
const slots = new Map((cells || []).map(name => [name, root.appendChild(document.createElement("div"))]));
const observer = cells === null ? Inspector.into(root)
  : name => slots.has(name) ? new Inspector(slots.get(name)) : null;
const main = new Runtime().module(define, observer);
for (const [name, value] of Object.entries(data)) {{
  try {{
    main.redefine(name, [], () => value);
  }} catch (error) {{
    root.append(`Cannot set ${{name}}: ${{error.message}}`);
  }}
}}
"""


def observable_html(
    url: str, cells: Optional[Sequence[str]] = None, data: Optional[Mapping[str, Any]] = None
) -> str:
    """The HTML that `renderObservable` displays; see there for the arguments."""
    slug = _notebook_slug(url)
    if cells is not None:
        if isinstance(cells, str) or not all(isinstance(cell, str) for cell in cells):
            raise TypeError(f"cells must be a list of cell names (strings), got {cells!r}.")
        _check_names("cells", cells)
    data = {} if data is None else data
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a dict of variable name -> value, got {type(data)!r}.")
    _check_names("data", [name for name in data if isinstance(name, str)])
    div_id = unique_id("observable")
    script = _SCRIPT.format(
        runtime_url=RUNTIME_URL,
        notebook_url=NOTEBOOK_MODULE_URL.format(slug=slug),
        div_id=div_id,
        cells=script_json(None if cells is None else list(cells), "cells"),
        data=script_json(dict(data), "data"),
    )
    link = f'<a href="{OBSERVABLE_SITE}{slug}" target="_blank" rel="noopener">{slug}</a>'
    return f'<div id="{div_id}">{link}</div>\n<script type="module">\n{script}</script>'


def renderObservable(  # noqa: N802 (Lucid's name)
    url: str, cells: Optional[Sequence[str]] = None, data: Optional[Mapping[str, Any]] = None
) -> None:
    """Displays cells of an Observable notebook in Jupyter or Colab.

    Args:
      url: the notebook, as ``"@user/notebook"``, ``"d/<id>"`` or its
        ``https://observablehq.com/...`` address.
      cells: names of the cells to show, in this order (e.g. ``["chart", "viewof k"]``);
        None shows every cell.
      data: variables of the notebook to replace, name -> JSON data (NumPy values are
        converted), e.g. ``{"size": 3}``.

    Raises:
      ValueError: ``url`` is not an Observable notebook, or a name is not a cell name.
      TypeError: ``cells`` is not a list of strings, or ``data`` not a dict of JSON data.
      ImportError: IPython is not installed.
    """
    display_html(observable_html(url, cells, data))


def _notebook_slug(url: str) -> str:
    """``"@user/notebook"`` (or ``"d/<id>"``) from the forms `renderObservable` accepts."""
    if not isinstance(url, str):
        raise TypeError(f"url must be a string such as '@user/notebook', got {url!r}.")
    slug = url[len(OBSERVABLE_SITE) :] if url.startswith(OBSERVABLE_SITE) else url
    if not _SLUG.match(slug):
        raise ValueError(
            f"url {url!r} is not an Observable notebook; expected '@user/notebook', "
            f"'d/<16 hex digits>' or {OBSERVABLE_SITE}@user/notebook."
        )
    return slug


def _check_names(argument: str, names: Sequence[str]) -> None:
    for name in names:
        if not _CELL_NAME.match(name):
            raise ValueError(
                f"{argument} holds {name!r}, which is not an Observable cell name (a JavaScript "
                "identifier, optionally after 'viewof ' or 'mutable ')."
            )
