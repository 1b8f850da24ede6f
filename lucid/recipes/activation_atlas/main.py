"""Activation atlases: a grid of icons showing what a layer's activation space contains.

How it works (:func:`activation_atlas`):

1. Activations: `[N, C]` activation vectors of one layer, one per image position. Lucid
   downloads them (``layer.activations``, 100,000 ImageNet samples); pass ``activations=``
   (e.g. ``model.get_activations(layer, images, center_only=True)``) to work offline.
2. Layout: UMAP maps them to `[N, 2]`, normalised into the unit square
   (``layout.aligned_umap``); or pass ``layout=`` computed any other way.
3. Binning: the square is cut into ``grid_size x grid_size`` cells; each cell holding more
   than ``threshold`` points gets the mean of their activations
   (:func:`bin_laid_out_activations`).
4. Icons: each mean is rendered as a feature visualization (``render.render_icons``), in
   batches of ``icon_batch_size``.
5. Canvas: icons are placed on a white grid (:func:`make_canvas`).

Orientation: layout axis 0 runs *down* the canvas rows and axis 1 *across* the columns, as
in Lucid. Lucid's notebooks plot axis 0 to the right and axis 1 upward instead:
``np.rot90(canvas)`` gives that view.

The recipes return arrays and write nothing to disk, so a failed run leaves no files.
Fixes to Lucid 0.3.10: ``activation_atlas`` unpacked UMAP's single layout as a 1-tuple and
could never run; ``_combine_activations`` failed when given arrays; the two generators of
``aligned_activation_atlas`` both rendered the second model when collected before use.

References: Carter et al., "Activation Atlas", Distill 2019.
"""

import enum
from typing import Iterator
from typing import List
from typing import Optional
from typing import Sequence
from typing import Tuple
from typing import Union

import numpy as np

from lucid.modelzoo.aligned_activations import NUMBER_OF_AVAILABLE_SAMPLES
from lucid.modelzoo.aligned_activations import layer_inverse_covariance
from lucid.modelzoo.aligned_activations import push_activations
from lucid.modelzoo.vision_base import Layer
from lucid.modelzoo.vision_base import Model
from lucid.recipes.activation_atlas.layout import aligned_umap
from lucid.recipes.activation_atlas.layout import normalize_layout
from lucid.recipes.activation_atlas.render import render_icons


class EmptyAtlasError(ValueError, RuntimeError):
    """No grid cell holds enough points (a ValueError, and Lucid's RuntimeError)."""


class ActivationTranslation(enum.Enum):
    """How :func:`_combine_activations` relates two layers' activations."""

    ONE_TO_TWO = enum.auto()
    BIDIRECTIONAL = enum.auto()


