"""A unit's page, made from its API record (``api.unit_record``): the same data as its JSON.

Top to bottom: the quality-score badges (linked to their definitions on the help page), the
positive channel visualization beside the negative one (and the transparent one when
rendered), the centre neuron, the diverse set, the dataset examples, the tuning curves, the
upstream units with their signed weights, and the parameters and timings of every result.
"""

from typing import Optional
from typing import Tuple

from lucid.microscope import layout
from lucid.microscope.pages_common import crumbs
from lucid.microscope.pages_common import esc
from lucid.microscope.pages_common import img
from lucid.microscope.pages_common import link
from lucid.microscope.pages_common import number
from lucid.microscope.pages_common import page
from lucid.microscope.pages_common import thumbnail

ROOT = "../../"  # unit pages live in M/L/
SCORES = (
    ("activation_ratio", "activation ratio"),
    ("stability", "stability"),
    ("diversity", "diversity"),
)
_VIEWS = {
    "channel": ("Channel", "maximizes the mean activation of the channel over all positions"),
    "negative": ("Negative", "minimizes the mean activation of the channel: what it is against"),
    "alpha": ("Transparent", "rendered with an alpha channel; transparent where nothing matters"),
    "neuron": ("Neuron (centre)", "maximizes the channel's activation at the centre position"),
    "diverse": ("Diverse", "several images of the channel, pushed apart by a diversity penalty"),
}
_HIDDEN_PARAMS = ("model", "layer", "unit", "kind")


def unit_page(
    model_name: str, layer: dict, record: dict, neighbours: Tuple[Optional[int], Optional[int]]
) -> str:
    """The HTML of one unit's page from its API ``record``."""
    unit, layer_name = record["unit"], layer["name"]
    model_dir = record["page"].split("/")[0]
    parts = [f"<h1>{esc(layer_name)} unit {unit}</h1>"]
    if record["label"] is not None:
        parts.append(
            f'<p class="label">Label: <span class="label-text">{esc(record["label"])}</span></p>'
        )
    parts.append(_pager(unit, neighbours))
    if record["scores"] is not None:
        parts.append(_scores(record["scores"]))
    alt = f"of {layer_name} unit {unit}"
    side_by_side = [
        _view(kind, record[kind], alt) for kind in ("channel", "negative", "alpha", "neuron")
    ]
    if any(side_by_side):
        parts.append(f'<div class="views">{"".join(side_by_side)}</div>')
    parts.append(_view("diverse", record["diverse"], alt))
    parts.append(_examples(record["dataset_examples"], alt))
    parts.append(_tuning(record["tuning_curves"], alt))
    parts.append(_upstream(record["upstream"], record["upstream_note"]))
    parts.append(_parameters(record["params"], record["timings"]))
    trail = [
        (model_name, f"{model_dir}/{layout.INDEX_HTML}"),
        (layer_name, f"{model_dir}/{layer['dir']}/{layout.INDEX_HTML}"),
        f"unit {unit}",
    ]
    title = f"{model_name} / {layer_name} / unit {unit}"
    return page(title, ROOT, crumbs(ROOT, *trail), "\n".join(part for part in parts if part))


def _pager(unit, neighbours):
    links = [f'<a href="{link("", layout.unit_page(unit))}">permalink</a>']
    if neighbours[0] is not None:
        previous = link("", layout.unit_page(neighbours[0]))
        links.insert(0, f'<a rel="prev" href="{previous}">previous unit</a>')
    if neighbours[1] is not None:
        following = link("", layout.unit_page(neighbours[1]))
        links.append(f'<a rel="next" href="{following}">next unit</a>')
    return f'<p class="pager">{" | ".join(links)}</p>'


def _scores(scores):
    badges = []
    for key, name in SCORES:
        value = number(scores.get(key))
        badges.append(
            f'<a class="badge" href="{link(ROOT, "help.html", "score-" + key)}" '
            f'title="What {name} means">{name} <b>{esc(value)}</b></a>'
        )
    return f'<p class="scores">{"".join(badges)}</p>'


