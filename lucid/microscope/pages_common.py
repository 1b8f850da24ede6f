"""The pieces every atlas page is made of: escaping, relative links, the page shell.

Every page lives at some depth below the atlas directory and reaches everything else
through ``root``, the relative prefix back to it (``""``, ``"../"`` or ``"../../"``), so
links work from ``file://`` and from any URL prefix. Paths inside the atlas (as the JSON API
gives them, ``"M/L/img/unit-0042-channel.png"``) are made of safe components
(``layout.safe_component``); each is URL-quoted again, and every attribute HTML-escaped.

The pages run one script, ``search.js`` (the search box), from the atlas directory; the
Content-Security-Policy allows only scripts from there ('self'): no inline scripts, no
event-handler attributes, no eval, no plugins.
"""

import html
from typing import List
from typing import Optional
from urllib.parse import quote

import lucid
from lucid.microscope import layout

HELP_HTML = layout.HELP_HTML
SEARCH_JS = layout.SEARCH_JS
CSP = "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"


def esc(text) -> str:
    """HTML-escapes ``text`` (quotes included), for element content and attribute values."""
    return html.escape(str(text), quote=True)


def href(*components: str) -> str:
    """A relative URL from path components (``".."`` allowed), each URL-quoted, then HTML-escaped."""
    return esc("/".join(quote(c, safe="") for c in components))


def link(root: str, path: str, fragment: str = "") -> str:
    """The escaped URL of the atlas path ``path`` (``"/"``-separated) from a page at ``root``."""
    url = root + "/".join(quote(c, safe="") for c in path.split("/"))
    return esc(url + ("#" + quote(fragment, safe="") if fragment else ""))


def img(root: str, path: str, alt: str, css_class: Optional[str] = None) -> str:
    """A lazy ``<img>`` of the atlas path ``path`` with alt text."""
    class_attribute = f' class="{css_class}"' if css_class else ""
    return f'<img src="{link(root, path)}" alt="{esc(alt)}" loading="lazy"{class_attribute}>'


def thumbnail(
    root: str, page: Optional[str], image: Optional[str], caption: str, blank: str = ""
) -> str:
    """A picture of a unit with a caption, linked to its page when it has one.

    Without an image: a blank box saying ``blank`` when given, else just the caption.
    """
    picture = img(root, image, caption) if image else ""
    if not image and blank:
        picture = f'<span class="blank">{esc(blank)}</span>'

    inner = f'{picture}<span class="caption">{esc(caption)}</span>'
    if page is None:
        return f'<span class="unit">{inner}</span>'
    return f'<a class="unit" href="{link(root, page)}">{inner}</a>'


def unit_caption(unit: int, label: Optional[str]) -> str:
    return f"unit {unit}" + ("" if label is None else f": {label}")


def crumbs(root: str, *trail) -> List[str]:
    """Breadcrumbs: ``Models``, then ``(text, atlas path)`` links, then the plain last text."""
    items = [f'<a href="{link(root, "index.html")}">Models</a>']
    for text, path in trail[:-1]:
        items.append(f'<a href="{link(root, path)}">{esc(text)}</a>')
    if trail:
        items.append(esc(trail[-1]))
    return items


def page(title: str, root: str, crumb_items: List[str], body: str) -> str:
    """A whole HTML page: breadcrumbs, the search box, ``body`` (trusted HTML), a footer."""
    nav = " / ".join(crumb_items)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{esc(title)}</title>
<link rel="stylesheet" href="{root}style.css">
<script src="{root}{SEARCH_JS}" defer></script>
</head>
<body>
<header class="top">
<nav class="crumbs">{nav}</nav>
<form class="search" role="search">
<input type="search" class="search-input" placeholder="Search layers, units, labels" aria-label="Search the atlas" autocomplete="off" spellcheck="false">
<ol class="search-results" hidden></ol>
</form>
<a class="help" href="{root}{HELP_HTML}">Help</a>
</header>
<main>
{body}
</main>
<footer>Made with lucid {esc(lucid.__version__)} (lucid microscope).</footer>
</body>
</html>
"""


def sample(units: list, count: int) -> list:
    """Up to ``count`` units spread evenly over ``units``."""
    if len(units) <= count:
        return units
    return [units[round(i * (len(units) - 1) / (count - 1))] for i in range(count)]


def number(value, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, or ``"n/a"`` when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "n/a"
    return f"{value:.{digits}g}"
