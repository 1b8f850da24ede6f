"""Laying activations out in 2-D: UMAP, then normalisation into the unit square.

UMAP comes from the optional ``umap-learn`` package (``pip install 'lucid[atlas]'``); it
is imported only when :func:`aligned_umap` runs, so the rest of the atlas recipe (and a
layout computed some other way) works without it.
"""

import logging
from typing import List
from typing import Optional
from typing import Sequence
from typing import Union

import numpy as np

log = logging.getLogger(__name__)

UMAP_DEFAULTS = {"n_components": 2, "n_neighbors": 50, "min_dist": 0.05, "metric": "cosine"}


def normalize_layout(
    layout: np.ndarray,
    min_percentile: float = 1,
    max_percentile: float = 99,
    relative_margin: float = 0.1,
) -> np.ndarray:
    """Fits a layout into `[0, 1]` per axis, ignoring outliers.

    Each axis's range from ``min_percentile`` to ``max_percentile`` is widened by
    ``relative_margin`` of its length on each side (as in Lucid, the upper margin is
    measured after the lower one was added, so it is slightly larger), points beyond it are
    clipped onto it, and the result is shifted and scaled to span exactly `[0, 1]`.

    Args:
      layout: `[N, D]` coordinates (any range).

    Returns:
      float `[N, D]` in `[0, 1]`, each axis reaching both 0 and 1.

    Raises:
      ValueError: ``layout`` is not `[N, D]`, or all points share one coordinate on an
        axis (there is no extent to normalise).
    """
    layout = np.asarray(layout, dtype=np.float64)
    if layout.ndim != 2 or layout.shape[0] == 0:
        raise ValueError(f"layout must be a non-empty [N, D] array; got shape {layout.shape}.")
    mins = np.percentile(layout, min_percentile, axis=0)
    maxs = np.percentile(layout, max_percentile, axis=0)
    mins -= relative_margin * (maxs - mins)
    maxs += relative_margin * (maxs - mins)
    clipped = np.clip(layout, mins, maxs)
    clipped -= clipped.min(axis=0)
    extent = clipped.max(axis=0)
    flat = np.flatnonzero(extent == 0)
    if flat.size:
        raise ValueError(
            f"layout has no extent along axis {flat[0]}: all {layout.shape[0]} points (between "
            f"the {min_percentile}th and {max_percentile}th percentiles) share one coordinate. "
            "Lay out more varied activations, or widen the percentiles."
        )
    return clipped / extent


def _import_umap():
    try:
        from umap import UMAP
    except ImportError as error:
        raise ImportError(
            "aligned_umap needs the umap-learn package, which is not installed: run "
            "pip install 'lucid[atlas]' (or pip install umap-learn). Alternatively pass a "
            f"precomputed layout to the atlas. ({error})"
        ) from error
    return UMAP


def aligned_umap(
    activations: Union[np.ndarray, Sequence[np.ndarray]],
    umap_options: Optional[dict] = None,
    normalize: bool = True,
    verbose: bool = False,
) -> Union[np.ndarray, List[np.ndarray]]:
    """Lays activations out in 2-D with one UMAP, so several groups share one map.

    Args:
      activations: `[N, C]` array, or a list or tuple of `[N_i, C]` arrays (e.g. the
        activations of two models in a shared space) laid out together.
      umap_options: overrides of ``UMAP_DEFAULTS`` (2 components, 50 neighbours,
        ``min_dist`` 0.05, cosine metric), e.g. ``{"random_state": 0}``.
      normalize: fit the layout into `[0, 1]` with :func:`normalize_layout` (over all
        groups together).
      verbose: let UMAP report its progress.

    Returns:
      `[N, 2]` for one array; for a list or tuple, a list of `[N_i, 2]`, in order. (Lucid
      required every group to have the same N; here they may differ.)

    Raises:
      ImportError: umap-learn is not installed (install ``lucid[atlas]``).
      ValueError: UMAP failed to fit (Lucid turned its RecursionError/SystemError into this).
    """
    grouped = isinstance(activations, (list, tuple))
    groups = [np.asarray(a) for a in activations] if grouped else [np.asarray(activations)]
    for i, group in enumerate(groups):
        if group.ndim != 2:
            raise ValueError(
                f"aligned_umap: activations must be [N, C] arrays; group {i} has shape {group.shape}."
            )
    combined = np.concatenate(groups, axis=0)
    UMAP = _import_umap()
    options = dict(UMAP_DEFAULTS, verbose=verbose)
    options.update(umap_options or {})
    try:
        layout = UMAP(**options).fit_transform(combined)
    except (RecursionError, SystemError) as error:
        raise ValueError(f"UMAP failed to fit {combined.shape} activations: {error}") from error
    if normalize:
        layout = normalize_layout(layout)
    if not grouped:
        return layout
    return np.split(layout, np.cumsum([len(group) for group in groups])[:-1], axis=0)