def _view(kind, paths, alt):
    if not paths:
        return ""
    title, note = _VIEWS[kind]
    figures = "".join(f"<figure>{img(ROOT, path, f'{title} {alt}')}</figure>" for path in paths)
    return (
        f'<section class="{kind}"><h2>{title}</h2><p class="note">{note}</p>'
        f'<div class="row">{figures}</div></section>'
    )


def _examples(examples, alt):
    if not examples:
        return ""
    figures = []
    for example in examples:
        caption = f"{example['caption']} ({number(example['activation'], 4)})"
        figures.append(
            f'<figure class="example">{img(ROOT, example["image"], f"Dataset example {alt}: {caption}")}'
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    return (
        '<section class="examples"><h2>Dataset examples</h2><p class="note">the images that '
        "activate this unit most; the activating region is outlined</p>"
        f'<div class="row">{"".join(figures)}</div></section>'
    )


def _tuning(tuning, alt):
    if not tuning or not (tuning["chart"] or tuning["curves"]):
        return ""
    names = ", ".join(str(curve.get("name", "")) for curve in tuning["curves"])
    chart = img(ROOT, tuning["chart"], f"Tuning curves {alt}", "chart") if tuning["chart"] else ""
    return (
        '<section class="tuning"><h2>Tuning curves</h2><p class="note">the response to '
        f"synthetic stimuli as one parameter sweeps: {esc(names)}</p>{chart}</section>"
    )


def _upstream(upstream, note):
    if upstream is None and note is None:
        return ""
    items = []
    for item in upstream or []:
        weight = item["weight"]
        sign = "positive" if isinstance(weight, (int, float)) and weight >= 0 else "negative"
        shown = f"{weight:+.3g}" if isinstance(weight, (int, float)) else "n/a"
        caption = f"{item['layer']} unit {item['unit']}"
        picture = thumbnail(ROOT, item["page"], item["image"], caption, "not rendered")
        items.append(f'<li>{picture}<span class="weight {sign}">{esc(shown)}</span></li>')
    parts = [
        '<section class="upstream"><h2>Upstream weights</h2><p class="note">the units of '
        "earlier layers with the largest weight norms into this unit, signed</p>"
    ]
    if note is not None:
        parts.append(f'<p class="no-weights">{esc(note)}</p>')
    if items:
        parts.append(f'<ol class="weights">{"".join(items)}</ol>')
    return "".join(parts) + "</section>"


def _parameters(params, timings):
    rows = []
    for kind in sorted(set(params) | set(timings)):
        shown = ", ".join(
            f"{key}={_parameter(value, params)}"
            for key, value in sorted(params.get(kind, {}).items())
            if key not in _HIDDEN_PARAMS
        )
        seconds = timings.get(kind)
        time = "" if seconds is None else f"{number(seconds)} s"
        rows.append(f"<tr><td>{esc(kind)}</td><td>{esc(shown)}</td><td>{esc(time)}</td></tr>")
    if not rows:
        return ""
    return (
        '<section class="parameters"><h2>Parameters and timings</h2><table>'
        "<thead><tr><th>Result</th><th>Parameters</th><th>Time</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )


def _parameter(value, params):
    """A parameter's value as shown; one that repeats another result's parameters says so."""
    if isinstance(value, dict):
        same = [kind for kind, other in params.items() if other == value]
        if same:
            return f"(as {same[0]})"
        return "{" + ", ".join(f"{k}={v}" for k, v in sorted(value.items())) + "}"
    return value


def neighbours(units: list, unit: int) -> Tuple[Optional[int], Optional[int]]:
    """The units before and after ``unit`` in ``units``."""
    position = units.index(unit)
    previous = units[position - 1] if position > 0 else None
    following = units[position + 1] if position + 1 < len(units) else None
    return previous, following
