"""Synthetic tuning curves: a unit's response as one parameter of a stimulus sweeps.

Stimuli come from ``lucid.misc.stimuli`` at the model's input size (``[h, w, 3]`` in
`[0, 1]`; a one-channel model sees their grey versions, as with dataset examples):

* **angle** (degrees, 0 to 165 by 15; 0 = horizontal stripes, 90 = vertical) and
  **frequency** (cycles per pixel, ``2**-5`` to ``2**-1.5`` by half octaves, log axis):
  one set of grey gratings, every angle x frequency x phase (0 and 90 degrees). The angle
  curve is, at each angle, the largest response over frequencies and phases; the frequency
  curve, at each frequency, the largest over angles and phases. So each curve shows the
  unit's best response with that parameter fixed.
* **hue** (degrees, 0 to 345 by 15; 0 red, 120 green, 240 blue): a saturated disc (a third
  of the image) on mid-grey. RGB models only: a grey model would see luminance only.
* **curvature** (1/pixels): ``stimuli.rounded_corner_line``, a right-angled corner
  rounded to radius ``r`` drawn as a black line (``side / 64`` pixels wide, at least 1) on
  white, ``r`` from half the image side down to a sixteenth (``x = 1 / r``), each at 8
  orientations (the largest response over them).

A unit's response to an image is its channel's maximum over positions (a dense unit's
value), computed for all units of the layer at once by
``dataset_examples.channel_maxima`` in batches. Stimuli are deterministic (no random
jitter), so the curves and the chart are too.
"""

import dataclasses
import functools
import hashlib
import os
from typing import Dict
from typing import List
from typing import Sequence
from typing import Tuple

import numpy as np

import lucid
from lucid.microscope import charts
from lucid.microscope import dataset_examples
from lucid.microscope import layout
from lucid.microscope import results
from lucid.misc import stimuli
from lucid.optvis import render_util

ANGLES = tuple(range(0, 180, 15))
FREQUENCIES = tuple(2.0 ** (k / 2) for k in range(-10, -2))  # 1/32 .. 1/2.83 cycles/pixel
PHASES = (0, 90)
HUES = tuple(range(0, 360, 15))
RADIUS_FRACTIONS = (1 / 2, 1 / 3, 1 / 4, 1 / 6, 1 / 8, 1 / 12, 1 / 16)  # of the image side
CORNER_ORIENTATIONS = tuple(range(0, 360, 45))
BATCH_SIZE = 64
LOG_X_CURVES = ("frequency",)
X_TICKS = {"angle": (0, 45, 90, 135), "hue": (0, 120, 240), "frequency": (1 / 32, 1 / 8, 1 / 2)}


@dataclasses.dataclass(frozen=True)
class Sweep:
    """Stimuli for one or more curves.

    Attributes:
      images: `[n, h, w, 3]` float32 in `[0, 1]`.
      curves: per curve ``(name, unit, x values, group of each image)``: the curve's
        ``y[k]`` is the largest response over the images whose group is ``k``.
    """

    images: np.ndarray
    curves: Tuple[Tuple[str, str, Tuple[float, ...], np.ndarray], ...]


def _gratings(height, width) -> Sweep:
    grid = [(a, f, p) for a in range(len(ANGLES)) for f in range(len(FREQUENCIES)) for p in PHASES]
    images = [stimuli.grating((height, width), ANGLES[a], FREQUENCIES[f], p) for a, f, p in grid]
    angle = ("angle", "degrees", tuple(map(float, ANGLES)), np.array([a for a, _, _ in grid]))
    frequency = (
        "frequency",
        "cycles/pixel",
        _rounded(FREQUENCIES),
        np.array([f for _, f, _ in grid]),
    )
    return Sweep(np.stack(images).astype(np.float32), (angle, frequency))


def _hues(height, width) -> Sweep:
    images = [stimuli.disc((height, width), stimuli.hue_color(hue)) for hue in HUES]
    groups = np.arange(len(HUES))
    return Sweep(
        np.stack(images).astype(np.float32),
        (("hue", "degrees", tuple(map(float, HUES)), groups),),
    )


def _curves(height, width) -> Sweep:
    side = max(height, width)
    top, left = (side - height) // 2, (side - width) // 2
    radii = [side * fraction for fraction in RADIUS_FRACTIONS]
    grid = [(k, o) for k in range(len(radii)) for o in CORNER_ORIENTATIONS]
    line_width = max(1.0, side / 64)
    images = [
        stimuli.rounded_corner_line(orientation, radii[k], size=side, line_width=line_width)[
            top : top + height, left : left + width
        ]
        for k, orientation in grid
    ]
    groups = np.array([k for k, _ in grid])
    curvatures = _rounded(1 / r for r in radii)
    return Sweep(
        np.stack(images).astype(np.float32), (("curvature", "1/pixels", curvatures, groups),)
    )


