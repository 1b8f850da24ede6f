"""Two builds of an atlas differ only in the measured seconds: a helper that blanks exactly those.

Render results carry ``"timing": {"seconds": s}``; the JSON API gathers them per unit as
``"timings": {kind: s}``, and the unit pages show them in the "Time" column as ``<td>s s</td>``.
"""

import json
import re

_PAGE_SECONDS = re.compile(rb"<td>[0-9.e+-]+ s</td>")


def without_seconds(relative_path, data: bytes) -> bytes:
    """``data`` of the file ``relative_path`` with every measured number of seconds set to 0."""
    if relative_path.endswith(".json"):
        return json.dumps(_blank(json.loads(data)), sort_keys=True).encode()
    if relative_path.endswith(".html"):
        return _PAGE_SECONDS.sub(b"<td>0 s</td>", data)
    return data


def _blank(value):
    if isinstance(value, list):
        return [_blank(item) for item in value]
    if not isinstance(value, dict):
        return value
    blanked = {key: _blank(item) for key, item in value.items()}
    timing = value.get("timing")
    if isinstance(timing, dict) and "seconds" in timing:
        blanked["timing"] = dict(timing, seconds=0)
    timings = value.get("timings")
    if isinstance(timings, dict):
        blanked["timings"] = {kind: 0 for kind in timings}
    return blanked


def differences(tree, reference):
    """Paths of ``tree`` (``{path: bytes}``) that differ from ``reference`` beyond the seconds."""
    return sorted(
        path
        for path, data in reference.items()
        if path not in tree or without_seconds(path, tree[path]) != without_seconds(path, data)
    )
