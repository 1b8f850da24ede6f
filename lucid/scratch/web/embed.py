"""Pieces shared by the web widgets: values and code made safe to inline in an HTML page.

A widget is a ``<div>`` with a unique id plus a ``<script>`` that fills it. The HTML parser
ends a script at the first ``</script`` whatever JavaScript quoting surrounds it, so Python
data (`script_json`) and compiled code (`script_js`) are escaped before they go inside one.
`display_html` shows the finished HTML through IPython, imported only when called.
"""

import json
import re
import uuid
from typing import Any

import numpy as np

# Escapes valid inside JSON strings (the only place these characters can occur in JSON) that
# keep the HTML parser from seeing a tag, a comment or an entity. U+2028/9 end a line in old JS.
_JSON_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_SCALARS = (str, int, float, bool, type(None))
_NOT_IDENTIFIER_CHARACTER = re.compile(r"[^A-Za-z0-9_]")


def to_json_value(value: Any, where: str = "data") -> Any:
    """Returns ``value`` as plain JSON types, converting NumPy scalars and arrays.

    Args:
      value: nested dicts (string keys), lists, tuples, strings, numbers, booleans and None;
        NumPy arrays become (nested) lists and NumPy scalars Python numbers.
      where: how to name ``value`` in an error, e.g. ``"data"``.

    Returns:
      An equal value built only from dict, list, str, int, float, bool and None.

    Raises:
      TypeError: a value (named by its path, e.g. ``data['pos'][1]``) is not JSON data.
    """
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist()
    if isinstance(value, _JSON_SCALARS):
        return value
    if isinstance(value, dict):
        converted = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"{where} has the key {key!r} of type {type(key).__name__}; JSON objects "
                    "need string keys. Convert the keys with str()."
                )
            converted[key] = to_json_value(item, f"{where}[{key!r}]")
        return converted
    if isinstance(value, (list, tuple)):
        return [to_json_value(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(
        f"{where} is a {type(value).__name__}, which is not JSON data. Pass dicts, lists, "
        "strings, numbers, booleans or None (NumPy arrays and scalars are converted; "
        "images go in as URLs or data URLs)."
    )


def script_json(value: Any, where: str = "data") -> str:
    """A JavaScript expression for ``value``, safe to place inside ``<script>``.

    Args:
      value: JSON data as accepted by `to_json_value` (NaN and infinities are kept: they are
        valid JavaScript).
      where: how to name ``value`` in an error.

    Returns:
      JSON text in which ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so a string
      holding ``"</script>"`` cannot end the script.

    Raises:
      TypeError: ``value`` holds something that is not JSON data.
    """
    text = json.dumps(to_json_value(value, where))
    for character, escape in _JSON_SCRIPT_ESCAPES.items():
        text = text.replace(character, escape)
    return text


def script_js(source: str) -> str:
    """JavaScript ``source`` made safe to place inside ``<script>``.

    ``</script`` and ``<!--`` can only occur in JavaScript inside strings, regular expressions
    or comments, where ``<\\/script`` and ``<\\!--`` mean the same; the HTML parser no longer
    sees them.
    """
    source = re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)
    return source.replace("<!--", "<\\!--")


def js_identifier(name: str) -> str:
    """``name`` with every character other than ``[A-Za-z0-9_]`` replaced by ``_``.

    A leading digit (or an empty name) gets a ``_`` prefix, so the result is always a valid
    JavaScript (and Python) identifier.
    """
    identifier = _NOT_IDENTIFIER_CHARACTER.sub("_", name)
    if not identifier or identifier[0].isdigit():
        identifier = "_" + identifier
    return identifier


def unique_id(prefix: str) -> str:
    """``js_identifier(prefix)`` followed by ``_`` and a random hex UUID: a fresh element id."""
    return f"{js_identifier(prefix)}_{uuid.uuid4().hex}"


def display_html(html: str) -> None:
    """Shows ``html`` as a notebook output with ``IPython.display``.

    Raises:
      ImportError: IPython is not installed (``pip install ipython``); widgets need a
        Jupyter or Colab frontend that runs the ``<script>`` in HTML output.
    """
    try:
        from IPython.display import HTML
        from IPython.display import display
    except ImportError as error:
        raise ImportError(
            "Web widgets are shown with IPython.display, and IPython is not installed. "
            "Install it (pip install ipython) and run this in Jupyter or Colab."
        ) from error
    display(HTML(html))