def _check_count(name: str, value, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int of at least {minimum}; got {value!r}.")
    return int(value)


def _layer_activations(model, layer, activations, number_activations) -> Tuple[Layer, np.ndarray]:
    """``(layer, [N, C] activations)``; ``layer.activations`` (downloaded) when not given."""
    if isinstance(layer, str):
        layer = model.get_layer(layer) if activations is None else layer
    if activations is None:
        activations = layer.activations
    activations = np.asarray(activations)
    name = getattr(layer, "name", layer)
    if activations.ndim != 2:
        raise ValueError(
            f"activations of {name!r} must be [N, channels]; got shape {activations.shape}. For "
            "conv layers collect one vector per image, e.g. model.get_activations(layer, images, "
            "center_only=True)."
        )
    return layer, activations[: _check_count("number_activations", number_activations)]


def _check_enough(activations, grid_size, name):
    cells = grid_size * grid_size
    if len(activations) < cells:
        raise ValueError(
            f"{name}: {len(activations)} activations for a {grid_size}x{grid_size} grid ({cells} "
            f"cells); pass at least {cells} (more images or a larger number_activations) or a "
            "smaller grid_size."
        )


def _combine_activations(
    layer1,
    layer2,
    activations1=None,
    activations2=None,
    mode=ActivationTranslation.BIDIRECTIONAL,
    number_activations=NUMBER_OF_AVAILABLE_SAMPLES,
):
    """Maps two layers' activations into a shared space through ``push_activations``.

    ``ONE_TO_TWO`` gives ``(a1 pushed into layer2, a2)``; ``BIDIRECTIONAL`` gives
    ``([a1, a1 pushed to layer2], [a2 pushed to layer1, a2])``, each `[N, C1 + C2]`.
    Missing activations are the layers' first ``number_activations`` aligned ones.
    """
    if activations1 is None:  # not `activations1 or ...`: an array has no truth value
        activations1 = layer1.activations[:number_activations]
    if activations2 is None:
        activations2 = layer2.activations[:number_activations]
    if mode is ActivationTranslation.ONE_TO_TWO:
        return push_activations(activations1, layer1, layer2), activations2
    if mode is ActivationTranslation.BIDIRECTIONAL:
        model1 = np.concatenate([activations1, push_activations(activations1, layer1, layer2)], 1)
        model2 = np.concatenate([push_activations(activations2, layer2, layer1), activations2], 1)
        return model1, model2
    raise ValueError(f"mode must be an ActivationTranslation; got {mode!r}.")


def bin_laid_out_activations(
    layout: np.ndarray, activations: np.ndarray, grid_size: int, threshold: int = 5
) -> Tuple[List[np.ndarray], List[np.ndarray], List[int]]:
    """Averages the activations falling into each cell of a grid over the layout.

    Args:
      layout: `[N, 2]` positions in `[0, 1]` (e.g. from ``normalize_layout``).
      activations: `[N, C]`, row i laid out at ``layout[i]``.
      grid_size: cells per side; cell ``(x, y)`` covers ``layout[:, 0]`` in
        ``[x / G, (x + 1) / G)`` and ``layout[:, 1]`` in ``[y / G, (y + 1) / G)`` (the last
        cell includes 1).
      threshold: a cell is kept if it holds *more* than this many points.

    Returns:
      ``(means, coordinates, counts)`` over the kept cells, ``x`` varying fastest: `[C]`
      mean activations, int `[2]` ``(x, y)`` cells and point counts.

    Raises:
      EmptyAtlasError: (a ValueError and RuntimeError) no cell holds more than
        ``threshold`` points.
    """
    grid_size = _check_count("grid_size", grid_size)
    layout, activations = np.asarray(layout), np.asarray(activations)
    if layout.ndim != 2 or layout.shape[1] != 2 or len(layout) != len(activations):
        raise ValueError(
            f"layout must be [N, 2] with one row per activation; got layout {layout.shape} for "
            f"activations {activations.shape}."
        )
    if len(layout) and (layout.min() < 0 or layout.max() > 1):
        raise ValueError(
            f"layout must lie in [0, 1]; got values in [{layout.min()}, {layout.max()}]. "
            "Normalise it with layout.normalize_layout."
        )
    edges = np.linspace(0, 1, grid_size + 1)
    edges[-1] = np.inf
    cells = np.digitize(layout, edges) - 1  # [N, 2]
    cell_ids = cells[:, 0] + grid_size * cells[:, 1]
    means, coordinates, counts = [], [], []
    for y in range(grid_size):
        for x in range(grid_size):
            members = cell_ids == x + grid_size * y
            count = int(members.sum())
            if count > threshold:
                means.append(activations[members].mean(axis=0))
                coordinates.append(np.array([x, y]))
                counts.append(count)
    if not means:
        raise EmptyAtlasError(
            f"No cell of the {grid_size}x{grid_size} grid holds more than {threshold} of the "
            f"{len(layout)} points. Use more activations, a smaller grid_size or a lower threshold."
        )
    return means, coordinates, counts


def make_canvas(icon_batch: Sequence[np.ndarray], coordinates, grid_size: int) -> np.ndarray:
    """Places icons on a white ``grid_size x grid_size`` grid.

    Args:
      icon_batch: icons, each `[h, w, c]` in `[0, 1]`.
      coordinates: one ``(x, y)`` cell per icon.
      grid_size: cells per side.

    Returns:
      float64 `[G * h, G * w, c]` (Lucid's layout): the icon of cell ``(x, y)`` fills rows
      ``x * h ...`` and columns ``y * w ...``; empty cells are 1 (white). ``np.rot90`` of
      it puts x to the right and y upward, as Lucid's notebooks plot.
    """
    grid_size = _check_count("grid_size", grid_size)
    if len(icon_batch) == 0 or len(icon_batch) != len(coordinates):
        raise ValueError(
            f"make_canvas needs one (x, y) coordinate per icon and at least one icon; got "
            f"{len(icon_batch)} icons and {len(coordinates)} coordinates."
        )
    icon_shape = np.shape(icon_batch[0])
    canvas = np.ones((grid_size, grid_size) + icon_shape)
    for icon, (x, y) in zip(icon_batch, coordinates):
        if not (0 <= x < grid_size and 0 <= y < grid_size):
            raise ValueError(f"coordinate {(x, y)} is outside the {grid_size}x{grid_size} grid.")
        canvas[x, y] = icon
    return np.hstack(np.hstack(canvas))


def _progressive_canvases(model, layer, directions, coordinates, grid_size, batch_size, **kwargs):
    """Yields the canvas after each batch of icons (arguments bound now, not at iteration)."""
    from tqdm.auto import tqdm

    progress = kwargs.pop("progress")
    icons = []
    with tqdm(total=len(directions), desc="atlas icons", unit="icon", disable=not progress) as bar:
        for start in range(0, len(directions), batch_size):
            batch = directions[start : start + batch_size]
            icons += render_icons(batch, model, layer=layer, progress=False, **kwargs)[0]
            bar.update(len(batch))
            yield make_canvas(icons, coordinates[: len(icons)], grid_size)


def _as_layout(layout, n, name):
    layout = np.asarray(layout)
    if layout.shape != (n, 2):
        raise ValueError(
            f"{name} must be [N, 2] = {(n, 2)}, one row per activation; got {layout.shape}."
        )
    return layout


def activation_atlas(
    model: Model,
    layer: Union[Layer, str],
    grid_size: int = 10,
    icon_size: int = 96,
    number_activations: int = NUMBER_OF_AVAILABLE_SAMPLES,
    icon_batch_size: int = 32,
    verbose: bool = False,
    *,
    activations: Optional[np.ndarray] = None,
    layout: Optional[np.ndarray] = None,
    n_steps: int = 128,
    progress: bool = True,
) -> np.ndarray:
    """Renders the activation atlas of one layer (see the module docstring for the steps).

    Args:
      model: a ``lucid.modelzoo.vision_base.Model``.
      layer: a ``Layer``, or a layer name.
      grid_size: cells per side.
      icon_size: icon height and width in pixels.
      number_activations: use at most this many activations.
      icon_batch_size: icons optimised together.
      verbose: report UMAP and icon progress.
      activations: `[N, C]` activation vectors to lay out; default ``layer.activations``
        (Lucid's aligned ImageNet samples, downloaded once).
      layout: `[N, 2]` positions of those activations in any range (cut to
        ``number_activations`` rows like them, then normalised with ``normalize_layout``);
        default UMAP (needs ``pip install 'lucid[atlas]'``).
      n_steps: optimisation steps per icon (Lucid's default, 128).
      progress: show a progress bar over the icons.

    Returns:
      float64 `[grid_size * icon_size, grid_size * icon_size, 3]` in `[0, 1]`; see
      :func:`make_canvas` for the orientation.

    Raises:
      ValueError: fewer activations than grid cells, or a malformed ``layout``.
      EmptyAtlasError: no cell holds more than 5 points.
    """
    grid_size = _check_count("grid_size", grid_size)
    layer, acts = _layer_activations(model, layer, activations, number_activations)
    _check_enough(acts, grid_size, "activation_atlas")
    if layout is None:
        layout = aligned_umap(acts, verbose=verbose)
    else:
        layout = np.asarray(layout)[:number_activations]  # cut like the activations
        layout = normalize_layout(_as_layout(layout, len(acts), "layout"))
    directions, coordinates, _ = bin_laid_out_activations(layout, acts, grid_size)
    canvases = _progressive_canvases(
        model,
        getattr(layer, "name", layer),
        directions,
        coordinates,
        grid_size,
        _check_count("icon_batch_size", icon_batch_size),
        size=icon_size,
        n_steps=n_steps,
        num_attempts=1,
        verbose=verbose,
        progress=progress,
    )
    *_, canvas = canvases  # the last canvas has every icon
    return canvas


def aligned_activation_atlas(
    model1: Model,
    layer1: Layer,
    model2: Model,
    layer2: Layer,
    grid_size: int = 10,
    icon_size: int = 80,
    num_steps: int = 1024,
    whiten_layers: bool = True,
    number_activations: int = NUMBER_OF_AVAILABLE_SAMPLES,
    icon_batch_size: int = 32,
    verbose: bool = False,
    *,
    activations1: Optional[np.ndarray] = None,
    activations2: Optional[np.ndarray] = None,
    layouts: Optional[Sequence[np.ndarray]] = None,
    progress: bool = True,
) -> Iterator[Iterator[np.ndarray]]:
    """Atlases of two layers laid out in one shared map, so their cells correspond.

    Both layers' activations are mapped into a shared space (BIDIRECTIONAL
    :func:`_combine_activations`, which uses the layers' aligned activations and so the
    network), laid out by one UMAP and split back; each layer's own activations are then
    binned (cells with more than 10 points) and rendered (3 attempts, ``num_steps`` steps,
    whitened by ``layer_inverse_covariance`` if ``whiten_layers``).

    Args:
      model1, layer1, model2, layer2: the two models and their ``Layer``s.
      activations1, activations2: `[N, C_i]` activations on the *same* N inputs; default
        the layers' first ``number_activations`` aligned activations.
      layouts: a pair of `[N, 2]` layouts to use instead of UMAP (normalised together).
      Other arguments: as :func:`activation_atlas`.

    Returns:
      An iterator over two generators, for model 1 then model 2; each yields the atlas
      canvas after every batch of icons, the last one complete. Unlike Lucid's generator,
      the layout is computed (and bad input reported) when this function is called; the
      icons are rendered as the generators are consumed.
    """
    grid_size = _check_count("grid_size", grid_size)
    icon_batch_size = _check_count("icon_batch_size", icon_batch_size)
    # The layers' aligned activations relate the two spaces, so Layer objects are needed.
    layer1 = model1.get_layer(layer1) if isinstance(layer1, str) else layer1
    layer2 = model2.get_layer(layer2) if isinstance(layer2, str) else layer2
    layer1, acts1 = _layer_activations(model1, layer1, activations1, number_activations)
    layer2, acts2 = _layer_activations(model2, layer2, activations2, number_activations)
    if len(acts1) != len(acts2):
        raise ValueError(
            f"aligned_activation_atlas: the layers need activations on the same inputs; got "
            f"{len(acts1)} and {len(acts2)} rows."
        )
    _check_enough(acts1, grid_size, "aligned_activation_atlas")
    if layouts is None:
        layouts = aligned_umap(_combine_activations(layer1, layer2, acts1, acts2), verbose=verbose)
    else:
        if len(layouts) != 2:
            raise ValueError(f"layouts must be a pair of [N, 2] arrays; got {len(layouts)} items.")
        joint = np.concatenate(
            [
                _as_layout(np.asarray(each)[:number_activations], len(acts1), "layouts[i]")
                for each in layouts
            ]
        )
        layouts = np.split(normalize_layout(joint), 2)
    generators = []
    for model, layer, acts, layout in zip(
        (model1, model2), (layer1, layer2), (acts1, acts2), layouts
    ):
        directions, coordinates, _ = bin_laid_out_activations(layout, acts, grid_size, threshold=10)
        canvases = _progressive_canvases(
            model,
            layer.name,
            directions,
            coordinates,
            grid_size,
            icon_batch_size,
            size=icon_size,
            n_steps=num_steps,
            alpha=False,
            S=layer_inverse_covariance(layer) if whiten_layers else None,
            num_attempts=3,
            verbose=verbose,
            progress=progress,
        )
        generators.append(canvases)
    return iter(generators)