@functools.lru_cache(maxsize=2)
def sweeps(height: int, width: int, rgb: bool = True) -> Tuple[Sweep, ...]:
    """The stimulus sweeps at ``height x width`` (without hues when not ``rgb``); cached."""
    found = [_gratings(height, width)]
    if rgb:
        found.append(_hues(height, width))
    found.append(_curves(height, width))
    for sweep in found:
        sweep.images.flags.writeable = False
    return tuple(found)


def stimuli_fingerprint(all_sweeps: Sequence[Sweep]) -> str:
    """SHA-256 of the sweeps' images and x values: what the curves depend on besides the model."""
    digest = hashlib.sha256()
    for sweep in all_sweeps:
        digest.update(sweep.images.tobytes())
        for name, unit, x, groups in sweep.curves:
            digest.update(repr((name, unit, x, groups.tolist())).encode())
    return digest.hexdigest()


def layer_tuning_curves(
    model, layer: str, units: Sequence[int], batch_size: int = BATCH_SIZE
) -> Dict[int, List[dict]]:
    """``{unit: [{"name", "unit", "x", "y"}, ...]}`` for ``units`` of ``layer``.

    One pass over every sweep's images computes all units; ``y`` values are rounded to 6
    significant digits.

    Raises:
      ValueError: a unit that is not a channel of the layer; a model that takes other than
        1 or 3 channels (as ``dataset_examples.channel_maxima``).
    """
    height, width, channels = render_util.default_image_shape(model)
    all_sweeps = sweeps(height, width, channels == 3)
    images = np.concatenate([sweep.images for sweep in all_sweeps])
    responses = dataset_examples.channel_maxima(model, [layer], images, batch_size)[layer]
    bad = [u for u in units if not 0 <= u < responses.shape[1]]
    if bad:
        raise ValueError(
            f"units {bad[:10]} are not channels of {layer!r}, which has {responses.shape[1]}."
        )
    curves = {int(u): [] for u in units}
    start = 0
    for sweep in all_sweeps:
        part = responses[start : start + len(sweep.images)]
        start += len(sweep.images)
        for name, unit_name, x, groups in sweep.curves:
            best = np.stack([part[groups == k].max(axis=0) for k in range(len(x))])  # [len(x), c]
            for u in curves:
                y = [float(f"{v:.6g}") for v in best[:, u]]
                curves[u].append({"name": name, "unit": unit_name, "x": list(x), "y": y})
    return curves


def chart_svg(curves: Sequence[dict], title: str = "") -> str:
    """The small-multiples SVG of ``curves`` (as from :func:`layer_tuning_curves`), one row."""
    panels = [
        charts.Panel(
            f"{curve['name']} ({curve['unit']})",
            curve["x"],
            curve["y"],
            X_TICKS.get(curve["name"]),
            curve["name"] in LOG_X_CURVES,
        )
        for curve in curves
    ]
    return charts.line_chart_svg(panels, title, columns=len(panels))


def tuning_params(model_name: str, layer: str, unit: int, fingerprint: str) -> dict:
    """The parameters recorded with (and identifying) one unit's tuning curves."""
    return {
        "model": model_name,
        "layer": layer,
        "unit": int(unit),
        "kind": "tuning",
        "stimuli": fingerprint,
        "version": lucid.__version__,
    }


def write_layer_tuning(
    model, model_dir: str, layer_name: str, layer_dir: str, units: Sequence[int]
) -> int:
    """Writes each unit's tuning curves not done yet; returns how many units it wrote.

    Per unit: ``img/unit-NNNN-tuning.svg`` (the chart, one panel per curve), then
    ``img/unit-NNNN-tuning.json`` with ``"curves": [{"name", "unit", "x", "y"}]`` and
    ``"files": ["unit-NNNN-tuning.svg"]``.

    Raises:
      ValueError: as :func:`layer_tuning_curves`.
    """
    height, width, channels = render_util.default_image_shape(model)
    fingerprint = stimuli_fingerprint(sweeps(height, width, channels == 3))
    results_dir = os.path.join(model_dir, layer_dir, layout.RESULTS_DIR)

    def params(unit):
        return tuning_params(model.name, layer_name, unit, fingerprint)

    stem = functools.partial(layout.result_stem, kind="tuning")
    todo = [u for u in units if not results.is_done(results_dir, stem(u), params(u))]
    if not todo:
        return 0
    for unit, curves in layer_tuning_curves(model, layer_name, todo).items():
        svg_name = stem(unit) + ".svg"
        title = f"{model.name} {layer_name} unit {unit}: tuning curves"
        results.atomic_write(os.path.join(results_dir, svg_name), chart_svg(curves, title).encode())
        record = {"curves": curves, "files": [svg_name], "params": params(unit)}
        results.atomic_write(
            os.path.join(results_dir, stem(unit) + ".json"), results.json_bytes(record)
        )
    return len(todo)


def _rounded(values) -> Tuple[float, ...]:
    return tuple(float(f"{v:.6g}") for v in values)
